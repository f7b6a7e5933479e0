#include "axle/crypto/random.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>

#include "ossl.hpp"

namespace axle::crypto {

namespace {

using RandFn = int (*)(unsigned char*, int);

Result<void> fill_with(RandFn fn, std::span<std::uint8_t> out) {
  while (!out.empty()) {
    const std::size_t n = std::min(out.size(), detail::kMaxChunk);
    if (fn(out.data(), static_cast<int>(n)) != 1) {
      return detail::openssl_error(ErrorCode::kInternal,
                                   "OpenSSL's random generator failed (is the OS entropy source "
                                   "available?)");
    }
    out = out.subspan(n);
  }
  return ok();
}

}  // namespace

Result<void> random_fill(std::span<std::uint8_t> out) { return fill_with(&RAND_bytes, out); }

Result<std::vector<std::uint8_t>> random_bytes(std::size_t n) {
  std::vector<std::uint8_t> out(n);
  AXLE_RETURN_IF_ERROR(fill_with(&RAND_bytes, out));
  return out;
}

Result<SecretBytes> random_secret(std::size_t n) {
  SecretBytes out(n);
  // RAND_priv_bytes draws from a DRBG separate from the public one, so output that is disclosed
  // (nonces, salts) never shares state with key material.
  AXLE_RETURN_IF_ERROR(fill_with(&RAND_priv_bytes, out.mutable_view()));
  return out;
}

bool constant_time_equal(std::span<const std::uint8_t> a,
                         std::span<const std::uint8_t> b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace axle::crypto
