// CRC-32C (Castagnoli, RFC 3720 §B.4), the frame checksum of the audit log's segment files.
#pragma once

#include <cstdint>
#include <span>

namespace axle::audit::detail {

[[nodiscard]] std::uint32_t crc32c(std::span<const std::uint8_t> data,
                                   std::uint32_t crc = 0) noexcept;
// The table-driven version, whatever the CPU (tests compare the two).
[[nodiscard]] std::uint32_t crc32c_portable(std::span<const std::uint8_t> data,
                                            std::uint32_t crc = 0) noexcept;

}  // namespace axle::audit::detail
