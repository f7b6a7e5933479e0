// Fuzzes what `axle audit verify --archive` reads from an archive file before it trusts anything:
// the container (manifest frame, then a zstd stream), the manifest's text and the decompression
// of the segment, bounded. Any bytes give a result or an error, never a crash; a manifest that
// parses formats back to text that parses to the same manifest text.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "axle/audit/archive.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  if (auto parts = axle::audit::split_archive(bytes); parts.ok()) {
    (void)axle::audit::decompress_segment(parts->compressed, 1U << 20);
  }
  const std::string_view text = axle::fuzz::as_text(data, size);
  auto parsed = axle::audit::parse_manifest(text);
  if (!axle::fuzz::accepted(parsed)) return 0;
  auto formatted = axle::audit::format_manifest(*parsed);
  axle::fuzz::require(formatted.ok());
  auto again = axle::audit::parse_manifest(*formatted);
  axle::fuzz::require(again.ok());
  auto reformatted = axle::audit::format_manifest(*again);
  axle::fuzz::require(reformatted.ok() && *reformatted == *formatted);
  return 0;
}
