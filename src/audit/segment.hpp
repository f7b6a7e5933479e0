// Segment files of the audit log: an 8-byte magic, then frames
//   u32 LE payload length | u32 LE CRC-32C(payload) | payload
// where a payload is one entry: u8 version (1) | u64 BE seq | 32-byte prev leaf hash | message.
// Files are named seg-<first seq, 20 digits>.log and only ever appended to. A segment may end in
// zeros after its last frame: space preallocated for appends (docs/audit.md, "Preallocation").
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "axle/audit/log.hpp"
#include "axle/core/result.hpp"

namespace axle::audit::detail {

inline constexpr std::string_view kSegmentMagic = "AXLAUDS1";
inline constexpr std::size_t kFrameHeader = 8;
inline constexpr std::size_t kEntryHeader = 1 + 8 + 32;
inline constexpr std::uint32_t kMaxPayload = 1U << 20U;

struct SegmentFile {
  std::uint64_t first_seq = 0;
  std::filesystem::path path;
};

[[nodiscard]] std::string segment_name(std::uint64_t first_seq);
// Segment files of `dir`, by first sequence number; kCorrupt on a malformed name.
[[nodiscard]] Result<std::vector<SegmentFile>> list_segments(const std::filesystem::path& dir);

[[nodiscard]] std::vector<std::uint8_t> encode_entry(std::uint64_t seq, const Hash& prev,
                                                     std::string_view message);
[[nodiscard]] std::optional<LogEntry> decode_entry(std::span<const std::uint8_t> payload);
void append_frame(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> payload);
// The same as append_frame(out, encode_entry(seq, prev, message)), without a temporary.
void append_frame_in_place(std::vector<std::uint8_t>& out, std::uint64_t seq, const Hash& prev,
                           std::string_view message);

struct Frame {
  std::uint64_t offset = 0;  // of the frame header in the file
  std::span<const std::uint8_t> payload;
  bool crc_ok = true;
};

struct ScanResult {
  std::vector<Frame> frames;    // the valid frames, in order
  std::uint64_t valid_end = 0;  // offset just after the last valid frame
  bool bad_magic = false;
  std::string stop_reason;      // empty when the file ends cleanly after a frame
  std::uint64_t zero_tail = 0;  // bytes of zeros after the last frame (preallocated space)
};

// Reads frames until the end of `bytes` or the first frame that is short, too long or fails its
// CRC; `bytes` is a whole segment file. Zeros from there to the end are a clean end (zero_tail),
// not a torn tail. With `keep_bad_crc` (verification), a frame whose length
// is plausible but whose CRC fails is returned with crc_ok = false and scanning goes on.
[[nodiscard]] ScanResult scan_segment(std::span<const std::uint8_t> bytes,
                                      bool keep_bad_crc = false);

}  // namespace axle::audit::detail
