// Per-purpose keys derived from the fingerprint and a device secret (RFC 5869 HKDF-SHA256).
//
//   PRK = HKDF-Extract(salt = fingerprint, IKM = device secret)
//   key = HKDF-Expand(PRK, info = "axle/<purpose>@v1", 32)
//
// The device secret is 32 random bytes. With a TPM it is sealed to it: only the sealed object's
// blob is kept, in <state-dir>/identity/device.secret.sealed (0600), and the TPM unseals it on
// each use; without a TPM it is a 0600 file, <state-dir>/identity/device.secret. Keys are
// SecretBytes: never logged or printed; key_id() gives a public handle for them.
#pragma once

#include <string>
#include <string_view>

#include "axle/core/result.hpp"
#include "axle/core/secret.hpp"
#include "axle/core/state_dir.hpp"
#include "axle/crypto/keys.hpp"
#include "axle/identity/fingerprint.hpp"

namespace axle::identity {

enum class KeyPurpose { kIdentitySigning, kAuditMac, kPseudonymisation, kFederation };

inline constexpr KeyPurpose kAllKeyPurposes[] = {
    KeyPurpose::kIdentitySigning, KeyPurpose::kAuditMac, KeyPurpose::kPseudonymisation,
    KeyPurpose::kFederation};

std::string_view key_purpose_name(KeyPurpose p) noexcept;  // "identity-signing", ...
std::string key_purpose_info(KeyPurpose p);                // "axle/identity-signing@v1"

inline constexpr std::string_view kDeviceSecretFile = "identity/device.secret";
inline constexpr std::string_view kSealedDeviceSecretFile = "identity/device.secret.sealed";

enum class SecretStorage { kFile, kTpmSealed };
std::string_view secret_storage_name(SecretStorage s) noexcept;  // "file", "sealed to TPM"

struct DeviceSecret {
  SecretBytes secret;
  SecretStorage storage = SecretStorage::kFile;
};

// Reads the device secret, creating it (32 bytes from the CSPRNG) on first use, through the TPM
// that `ctx` names (its TCTI, or <root>/dev/tpmrm0):
//   - a sealed blob exists: unsealed by the TPM; no TPM, or another TPM, is an error that says so
//     (the secret is not recoverable without its TPM — by design);
//   - a plain file exists and a TPM is there: migrated — sealed, checked by unsealing, the blob
//     written, and the plain file overwritten with zeros, flushed and removed;
//   - no TPM (none present, or no access to it): the plain 0600 file, as before.
// A plain file of the wrong size is kCorrupt.
[[nodiscard]] Result<DeviceSecret> open_device_secret(const StateDir& state,
                                                      const SourceContext& ctx);
// The same with the default context (root "/", the TPM at /dev/tpmrm0 if there is one).
[[nodiscard]] Result<SecretBytes> load_or_create_device_secret(const StateDir& state);

[[nodiscard]] Result<SecretBytes> derive_key(const Fingerprint& fingerprint,
                                             const SecretBytes& device_secret, KeyPurpose purpose);

// The device's Ed25519 identity key: RFC 8032 key from the identity-signing derived seed.
[[nodiscard]] Result<crypto::PrivateKey> device_signing_key(const Fingerprint& fingerprint,
                                                            const SecretBytes& device_secret);

// A public handle for a key: hex of the first 8 bytes of SHA-256(key).
[[nodiscard]] Result<std::string> key_id(const SecretBytes& key);

}  // namespace axle::identity
