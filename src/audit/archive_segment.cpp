#include "archive_segment.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "axle/audit/rfc5424.hpp"
#include "axle/crypto/hash.hpp"
#include "fd.hpp"
#include "segment.hpp"

namespace axle::audit::detail {

namespace {

constexpr std::string_view kL3Prefix = "l3:v1:";  // redaction.hpp: l3:v1:d<YYYY-MM-DD>:<b64>

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<int> digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

std::optional<std::int64_t> timestamp_ms(std::string_view ts) {
  if (!validate_timestamp(ts)) return std::nullopt;  // the strict §6.2.3 grammar first
  const auto y = digits(ts, 0, 4);
  const auto mo = digits(ts, 5, 2);
  const auto d = digits(ts, 8, 2);
  const auto h = digits(ts, 11, 2);
  const auto mi = digits(ts, 14, 2);
  const auto s = digits(ts, 17, 2);
  if (!y || !mo || !d || !h || !mi || !s) return std::nullopt;
  std::size_t pos = 19;
  std::int64_t ms = 0;
  if (pos < ts.size() && ts[pos] == '.') {
    ++pos;
    int scale = 100;
    while (pos < ts.size() && ts[pos] >= '0' && ts[pos] <= '9') {
      ms += (ts[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
  }
  std::int64_t offset_min = 0;
  if (pos < ts.size() && (ts[pos] == '+' || ts[pos] == '-')) {
    const auto oh = digits(ts, pos + 1, 2);
    const auto om = digits(ts, pos + 4, 2);
    if (!oh || !om) return std::nullopt;
    offset_min = (ts[pos] == '+' ? 1 : -1) * (*oh * 60 + *om);
  }
  const std::int64_t days =
      days_from_civil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d));
  const std::int64_t secs = days * 86400 + *h * 3600 + *mi * 60 + *s - offset_min * 60;
  return secs * 1000 + ms;
}

void collect_key_ids(std::string_view message, std::vector<std::string>& out) {
  for (std::size_t pos = message.find(kL3Prefix); pos != std::string_view::npos;
       pos = message.find(kL3Prefix, pos + 1)) {
    const std::size_t start = pos + kL3Prefix.size();
    const std::size_t colon = message.find(':', start);
    if (colon == std::string_view::npos || colon - start > 32 || colon == start) continue;
    const std::string_view id = message.substr(start, colon - start);
    if (std::all_of(id.begin(), id.end(), [](char c) {
          return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-';
        })) {
      out.emplace_back(id);
    }
  }
}

Result<SegmentFacts> segment_facts(std::span<const std::uint8_t> bytes, std::uint64_t first) {
  const ScanResult scan = scan_segment(bytes);
  if (scan.bad_magic || !scan.stop_reason.empty()) {
    return make_error(ErrorCode::kCorrupt, "segment " + segment_name(first) + " is damaged (" +
                                               scan.stop_reason + "); run 'axle audit verify'");
  }
  SegmentFacts f;
  f.first = first;
  f.count = scan.frames.size();
  std::string last_message;
  for (std::size_t i = 0; i < scan.frames.size(); ++i) {
    auto entry = decode_entry(scan.frames[i].payload);
    if (!entry || entry->seq != first + i) {
      return make_error(ErrorCode::kCorrupt, "segment " + segment_name(first) +
                                                 " holds an entry out of sequence at " +
                                                 std::to_string(first + i));
    }
    collect_key_ids(entry->message, f.key_ids);
    if (i + 1 == scan.frames.size()) last_message = std::move(entry->message);
  }
  std::sort(f.key_ids.begin(), f.key_ids.end());
  f.key_ids.erase(std::unique(f.key_ids.begin(), f.key_ids.end()), f.key_ids.end());
  if (auto msg = parse_rfc5424(last_message); msg && !msg->timestamp.empty()) {
    f.newest = msg->timestamp;
    f.newest_ms = timestamp_ms(msg->timestamp);
  }
  AXLE_TRY(f.sha256, crypto::sha256(bytes));
  return f;
}

Result<std::int64_t> newest_ms(const SegmentFacts& facts, const std::filesystem::path& file) {
  if (facts.newest_ms) return *facts.newest_ms;
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return io_error("cannot stat", file, errno);
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

Result<std::vector<std::uint8_t>> read_segment_file(const std::filesystem::path& path) {
  AXLE_TRY(Fd fd, open_file(path, O_RDONLY));
  return read_whole(fd, path);
}

}  // namespace axle::audit::detail
