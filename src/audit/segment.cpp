#include "segment.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "crc32c.hpp"

namespace axle::audit::detail {

namespace {

void put_u32_le(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (unsigned i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8U * i)));
}

std::uint32_t get_u32_le(const std::uint8_t* p) noexcept {
  return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8U) | (std::uint32_t{p[2]} << 16U) |
         (std::uint32_t{p[3]} << 24U);
}

}  // namespace

std::string segment_name(std::uint64_t first_seq) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "seg-%020llu.log", static_cast<unsigned long long>(first_seq));
  return buf;
}

Result<std::vector<SegmentFile>> list_segments(const std::filesystem::path& dir) {
  std::vector<SegmentFile> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (!name.starts_with("seg-")) continue;
    std::uint64_t first = 0;
    const char* begin = name.data() + 4;
    const char* end = name.data() + name.size();
    const auto [p, err] = std::from_chars(begin, end, first);
    if (name.size() != 28 || err != std::errc() || std::string_view(p, end) != ".log") {
      return make_error(ErrorCode::kCorrupt, "unexpected file " + e.path().string() +
                                                 " in the audit log; remove it or restore the log");
    }
    out.push_back({first, e.path()});
  }
  if (ec) return make_error(ErrorCode::kIo, "cannot list " + dir.string() + ": " + ec.message());
  std::sort(out.begin(), out.end(),
            [](const SegmentFile& a, const SegmentFile& b) { return a.first_seq < b.first_seq; });
  return out;
}

std::vector<std::uint8_t> encode_entry(std::uint64_t seq, const Hash& prev,
                                       std::string_view message) {
  std::vector<std::uint8_t> out;
  out.reserve(kEntryHeader + message.size());
  out.push_back(1);  // entry format version
  for (int i = 7; i >= 0; --i)
    out.push_back(static_cast<std::uint8_t>(seq >> (8U * static_cast<unsigned>(i))));
  out.insert(out.end(), prev.begin(), prev.end());
  out.insert(out.end(), message.begin(), message.end());
  return out;
}

std::optional<LogEntry> decode_entry(std::span<const std::uint8_t> payload) {
  if (payload.size() < kEntryHeader || payload[0] != 1) return std::nullopt;
  LogEntry e;
  for (std::size_t i = 1; i < 9; ++i) e.seq = (e.seq << 8U) | payload[i];
  std::copy(payload.begin() + 9, payload.begin() + 41, e.prev.begin());
  e.message.assign(payload.begin() + 41, payload.end());
  return e;
}

void append_frame(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> payload) {
  put_u32_le(out, static_cast<std::uint32_t>(payload.size()));
  put_u32_le(out, crc32c(payload));
  out.insert(out.end(), payload.begin(), payload.end());
}

void append_frame_in_place(std::vector<std::uint8_t>& out, std::uint64_t seq, const Hash& prev,
                           std::string_view message) {
  const std::size_t start = out.size();
  const std::size_t payload_size = kEntryHeader + message.size();
  out.resize(start + kFrameHeader + payload_size);
  std::uint8_t* p = out.data() + start + kFrameHeader;
  p[0] = 1;  // entry format version
  for (unsigned i = 0; i < 8; ++i) p[1 + i] = static_cast<std::uint8_t>(seq >> (8U * (7 - i)));
  std::copy(prev.begin(), prev.end(), p + 9);
  std::copy(message.begin(), message.end(), p + kEntryHeader);
  const std::uint32_t crc = crc32c({p, payload_size});
  std::uint8_t* h = out.data() + start;
  for (unsigned i = 0; i < 4; ++i) {
    h[i] = static_cast<std::uint8_t>(payload_size >> (8U * i));
    h[4 + i] = static_cast<std::uint8_t>(crc >> (8U * i));
  }
}

bool all_zero(std::span<const std::uint8_t> bytes) noexcept {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

ScanResult scan_segment(std::span<const std::uint8_t> bytes, bool keep_bad_crc) {
  ScanResult r;
  if (bytes.size() < kSegmentMagic.size() ||
      !std::equal(kSegmentMagic.begin(), kSegmentMagic.end(), bytes.begin())) {
    r.bad_magic = true;
    r.stop_reason = "segment header missing or wrong";
    return r;
  }
  std::uint64_t pos = kSegmentMagic.size();
  r.valid_end = pos;
  while (pos < bytes.size()) {
    if (bytes.size() - pos < kFrameHeader) {
      r.stop_reason = "frame header cut short";
      break;
    }
    const std::uint32_t len = get_u32_le(bytes.data() + pos);
    const std::uint32_t crc = get_u32_le(bytes.data() + pos + 4);
    if (len > kMaxPayload || len < kEntryHeader) {
      r.stop_reason = "frame length out of range";
      break;
    }
    if (bytes.size() - pos - kFrameHeader < len) {
      r.stop_reason = "frame payload cut short";
      break;
    }
    const auto payload = bytes.subspan(static_cast<std::size_t>(pos + kFrameHeader), len);
    const bool crc_ok = crc32c(payload) == crc;
    if (!crc_ok && !keep_bad_crc) {
      r.stop_reason = "frame CRC mismatch";
      break;
    }
    r.frames.push_back({pos, payload, crc_ok});
    pos += kFrameHeader + len;
    r.valid_end = pos;
  }
  // Preallocated space (zeros; no frame has a zero length) is not a torn tail: the file ends
  // cleanly after the last frame.
  if (!r.stop_reason.empty() && all_zero(bytes.subspan(static_cast<std::size_t>(r.valid_end)))) {
    r.stop_reason.clear();
    r.zero_tail = bytes.size() - r.valid_end;
  }
  return r;
}

}  // namespace axle::audit::detail
