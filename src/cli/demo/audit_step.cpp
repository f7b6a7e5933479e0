// `axle demo`, audit step: the sensitive operations the other steps performed go into this
// device's audit log (<state>/audit/), personal data redacted before hashing; the log is
// checkpointed, verified end to end, and one entry's inclusion proof is written and checked
// through the same code as `axle audit verify-proof`.
#include <fmt/format.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include "audit_settings.hpp"
#include "axle/audit/checkpoint.hpp"
#include "axle/audit/event.hpp"
#include "axle/audit/log.hpp"
#include "axle/audit/log_verify.hpp"
#include "axle/audit/op_table.hpp"
#include "axle/audit/proof_json.hpp"
#include "axle/audit/redaction.hpp"
#include "axle/audit/rfc5424.hpp"
#include "axle/audit/store.hpp"
#include "axle/core/clock.hpp"
#include "axle/crypto/random.hpp"
#include "demo/demo_io.hpp"

namespace axle::cli::demo {

namespace {

std::vector<std::uint8_t> to_bytes(const audit::Hash& h) { return {h.begin(), h.end()}; }

std::string short_hex(const audit::Hash& h) {
  std::string out;
  for (std::size_t i = 0; i < 8; ++i) out += fmt::format("{:02x}", h[i]);
  return out + "…";
}

// The events the demo records: what the other steps did, and one that carries personal data to
// show redaction (the e-mail is masked, the actor encrypted, before the entry is hashed).
std::vector<audit::AuditEvent> demo_events(const DemoIo& io) {
  std::vector<audit::AuditEvent> events;
  const std::string actor = fmt::format("uid:{}", ::getuid());
  for (const SensitiveOp& op : io.recorded()) {
    audit::AuditEvent e;
    e.op = op.op;
    e.outcome = op.outcome;
    e.target = op.target;
    e.reason = op.reason;
    e.actor = actor;
    e.privilege = ::getuid() == 0 ? "root" : "user";
    e.authn_method = "local-process";
    events.push_back(std::move(e));
  }
  audit::AuditEvent personal;
  personal.op = "data.read_personal";
  personal.outcome = "success";
  personal.target = "operator record";
  personal.actor = "alice@example.com";
  personal.reason = "demo: diagnostics unlock requested by alice@example.com from 192.0.2.17";
  personal.privilege = "user";
  personal.authn_method = "local-process";
  events.push_back(std::move(personal));
  return events;
}

// 64 hex digits, as `openssl rand -hex 32` writes them.
std::optional<SecretBytes> parse_hex_key(std::string_view text) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (text.size() < 64) return std::nullopt;
  SecretBytes key(32);
  for (std::size_t i = 0; i < 32; ++i) {
    const int hi = nibble(text[2 * i]);
    const int lo = nibble(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    key.mutable_view()[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return key;
}

}  // namespace

Result<void> run_audit_step(DemoIo& io) {
  io.step("tamper-evident audit log: record this demo's sensitive operations");
  AXLE_TRY(audit::AuditStore store, open_audit_store(io.ctx(), io.state()));
  AXLE_TRY(std::string sd_id, audit_sd_id(io.ctx()));
  audit::LogOptions options;
  options.dir = store.log_dir();
  AXLE_TRY(auto log, audit::AuditLog::open(options));

  // L3 fields are sealed under a per-day key from a master key; the demo keeps its master key in
  // <state>/demo/audit-master.key (0600) so that `axle audit reveal` can open them afterwards.
  SecretBytes master;
  if (io.state().exists("demo/audit-master.key")) {
    AXLE_TRY(std::string hex_key, io.state().read("demo/audit-master.key"));
    auto parsed = parse_hex_key(hex_key);
    secure_wipe(hex_key.data(), hex_key.size());
    if (!parsed) {
      return make_error(ErrorCode::kInvalidArgument,
                        "demo/audit-master.key in the state dir is damaged; delete it to start "
                        "the demo's audit keys afresh");
    }
    master = std::move(*parsed);
  } else {
    AXLE_TRY(master, crypto::random_secret(32));
    std::string hex_key;
    for (std::uint8_t b : master.view()) hex_key += fmt::format("{:02x}", b);
    AXLE_RETURN_IF_ERROR(io.state().write("demo/audit-master.key", hex_key + "\n", 0600));
    secure_wipe(hex_key.data(), hex_key.size());
  }

  const std::string day = format_utc_ms(utc_ms()).substr(0, 10);
  const audit::OpTable& table = audit::OpTable::builtin();
  const std::uint64_t first = log->size();
  std::uint64_t personal_seq = 0;
  std::string personal_reason;
  std::vector<audit::AuditEvent> events = demo_events(io);
  for (audit::AuditEvent& event : events) {
    AXLE_RETURN_IF_ERROR(
        audit::redact_event(event, audit::RedactionPolicy::standard(), &master, day));
    AXLE_TRY(audit::SyslogMessage message,
             audit::to_syslog(event, table, audit::EventOptions{sd_id}));
    AXLE_TRY(std::string text, audit::format_rfc5424(message));
    AXLE_TRY(std::uint64_t seq, log->append(text));
    if (event.op == "data.read_personal") {
      personal_seq = seq;
      personal_reason = event.reason;
    }
  }
  io.say(fmt::format("  {} events appended (entries {}..{}), each durable before the next step",
                     events.size(), first, log->size() - 1));
  io.say(fmt::format("  personal data redacted before hashing: reason is now \"{}\"",
                     personal_reason));

  AXLE_TRY(std::string note, store.write_checkpoint(*log));
  AXLE_TRY(audit::Checkpoint checkpoint,
           audit::verify_checkpoint(note, store.verifier(), store.origin()));
  io.say("  signed checkpoint (C2SP tlog-checkpoint, Ed25519 signed note):");
  std::string indented;
  for (std::size_t start = 0; start < note.size();) {
    const std::size_t end = note.find('\n', start);
    indented += "    | " + note.substr(start, end - start) + "\n";
    start = end == std::string::npos ? note.size() : end + 1;
  }
  if (!io.json()) std::fputs(indented.c_str(), stdout);
  io.say(fmt::format("  checkpoint signature verifies with {}: yes", store.verifier().vkey()));

  // One inclusion proof, written as `axle audit prove --json` writes it and checked through the
  // same parser and verifier as `axle audit verify-proof`.
  AXLE_TRY(auto proof, log->inclusion_proof(personal_seq, checkpoint.size));
  AXLE_TRY(audit::Hash leaf, log->leaf_hash_at(personal_seq));
  audit::InclusionProofFile file;
  file.leaf_index = personal_seq;
  file.tree_size = checkpoint.size;
  file.root = to_bytes(checkpoint.root);
  file.leaf_hash = to_bytes(leaf);
  for (const audit::Hash& h : proof) file.proof.push_back(to_bytes(h));
  file.desc = fmt::format("axle demo: entry {} in {} at size {}", personal_seq, store.origin(),
                          checkpoint.size);
  const std::string proof_json = audit::to_proof_json(audit::ProofFile{file});
  AXLE_RETURN_IF_ERROR(io.state().write("demo/audit-proof.json", proof_json, 0644));
  AXLE_TRY(audit::ProofFile parsed, audit::parse_proof_json(proof_json));
  const bool proof_ok = audit::verify_proof_file(parsed).ok();
  audit::InclusionProofFile forged = file;
  forged.leaf_hash[0] ^= 0x01U;
  const bool forged_refused = !audit::verify_proof_file(audit::ProofFile{forged}).ok();
  io.say(fmt::format(
      "  inclusion proof of entry {} in the tree of {} (root {}): {} hashes; verifies: {}; with "
      "one bit of the entry changed: refused {}",
      personal_seq, checkpoint.size, short_hex(checkpoint.root), proof.size(),
      DemoIo::yes_no(proof_ok), DemoIo::yes_no(forged_refused)));

  // The whole log, re-read from disk and recomputed, against the signed checkpoint.
  audit::TrustedCheckpoint trusted{note, &store.verifier()};
  AXLE_TRY(audit::VerifyReport report, audit::verify_log(store.log_dir(), &trusted));
  io.say(fmt::format("  whole log verified against the checkpoint: {} entries, {} findings",
                     report.entries, report.findings.size()));
  const std::string dir = io.state().path().string();
  io.say(fmt::format("  check it yourself: axle audit verify-proof {}/demo/audit-proof.json", dir));
  io.say(fmt::format("                     axle audit verify --state-dir {}", dir));

  io.report("audit") = {{"origin", store.origin()},
                        {"vkey", store.verifier().vkey()},
                        {"entries_appended", events.size()},
                        {"log_size", checkpoint.size},
                        {"checkpoint", note},
                        {"proof_entry", personal_seq},
                        {"proof_hashes", proof.size()},
                        {"proof_verified", proof_ok},
                        {"forged_proof_refused", forged_refused},
                        {"log_verified", report.ok()}};
  if (!proof_ok || !forged_refused || !report.ok()) {
    return make_error(ErrorCode::kInternal, report.ok()
                                                ? "audit demo: inclusion proof self-check failed"
                                                : "audit demo: the log does not verify: " +
                                                      report.findings.front().detail);
  }
  return ok();
}

}  // namespace axle::cli::demo
