// The signed identity document and its verification.
//
// A document is canonical JSON (RFC 8785 for this field set: object keys sorted, no whitespace,
// integers only, ASCII strings) of these fields, plus "signature": hex of the Ed25519 signature
// of the canonical JSON without it.
//
//   version           "axle-identity/1"
//   mode              "real-name" | "anonymous"
//   edid              EDID-v2 identifier (edid.hpp)
//   manufacturer_id   hex, 32 bytes
//   secure_boot_hash  hex, 32 bytes;  secure_boot_source "tpm-pcr0" | "fingerprint-fallback"
//   timestamp_ms      UTC milliseconds;  nonce  hex, 16 bytes
//   public_key        hex of the raw Ed25519 public key that signed
//   certificate       real-name: the device certificate (PEM) for public_key, issued by a vendor CA
//   relying_party, pseudonym   anonymous: HMAC-SHA256(pseudonymisation key, relying party id),
//                     signed by a per-relying-party key; no certificate, so nothing links two
//                     relying parties' documents.
//
// Verification refuses, each with its own VerifyFailure, message and CLI exit code: malformed
// input, a bad signature, an untrusted chain (or a certificate for another key), an expired or
// not-yet-valid certificate, a revoked identity, a timestamp outside the window, and a replayed
// nonce (a persistent seen-nonce cache whose entries expire with the window).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "axle/core/result.hpp"
#include "axle/core/secret.hpp"
#include "axle/crypto/keys.hpp"
#include "axle/identity/edid.hpp"

namespace axle::identity {

enum class DocumentMode { kRealName, kAnonymous };

struct IdentityDocument {
  std::string version = "axle-identity/1";
  DocumentMode mode = DocumentMode::kRealName;
  std::string edid;
  Digest32 manufacturer_id{};
  Digest32 secure_boot_hash{};
  bool secure_boot_from_tpm = false;
  std::int64_t timestamp_ms = 0;
  Nonce nonce{};
  std::vector<std::uint8_t> public_key;  // raw Ed25519, 32 bytes
  std::string certificate_pem;           // real-name only
  std::string relying_party;             // anonymous only
  Digest32 pseudonym{};                  // anonymous only
  std::vector<std::uint8_t> signature;   // Ed25519, 64 bytes

  // Canonical JSON; without the signature it is exactly the signed message.
  [[nodiscard]] std::string canonical_json(bool with_signature = true) const;
};

struct GenerateInputs {
  DocumentMode mode = DocumentMode::kRealName;
  Digest32 manufacturer_id{};
  SecureBootHash secure_boot;
  std::int64_t timestamp_ms = 0;  // 0: now
  // Real-name: the device's identity key (from the identity-signing seed) and its certificate.
  const crypto::PrivateKey* device_key = nullptr;
  std::string certificate_pem;
  // Anonymous: the relying party and the pseudonymisation key.
  std::string relying_party;
  const SecretBytes* pseudonymisation_key = nullptr;
};

// Draws the nonce, computes the EDID, fills and signs the document.
[[nodiscard]] Result<IdentityDocument> generate_document(const GenerateInputs& inputs);

// Strict parse: every field present with the right form, nothing else.
[[nodiscard]] Result<IdentityDocument> parse_document(std::string_view json);

enum class VerifyFailure {
  kNone,
  kMalformed,
  kBadSignature,
  kUntrustedChain,
  kCertificateExpired,
  kRevoked,
  kTimestamp,
  kReplay,
  kVerifierState,  // the verifier's nonce cache or revocation list cannot be read or written
};
std::string_view verify_failure_name(VerifyFailure f) noexcept;

struct VerifyPolicy {
  std::vector<std::string> trusted_roots_pem;
  std::vector<std::string> crls_pem;
  std::int64_t now_ms = 0;                 // 0: now
  std::int64_t window_ms = 5 * 60 * 1000;  // |now - timestamp| allowed
  std::filesystem::path nonce_cache;       // empty: no replay check (unless memory_nonce_cache)
  std::filesystem::path revocation_list;   // one EDID or hex public key per line; may be absent
  // Without a nonce_cache file: keep seen nonces in the verifier's memory only (a relying-party
  // process verifying many documents that accepts forgetting them when it restarts).
  bool memory_nonce_cache = false;
  // Flush each accepted nonce to disk (fdatasync) before accepting its document, so a replay is
  // refused even after a power loss. Off: the nonce survives the process but not the OS crashing.
  bool sync_nonce_cache = true;
  // Upper bound of the verifier's certificate cache (DocumentVerifier, verifier.hpp).
  std::size_t max_cached_certificates = 4096;
};

struct VerifyVerdict {
  VerifyFailure failure = VerifyFailure::kMalformed;
  std::string message;
  std::optional<IdentityDocument> document;
  [[nodiscard]] bool ok() const noexcept { return failure == VerifyFailure::kNone; }
};

// One document through a DocumentVerifier made for it (verifier.hpp); relying parties verifying
// many documents keep a DocumentVerifier instead. Never throws; on success the nonce is recorded
// in the cache.
[[nodiscard]] VerifyVerdict verify_document(std::string_view json, const VerifyPolicy& policy);

}  // namespace axle::identity
