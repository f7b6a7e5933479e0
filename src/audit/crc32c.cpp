#include "crc32c.hpp"

#include <array>

namespace axle::audit::detail {

namespace {

// Reflected polynomial 0x1EDC6F41 (RFC 3720 §B.4).
constexpr std::array<std::uint32_t, 256> make_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1U) != 0 ? 0x82F63B78U ^ (c >> 1U) : c >> 1U;
    table[i] = c;
  }
  return table;
}

constexpr auto kTable = make_table();

}  // namespace

std::uint32_t crc32c(std::span<const std::uint8_t> data, std::uint32_t crc) noexcept {
  crc = ~crc;
  for (std::uint8_t b : data) crc = kTable[(crc ^ b) & 0xFFU] ^ (crc >> 8U);
  return ~crc;
}

}  // namespace axle::audit::detail
