// Standard base64 with padding (RFC 4648 §4), as C2SP checkpoints, signed notes and the proof
// JSON files use. Decoding is strict: no whitespace, correct padding, zero pad bits.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace axle::audit::detail {

[[nodiscard]] std::string base64_encode(std::span<const std::uint8_t> data);
[[nodiscard]] std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace axle::audit::detail
