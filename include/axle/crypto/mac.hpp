// HMAC-SHA256 and HKDF-SHA256 (RFC 2104, RFC 5869) over OpenSSL 3 EVP_MAC / EVP_KDF.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "axle/core/result.hpp"
#include "axle/core/secret.hpp"

namespace axle::crypto {

using HmacSha256Tag = std::array<std::uint8_t, 32>;

// Any key length is accepted (RFC 2104 hashes keys longer than the block size).
[[nodiscard]] Result<HmacSha256Tag> hmac_sha256(std::span<const std::uint8_t> key,
                                                std::span<const std::uint8_t> data);

// Verifies `tag` (which may be a truncated tag of >= 16 bytes) in constant time.
[[nodiscard]] Result<void> hmac_sha256_verify(std::span<const std::uint8_t> key,
                                              std::span<const std::uint8_t> data,
                                              std::span<const std::uint8_t> tag);

// RFC 5869 §2.2: PRK = HMAC-SHA256(salt, IKM). An empty salt means HashLen zero bytes.
[[nodiscard]] Result<SecretBytes> hkdf_sha256_extract(std::span<const std::uint8_t> salt,
                                                      std::span<const std::uint8_t> ikm);

// RFC 5869 §2.3: OKM of `length` bytes; length must be 1..255*32, the PRK at least 32 bytes.
[[nodiscard]] Result<SecretBytes> hkdf_sha256_expand(std::span<const std::uint8_t> prk,
                                                     std::span<const std::uint8_t> info,
                                                     std::size_t length);

// Extract then expand.
[[nodiscard]] Result<SecretBytes> hkdf_sha256(std::span<const std::uint8_t> salt,
                                              std::span<const std::uint8_t> ikm,
                                              std::span<const std::uint8_t> info,
                                              std::size_t length);

}  // namespace axle::crypto
