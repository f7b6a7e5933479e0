// `axle audit archive`, `axle audit retention`, `axle audit verify --archive`. Parses arguments,
// calls axle::audit (archive.hpp), prints. Exit codes as `axle audit verify`: 3 does not verify,
// 4 malformed archive.
#include "audit_archive.hpp"

#include <iostream>
#include <memory>

#include "audit_settings.hpp"
#include "axle/audit/archive.hpp"
#include "axle/audit/event.hpp"
#include "axle/audit/store.hpp"
#include "axle/core/files.hpp"

namespace axle::cli {

namespace {

constexpr int kExitNotVerified = 3;
constexpr int kExitMalformed = 4;

struct ArchiveArgs {
  std::optional<std::uint32_t> days;  // --older-than / --keep-days; default: the config key
  int zstd_level = 6;
  bool confirm = false;
  std::string actor;
  std::string reason;
};

struct OpenedLog {
  audit::AuditStore store;
  std::unique_ptr<audit::AuditLog> log;
};

Result<OpenedLog> open_log(Context& ctx) {
  AXLE_TRY(StateDir state, ctx.state_dir());
  AXLE_TRY(audit::AuditStore store, open_audit_store(ctx, state));
  audit::LogOptions options;
  options.dir = store.log_dir();
  AXLE_TRY(auto log, audit::AuditLog::open(options));
  return OpenedLog{std::move(store), std::move(log)};
}

Result<std::uint32_t> days_setting(Context& ctx, const std::optional<std::uint32_t>& given) {
  if (given) return *given;
  AXLE_TRY(const Config* config, ctx.config());
  const std::int64_t days = config->get_int("audit.archive_after_days");
  if (days < 0 || days > 100000) {
    return make_error(ErrorCode::kInvalidArgument,
                      "configuration key audit.archive_after_days must be 0..100000 days");
  }
  return static_cast<std::uint32_t>(days);
}

std::string entries_text(std::uint64_t first, std::uint64_t last, bool empty) {
  if (empty) return "no entries";
  return "entries " + std::to_string(first) + ".." + std::to_string(last);
}

int run_archive(Context& ctx, const ArchiveArgs& args) {
  auto days = days_setting(ctx, args.days);
  if (!days) return ctx.fail(days.error(), kExitUsage);
  auto opened = open_log(ctx);
  if (!opened) return ctx.fail(opened.error());
  audit::ArchiveOptions options;
  options.older_than_days = *days;
  options.zstd_level = args.zstd_level;
  const std::size_t closed = opened->log->segments().size() - 1;
  std::size_t done = 0;
  // Progress on standard error when there is more than a handful of segments to look at.
  options.progress = [&](std::size_t, std::size_t, std::string_view segment,
                         std::string_view outcome) {
    if (outcome == "active") return;
    ++done;
    if (closed > 4 && !ctx.options.json) {
      std::cerr << "archive: " << done << "/" << closed << " " << segment << ": " << outcome
                << '\n';
    }
  };
  auto run = audit::archive_segments(*opened->log, opened->store, options);
  if (!run) return ctx.fail(run.error());
  // The run is itself an audit event (op audit.archive), when it archived anything.
  std::optional<std::uint64_t> recorded;
  {
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;
    std::size_t n = 0;
    for (const auto& s : run->segments) {
      if (s.outcome != "archived") continue;
      lo = n == 0 ? s.first : std::min(lo, s.first);
      hi = std::max(hi, s.last);
      ++n;
    }
    if (n > 0) {
      auto sd_id = audit_sd_id(ctx);
      if (!sd_id) return ctx.fail(sd_id.error(), kExitUsage);
      audit::AuditEvent event;
      event.op = "audit.archive";
      event.outcome = "success";
      event.target = audit::retention_target(lo, hi);
      event.message = std::to_string(n) + " segment(s) archived to " +
                      audit::archive_dir(opened->store).string();
      auto msg = audit::to_syslog(event, audit::OpTable::builtin(), audit::EventOptions{*sd_id});
      if (!msg) return ctx.fail(msg.error());
      auto text = audit::format_rfc5424(*msg);
      if (!text) return ctx.fail(text.error());
      auto seq = opened->log->append(*text);
      if (!seq) return ctx.fail(seq.error());
      recorded = *seq;
    }
  }
  const auto dir = audit::archive_dir(opened->store);
  std::size_t archived = 0;
  std::size_t already = 0;
  std::size_t recent = 0;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& s : run->segments) {
    const bool empty = s.outcome == "active" && opened->log->size() == s.first;
    archived += s.outcome == "archived" ? 1 : 0;
    already += s.outcome == "already-archived" ? 1 : 0;
    recent += s.outcome == "too-recent" ? 1 : 0;
    if (ctx.options.json) {
      nlohmann::ordered_json j{{"segment", s.segment},
                               {"first", s.first},
                               {"last", s.last},
                               {"entries", empty ? 0 : s.last - s.first + 1},
                               {"outcome", s.outcome}};
      if (!s.archive.empty()) {
        j["archive"] = s.archive.string();
        j["segment_bytes"] = s.segment_bytes;
        j["archive_bytes"] = s.archive_bytes;
      }
      list.push_back(j);
      continue;
    }
    std::cout << s.segment << "  " << entries_text(s.first, s.last, empty) << "  ";
    if (s.outcome == "archived" || s.outcome == "already-archived") {
      std::cout << (s.outcome == "archived" ? "archived" : "already archived") << " -> "
                << s.archive.string() << " (" << s.segment_bytes << " -> " << s.archive_bytes
                << " bytes)\n";
    } else if (s.outcome == "too-recent") {
      std::cout << "kept: its newest entry is less than " << *days << " days old\n";
    } else {
      std::cout << "active segment: never archived (it closes when it passes 64 MiB; then a new "
                   "segment takes the appends)\n";
    }
  }
  if (ctx.options.json) {
    ctx.print_json({{"ok", true},
                    {"older_than_days", *days},
                    {"archive_dir", dir.string()},
                    {"archived", archived},
                    {"already_archived", already},
                    {"too_recent", recent},
                    {"checkpoint", run->checkpoint},
                    {"recorded_as", recorded ? nlohmann::ordered_json(*recorded) : nullptr},
                    {"segments", list}});
  } else if (run->segments.size() == 1) {
    std::cout << "nothing to archive: the log has only its active segment (" << opened->log->size()
              << " entries), which is never archived; it closes when it "
              << "passes 64 MiB, and is archived once it is older than " << *days << " days\n";
  } else {
    std::cout << archived << " archived, " << already << " already archived, " << recent
              << " too recent; the active segment is never archived. Archives are in "
              << dir.string()
              << (recorded ? " (run recorded as entry " + std::to_string(*recorded) + ")" : "")
              << '\n';
  }
  return kExitOk;
}

int run_retention(Context& ctx, const ArchiveArgs& args) {
  if (!args.confirm) {
    return ctx.fail(make_error(ErrorCode::kInvalidArgument,
                               "retention deletes audit segments (op audit.retention_delete "
                               "needs a second confirmation): repeat with --confirm"),
                    kExitUsage);
  }
  auto days = days_setting(ctx, args.days);
  if (!days) return ctx.fail(days.error(), kExitUsage);
  auto sd_id = audit_sd_id(ctx);
  if (!sd_id) return ctx.fail(sd_id.error(), kExitUsage);
  auto opened = open_log(ctx);
  if (!opened) return ctx.fail(opened.error());
  audit::RetentionOptions options;
  options.keep_days = *days;
  options.make_event = [&](const audit::ArchiveManifest& m,
                           std::string_view archive) -> Result<std::string> {
    audit::AuditEvent event;
    event.op = std::string(audit::kRetentionOp);
    event.outcome = "success";
    event.target = audit::retention_target(m.first, m.last);
    event.actor = args.actor;
    event.reason = args.reason.empty()
                       ? "retention: newest entry older than " + std::to_string(*days) + " days"
                       : args.reason;
    event.privilege = "confirmed";  // --confirm was given: the second confirmation
    event.message = "segment " + m.segment + " deleted; its archive " + std::string(archive) +
                    " verified against the log";
    AXLE_TRY(auto msg,
             audit::to_syslog(event, audit::OpTable::builtin(), audit::EventOptions{*sd_id}));
    return audit::format_rfc5424(msg);
  };
  auto run = audit::apply_retention(*opened->log, opened->store, options);
  if (!run) return ctx.fail(run.error());
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  const audit::RetainedSegment* refused = nullptr;
  for (const auto& s : run->segments) {
    if ((s.outcome == "not-archived" || s.outcome == "archive-fails") && refused == nullptr) {
      refused = &s;
    }
    if (ctx.options.json) {
      nlohmann::ordered_json j{{"segment", s.segment},
                               {"first", s.first},
                               {"last", s.last},
                               {"outcome", s.outcome},
                               {"detail", s.detail}};
      if (s.outcome == "deleted") j["event_seq"] = s.event_seq;
      list.push_back(j);
    } else {
      std::cout << s.segment << "  " << s.outcome << ": " << s.detail
                << (s.outcome == "deleted"
                        ? " (recorded as entry " + std::to_string(s.event_seq) + ")"
                        : "")
                << '\n';
    }
  }
  if (ctx.options.json) {
    ctx.print_json({{"ok", !run->refused},
                    {"keep_days", *days},
                    {"deleted", run->deleted},
                    {"segments", list}});
  }
  if (refused != nullptr) {
    std::cerr << "axle: error: retention refused to delete " << refused->segment << " ("
              << refused->outcome << "): " << refused->detail << '\n';
    return kExitNotVerified;
  }
  if (!ctx.options.json) std::cout << run->deleted << " segment(s) deleted\n";
  return kExitOk;
}

}  // namespace

Result<std::size_t> verify_removed_archives(Context& ctx, std::uint64_t archived,
                                            bool* live_checked) {
  AXLE_TRY(StateDir state, ctx.state_dir());
  AXLE_TRY(audit::AuditStore store, open_audit_store(ctx, state));
  audit::LogOptions options;
  options.dir = store.log_dir();
  // The live log gives the consistency proofs; when another process holds it, the archives are
  // still checked against their own checkpoints.
  auto log = audit::AuditLog::open(options);
  if (!log && log.error().code != ErrorCode::kFailedPrecondition) return log.error();
  const audit::AuditLog* live = log ? log->get() : nullptr;
  *live_checked = live != nullptr;
  const auto dir = audit::archive_dir(store);
  std::size_t count = 0;
  for (std::uint64_t pos = 0; pos < archived;) {
    const auto path = dir / audit::archive_name(pos);
    if (!std::filesystem::exists(path)) {
      return make_error(ErrorCode::kVerificationFailed,
                        "entries from " + std::to_string(pos) +
                            " were removed by retention but their archive " + path.string() +
                            " is missing");
    }
    AXLE_TRY(std::string file, read_file(path, std::size_t{4} << 30U));
    auto check = audit::verify_archive(
        {reinterpret_cast<const std::uint8_t*>(file.data()), file.size()}, store.verifier(), live);
    if (!check) {
      return make_error(ErrorCode::kVerificationFailed,
                        path.filename().string() + ": " + check.error().message);
    }
    pos = check->manifest.last + 1;
    ++count;
    if (pos > archived) {
      return make_error(ErrorCode::kVerificationFailed,
                        path.filename().string() + " ends at entry " + std::to_string(pos - 1) +
                            " but the log's segments start at " + std::to_string(archived));
    }
  }
  return count;
}

int run_verify_archive(Context& ctx, const std::string& path, const std::string& vkey) {
  auto state = ctx.state_dir();
  if (!state) return ctx.fail(state.error());
  const bool have_log = state->exists("audit/log_key.pem");
  std::optional<audit::NoteVerifier> verifier;
  std::optional<OpenedLog> opened;
  std::string live_note;
  if (have_log) {
    auto o = open_log(ctx);
    if (o) {
      opened.emplace(std::move(*o));
    } else if (o.error().code == ErrorCode::kFailedPrecondition) {
      // The log is open in another process (its writer): the archive is still checked on its own.
      live_note =
          "; the live log is open in another process, so consistency with it was not "
          "checked";
    } else {
      return ctx.fail(o.error());
    }
  }
  if (!vkey.empty()) {
    auto v = audit::NoteVerifier::from_vkey(vkey);
    if (!v) return ctx.fail(v.error(), kExitUsage);
    verifier = std::move(*v);
  } else if (opened) {
    verifier = opened->store.verifier();
  } else if (have_log) {
    auto st = open_audit_store(ctx, *state);
    if (!st) return ctx.fail(st.error());
    verifier = st->verifier();
  } else {
    return ctx.fail(make_error(ErrorCode::kInvalidArgument,
                               "no audit log in this state dir: give the log's verifier key with "
                               "--vkey (from 'axle audit key')"),
                    kExitUsage);
  }
  // The live log is the reference only when it is the log that signed the archive's manifest.
  const audit::AuditLog* live = nullptr;
  if (opened && opened->store.verifier().vkey() == verifier->vkey()) live = opened->log.get();
  auto file = read_file(path, std::size_t{4} << 30U);
  if (!file) return ctx.fail(file.error());
  auto check = audit::verify_archive(
      {reinterpret_cast<const std::uint8_t*>(file->data()), file->size()}, *verifier, live);
  if (!check) {
    return ctx.fail(check.error(),
                    check.error().code == ErrorCode::kVerificationFailed ? kExitNotVerified
                    : check.error().code == ErrorCode::kInvalidArgument  ? kExitMalformed
                                                                         : kExitFailure);
  }
  const auto& m = check->manifest;
  if (ctx.options.json) {
    nlohmann::ordered_json keys = nlohmann::ordered_json::array();
    for (const auto& k : m.key_ids) keys.push_back(k);
    ctx.print_json({{"ok", true},
                    {"archive", path},
                    {"origin", m.origin},
                    {"segment", m.segment},
                    {"first", m.first},
                    {"last", m.last},
                    {"entries", check->entries},
                    {"newest", m.newest},
                    {"key_ids", keys},
                    {"checkpoint_size", check->checkpoint.size},
                    {"live_checked", check->live_checked},
                    {"live_size", check->live_size}});
  } else {
    std::cout << "archive " << path << " verifies: " << m.segment << ", entries " << m.first << ".."
              << m.last << " are leaves of the signed checkpoint of " << m.origin << " at size "
              << check->checkpoint.size
              << (check->live_checked ? ", which is consistent with the live log at size " +
                                            std::to_string(check->live_size)
                  : !live_note.empty()
                      ? live_note
                      : "; no live log of this key here, so consistency with the current "
                        "log was not checked")
              << '\n';
  }
  return kExitOk;
}

void register_audit_archive_commands(CLI::App& audit, Context& ctx) {
  auto args = std::make_shared<ArchiveArgs>();
  CLI::App* archive = audit.add_subcommand(
      "archive", "Archive closed segments older than N days as zstd files with a signed manifest");
  archive->footer(
      "Every CLOSED segment whose newest entry (its RFC 5424 timestamp; the file's mtime when the\n"
      "entry has none) is older than DAYS becomes <state-dir>/audit/archive/seg-<first>.log.zst:\n"
      "a zstd file whose first (skippable) frame holds a manifest signed with the log's Ed25519\n"
      "key - the covering signed checkpoint (saved as the latest), the entry range, the\n"
      "segment's SHA-256, the L3 key ids used, and the hashes that prove the entries against the\n"
      "checkpoint. 'zstd -d' restores the segment file byte for byte. The ACTIVE segment (the\n"
      "newest, still growing; it closes at 64 MiB) is never archived, so on a young log\n"
      "'--older-than 0' archives nothing and says so. Idempotent: existing archives are kept,\n"
      "never overwritten. Archiving deletes nothing: see 'axle audit retention'.\n"
      "Check an archive with 'axle audit verify --archive FILE'.\n\n"
      "Example:\n  axle audit archive --older-than 30 --json");
  archive->add_option("--older-than", args->days,
                      "Age in days (default: configuration key audit.archive_after_days, 7)");
  archive->add_option("--zstd-level", args->zstd_level, "zstd compression level, 1..19 (default 6)")
      ->check(CLI::Range(1, 19));
  archive->callback([&ctx, args] { ctx.exit_code = run_archive(ctx, *args); });

  CLI::App* retention = audit.add_subcommand(
      "retention", "Delete the oldest archived segments whose archives verify (needs --confirm)");
  retention->footer(
      "Deletes, oldest first, each closed segment whose newest entry is older than DAYS, only\n"
      "when its archive exists in <state-dir>/audit/archive/ and verifies against the live log\n"
      "(manifest signature, every entry, and a consistency proof to the current tree). Each\n"
      "deletion is first recorded in the log as an audit.retention_delete event (a CRITICAL op\n"
      "needing a second confirmation, hence --confirm). It stops at the first segment it may not\n"
      "delete, so the log stays one contiguous range; the active segment is never deleted.\n"
      "Afterwards the log still opens, appends, proves every entry (the hash store keeps all\n"
      "tree nodes) and verifies; 'axle audit verify' reports the archived entries.\n"
      "Exit 3 when an old-enough segment has no archive or its archive does not verify.\n\n"
      "Example:\n  axle audit archive --older-than 30 && axle audit retention --keep-days 30 "
      "--confirm --actor edid:dpo");
  retention->add_option("--keep-days", args->days,
                        "Keep segments newer than this (default: audit.archive_after_days, 7)");
  retention->add_flag("--confirm", args->confirm, "Confirm the deletion (required)");
  retention->add_option("--actor", args->actor, "Who applies retention (EDID), recorded");
  retention->add_option("--reason", args->reason, "Why, recorded");
  retention->callback([&ctx, args] { ctx.exit_code = run_retention(ctx, *args); });
}

}  // namespace axle::cli
