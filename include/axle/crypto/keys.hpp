// Signature keys: Ed25519 (RFC 8032) and ECDSA P-256 with SHA-256 (FIPS 186-4), over EVP_PKEY.
//
// Private keys export as PKCS#8, public keys as SubjectPublicKeyInfo, in PEM or DER. ECDSA
// signatures come in DER (X9.62 / RFC 3279, what X.509 and TLS use) or IEEE P1363 (r || s, fixed
// 64 bytes, what JOSE/COSE use). Ed25519 signatures are always 64 bytes; the format is ignored.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "axle/core/result.hpp"
#include "axle/core/secret.hpp"

namespace axle::crypto {

enum class KeyType { kEd25519, kEcdsaP256 };
enum class SignatureFormat { kDer, kP1363 };

std::string_view key_type_name(KeyType type) noexcept;  // "ed25519", "ecdsa-p256"
Result<KeyType> parse_key_type(std::string_view name);

namespace detail {
struct PkeyHandle;  // owns an EVP_PKEY
}

class PublicKey {
 public:
  static Result<PublicKey> from_pem(std::string_view pem);
  static Result<PublicKey> from_der(std::span<const std::uint8_t> spki_der);
  // Ed25519: the 32-byte raw key. ECDSA P-256: the SEC1 point (65 bytes uncompressed, or 33).
  static Result<PublicKey> from_raw(KeyType type, std::span<const std::uint8_t> raw);

  [[nodiscard]] KeyType type() const noexcept { return type_; }
  [[nodiscard]] Result<std::string> to_pem() const;
  [[nodiscard]] Result<std::vector<std::uint8_t>> to_der() const;
  // Ed25519: 32 bytes; ECDSA P-256: 65-byte uncompressed point.
  [[nodiscard]] Result<std::vector<std::uint8_t>> to_raw() const;

  // kOk when valid; kVerificationFailed when the signature does not match (including any
  // malformed encoding); other codes for misuse.
  [[nodiscard]] Result<void> verify(std::span<const std::uint8_t> message,
                                    std::span<const std::uint8_t> signature,
                                    SignatureFormat format = SignatureFormat::kDer) const;

  // For other axle libraries (X.509 code); the pointer is an EVP_PKEY*.
  [[nodiscard]] void* native_handle() const noexcept;

  PublicKey(PublicKey&&) noexcept;
  PublicKey& operator=(PublicKey&&) noexcept;
  PublicKey(const PublicKey&) = delete;
  PublicKey& operator=(const PublicKey&) = delete;
  ~PublicKey();

 private:
  PublicKey(KeyType type, std::unique_ptr<detail::PkeyHandle> key);
  KeyType type_;
  std::unique_ptr<detail::PkeyHandle> key_;
  friend class PrivateKey;
};

class PrivateKey {
 public:
  static Result<PrivateKey> generate(KeyType type);
  // Ed25519 only: the key whose 32-byte seed is given (RFC 8032 §5.1.5); deterministic.
  static Result<PrivateKey> ed25519_from_seed(std::span<const std::uint8_t> seed);
  // Unencrypted PKCS#8 (or traditional EC) PEM/DER.
  static Result<PrivateKey> from_pem(std::string_view pem);
  static Result<PrivateKey> from_der(std::span<const std::uint8_t> pkcs8_der);

  [[nodiscard]] KeyType type() const noexcept { return type_; }
  // PKCS#8, unencrypted; secret output, wiped when dropped.
  [[nodiscard]] Result<SecretBytes> to_pem() const;
  [[nodiscard]] Result<SecretBytes> to_der() const;
  [[nodiscard]] Result<PublicKey> public_key() const;
  // The public half in PublicKey::to_raw()'s form, without building a PublicKey (no decoding).
  [[nodiscard]] Result<std::vector<std::uint8_t>> public_raw() const;

  [[nodiscard]] Result<std::vector<std::uint8_t>> sign(
      std::span<const std::uint8_t> message, SignatureFormat format = SignatureFormat::kDer) const;

  [[nodiscard]] void* native_handle() const noexcept;  // EVP_PKEY*

  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;
  ~PrivateKey();

 private:
  PrivateKey(KeyType type, std::unique_ptr<detail::PkeyHandle> key);
  KeyType type_;
  std::unique_ptr<detail::PkeyHandle> key_;
};

// Converts ECDSA P-256 signatures between DER and P1363. Strict: rejects non-canonical DER,
// trailing bytes, and P1363 of the wrong length.
[[nodiscard]] Result<std::vector<std::uint8_t>> ecdsa_der_to_p1363(
    std::span<const std::uint8_t> der);
[[nodiscard]] Result<std::vector<std::uint8_t>> ecdsa_p1363_to_der(
    std::span<const std::uint8_t> p1363);

}  // namespace axle::crypto
