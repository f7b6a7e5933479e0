// `axle demo`: the end-to-end tour of what axle can do today. It grows with every capability,
// finishes by itself and leaves nothing running; its files stay in <state-dir>/demo/.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "axle/core/clock.hpp"
#include "axle/crypto/aead.hpp"
#include "axle/crypto/hash.hpp"
#include "axle/crypto/keys.hpp"
#include "axle/crypto/mac.hpp"
#include "axle/crypto/provider.hpp"
#include "axle/crypto/random.hpp"
#include "context.hpp"

namespace axle::cli {

namespace {

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string hex(std::span<const std::uint8_t> b) {
  std::string out;
  for (auto x : b) out += fmt::format("{:02x}", x);
  return out;
}

// A key's public id: the first 8 bytes of SHA-256 of the key. Never the key itself.
Result<std::string> key_id(const SecretBytes& key) {
  AXLE_TRY(auto digest, crypto::sha256(key.view()));
  return hex(std::span(digest).first(8));
}

// Capabilities that are planned but not built yet, in the order they land.
constexpr std::string_view kStillToCome[] = {
    "device identity (EDID): hardware fingerprint, TPM 2.0, signed identity documents",
    "tamper-evident audit log: RFC 5424 events, RFC 9162 Merkle proofs, signed checkpoints",
    "zero-copy shared-memory bus with introspection and latency benchmarks",
    "pluggable serialization, DDS/ROS 2 bridge, time sync, supervisor",
    "identity lifecycle registry (SQLite, PostgreSQL) and privacy tools",
};

class Demo {
 public:
  explicit Demo(Context& ctx) : ctx_(ctx) {}

  Result<void> run() {
    AXLE_TRY(StateDir state, ctx_.state_dir());
    say(fmt::format("axle demo — state directory {}", state.path().string()));
    report_["state_dir"] = state.path().string();

    // 1. Per-purpose keys from one device secret (HKDF-SHA256, RFC 5869, domain-separated info).
    step("derive per-purpose keys with HKDF-SHA256");
    AXLE_TRY(SecretBytes device_secret, crypto::random_secret(32));
    AXLE_TRY(auto salt, crypto::sha256(bytes_of("axle demo device")));
    AXLE_TRY(SecretBytes prk, crypto::hkdf_sha256_extract(salt, device_secret.view()));
    nlohmann::ordered_json keys = nlohmann::ordered_json::object();
    SecretBytes signing_seed;
    SecretBytes audit_key;
    for (std::string_view purpose : {"identity-signing", "audit-mac", "pseudonymisation"}) {
      std::string info = fmt::format("axle/{}@v1", purpose);
      AXLE_TRY(SecretBytes okm, crypto::hkdf_sha256_expand(prk.view(), bytes_of(info), 32));
      AXLE_TRY(std::string id, key_id(okm));
      say(fmt::format("  {:<28} key id {}", info, id));
      keys[info] = id;
      if (purpose == "identity-signing") signing_seed = std::move(okm);
      if (purpose == "audit-mac") audit_key = std::move(okm);
    }
    report_["derived_keys"] = keys;

    // 2. Sign and verify a document with the derived Ed25519 key, and with ECDSA P-256.
    step("sign and verify a document");
    std::string document = fmt::format(
        R"({{"kind":"axle-demo-document","issued_at":"{}","text":"brake firmware 4.2.1 approved"}})",
        format_utc_ms(utc_ms()));
    AXLE_RETURN_IF_ERROR(state.write("demo/document.json", document, 0644));
    nlohmann::ordered_json signatures = nlohmann::ordered_json::array();
    if (crypto::require_allowed(crypto::Algorithm::kEd25519)) {
      AXLE_TRY(crypto::PrivateKey ed, crypto::PrivateKey::ed25519_from_seed(signing_seed.view()));
      AXLE_TRY(auto entry, sign_and_check(ed, document, crypto::SignatureFormat::kDer, state));
      signatures.push_back(entry);
    } else {
      say("  Ed25519 skipped: not approved in FIPS mode");
    }
    AXLE_TRY(crypto::PrivateKey ec, crypto::PrivateKey::generate(crypto::KeyType::kEcdsaP256));
    AXLE_TRY(auto ec_der, sign_and_check(ec, document, crypto::SignatureFormat::kDer, state));
    signatures.push_back(ec_der);
    AXLE_TRY(auto ec_p1363, sign_and_check(ec, document, crypto::SignatureFormat::kP1363, state));
    signatures.push_back(ec_p1363);
    report_["signatures"] = signatures;

    // 3. Authenticated encryption under the derived audit key.
    step("encrypt and authenticate a record with AES-256-GCM");
    std::string record = "operator=alice@example.com action=unlock-diagnostics";
    AXLE_TRY(auto sealed, crypto::aes256_gcm_seal_random_nonce(
                              audit_key.view(), bytes_of("demo-aad"), bytes_of(record)));
    AXLE_TRY(auto opened,
             crypto::aes256_gcm_open_random_nonce(audit_key.view(), bytes_of("demo-aad"), sealed));
    bool round_trip = std::string(opened.begin(), opened.end()) == record;
    sealed[sealed.size() / 2] ^= 0x01;
    bool tamper_refused =
        !crypto::aes256_gcm_open_random_nonce(audit_key.view(), bytes_of("demo-aad"), sealed).ok();
    say(fmt::format("  {} bytes sealed; decrypts to the original: {}; one flipped bit refused: {}",
                    sealed.size(), yes_no(round_trip), yes_no(tamper_refused)));
    report_["aead"] = {{"sealed_bytes", sealed.size()},
                       {"round_trip", round_trip},
                       {"tamper_refused", tamper_refused}};
    if (!round_trip || !tamper_refused) {
      return make_error(ErrorCode::kInternal, "AES-256-GCM self-check failed");
    }

    step("still to come");
    nlohmann::ordered_json todo = nlohmann::ordered_json::array();
    for (auto item : kStillToCome) {
      say(fmt::format("  - {}", item));
      todo.push_back(item);
    }
    report_["still_to_come"] = todo;
    say("demo finished: nothing is left running.");
    return ok();
  }

  const nlohmann::ordered_json& report() const { return report_; }

 private:
  static std::string_view yes_no(bool b) { return b ? "yes" : "NO"; }

  void say(const std::string& line) {
    if (!ctx_.options.json) std::cout << line << '\n' << std::flush;
  }
  void step(std::string_view title) { say(fmt::format("\n== {}. {}", ++step_, title)); }

  // Signs, verifies, checks that a tampered document is refused, and, when the openssl CLI is
  // installed, has it verify the same signature independently.
  Result<nlohmann::ordered_json> sign_and_check(const crypto::PrivateKey& key,
                                                const std::string& document,
                                                crypto::SignatureFormat format,
                                                const StateDir& state) {
    AXLE_TRY(auto signature, key.sign(bytes_of(document), format));
    AXLE_TRY(crypto::PublicKey pub, key.public_key());
    bool verified = pub.verify(bytes_of(document), signature, format).ok();
    std::string tampered = document;
    tampered[tampered.size() / 2] ^= 0x01;
    bool tamper_refused = !pub.verify(bytes_of(tampered), signature, format).ok();
    std::string name =
        fmt::format("{}{}", crypto::key_type_name(key.type()),
                    key.type() == crypto::KeyType::kEcdsaP256
                        ? (format == crypto::SignatureFormat::kDer ? "-der" : "-p1363")
                        : "");
    AXLE_TRY(std::string pub_pem, pub.to_pem());
    AXLE_RETURN_IF_ERROR(state.write("demo/" + name + ".pub.pem", pub_pem, 0644));
    AXLE_RETURN_IF_ERROR(state.write(
        "demo/" + name + ".sig",
        std::string_view(reinterpret_cast<const char*>(signature.data()), signature.size()), 0644));
    std::string independent = "n/a (the openssl CLI takes DER signatures only)";
    if (format == crypto::SignatureFormat::kDer) {
      independent = openssl_verify(state, name);
    }
    say(
        fmt::format("  {:<16} signature {} bytes; verifies: {}; tampered document refused: {}; "
                    "openssl: {}",
                    name, signature.size(), yes_no(verified), yes_no(tamper_refused), independent));
    if (!verified || !tamper_refused) {
      return make_error(ErrorCode::kInternal,
                        fmt::format("{} sign/verify self-check failed", name));
    }
    return nlohmann::ordered_json{{"algorithm", name},
                                  {"signature_bytes", signature.size()},
                                  {"verified", verified},
                                  {"tamper_refused", tamper_refused},
                                  {"openssl_cli", independent}};
  }

  // Runs `openssl pkeyutl -verify` on the files just written (no shell involved).
  static std::string openssl_verify(const StateDir& state, const std::string& name) {
    std::string dir = (state.path() / "demo").string();
    std::vector<std::string> argv = {"openssl",
                                     "pkeyutl",
                                     "-verify",
                                     "-pubin",
                                     "-inkey",
                                     dir + "/" + name + ".pub.pem",
                                     "-rawin",
                                     "-in",
                                     dir + "/document.json",
                                     "-sigfile",
                                     dir + "/" + name + ".sig"};
    if (name.rfind("ecdsa", 0) == 0) {
      argv.insert(argv.begin() + 2, {"-digest", "sha256"});
    }
    pid_t pid = fork();
    if (pid < 0) return "not run (fork failed)";
    if (pid == 0) {
      int devnull = ::open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execvp("openssl", args.data());
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status)) return "not run";
    if (WEXITSTATUS(status) == 127) return "openssl CLI not installed";
    return WEXITSTATUS(status) == 0 ? "verified" : "REFUSED";
  }

  Context& ctx_;
  nlohmann::ordered_json report_;
  int step_ = 0;
};

int run_demo(Context& ctx) {
  Demo demo(ctx);
  auto result = demo.run();
  if (!result) return ctx.fail(result.error());
  if (ctx.options.json) {
    nlohmann::ordered_json doc = demo.report();
    doc["ok"] = true;
    ctx.print_json(doc);
  }
  return kExitOk;
}

}  // namespace

void register_demo_command(CLI::App& app, Context& ctx) {
  CLI::App* cmd = app.add_subcommand(
      "demo", "Run the end-to-end tour: derive keys, sign and verify a document, encrypt a record");
  set_example(*cmd, "axle demo --state-dir /tmp/axle-demo");
  cmd->callback([&ctx] { ctx.exit_code = run_demo(ctx); });
}

}  // namespace axle::cli
