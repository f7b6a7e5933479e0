// UTF-8 validation (RFC 3629 §4): rejects overlong forms, surrogates and code points above
// U+10FFFF, as RFC 5424 §6.4 requires of MSG-UTF8 and §6.3.3 of PARAM-VALUE.
#pragma once

#include <string_view>

namespace axle::audit::detail {

[[nodiscard]] bool is_valid_utf8(std::string_view text) noexcept;

}  // namespace axle::audit::detail
