// `axle id fingerprint|keys|generate|show|verify`: this device's fingerprint report, its derived
// key handles, and its signed identity documents.
#include <fmt/format.h>

#include <iostream>

#include "axle/core/files.hpp"
#include "axle/identity/derived_keys.hpp"
#include "axle/identity/device_certificate.hpp"
#include "axle/identity/document.hpp"
#include "axle/identity/fingerprint.hpp"
#include "axle/identity/vendor_ca.hpp"
#include "context.hpp"

namespace axle::cli {

namespace {

struct IdOptions {
  std::string root = "/";
  // generate
  std::string relying_party;
  bool anonymous = false;
  std::string oui;  // for the device certificate a local vendor CA issues on first use
  // show / verify
  std::string document;
  std::string ca_file;
  std::vector<std::string> crl_files;
  std::string revocation_list;
  std::string nonce_cache;
  std::int64_t window_seconds = 300;
  std::string tcti;
  std::vector<unsigned> pcrs = {0};
  bool explain = false;
  bool show_sensitive = false;
  bool no_history = false;
};

std::optional<identity::Digest32> parse_hex32(const std::string& hex) {
  if (hex.size() != 64) return std::nullopt;
  identity::Digest32 out{};
  for (std::size_t i = 0; i < 32; ++i) {
    unsigned v = 0;
    for (char c : hex.substr(i * 2, 2)) {
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<unsigned>(c - 'a' + 10);
      else
        return std::nullopt;
    }
    out[i] = static_cast<std::uint8_t>(v);
  }
  return out;
}

double to_ms(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }

Result<identity::FingerprintReport> collect(Context& ctx, const IdOptions& opt) {
  identity::FingerprintOptions options;
  options.context.root = opt.root;
  options.context.tpm.tcti = opt.tcti;
  options.context.tpm.pcrs = opt.pcrs;
  if (!opt.no_history) {
    AXLE_TRY(StateDir state, ctx.state_dir());
    AXLE_TRY(options.history_file, identity::history_file(state));
  }
  return identity::collect_fingerprint(options);
}

nlohmann::ordered_json report_json(const identity::FingerprintReport& report,
                                   const IdOptions& opt) {
  nlohmann::ordered_json doc;
  doc["fingerprint"] = report.fingerprint_hex();
  doc["confidence"] = report.confidence;
  doc["high_tier_present"] = report.high_tier_present;
  doc["notes"] = report.notes;
  nlohmann::ordered_json sources = nlohmann::ordered_json::array();
  for (const auto& s : report.sources) {
    nlohmann::ordered_json j;
    j["name"] = s.name;
    j["tier"] = identity::tier_name(s.tier);
    j["nominal_weight"] = s.nominal_weight;
    j["weight"] = s.weight;
    j["elapsed_ms"] = to_ms(s.elapsed_ns);
    j["time_limit_ms"] = to_ms(s.time_limit_ns);
    j["verdict"] = identity::verdict_name(s.verdict);
    j["reasons"] = s.reasons;
    j["jsd"] = s.jsd ? nlohmann::ordered_json(*s.jsd) : nlohmann::ordered_json(nullptr);
    j["fused"] = s.fused;
    j["sensitive"] = s.sensitive;
    j["value"] = opt.show_sensitive ? s.display : s.masked();
    j["notes"] = s.notes;
    sources.push_back(j);
  }
  doc["sources"] = sources;
  return doc;
}

void print_text(const identity::FingerprintReport& report, const IdOptions& opt) {
  std::cout << fmt::format("fingerprint {}\nconfidence {:.2f}; high tier {}\n",
                           report.fingerprint_hex(), report.confidence,
                           report.high_tier_present ? "present" : "missing");
  for (const auto& n : report.notes) std::cout << "note: " << n << '\n';
  std::cout << fmt::format("\n{:<18} {:<8} {:>6} {:>10}  {:<10} {}\n", "SOURCE", "TIER", "WEIGHT",
                           "TIME", "VERDICT", "DETAIL");
  for (const auto& s : report.sources) {
    std::string detail = !s.reasons.empty()                   ? s.reasons.front()
                         : s.fused                            ? "fused"
                         : s.tier == identity::Tier::kSession ? "session, not fused"
                                                              : "checked, not fused";
    std::cout << fmt::format("{:<18} {:<8} {:>6.2f} {:>7.2f} ms  {:<10} {}\n", s.name,
                             identity::tier_name(s.tier), s.weight, to_ms(s.elapsed_ns),
                             identity::verdict_name(s.verdict), detail);
    if (!opt.explain) continue;
    std::string value = opt.show_sensitive ? s.display : s.masked();
    if (!value.empty()) std::cout << "    value: " << value << '\n';
    std::cout << fmt::format("    nominal weight {:.2f}, time limit {:.0f} ms{}\n",
                             s.nominal_weight, to_ms(s.time_limit_ns),
                             s.jsd ? fmt::format(", Jensen-Shannon {:.4f}", *s.jsd) : "");
    for (std::size_t i = 1; i < s.reasons.size(); ++i) std::cout << "    " << s.reasons[i] << '\n';
    for (const auto& n : s.notes) std::cout << "    " << n << '\n';
  }
}

int run_fingerprint(Context& ctx, const IdOptions& opt) {
  // Loads the configuration (logging, FIPS) even when the history is not used.
  if (auto cfg = ctx.config(); !cfg) return ctx.fail(cfg.error());
  auto report = collect(ctx, opt);
  if (!report) return ctx.fail(report.error());
  if (ctx.options.json) {
    ctx.print_json(report_json(*report, opt));
  } else {
    print_text(*report, opt);
  }
  return kExitOk;
}

int run_keys(Context& ctx, const IdOptions& opt) {
  auto report = collect(ctx, opt);
  if (!report) return ctx.fail(report.error());
  auto state = ctx.state_dir();
  if (!state) return ctx.fail(state.error());
  identity::SourceContext source_ctx;
  source_ctx.root = opt.root;
  source_ctx.tpm.tcti = opt.tcti;
  auto secret = identity::open_device_secret(*state, source_ctx);
  if (!secret) return ctx.fail(secret.error());
  const std::string_view storage = identity::secret_storage_name(secret->storage);
  nlohmann::ordered_json keys = nlohmann::ordered_json::array();
  for (identity::KeyPurpose p : identity::kAllKeyPurposes) {
    auto key = identity::derive_key(report->fingerprint, secret->secret, p);
    if (!key) return ctx.fail(key.error());
    auto id = identity::key_id(*key);
    if (!id) return ctx.fail(id.error());
    keys.push_back({{"purpose", identity::key_purpose_name(p)},
                    {"info", identity::key_purpose_info(p)},
                    {"key_id", *id}});
  }
  if (ctx.options.json) {
    ctx.print_json(
        {{"fingerprint", report->fingerprint_hex()}, {"device_secret", storage}, {"keys", keys}});
    return kExitOk;
  }
  std::cout << "fingerprint " << report->fingerprint_hex() << '\n';
  std::cout << "device secret: " << storage << '\n';
  for (const auto& k : keys) {
    std::cout << fmt::format("{:<28} key id {}\n", k["info"].get<std::string>(),
                             k["key_id"].get<std::string>());
  }
  return kExitOk;
}

// Exit codes of `axle id verify`, one per refusal (docs/cli.md).
int verify_exit_code(identity::VerifyFailure f) {
  switch (f) {
    case identity::VerifyFailure::kNone: return kExitOk;
    case identity::VerifyFailure::kMalformed: return 10;
    case identity::VerifyFailure::kBadSignature: return 11;
    case identity::VerifyFailure::kUntrustedChain: return 12;
    case identity::VerifyFailure::kCertificateExpired: return 13;
    case identity::VerifyFailure::kRevoked: return 14;
    case identity::VerifyFailure::kTimestamp: return 15;
    case identity::VerifyFailure::kReplay: return 16;
    case identity::VerifyFailure::kVerifierState: return 17;
  }
  return kExitFailure;
}

Result<std::string> read_hex_file(const StateDir& state, std::string_view name) {
  AXLE_TRY(std::string text, state.read(name));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

Result<identity::IdentityDocument> generate(Context& ctx, const IdOptions& opt) {
  AXLE_TRY(StateDir state, ctx.state_dir());
  AXLE_TRY(identity::FingerprintReport report, collect(ctx, opt));
  identity::SourceContext source_ctx;
  source_ctx.root = opt.root;
  source_ctx.tpm.tcti = opt.tcti;
  AXLE_TRY(identity::DeviceSecret device_secret, identity::open_device_secret(state, source_ctx));
  const SecretBytes& secret = device_secret.secret;
  identity::GenerateInputs in;
  AXLE_TRY(in.secure_boot, identity::secure_boot_hash(source_ctx, report.fingerprint));
  if (opt.anonymous) {
    in.mode = identity::DocumentMode::kAnonymous;
    in.relying_party = opt.relying_party;
    AXLE_TRY(SecretBytes pkey, identity::derive_key(report.fingerprint, secret,
                                                    identity::KeyPurpose::kPseudonymisation));
    in.pseudonymisation_key = &pkey;
    return identity::generate_document(in);
  }
  // With no options a local vendor CA (`axle vendor-ca init`) certifies the device on first use.
  identity::DeviceCertificateRequest request;
  request.oui = opt.oui;
  AXLE_TRY(auto issued, identity::ensure_device_certificate(state, report, secret, request));
  if (issued) {
    std::cerr << "device certificate issued by the local vendor CA: " << issued->string() << '\n';
  }
  AXLE_TRY(std::string mid_hex, read_hex_file(state, identity::kManufacturerIdFile));
  auto mid = parse_hex32(mid_hex);
  if (!mid) return make_error(ErrorCode::kCorrupt, "identity/manufacturer_id is not 32 hex bytes");
  in.manufacturer_id = *mid;
  AXLE_TRY(in.certificate_pem, state.read(identity::kDeviceCertFile));
  AXLE_TRY(crypto::PrivateKey key, identity::device_signing_key(report.fingerprint, secret));
  in.device_key = &key;
  return identity::generate_document(in);
}

int run_generate(Context& ctx, const IdOptions& opt) {
  if (opt.anonymous && opt.relying_party.empty()) {
    return ctx.fail(make_error(ErrorCode::kInvalidArgument, "--anonymous needs --relying-party ID"),
                    kExitUsage);
  }
  auto doc = generate(ctx, opt);
  if (!doc) return ctx.fail(doc.error());
  auto state = ctx.state_dir();
  if (!state) return ctx.fail(state.error());
  std::string json = doc->canonical_json();
  if (auto w = state->write("identity/document.json", json + "\n", 0644); !w) {
    return ctx.fail(w.error());
  }
  if (ctx.options.json) {
    ctx.print_json(nlohmann::ordered_json::parse(json));
    return kExitOk;
  }
  std::cout << doc->edid << '\n'
            << "written to " << (state->path() / "identity/document.json").string() << '\n';
  return kExitOk;
}

Result<std::string> document_text(Context& ctx, const IdOptions& opt) {
  if (!opt.document.empty()) return read_file(opt.document, 1U << 20);
  AXLE_TRY(StateDir state, ctx.state_dir());
  if (!state.exists("identity/document.json")) {
    return make_error(ErrorCode::kNotFound, "no identity document yet; run 'axle id generate'");
  }
  return state.read("identity/document.json");
}

int run_show(Context& ctx, const IdOptions& opt) {
  auto text = document_text(ctx, opt);
  if (!text) return ctx.fail(text.error());
  auto doc = identity::parse_document(*text);
  if (!doc) return ctx.fail(doc.error());
  auto j = nlohmann::ordered_json::parse(*text);
  if (ctx.options.json) {
    ctx.print_json(j);
    return kExitOk;
  }
  for (const auto& [key, value] : j.items()) {
    if (key == "certificate") {
      std::cout << fmt::format("{:<20} (PEM, {} bytes)\n", key, value.get<std::string>().size());
    } else {
      std::cout << fmt::format("{:<20} {}\n", key,
                               value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
  return kExitOk;
}

int run_verify(Context& ctx, const IdOptions& opt) {
  auto text = document_text(ctx, opt);
  if (!text) return ctx.fail(text.error());
  auto state = ctx.state_dir();
  if (!state) return ctx.fail(state.error());
  identity::VerifyPolicy policy;
  auto root = opt.ca_file.empty() ? state->read(identity::kVendorRootCertFile)
                                  : read_file(opt.ca_file, 1U << 20);
  if (root) policy.trusted_roots_pem.push_back(*root);
  for (const auto& f : opt.crl_files) {
    auto crl = read_file(f, 16U << 20);
    if (!crl) return ctx.fail(crl.error());
    policy.crls_pem.push_back(*crl);
  }
  // The local vendor CA's CRL applies by default when its root is the trusted one.
  if (opt.ca_file.empty() && opt.crl_files.empty() && state->exists(identity::kVendorCrlFile)) {
    auto crl = state->read(identity::kVendorCrlFile);
    if (!crl) return ctx.fail(crl.error());
    policy.crls_pem.push_back(*crl);
  }
  policy.window_ms = opt.window_seconds * 1000;
  auto path_or = [&](const std::string& given, std::string_view name) -> Result<std::string> {
    if (!given.empty()) return given;
    AXLE_TRY(std::filesystem::path p, state->file(name));
    AXLE_RETURN_IF_ERROR(ensure_private_dir(p.parent_path()));
    return p.string();
  };
  auto nonces = path_or(opt.nonce_cache, "identity/seen-nonces");
  auto revoked = path_or(opt.revocation_list, "identity/revoked");
  if (!nonces || !revoked) return ctx.fail(!nonces ? nonces.error() : revoked.error());
  policy.nonce_cache = *nonces;
  policy.revocation_list = *revoked;

  auto verdict = identity::verify_document(*text, policy);
  int code = verify_exit_code(verdict.failure);
  if (ctx.options.json) {
    nlohmann::ordered_json j;
    j["ok"] = verdict.ok();
    j["result"] = identity::verify_failure_name(verdict.failure);
    j["message"] = verdict.message;
    if (verdict.document) j["edid"] = verdict.document->edid;
    ctx.print_json(j);
  } else if (verdict.ok()) {
    std::cout << "valid: " << verdict.document->edid << " ("
              << (verdict.document->mode == identity::DocumentMode::kRealName
                      ? "real-name"
                      : "anonymous, relying party " + verdict.document->relying_party)
              << ")\n";
  }
  if (!verdict.ok()) {
    std::cerr << "axle: refused (" << identity::verify_failure_name(verdict.failure)
              << "): " << verdict.message << '\n';
  }
  ctx.exit_code = code;
  return code;
}

void add_collection_options(CLI::App& cmd, IdOptions& opt) {
  cmd.add_option("--root", opt.root, "Read sysfs, procfs and /etc below this directory")
      ->check(CLI::ExistingDirectory);
  cmd.add_option(
      "--tcti", opt.tcti,
      "TPM TCTI, e.g. swtpm:host=127.0.0.1,port=2321 (default device:<root>/dev/tpmrm0)");
  cmd.add_option("--pcrs", opt.pcrs, "PCRs of the SHA-256 bank to read (default 0)")
      ->delimiter(',')
      ->check(CLI::Range(0U, 23U));
  cmd.add_flag("--no-history", opt.no_history,
               "Do not compare with or update the sample history in the state directory");
}

}  // namespace

void register_id_command(CLI::App& app, Context& ctx) {
  CLI::App* group = app.add_subcommand("id", "Device identity: fingerprint and derived keys");
  group->require_subcommand(1);
  set_example(*group, "axle id fingerprint --explain");
  auto opt = std::make_shared<IdOptions>();

  CLI::App* fp = group->add_subcommand(
      "fingerprint",
      "Collect every fingerprint source and print the fused 32-byte fingerprint with each "
      "source's tier, weight, time and verdict");
  add_collection_options(*fp, *opt);
  fp->add_flag("--explain", opt->explain, "Show values (masked), limits, divergences and notes");
  fp->add_flag("--show-sensitive", opt->show_sensitive, "Show serials and MAC addresses unmasked");
  set_example(*fp, "axle id fingerprint --json --root tests/identity/fixtures/tree_a");
  fp->callback([&ctx, opt] { ctx.exit_code = run_fingerprint(ctx, *opt); });

  CLI::App* keys = group->add_subcommand(
      "keys",
      "Derive the per-purpose keys (HKDF-SHA256 of the fingerprint and the device secret) and "
      "print their public key ids, never the keys");
  add_collection_options(*keys, *opt);
  set_example(*keys, "axle id keys --json");
  keys->callback([&ctx, opt] { ctx.exit_code = run_keys(ctx, *opt); });

  CLI::App* gen = group->add_subcommand(
      "generate",
      "Create and sign this device's identity document (EDID-v2) and write it to "
      "<state-dir>/identity/document.json");
  add_collection_options(*gen, *opt);
  gen->add_flag("--anonymous", opt->anonymous,
                "Anonymous mode: a per-relying-party pseudonym instead of the device certificate");
  gen->add_option("--relying-party", opt->relying_party, "Relying party id (anonymous mode)");
  gen->add_option("--oui", opt->oui,
                  "OUI of the ManufacturerID when the local vendor CA certifies this device on "
                  "first use (default: the vendor CA's)");
  set_example(*gen,
              "axle vendor-ca init && axle id generate   (the local CA certifies the device)");
  gen->callback([&ctx, opt] { ctx.exit_code = run_generate(ctx, *opt); });

  CLI::App* show = group->add_subcommand(
      "show", "Print an identity document (default: this device's, from the state directory)");
  show->add_option("document", opt->document, "Identity document (JSON)")->check(CLI::ExistingFile);
  set_example(*show, "axle id show --json");
  show->callback([&ctx, opt] { ctx.exit_code = run_show(ctx, *opt); });

  CLI::App* verify = group->add_subcommand(
      "verify",
      "Verify an identity document: signature, certificate chain to the vendor root, "
      "revocation list, timestamp window and nonce replay; exit codes 10-17 name the refusal");
  verify->add_option("document", opt->document, "Identity document (JSON); default this device's")
      ->check(CLI::ExistingFile);
  verify
      ->add_option("--ca", opt->ca_file,
                   "Trusted vendor root (PEM); default <state-dir>/vendor-ca/root.pem")
      ->check(CLI::ExistingFile);
  verify->add_option("--crl", opt->crl_files, "CRL (PEM) of the vendor CA; repeatable")
      ->check(CLI::ExistingFile);
  verify->add_option("--revocation-list", opt->revocation_list,
                     "Revoked identities, one EDID or hex public key per line; default "
                     "<state-dir>/identity/revoked");
  verify->add_option("--nonce-cache", opt->nonce_cache,
                     "Seen-nonce cache; default <state-dir>/identity/seen-nonces");
  verify
      ->add_option("--window", opt->window_seconds,
                   "Accepted distance of the timestamp from now, in seconds (default 300)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{86400 * 365}));
  set_example(*verify, "axle id verify device.json --ca vendor-root.pem");
  verify->callback([&ctx, opt] { ctx.exit_code = run_verify(ctx, *opt); });
}

}  // namespace axle::cli
