// Making archives of closed segments (docs/audit.md, "Archives").
#include <algorithm>
#include <cstdio>

#include "archive_segment.hpp"
#include "axle/audit/archive.hpp"
#include "axle/audit/store.hpp"
#include "axle/core/clock.hpp"
#include "axle/core/files.hpp"
#include "segment.hpp"

namespace axle::audit {

namespace {

constexpr std::int64_t kDayMs = 86'400'000;

// The complete subtrees that cover [begin, end) in an RFC 9162 tree, left to right: each the
// largest aligned power of two that fits (a compact range).
Result<std::vector<Hash>> compact_range(const AuditLog& log, std::uint64_t begin,
                                        std::uint64_t end) {
  std::vector<Hash> out;
  std::uint64_t pos = begin;
  while (pos < end) {
    unsigned level = 0;
    while (level < 62) {
      const std::uint64_t size = std::uint64_t{2} << level;
      if (pos % size != 0 || pos + size > end) break;
      ++level;
    }
    AXLE_TRY(Hash h, log.subtree_hash(level, pos >> level));
    out.push_back(h);
    pos += std::uint64_t{1} << level;
  }
  return out;
}

// Temporary files of an archive run that died (kill -9, power loss) before its rename: never an
// archive's name, removed at the next run.
void remove_stale_temporaries(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with(".seg-") && name.find(".log.zst.tmp.") != std::string::npos) {
      std::filesystem::remove(e.path(), ec);
    }
  }
}

// An existing archive is kept when its manifest names this segment's exact bytes.
Result<bool> matches_existing(const std::filesystem::path& path, const detail::SegmentFacts& f,
                              std::uint64_t bytes) {
  AXLE_TRY(std::string file, read_file(path, 1U << 20U));
  auto parts = split_archive({reinterpret_cast<const std::uint8_t*>(file.data()), file.size()});
  if (!parts) return false;
  const std::size_t split = parts->signed_manifest.rfind("\n\n");
  if (split == std::string::npos) return false;
  auto m = parse_manifest(std::string_view(parts->signed_manifest).substr(0, split + 1));
  return m && m->segment_sha256 == f.sha256 && m->segment_bytes == bytes && m->first == f.first;
}

}  // namespace

std::filesystem::path archive_dir(const AuditStore& store) {
  return store.log_dir().parent_path() / "archive";
}

std::string archive_name(std::uint64_t first_seq) {
  return detail::segment_name(first_seq) + ".zst";
}

Result<ArchiveRun> archive_segments(const AuditLog& log, const AuditStore& store,
                                    const ArchiveOptions& options) {
  const std::int64_t now = options.now_ms != 0 ? options.now_ms : utc_ms();
  const std::int64_t cutoff = now - static_cast<std::int64_t>(options.older_than_days) * kDayMs;
  const auto dir = archive_dir(store);
  AXLE_RETURN_IF_ERROR(ensure_private_dir(dir));
  remove_stale_temporaries(dir);

  ArchiveRun run;
  std::optional<Checkpoint> cp;
  const std::vector<SegmentInfo> segments = log.segments();
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const SegmentInfo& seg = segments[i];
    ArchivedSegment out;
    out.segment = seg.path.filename().string();
    out.first = seg.first;
    out.last = seg.end > seg.first ? seg.end - 1 : seg.first;
    if (seg.active) {
      // The active segment still grows: never archived (it is archived once a newer one exists).
      out.outcome = "active";
    } else {
      AXLE_TRY(auto bytes, detail::read_segment_file(seg.path));
      AXLE_TRY(detail::SegmentFacts facts, detail::segment_facts(bytes, seg.first));
      if (facts.count != seg.end - seg.first) {
        return make_error(ErrorCode::kCorrupt,
                          out.segment + " holds " + std::to_string(facts.count) + " entries, not " +
                              std::to_string(seg.end - seg.first) + "; run 'axle audit verify'");
      }
      out.segment_bytes = bytes.size();
      const auto target = dir / archive_name(seg.first);
      AXLE_TRY(std::int64_t newest, detail::newest_ms(facts, seg.path));
      if (std::filesystem::exists(target)) {
        AXLE_TRY(bool same, matches_existing(target, facts, bytes.size()));
        if (!same) {
          return make_error(ErrorCode::kFailedPrecondition,
                            target.string() +
                                " exists but is not an archive of this segment; move it away "
                                "(archives are never overwritten)");
        }
        out.outcome = "already-archived";
        out.archive = target;
        out.archive_bytes = std::filesystem::file_size(target);
      } else if (newest >= cutoff) {
        out.outcome = "too-recent";
      } else {
        if (!cp) {
          // One checkpoint for the run, covering every closed segment; also saved as the latest.
          AXLE_TRY(run.checkpoint, store.write_checkpoint(log));
          AXLE_TRY(cp, verify_checkpoint(run.checkpoint, store.verifier()));
        }
        ArchiveManifest m;
        m.origin = store.origin();
        m.segment = out.segment;
        m.first = seg.first;
        m.last = seg.end - 1;
        m.segment_bytes = bytes.size();
        m.segment_sha256 = facts.sha256;
        m.newest = facts.newest;
        m.key_ids = facts.key_ids;
        m.checkpoint = run.checkpoint;
        AXLE_TRY(m.left, compact_range(log, 0, seg.first));
        AXLE_TRY(m.right, compact_range(log, seg.end, cp->size));
        AXLE_TRY(std::string text, format_manifest(m));
        AXLE_TRY(std::string signed_manifest, store.sign(text));
        AXLE_TRY(auto file, encode_archive(signed_manifest, bytes, options.zstd_level));
        // Written under a temporary name, synced, renamed, directory synced: a crash leaves no
        // partial file under the archive's name.
        AXLE_RETURN_IF_ERROR(write_file_atomic(target, file, 0600));
        out.outcome = "archived";
        out.archive = target;
        out.archive_bytes = file.size();
      }
    }
    if (options.progress) options.progress(i, segments.size(), out.segment, out.outcome);
    run.segments.push_back(std::move(out));
  }
  return run;
}

}  // namespace axle::audit
