#include "axle/identity/derived_keys.hpp"

#include <fmt/format.h>

#include "axle/crypto/hash.hpp"
#include "axle/crypto/mac.hpp"
#include "axle/crypto/random.hpp"
#include "tree.hpp"

namespace axle::identity {

namespace {
constexpr std::size_t kSecretSize = 32;
}

std::string_view key_purpose_name(KeyPurpose p) noexcept {
  switch (p) {
    case KeyPurpose::kIdentitySigning: return "identity-signing";
    case KeyPurpose::kAuditMac: return "audit-mac";
    case KeyPurpose::kPseudonymisation: return "pseudonymisation";
    case KeyPurpose::kFederation: return "federation";
  }
  return "unknown";
}

std::string key_purpose_info(KeyPurpose p) {
  return fmt::format("axle/{}@v1", key_purpose_name(p));
}

Result<SecretBytes> load_or_create_device_secret(const StateDir& state) {
  if (state.exists(kDeviceSecretFile)) {
    AXLE_TRY(std::string stored, state.read(kDeviceSecretFile));
    SecretBytes secret(
        std::span(reinterpret_cast<const std::uint8_t*>(stored.data()), stored.size()));
    secure_wipe(stored.data(), stored.size());
    if (secret.size() != kSecretSize) {
      return make_error(ErrorCode::kCorrupt,
                        fmt::format("the device secret in {}/{} has the wrong size; restore it "
                                    "from a backup (deleting it changes every derived key)",
                                    state.path().string(), kDeviceSecretFile));
    }
    return secret;
  }
  AXLE_TRY(SecretBytes secret, crypto::random_secret(kSecretSize));
  auto v = secret.view();
  AXLE_RETURN_IF_ERROR(
      state.write(kDeviceSecretFile,
                  std::string_view(reinterpret_cast<const char*>(v.data()), v.size()), 0600));
  return secret;
}

Result<SecretBytes> derive_key(const Fingerprint& fingerprint, const SecretBytes& device_secret,
                               KeyPurpose purpose) {
  if (device_secret.size() < kSecretSize) {
    return make_error(ErrorCode::kInvalidArgument, "the device secret must be 32 bytes or more");
  }
  // RFC 5869 §3.1: the fingerprint is public, non-secret salt; the device secret is the IKM.
  std::string info = key_purpose_info(purpose);
  return crypto::hkdf_sha256(
      fingerprint, device_secret.view(),
      std::span(reinterpret_cast<const std::uint8_t*>(info.data()), info.size()), 32);
}

Result<crypto::PrivateKey> device_signing_key(const Fingerprint& fingerprint,
                                              const SecretBytes& device_secret) {
  AXLE_TRY(SecretBytes seed, derive_key(fingerprint, device_secret, KeyPurpose::kIdentitySigning));
  return crypto::PrivateKey::ed25519_from_seed(seed.view());
}

Result<std::string> key_id(const SecretBytes& key) {
  AXLE_TRY(auto digest, crypto::sha256(key.view()));
  return detail::to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), 8));
}

}  // namespace axle::identity
