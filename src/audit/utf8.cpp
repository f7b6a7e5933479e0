#include "utf8.hpp"

#include <cstdint>

namespace axle::audit::detail {

bool is_valid_utf8(std::string_view text) noexcept {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const auto b0 = static_cast<std::uint8_t>(text[i]);
    if (b0 < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    std::uint32_t min = 0;
    if ((b0 & 0xE0U) == 0xC0U) {
      len = 2;
      cp = b0 & 0x1FU;
      min = 0x80;
    } else if ((b0 & 0xF0U) == 0xE0U) {
      len = 3;
      cp = b0 & 0x0FU;
      min = 0x800;
    } else if ((b0 & 0xF8U) == 0xF0U) {
      len = 4;
      cp = b0 & 0x07U;
      min = 0x10000;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto b = static_cast<std::uint8_t>(text[i + k]);
      if ((b & 0xC0U) != 0x80U) return false;
      cp = (cp << 6U) | (b & 0x3FU);
    }
    // RFC 3629 §3: no overlong forms, no surrogates, nothing above U+10FFFF.
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

}  // namespace axle::audit::detail
