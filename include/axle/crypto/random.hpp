// CSPRNG (OpenSSL's DRBG, seeded from the OS) and constant-time comparison.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "axle/core/result.hpp"
#include "axle/core/secret.hpp"

namespace axle::crypto {

[[nodiscard]] Result<void> random_fill(std::span<std::uint8_t> out);
[[nodiscard]] Result<std::vector<std::uint8_t>> random_bytes(std::size_t n);
// For key material: drawn from OpenSSL's private DRBG, returned in wiping storage.
[[nodiscard]] Result<SecretBytes> random_secret(std::size_t n);

// True when a and b have equal length and content; time depends only on the length.
[[nodiscard]] bool constant_time_equal(std::span<const std::uint8_t> a,
                                       std::span<const std::uint8_t> b) noexcept;

}  // namespace axle::crypto
