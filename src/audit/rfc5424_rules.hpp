// The field rules of RFC 5424 §6 shared by the serializer and the parser.
#pragma once

#include <cstddef>
#include <string_view>

#include "axle/core/result.hpp"

namespace axle::audit::detail {

// RFC 5424 §6 field length limits (octets).
inline constexpr std::size_t kMaxHostname = 255;
inline constexpr std::size_t kMaxAppName = 48;
inline constexpr std::size_t kMaxProcId = 128;
inline constexpr std::size_t kMaxMsgId = 32;
inline constexpr std::size_t kMaxSdName = 32;
inline constexpr int kMaxPrival = 191;                    // §6.2.1: facility 0..23, severity 0..7
inline constexpr std::string_view kBom = "\xEF\xBB\xBF";  // §6.4

// PRINTUSASCII = %d33-126 (§6).
[[nodiscard]] constexpr bool is_printusascii(char c) noexcept { return c >= 33 && c <= 126; }

// A header field (HOSTNAME, APP-NAME, PROCID, MSGID): 1..max PRINTUSASCII, not the lone "-".
[[nodiscard]] Result<void> check_header_field(std::string_view field, std::string_view value,
                                              std::size_t max);

// SD-NAME = 1*32PRINTUSASCII except '=', SP, ']', '"' (§6.3.2, §6.3.3).
[[nodiscard]] bool is_sd_name(std::string_view name) noexcept;

}  // namespace axle::audit::detail
