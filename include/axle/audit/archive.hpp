// Archives of closed audit-log segments, their verification, and retention.
//
// An archive is one file, <state>/audit/archive/seg-<first:20>.log.zst, in zstd's own format:
//   1. a zstd *skippable frame* (magic 0x184D2A5A) holding "AXLAUDM1" and the signed manifest;
//   2. the segment file, byte for byte, as zstd frames (content checksum on).
// So `zstd -dc ARCHIVE` gives back the segment file exactly (its SHA-256 is in the manifest), and
// the manifest travels inside the archive.
//
// The manifest is a C2SP signed note (the log's Ed25519 key, key name = the log's origin). It
// holds the covering signed checkpoint, the segment's first and last sequence numbers, SHA-256 and
// size, the timestamp of its newest entry, the L3 key ids (days) found in it, and the compact
// ranges that prove the entries are the leaves [first, last] of the checkpoint's tree: the hashes
// of the complete subtrees covering [0, first) and [last + 1, checkpoint size). Format:
// docs/audit.md, "Archives".
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "axle/audit/checkpoint.hpp"
#include "axle/audit/log.hpp"
#include "axle/audit/merkle_hash.hpp"
#include "axle/core/result.hpp"

namespace axle::audit {

class AuditStore;

struct ArchiveManifest {
  std::string origin;
  std::string segment;               // file name, seg-<first:20>.log
  std::uint64_t first = 0;           // first sequence number in the segment
  std::uint64_t last = 0;            // last sequence number (inclusive)
  std::uint64_t segment_bytes = 0;   // size of the segment file
  Hash segment_sha256{};             // SHA-256 of the segment file (uncompressed)
  std::string newest;                // RFC 5424 TIMESTAMP of the last entry ("-" when nil)
  std::vector<std::string> key_ids;  // L3 key ids (d<YYYY-MM-DD>) used in the entries, sorted
  std::string checkpoint;            // the covering signed checkpoint (size >= last + 1)
  std::vector<Hash> left;            // complete subtrees covering [0, first), left to right
  std::vector<Hash> right;           // complete subtrees covering [last + 1, size), left to right
};

// The manifest's note text (before signing), and its strict parser.
[[nodiscard]] Result<std::string> format_manifest(const ArchiveManifest& manifest);
[[nodiscard]] Result<ArchiveManifest> parse_manifest(std::string_view text);

// The archive file: skippable frame with `signed_manifest`, then `segment` compressed.
[[nodiscard]] Result<std::vector<std::uint8_t>> encode_archive(
    std::string_view signed_manifest, std::span<const std::uint8_t> segment, int zstd_level);
// The signed manifest (not yet checked) and the compressed part; kInvalidArgument when the file
// does not start with an axle manifest frame.
struct ArchiveParts {
  std::string signed_manifest;
  std::span<const std::uint8_t> compressed;
};
[[nodiscard]] Result<ArchiveParts> split_archive(std::span<const std::uint8_t> file);
// Decompresses at most `max_bytes`; kInvalidArgument on a corrupt or truncated stream or when the
// output would be longer.
[[nodiscard]] Result<std::vector<std::uint8_t>> decompress_segment(
    std::span<const std::uint8_t> compressed, std::uint64_t max_bytes);

// ---- making archives -------------------------------------------------------------------------

struct ArchiveOptions {
  std::uint32_t older_than_days = 7;  // archive a closed segment whose newest entry is older
  std::int64_t now_ms = 0;            // "now", UTC milliseconds (0: the clock)
  int zstd_level = 6;
  // Called after each segment considered (for progress): index, count, and its outcome.
  std::function<void(std::size_t index, std::size_t count, std::string_view segment,
                     std::string_view outcome)>
      progress;
};

struct ArchivedSegment {
  std::string segment;
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive; first - 1 (i.e. empty) never happens for closed segments
  // archived | already-archived | too-recent | active
  std::string outcome;
  std::filesystem::path archive;  // when archived or already archived
  std::uint64_t segment_bytes = 0;
  std::uint64_t archive_bytes = 0;
};

struct ArchiveRun {
  std::vector<ArchivedSegment> segments;  // every segment of the log, oldest first
  std::string checkpoint;                 // the checkpoint signed for this run (if any archived)
};

// The archive directory of a store: <state>/audit/archive.
[[nodiscard]] std::filesystem::path archive_dir(const AuditStore& store);
[[nodiscard]] std::string archive_name(std::uint64_t first_seq);

// Archives every closed segment of `log` old enough (never the active one). Idempotent: an
// existing archive whose manifest matches the segment's SHA-256 is kept; one that does not is an
// error (it is never overwritten). Files are written under a temporary name, synced, then renamed,
// so a crash leaves no partial file under an archive's name; stale temporaries are removed.
[[nodiscard]] Result<ArchiveRun> archive_segments(const AuditLog& log, const AuditStore& store,
                                                  const ArchiveOptions& options);

// ---- verifying archives ----------------------------------------------------------------------

struct ArchiveCheck {
  ArchiveManifest manifest;
  Checkpoint checkpoint;        // the manifest's checkpoint, verified
  std::uint64_t entries = 0;    // entries re-hashed
  bool live_checked = false;    // consistency with the live log proved
  std::uint64_t live_size = 0;  // the live log's size it was proved against
};

// Verifies an archive file without trusting it: the manifest's signature and the checkpoint's (by
// `verifier`), decompression, every frame's CRC, sequence numbers, entry hashes, the watermark
// chain, SHA-256 and size, key ids, and that the entries are exactly the leaves [first, last] of
// the checkpoint's tree. With `live`, also that the checkpoint is consistent with the live log's
// current tree (RFC 9162 consistency proof). Errors: kVerificationFailed (does not verify) or
// kInvalidArgument (malformed), each with its own one-line message.
[[nodiscard]] Result<ArchiveCheck> verify_archive(std::span<const std::uint8_t> file,
                                                  const NoteVerifier& verifier,
                                                  const AuditLog* live = nullptr);

// ---- retention -------------------------------------------------------------------------------

struct RetentionOptions {
  std::uint32_t keep_days = 7;  // delete a closed segment whose newest entry is older
  std::int64_t now_ms = 0;      // 0: the clock
  // Makes the audit.retention_delete event recorded before a segment is deleted (RFC 5424 text);
  // given the segment's file name, first and last entry, and its archive's file name.
  std::function<Result<std::string>(const ArchiveManifest& manifest, std::string_view archive)>
      make_event;
  std::function<void(std::string_view segment, std::string_view outcome)> progress;
};

struct RetainedSegment {
  std::string segment;
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  // deleted | too-recent | active | not-archived | archive-fails
  std::string outcome;
  std::string detail;
  std::uint64_t event_seq = 0;  // the audit.retention_delete entry, when deleted
};

struct RetentionRun {
  std::vector<RetainedSegment> segments;
  std::uint64_t deleted = 0;
  bool refused = false;  // an old-enough segment was kept because its archive is missing or fails
};

// Deletes the oldest closed segments that are old enough, one after the other, each only when its
// archive exists and verifies against `log` (verify_archive with the store's key); each deletion is
// first recorded in the log as an audit.retention_delete event. Stops at the first segment it may
// not delete (segments are removed as a prefix, so the log stays one contiguous range).
[[nodiscard]] Result<RetentionRun> apply_retention(AuditLog& log, const AuditStore& store,
                                                   const RetentionOptions& options);

// The MSGID and target form of retention events, which verify_log reads back.
inline constexpr std::string_view kRetentionOp = "audit.retention_delete";
[[nodiscard]] std::string retention_target(std::uint64_t first, std::uint64_t last);

}  // namespace axle::audit
