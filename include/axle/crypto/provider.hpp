// OpenSSL provider state: version, FIPS availability, and axle's FIPS mode.
//
// In FIPS mode axle loads OpenSSL's FIPS provider (refusing to start without it) and refuses,
// with ErrorCode::kUnsupported, every algorithm the mode does not approve (Ed25519 here: OpenSSL
// 3.0's FIPS module is validated under FIPS 140-2, which predates EdDSA's approval in FIPS 186-5).
#pragma once

#include <string>
#include <string_view>

#include "axle/core/result.hpp"

namespace axle::crypto {

enum class Algorithm {
  kSha256,
  kSha512,
  kHmacSha256,
  kHkdfSha256,
  kAesGcm,
  kEd25519,
  kEcdsaP256,
};

std::string_view algorithm_name(Algorithm a) noexcept;

std::string openssl_version();  // e.g. "OpenSSL 3.0.19 27 Jan 2026"

// Whether OpenSSL can load its FIPS provider on this machine (tried in a private library context,
// so the process's default context is unchanged).
bool fips_provider_available();

// Loads the FIPS provider into the default library context and makes "fips=yes" the default
// property query. kUnsupported, saying how to install it, when the provider is missing.
[[nodiscard]] Result<void> enable_fips_mode();
bool fips_mode_enabled() noexcept;

// Whether `a` is approved in FIPS mode (a pure table; independent of what is loaded).
bool fips_approved(Algorithm a) noexcept;

// Ok unless FIPS mode is on and `a` is not approved; every primitive calls this first.
[[nodiscard]] Result<void> require_allowed(Algorithm a);

}  // namespace axle::crypto
