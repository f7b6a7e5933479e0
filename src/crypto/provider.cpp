#include "axle/crypto/provider.hpp"

#include <openssl/conf.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>

#include "ossl.hpp"

namespace axle::crypto {

namespace {

std::atomic<bool> g_fips_mode{false};
std::mutex g_fips_mutex;

// OpenSSL 3.0 has no OSSL_PROVIDER_get0_default_search_path(); it searches $OPENSSL_MODULES,
// else the directory compiled in, which OpenSSL_version() reports as `MODULESDIR: "<dir>"`.
std::string modules_dir() {
  if (const char* env = std::getenv("OPENSSL_MODULES"); env != nullptr && *env != '\0') {
    return env;
  }
  std::string_view reported = OpenSSL_version(OPENSSL_MODULES_DIR);
  const auto open = reported.find('"');
  const auto close = reported.rfind('"');
  if (open != std::string_view::npos && close > open) {
    return std::string(reported.substr(open + 1, close - open - 1));
  }
  return std::string(reported);
}

std::string fips_missing_message() {
  return "OpenSSL FIPS provider (fips.so) is not installed in " + modules_dir() +
         "; install a FIPS-validated provider and its fipsmodule.cnf, or disable crypto.fips";
}

}  // namespace

std::string_view algorithm_name(Algorithm a) noexcept {
  switch (a) {
    case Algorithm::kSha256: return "sha256";
    case Algorithm::kSha512: return "sha512";
    case Algorithm::kHmacSha256: return "hmac-sha256";
    case Algorithm::kHkdfSha256: return "hkdf-sha256";
    case Algorithm::kAesGcm: return "aes-gcm";
    case Algorithm::kEd25519: return "ed25519";
    case Algorithm::kEcdsaP256: return "ecdsa-p256";
  }
  return "unknown";
}

std::string openssl_version() { return OpenSSL_version(OPENSSL_VERSION); }

bool fips_provider_available() {
  OSSL_LIB_CTX* ctx = OSSL_LIB_CTX_new();
  if (ctx == nullptr) {
    detail::clear_openssl_errors();
    return false;
  }
  // The FIPS provider runs its self-test against the checksum in fipsmodule.cnf, which the system
  // configuration includes; a bare context would report an installed provider as unusable.
  if (char* config = CONF_get1_default_config_file(); config != nullptr) {
    (void)OSSL_LIB_CTX_load_config(ctx, config);
    OPENSSL_free(config);
  }
  OSSL_PROVIDER* fips = OSSL_PROVIDER_try_load(ctx, "fips", 0);
  const bool available = fips != nullptr && OSSL_PROVIDER_available(ctx, "fips") == 1;
  if (fips != nullptr) OSSL_PROVIDER_unload(fips);
  OSSL_LIB_CTX_free(ctx);
  detail::clear_openssl_errors();
  return available;
}

Result<void> enable_fips_mode() {
  std::lock_guard lock(g_fips_mutex);
  if (g_fips_mode.load()) return ok();
  // Both stay loaded for the life of the process: algorithms fetched under "fips=yes" keep
  // references to them. "base" supplies the encoders and decoders the FIPS module lacks.
  OSSL_PROVIDER* fips = OSSL_PROVIDER_try_load(nullptr, "fips", 1);
  if (fips == nullptr) {
    detail::clear_openssl_errors();
    return Error{ErrorCode::kUnsupported, fips_missing_message()};
  }
  if (OSSL_PROVIDER_try_load(nullptr, "base", 1) == nullptr) {
    return detail::openssl_error(ErrorCode::kUnsupported,
                                 "cannot load OpenSSL's base provider next to the FIPS provider");
  }
  if (EVP_default_properties_enable_fips(nullptr, 1) != 1) {
    return detail::openssl_error(ErrorCode::kInternal, "cannot make fips=yes the default");
  }
  g_fips_mode.store(true);
  return ok();
}

bool fips_mode_enabled() noexcept { return g_fips_mode.load(std::memory_order_acquire); }

bool fips_approved(Algorithm a) noexcept {
  // FIPS 140-2 / SP 800-131A as validated for OpenSSL 3.0's module; EdDSA only entered FIPS 186
  // with revision 5, after that validation.
  switch (a) {
    case Algorithm::kSha256:
    case Algorithm::kSha512:
    case Algorithm::kHmacSha256:
    case Algorithm::kHkdfSha256:
    case Algorithm::kAesGcm:
    case Algorithm::kEcdsaP256: return true;
    case Algorithm::kEd25519: return false;
  }
  return false;
}

Result<void> require_allowed(Algorithm a) {
  if (!fips_mode_enabled() || fips_approved(a)) return ok();
  return Error{ErrorCode::kUnsupported, std::string(algorithm_name(a)) +
                                            " is not approved in FIPS mode; use ECDSA P-256 or "
                                            "turn off crypto.fips"};
}

}  // namespace axle::crypto
