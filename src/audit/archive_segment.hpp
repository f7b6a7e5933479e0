// What archiving and retention need to know about one segment file: its entries' range, the
// timestamp of its newest entry (its age), the L3 key ids used in it, and its SHA-256.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "axle/audit/merkle_hash.hpp"
#include "axle/core/result.hpp"

namespace axle::audit::detail {

struct SegmentFacts {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
  std::string newest = "-";               // RFC 5424 TIMESTAMP of the last entry, "-" when nil
  std::optional<std::int64_t> newest_ms;  // the same, in UTC milliseconds
  std::vector<std::string> key_ids;       // sorted, unique
  Hash sha256{};
};

// Reads the facts from a whole, closed segment file; kCorrupt when its framing is broken or its
// sequence numbers do not start at `first` and follow each other.
[[nodiscard]] Result<SegmentFacts> segment_facts(std::span<const std::uint8_t> bytes,
                                                 std::uint64_t first);

// The L3 key ids (l3:v1:<key id>:...) found in a message, appended to `out`.
void collect_key_ids(std::string_view message, std::vector<std::string>& out);

// RFC 3339 / RFC 5424 §6.2.3 timestamp to UTC milliseconds; nullopt when it is not one.
[[nodiscard]] std::optional<std::int64_t> timestamp_ms(std::string_view timestamp);

// The segment's age in days is measured from its newest entry's timestamp, or from the file's
// mtime when that entry has no timestamp (a NILVALUE, possible for `append --stdin` lines).
[[nodiscard]] Result<std::int64_t> newest_ms(const SegmentFacts& facts,
                                             const std::filesystem::path& file);

[[nodiscard]] Result<std::vector<std::uint8_t>> read_segment_file(
    const std::filesystem::path& path);

}  // namespace axle::audit::detail
