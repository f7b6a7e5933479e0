// `axle audit ...`: the tamper-evident audit log. Parses arguments, calls axle::audit, prints.
//
// Exit codes beyond 0/1/2 (docs/audit.md): 3 = a proof, checkpoint or log does not verify;
// 4 = a proof file is malformed (not JSON, missing or mistyped fields, bad base64).
#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "audit_archive.hpp"
#include "audit_settings.hpp"
#include "axle/audit/event.hpp"
#include "axle/audit/log.hpp"
#include "axle/audit/log_verify.hpp"
#include "axle/audit/proof_json.hpp"
#include "axle/audit/redaction.hpp"
#include "axle/audit/store.hpp"
#include "axle/core/clock.hpp"
#include "axle/core/files.hpp"
#include "context.hpp"
#include "validators.hpp"

namespace axle::cli {

namespace {

constexpr int kExitNotVerified = 3;
constexpr int kExitMalformed = 4;

struct AuditArgs {
  // append
  audit::AuditEvent event;
  std::string sd_id;  // empty: the audit.sd_id configuration key
  std::string ops_file;
  bool from_stdin = false;
  // tail
  std::uint64_t count = 10;
  // prove / consistency
  std::uint64_t index = 0;
  std::uint64_t size = 0;  // 0: current size
  std::uint64_t old_size = 0;
  std::uint64_t new_size = 0;
  // verify-proof / verify / verify-checkpoint
  std::string file;
  std::string vkey;
  std::string checkpoint_file;
  std::string archive_file;
  bool skip_archives = false;
  // redaction / reveal
  bool redact = false;
  std::string master_key_file;
  std::uint64_t seq = 0;
};

// The L3 master key: a file holding at least 64 hex digits (32 bytes), e.g. from
// `openssl rand -hex 32`. The key never appears in messages.
Result<SecretBytes> load_master_key(const std::string& path) {
  if (path.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "give the L3 master key with --master-key-file");
  }
  AXLE_TRY(std::string text, read_file(path, 4096));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  SecretBytes key(text.size() / 2);
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  bool valid = text.size() >= 64 && text.size() % 2 == 0;
  for (std::size_t i = 0; valid && i < key.size(); ++i) {
    const int hi = nibble(text[2 * i]);
    const int lo = nibble(text[2 * i + 1]);
    valid = hi >= 0 && lo >= 0;
    if (valid) key.mutable_view()[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  secure_wipe(text.data(), text.size());
  if (!valid) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "the master key file must hold at least 64 hex digits (openssl rand -hex 32)");
  }
  return key;
}

std::string utc_day() { return format_utc_ms(utc_ms()).substr(0, 10); }

struct OpenLog {
  audit::AuditStore store;
  std::unique_ptr<audit::AuditLog> log;
};

Result<OpenLog> open_log(Context& ctx) {
  AXLE_TRY(StateDir state, ctx.state_dir());
  AXLE_TRY(audit::AuditStore store, open_audit_store(ctx, state));
  audit::LogOptions options;
  options.dir = store.log_dir();
  AXLE_TRY(auto log, audit::AuditLog::open(options));
  return OpenLog{std::move(store), std::move(log)};
}

std::vector<std::uint8_t> to_bytes(const audit::Hash& h) { return {h.begin(), h.end()}; }

std::string hex(const audit::Hash& h) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : h) {
    out += kDigits[b >> 4U];
    out += kDigits[b & 15U];
  }
  return out;
}

int run_append(Context& ctx, const AuditArgs& args) {
  std::vector<std::string> messages;
  if (args.from_stdin || args.event.op.empty()) {
    // Each line of standard input is one complete RFC 5424 message, checked strictly.
    std::string line;
    std::uint64_t number = 0;
    while (std::getline(std::cin, line)) {
      ++number;
      if (line.empty()) continue;
      auto parsed = audit::parse_rfc5424(line);
      if (!parsed) {
        return ctx.fail(
            make_error(ErrorCode::kInvalidArgument,
                       "stdin line " + std::to_string(number) + ": " + parsed.error().message),
            kExitUsage);
      }
      messages.push_back(line);
    }
    if (messages.empty()) {
      return ctx.fail(make_error(ErrorCode::kInvalidArgument,
                                 "nothing to append: give --op and --outcome, or RFC 5424 lines "
                                 "on standard input"),
                      kExitUsage);
    }
  } else {
    audit::AuditEvent event = args.event;
    if (args.redact) {
      auto key = load_master_key(args.master_key_file);
      if (!key) return ctx.fail(key.error(), kExitUsage);
      auto redacted =
          audit::redact_event(event, audit::RedactionPolicy::standard(), &*key, utc_day());
      if (!redacted) return ctx.fail(redacted.error());
    }
    audit::OpTable table = audit::OpTable::builtin();
    if (!args.ops_file.empty()) {
      auto loaded = audit::OpTable::load(args.ops_file);
      if (!loaded) return ctx.fail(loaded.error());
      table = std::move(*loaded);
    }
    auto sd_id = audit_sd_id(ctx, args.sd_id);
    if (!sd_id) return ctx.fail(sd_id.error(), kExitUsage);
    auto message = audit::to_syslog(event, table, audit::EventOptions{*sd_id});
    if (!message) return ctx.fail(message.error(), kExitUsage);
    auto text = audit::format_rfc5424(*message);
    if (!text) return ctx.fail(text.error(), kExitUsage);
    messages.push_back(*text);
  }
  auto opened = open_log(ctx);
  if (!opened) return ctx.fail(opened.error());
  nlohmann::ordered_json seqs = nlohmann::ordered_json::array();
  for (const std::string& m : messages) {
    auto seq = opened->log->append(m);
    if (!seq) return ctx.fail(seq.error());
    seqs.push_back(*seq);
    if (!ctx.options.json) std::cout << "appended entry " << *seq << '\n';
  }
  if (ctx.options.json)
    ctx.print_json({{"ok", true}, {"seq", seqs}, {"size", opened->log->size()}});
  return kExitOk;
}

int run_tail(Context& ctx, const AuditArgs& args) {
  auto opened = open_log(ctx);
  if (!opened) return ctx.fail(opened.error());
  const std::uint64_t size = opened->log->size();
  // Entries before the oldest segment were archived and removed by retention: not shown.
  const std::uint64_t oldest = opened->log->segments().front().first;
  const std::uint64_t first = std::max(size > args.count ? size - args.count : 0, oldest);
  auto entries = opened->log->read(first, size - first);
  if (!entries) return ctx.fail(entries.error());
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& e : *entries) {
    if (ctx.options.json) {
      list.push_back({{"seq", e.seq}, {"prev", hex(e.prev)}, {"message", e.message}});
    } else {
      std::cout << e.seq << ' ' << e.message << '\n';
    }
  }
  if (ctx.options.json) ctx.print_json({{"size", size}, {"entries", list}});
  return kExitOk;
}

int run_checkpoint(Context& ctx) {
  auto opened = open_log(ctx);
  if (!opened) return ctx.fail(opened.error());
  auto note = opened->store.write_checkpoint(*opened->log);
  if (!note) return ctx.fail(note.error());
  if (ctx.options.json) {
    ctx.print_json({{"origin", opened->store.origin()},
                    {"size", opened->log->size()},
                    {"checkpoint", *note},
                    {"vkey", opened->store.verifier().vkey()}});
  } else {
    std::cout << *note;
  }
  return kExitOk;
}

int run_key(Context& ctx) {
  auto state = ctx.state_dir();
  if (!state) return ctx.fail(state.error());
  auto store = open_audit_store(ctx, *state);
  if (!store) return ctx.fail(store.error());
  if (ctx.options.json) {
    ctx.print_json({{"origin", store->origin()}, {"vkey", store->verifier().vkey()}});
  } else {
    std::cout << store->verifier().vkey() << '\n';
  }
  return kExitOk;
}

int run_prove(Context& ctx, const AuditArgs& args) {
  auto opened = open_log(ctx);
  if (!opened) return ctx.fail(opened.error());
  audit::AuditLog& log = *opened->log;
  const std::uint64_t size = args.size == 0 ? log.size() : args.size;
  auto proof = log.inclusion_proof(args.index, size);
  if (!proof) return ctx.fail(proof.error(), kExitUsage);
  auto root = log.root(size);
  auto leaf = log.leaf_hash_at(args.index);
  if (!root || !leaf) return ctx.fail(!root ? root.error() : leaf.error());
  audit::InclusionProofFile out;
  out.leaf_index = args.index;
  out.tree_size = size;
  out.root = to_bytes(*root);
  out.leaf_hash = to_bytes(*leaf);
  for (const auto& h : *proof) out.proof.push_back(to_bytes(h));
  out.desc =
      "axle audit prove " + std::to_string(args.index) + " (origin " + opened->store.origin() + ")";
  std::cout << audit::to_proof_json(audit::ProofFile{out});
  return kExitOk;
}

int run_consistency(Context& ctx, const AuditArgs& args) {
  auto opened = open_log(ctx);
  if (!opened) return ctx.fail(opened.error());
  audit::AuditLog& log = *opened->log;
  auto proof = log.consistency_proof(args.old_size, args.new_size);
  if (!proof) return ctx.fail(proof.error(), kExitUsage);
  auto root1 = log.root(args.old_size);
  auto root2 = log.root(args.new_size);
  if (!root1 || !root2) return ctx.fail(!root1 ? root1.error() : root2.error());
  audit::ConsistencyProofFile out;
  out.size1 = args.old_size;
  out.size2 = args.new_size;
  out.root1 = to_bytes(*root1);
  out.root2 = to_bytes(*root2);
  for (const auto& h : *proof) out.proof.push_back(to_bytes(h));
  out.desc = "axle audit consistency " + std::to_string(args.old_size) + " " +
             std::to_string(args.new_size) + " (origin " + opened->store.origin() + ")";
  std::cout << audit::to_proof_json(audit::ProofFile{out});
  return kExitOk;
}

int run_verify_proof(Context& ctx, const AuditArgs& args) {
  auto text = read_file(args.file, 16U << 20U);
  if (!text) return ctx.fail(text.error());
  auto proof = audit::parse_proof_json(*text);
  if (!proof) return ctx.fail(proof.error(), kExitMalformed);
  auto verdict = audit::verify_proof_file(*proof);
  if (!verdict) return ctx.fail(verdict.error(), kExitNotVerified);
  if (ctx.options.json) {
    ctx.print_json({{"ok", true}, {"verified", true}});
  } else {
    std::cout << "proof verifies\n";
  }
  return kExitOk;
}

int run_verify_checkpoint(Context& ctx, const AuditArgs& args) {
  auto note = read_file(args.file, 1U << 20U);
  if (!note) return ctx.fail(note.error());
  auto verifier = audit::NoteVerifier::from_vkey(args.vkey);
  if (!verifier) return ctx.fail(verifier.error(), kExitUsage);
  auto cp = audit::verify_checkpoint(*note, *verifier);
  if (!cp) {
    return ctx.fail(cp.error(), cp.error().code == ErrorCode::kVerificationFailed ? kExitNotVerified
                                                                                  : kExitMalformed);
  }
  if (ctx.options.json) {
    ctx.print_json({{"ok", true}, {"origin", cp->origin}, {"size", cp->size}});
  } else {
    std::cout << "checkpoint of " << cp->origin << " at size " << cp->size << " verifies\n";
  }
  return kExitOk;
}

int run_verify(Context& ctx, const AuditArgs& args) {
  if (!args.archive_file.empty()) return run_verify_archive(ctx, args.archive_file, args.vkey);
  auto state = ctx.state_dir();
  if (!state) return ctx.fail(state.error());
  auto store = open_audit_store(ctx, *state);
  if (!store) return ctx.fail(store.error());
  std::optional<std::string> note;
  if (!args.checkpoint_file.empty()) {
    auto text = read_file(args.checkpoint_file, 1U << 20U);
    if (!text) return ctx.fail(text.error());
    note = *text;
  } else {
    auto latest = store->latest_checkpoint();
    if (!latest) return ctx.fail(latest.error());
    note = *latest;
  }
  std::optional<audit::NoteVerifier> verifier;
  if (!args.vkey.empty()) {
    auto v = audit::NoteVerifier::from_vkey(args.vkey);
    if (!v) return ctx.fail(v.error(), kExitUsage);
    verifier = std::move(*v);
  }
  audit::TrustedCheckpoint trusted{note.value_or(""), verifier ? &*verifier : &store->verifier()};
  auto report = audit::verify_log(store->log_dir(), note ? &trusted : nullptr);
  if (!report) {
    return ctx.fail(report.error(), report.error().code == ErrorCode::kVerificationFailed
                                        ? kExitNotVerified
                                        : kExitFailure);
  }
  // Entries removed by retention: their archives must exist and verify (a removal recorded by a
  // forged retention event has no archive).
  std::size_t archives_checked = 0;
  bool archives_live = false;
  if (report->ok() && report->archived > 0 && !args.skip_archives) {
    auto checked = verify_removed_archives(ctx, report->archived, &archives_live);
    if (!checked) {
      return ctx.fail(checked.error(), checked.error().code == ErrorCode::kVerificationFailed
                                           ? kExitNotVerified
                                           : kExitFailure);
    }
    archives_checked = *checked;
  }
  if (ctx.options.json) {
    nlohmann::ordered_json findings = nlohmann::ordered_json::array();
    for (const auto& f : report->findings) {
      findings.push_back({{"seq", f.seq}, {"kind", f.kind}, {"detail", f.detail}});
    }
    ctx.print_json({{"ok", report->ok()},
                    {"entries", report->entries},
                    {"archived", report->archived},
                    {"archives_checked", archives_checked},
                    {"root", hex(report->root)},
                    {"checkpoint_checked", report->checkpoint_checked},
                    {"checkpoint_size", report->checkpoint_size},
                    {"findings", findings}});
  } else if (report->ok()) {
    std::cout << "audit log verifies: " << report->entries << " entries"
              << (report->archived > 0
                      ? " (and " + std::to_string(report->archived) +
                            " older entries archived and removed by retention, recorded by "
                            "audit.retention_delete events; " +
                            (args.skip_archives
                                 ? std::string("their archives were not checked (--skip-archives)")
                                 : std::to_string(archives_checked) + " archive(s) verify" +
                                       (archives_live ? " against the live log"
                                                      : " (the log is busy: against their own "
                                                        "checkpoints only)")) +
                            ")"
                      : "")
              << ", root " << hex(report->root)
              << (report->checkpoint_checked
                      ? ", checkpoint at size " + std::to_string(report->checkpoint_size) +
                            " matches"
                      : ", no checkpoint to compare with")
              << '\n';
  }
  if (!report->ok()) {
    const auto& first = report->findings[0];
    std::cerr << "axle: error: audit log does not verify: entry " << first.seq << " " << first.kind
              << ": " << first.detail << " (" << report->findings.size() << " finding"
              << (report->findings.size() == 1 ? "" : "s") << ")\n";
    ctx.exit_code = kExitNotVerified;
    return kExitNotVerified;
  }
  return kExitOk;
}

// Decrypts the L3 fields of one entry, and records the reveal itself as an audit event.
int run_reveal(Context& ctx, const AuditArgs& args) {
  auto key = load_master_key(args.master_key_file);
  if (!key) return ctx.fail(key.error(), kExitUsage);
  auto opened = open_log(ctx);
  if (!opened) return ctx.fail(opened.error());
  auto entries = opened->log->read(args.seq, 1);
  if (!entries) return ctx.fail(entries.error());
  if (entries->empty()) {
    return ctx.fail(
        make_error(ErrorCode::kNotFound, "entry " + std::to_string(args.seq) + " does not exist"),
        kExitUsage);
  }
  auto message = audit::parse_rfc5424((*entries)[0].message);
  if (!message) return ctx.fail(message.error());
  auto sd_id = audit_sd_id(ctx);
  if (!sd_id) return ctx.fail(sd_id.error(), kExitUsage);
  const audit::SdElement* sd = message->find(*sd_id);
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  Result<void> outcome = ok();
  if (sd != nullptr) {
    for (const auto& p : sd->params) {
      if (!audit::is_l3_token(p.value)) continue;
      auto plain = audit::open_l3(*key, p.name, p.value);
      if (!plain) {
        outcome = plain.error();
        break;
      }
      fields[p.name] = *plain;
    }
  }
  // The reveal is itself a sensitive operation (audit.reveal), recorded before anything is shown.
  audit::AuditEvent event;
  event.op = "audit.reveal";
  event.outcome = outcome ? "success" : "failure";
  event.target = "entry:" + std::to_string(args.seq);
  event.actor = args.event.actor;
  event.reason = args.event.reason;
  auto redacted = audit::redact_event(event, audit::RedactionPolicy::standard(), &*key, utc_day());
  if (!redacted) return ctx.fail(redacted.error());
  auto record = audit::to_syslog(event, audit::OpTable::builtin(), audit::EventOptions{*sd_id});
  if (!record) return ctx.fail(record.error());
  auto text = audit::format_rfc5424(*record);
  if (!text) return ctx.fail(text.error());
  auto seq = opened->log->append(*text);
  if (!seq) return ctx.fail(seq.error());
  if (!outcome) return ctx.fail(outcome.error(), kExitNotVerified);
  if (ctx.options.json) {
    ctx.print_json({{"seq", args.seq}, {"fields", fields}, {"recorded_as", *seq}});
  } else {
    for (const auto& [name, value] : fields.items()) {
      std::cout << name << '=' << value.get<std::string>() << '\n';
    }
    std::cout << "(reveal recorded as entry " << *seq << ")\n";
  }
  return kExitOk;
}

int run_ops(Context& ctx) {
  const auto& table = audit::OpTable::builtin();
  nlohmann::ordered_json ops = nlohmann::ordered_json::object();
  for (const auto& [op, cls] : table.ops()) {
    if (ctx.options.json) {
      ops[op] = {{"level", audit::level_name(cls.level)},
                 {"second_confirmation", cls.second_confirmation}};
    } else {
      std::cout << op << ' ' << audit::level_name(cls.level)
                << (cls.second_confirmation ? " second-confirmation" : "") << '\n';
    }
  }
  if (ctx.options.json) ctx.print_json({{"ops", ops}});
  return kExitOk;
}

}  // namespace

void register_audit_command(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<AuditArgs>();
  CLI::App* audit = app.add_subcommand(
      "audit", "Tamper-evident audit log: RFC 5424 events in an RFC 9162 Merkle log");
  audit->require_subcommand(1);
  set_example(*audit, "axle audit append --op key.export --outcome success --actor edid:op-1");

  CLI::App* append = audit->add_subcommand(
      "append", "Append one event (from options) or RFC 5424 lines from standard input");
  append->add_option("--op", args->event.op, "Operation, one of 'axle audit ops'");
  append->add_option("--outcome", args->event.outcome, "success, failure or denied");
  append->add_option("--target", args->event.target, "What was acted on");
  append->add_option("--privilege", args->event.privilege, "Privilege used");
  append->add_option("--authn-method", args->event.authn_method, "How the actor authenticated");
  append->add_option("--actor", args->event.actor, "Who acted (EDID)");
  append->add_option("--reason", args->event.reason, "Why");
  append->add_option("--message", args->event.message, "Free text (UTF-8)");
  append->add_option("--sd-id", args->sd_id,
                     "SD-ID of the audit element (name@PEN); default: configuration key "
                     "audit.sd_id (audit@32473)");
  append->add_option("--ops-file", args->ops_file, "Op classification table (JSON) to use");
  append->add_flag("--stdin", args->from_stdin, "Read RFC 5424 messages, one per line, from stdin");
  append->add_flag("--redact", args->redact,
                   "Encrypt actor and target (L3), mask reason and message (L2) before logging");
  append->add_option("--master-key-file", args->master_key_file,
                     "L3 master key: a file of 64 hex digits");
  set_example(*append, "axle audit append --op identity.revoke --outcome success --target edid:x");
  append->callback([&ctx, args] { ctx.exit_code = run_append(ctx, *args); });

  CLI::App* tail = audit->add_subcommand("tail", "Print the newest entries");
  tail->add_option("-n,--count", args->count, "How many entries (default 10)")
      ->check(whole_number(1));
  set_example(*tail, "axle audit tail -n 5");
  tail->callback([&ctx, args] { ctx.exit_code = run_tail(ctx, *args); });

  CLI::App* checkpoint = audit->add_subcommand(
      "checkpoint", "Sign and print a C2SP checkpoint of the log (saved as the latest)");
  set_example(*checkpoint, "axle audit checkpoint > checkpoint.txt");
  checkpoint->callback([&ctx] { ctx.exit_code = run_checkpoint(ctx); });

  CLI::App* key = audit->add_subcommand("key", "Print the log's verifier key (signed-note vkey)");
  set_example(*key, "axle audit key");
  key->callback([&ctx] { ctx.exit_code = run_key(ctx); });

  CLI::App* verify = audit->add_subcommand(
      "verify", "Verify every entry, watermark and tree hash, and the latest checkpoint");
  verify->add_option("--checkpoint", args->checkpoint_file, "Signed checkpoint to check against");
  verify->add_option("--vkey", args->vkey,
                     "Verifier key of the checkpoint or archive (default: the log's)");
  verify->add_option("--archive", args->archive_file,
                     "Verify an archive file (from 'axle audit archive') instead of the log: "
                     "signature, entries, proof against its checkpoint, consistency with the log");
  verify->add_flag("--skip-archives", args->skip_archives,
                   "Do not verify the archives of entries removed by retention");
  set_example(*verify,
              "axle audit verify --checkpoint checkpoint.txt --vkey 'name+hash+key'\n  axle audit "
              "verify --archive state/audit/archive/seg-00000000000000000000.log.zst");
  verify->callback([&ctx, args] { ctx.exit_code = run_verify(ctx, *args); });

  CLI::App* prove = audit->add_subcommand("prove", "Print an inclusion proof (JSON)");
  prove->add_option("INDEX", args->index, "Entry (leaf index)")->required()->check(whole_number(0));
  prove->add_option("--size", args->size, "Tree size (default: the current size)")
      ->check(whole_number(0));
  set_example(*prove, "axle audit prove 3 --json > proof.json");
  prove->callback([&ctx, args] { ctx.exit_code = run_prove(ctx, *args); });

  CLI::App* consistency =
      audit->add_subcommand("consistency", "Print a consistency proof between two sizes (JSON)");
  consistency->add_option("OLD", args->old_size, "Older tree size")
      ->required()
      ->check(whole_number(0));
  consistency->add_option("NEW", args->new_size, "Newer tree size")
      ->required()
      ->check(whole_number(0));
  set_example(*consistency, "axle audit consistency 4 9 --json > consistency.json");
  consistency->callback([&ctx, args] { ctx.exit_code = run_consistency(ctx, *args); });

  CLI::App* verify_proof = audit->add_subcommand(
      "verify-proof", "Check an inclusion or consistency proof file (JSON); exit 3 if it fails");
  verify_proof->add_option("FILE", args->file, "Proof file")->required();
  set_example(*verify_proof, "axle audit verify-proof proof.json");
  verify_proof->callback([&ctx, args] { ctx.exit_code = run_verify_proof(ctx, *args); });

  CLI::App* verify_cp = audit->add_subcommand(
      "verify-checkpoint", "Check a signed checkpoint with a verifier key; exit 3 if it fails");
  verify_cp->add_option("FILE", args->file, "Signed checkpoint")->required();
  verify_cp->add_option("--vkey", args->vkey, "Verifier key (from 'axle audit key')")->required();
  set_example(*verify_cp,
              "axle audit verify-checkpoint checkpoint.txt --vkey \"$(axle audit key)\"");
  verify_cp->callback([&ctx, args] { ctx.exit_code = run_verify_checkpoint(ctx, *args); });

  CLI::App* reveal = audit->add_subcommand(
      "reveal", "Decrypt the L3 fields of an entry (the reveal is itself audited)");
  reveal->add_option("SEQ", args->seq, "Entry")->required()->check(whole_number(0));
  reveal->add_option("--master-key-file", args->master_key_file, "L3 master key file")->required();
  reveal->add_option("--actor", args->event.actor, "Who reveals (EDID)")->required();
  reveal->add_option("--reason", args->event.reason, "Why");
  set_example(*reveal, "axle audit reveal 12 --master-key-file key.hex --actor edid:dpo");
  reveal->callback([&ctx, args] { ctx.exit_code = run_reveal(ctx, *args); });

  register_audit_archive_commands(*audit, ctx);

  CLI::App* ops = audit->add_subcommand("ops", "List the op classification table");
  set_example(*ops, "axle audit ops --json");
  ops->callback([&ctx] { ctx.exit_code = run_ops(ctx); });
}

}  // namespace axle::cli
