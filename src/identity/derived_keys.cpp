#include "axle/identity/derived_keys.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "axle/crypto/hash.hpp"
#include "axle/crypto/mac.hpp"
#include "axle/crypto/random.hpp"
#include "axle/identity/tpm.hpp"
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

std::string_view secret_storage_name(SecretStorage s) noexcept {
  return s == SecretStorage::kTpmSealed ? "sealed to TPM" : "file";
}

namespace {

Result<SecretBytes> read_plain_secret(const StateDir& state) {
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

Result<void> write_plain_secret(const StateDir& state, const SecretBytes& secret) {
  auto v = secret.view();
  return state.write(kDeviceSecretFile,
                     std::string_view(reinterpret_cast<const char*>(v.data()), v.size()), 0600);
}

// Overwrites the plain secret with zeros, flushes that to disk and removes the file, so the
// secret does not stay readable in the file's old blocks once it lives in the TPM. (On flash
// and copy-on-write file systems an overwrite reaches other blocks; the old ones are beyond
// what a program can erase — docs/identity.md.)
Result<void> destroy_plain_secret(const StateDir& state) {
  AXLE_TRY(auto path, state.file(kDeviceSecretFile));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return make_error(ErrorCode::kIo, "cannot open the plain device secret to erase it");
  struct stat st {};
  bool ok_erase = ::fstat(fd, &st) == 0;
  if (ok_erase) {
    std::string zeros(static_cast<std::size_t>(st.st_size), '\0');
    ok_erase = ::pwrite(fd, zeros.data(), zeros.size(), 0) == static_cast<ssize_t>(zeros.size()) &&
               ::fsync(fd) == 0;
  }
  ::close(fd);
  if (!ok_erase) return make_error(ErrorCode::kIo, "cannot overwrite the plain device secret");
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (ec)
    return make_error(ErrorCode::kIo, "cannot remove the plain device secret: " + ec.message());
  return ok();
}

// No TPM to seal to: none present, or this user may not use it. Any other TPM failure is an
// error, not a silent fallback to an unsealed secret.
bool no_tpm(const Error& e) {
  return e.code == ErrorCode::kNotFound || e.code == ErrorCode::kPermissionDenied;
}

std::string effective_tcti(const SourceContext& ctx) {
  if (!ctx.tpm.tcti.empty()) return ctx.tpm.tcti;
  return "device:" + detail::below(ctx.root, "/dev/tpmrm0").string();
}

// Seals `secret`, checks that the TPM gives it back, and stores the blob.
Result<void> seal_and_store(const StateDir& state, const std::string& tcti,
                            const SecretBytes& secret, const std::vector<std::uint8_t>& blob) {
  AXLE_TRY(SecretBytes back, tpm_unseal(tcti, blob));
  if (!crypto::constant_time_equal(back.view(), secret.view())) {
    return make_error(ErrorCode::kInternal, "the TPM did not give the sealed device secret back");
  }
  return state.write(kSealedDeviceSecretFile,
                     std::string_view(reinterpret_cast<const char*>(blob.data()), blob.size()),
                     0600);
}

}  // namespace

Result<DeviceSecret> open_device_secret(const StateDir& state, const SourceContext& ctx) {
  const std::string tcti = effective_tcti(ctx);
  if (state.exists(kSealedDeviceSecretFile)) {
    AXLE_TRY(std::string blob, state.read(kSealedDeviceSecretFile));
    auto secret = tpm_unseal(
        tcti, std::span(reinterpret_cast<const std::uint8_t*>(blob.data()), blob.size()));
    if (!secret) {
      return make_error(
          secret.error().code,
          fmt::format("the device secret is sealed to a TPM ({}/{}) and cannot be "
                      "unsealed: {}",
                      state.path().string(), kSealedDeviceSecretFile, secret.error().message));
    }
    if (secret->size() != kSecretSize) {
      return make_error(ErrorCode::kCorrupt, "the sealed device secret has the wrong size");
    }
    if (state.exists(kDeviceSecretFile)) {
      // A migration was interrupted after the blob was written: finish it, if the two agree.
      AXLE_TRY(SecretBytes plain, read_plain_secret(state));
      if (!crypto::constant_time_equal(plain.view(), secret->view())) {
        return make_error(ErrorCode::kCorrupt,
                          fmt::format("{} and {} hold different device secrets; keep the one "
                                      "the device certificate was issued for and remove the other",
                                      kDeviceSecretFile, kSealedDeviceSecretFile));
      }
      AXLE_RETURN_IF_ERROR(destroy_plain_secret(state));
    }
    return DeviceSecret{std::move(*secret), SecretStorage::kTpmSealed};
  }

  const bool had_plain = state.exists(kDeviceSecretFile);
  SecretBytes secret;
  if (had_plain) {
    AXLE_TRY(secret, read_plain_secret(state));
  } else {
    AXLE_TRY(secret, crypto::random_secret(kSecretSize));
  }
  auto blob = tpm_seal(tcti, secret);
  if (!blob) {
    if (!no_tpm(blob.error())) return blob.error();
    if (!had_plain) AXLE_RETURN_IF_ERROR(write_plain_secret(state, secret));
    return DeviceSecret{std::move(secret), SecretStorage::kFile};
  }
  AXLE_RETURN_IF_ERROR(seal_and_store(state, tcti, secret, *blob));
  if (had_plain) AXLE_RETURN_IF_ERROR(destroy_plain_secret(state));
  return DeviceSecret{std::move(secret), SecretStorage::kTpmSealed};
}

Result<SecretBytes> load_or_create_device_secret(const StateDir& state) {
  AXLE_TRY(DeviceSecret d, open_device_secret(state, SourceContext{}));
  return std::move(d.secret);
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
