// Retention: deleting the oldest closed segments once their archives verify against the log.
#include <filesystem>

#include "archive_segment.hpp"
#include "axle/audit/archive.hpp"
#include "axle/audit/store.hpp"
#include "axle/core/clock.hpp"
#include "axle/core/files.hpp"

namespace axle::audit {

namespace {

constexpr std::int64_t kDayMs = 86'400'000;

}  // namespace

Result<RetentionRun> apply_retention(AuditLog& log, const AuditStore& store,
                                     const RetentionOptions& options) {
  if (!options.make_event) {
    return make_error(ErrorCode::kInvalidArgument,
                      "retention needs a make_event function: every deletion is recorded");
  }
  const std::int64_t now = options.now_ms != 0 ? options.now_ms : utc_ms();
  const std::int64_t cutoff = now - static_cast<std::int64_t>(options.keep_days) * kDayMs;
  const auto dir = archive_dir(store);
  RetentionRun run;
  // Segments go as a prefix, oldest first: the first one that may not go stops the run, so the
  // log stays one contiguous range of entries.
  bool stopped = false;
  for (const SegmentInfo& seg : log.segments()) {
    RetainedSegment out;
    out.segment = seg.path.filename().string();
    out.first = seg.first;
    out.last = seg.end > seg.first ? seg.end - 1 : seg.first;
    auto report = [&](std::string outcome, std::string detail) {
      out.outcome = std::move(outcome);
      out.detail = std::move(detail);
      if (options.progress) options.progress(out.segment, out.outcome);
      run.segments.push_back(out);
    };
    if (seg.active) {
      report("active", "the active segment is never deleted");
      break;
    }
    if (stopped) {
      report("kept", "an older segment is kept, so this one is too");
      continue;
    }
    AXLE_TRY(auto bytes, detail::read_segment_file(seg.path));
    AXLE_TRY(detail::SegmentFacts facts, detail::segment_facts(bytes, seg.first));
    AXLE_TRY(std::int64_t newest, detail::newest_ms(facts, seg.path));
    if (newest >= cutoff) {
      report("too-recent", "its newest entry is " + facts.newest);
      stopped = true;
      continue;
    }
    const auto archive = dir / archive_name(seg.first);
    if (!std::filesystem::exists(archive)) {
      report("not-archived", "no archive " + archive.string() + "; run 'axle audit archive'");
      run.refused = stopped = true;
      continue;
    }
    AXLE_TRY(std::string file, read_file(archive, 4ULL << 30U));
    auto check = verify_archive({reinterpret_cast<const std::uint8_t*>(file.data()), file.size()},
                                store.verifier(), &log);
    if (!check) {
      report("archive-fails", check.error().message);
      run.refused = stopped = true;
      continue;
    }
    if (check->manifest.segment_sha256 != facts.sha256 || check->manifest.first != seg.first ||
        check->manifest.last + 1 != seg.end) {
      report("archive-fails", "the archive holds other bytes than " + out.segment);
      run.refused = stopped = true;
      continue;
    }
    // Recorded (durably) before the file goes: a crash in between leaves the segment and an event
    // for it, which verification accepts; never a removal without its event.
    AXLE_TRY(std::string event, options.make_event(check->manifest, archive.filename().string()));
    AXLE_TRY(out.event_seq, log.append(event));
    AXLE_RETURN_IF_ERROR(log.remove_oldest_segment(seg.first));
    ++run.deleted;
    report("deleted", "archive " + archive.filename().string() + " verified");
  }
  return run;
}

}  // namespace axle::audit
