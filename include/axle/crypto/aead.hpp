// AES-GCM (NIST SP 800-38D) over OpenSSL 3 EVP. axle uses AES-256-GCM with 12-byte nonces and
// 16-byte tags; the other key sizes and nonce lengths exist for interoperability and vectors.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "axle/core/result.hpp"

namespace axle::crypto {

inline constexpr std::size_t kAesGcmTagSize = 16;
inline constexpr std::size_t kAesGcmNonceSize = 12;

// Returns ciphertext || tag (tag_size bytes, 12..16). Key: 16, 24 or 32 bytes. Nonce: >= 1 byte
// (never reuse a nonce under one key).
[[nodiscard]] Result<std::vector<std::uint8_t>> aes_gcm_seal(
    std::span<const std::uint8_t> key, std::span<const std::uint8_t> nonce,
    std::span<const std::uint8_t> aad, std::span<const std::uint8_t> plaintext,
    std::size_t tag_size = kAesGcmTagSize);

// Input is ciphertext || tag. A wrong tag gives ErrorCode::kVerificationFailed and no plaintext.
[[nodiscard]] Result<std::vector<std::uint8_t>> aes_gcm_open(
    std::span<const std::uint8_t> key, std::span<const std::uint8_t> nonce,
    std::span<const std::uint8_t> aad, std::span<const std::uint8_t> ciphertext_and_tag,
    std::size_t tag_size = kAesGcmTagSize);

// AES-256-GCM with a fresh random 12-byte nonce: returns nonce || ciphertext || tag.
[[nodiscard]] Result<std::vector<std::uint8_t>> aes256_gcm_seal_random_nonce(
    std::span<const std::uint8_t> key, std::span<const std::uint8_t> aad,
    std::span<const std::uint8_t> plaintext);
[[nodiscard]] Result<std::vector<std::uint8_t>> aes256_gcm_open_random_nonce(
    std::span<const std::uint8_t> key, std::span<const std::uint8_t> aad,
    std::span<const std::uint8_t> sealed);

}  // namespace axle::crypto
