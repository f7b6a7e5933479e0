#include "axle/crypto/mac.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include "axle/crypto/provider.hpp"
#include "ossl.hpp"

namespace axle::crypto {

namespace {

constexpr std::size_t kHashLen = 32;
constexpr std::size_t kMinTruncatedTag = 16;
constexpr std::size_t kMaxOkm = 255 * kHashLen;  // RFC 5869 §2.3: L <= 255*HashLen

// A per-thread HMAC context that remembers the key it was last keyed with. Re-keying costs two
// SHA-256 compressions (the ipad and opad blocks, RFC 2104 §2); when the same key comes again,
// EVP_MAC_init with a null key restarts from the saved pad states instead. The copy of the key is
// no more sensitive than the pad states the context already holds, and SecretBytes wipes it.
struct HmacThreadState {
  detail::MacCtxPtr ctx;
  EVP_MAC* mac = nullptr;
  SecretBytes key;
  bool keyed = false;

  void reset() noexcept {
    ctx.reset();
    mac = nullptr;
    key.wipe();
    keyed = false;
  }
};

Result<void> hmac_start(HmacThreadState& st, std::span<const std::uint8_t> key) {
  EVP_MAC* mac = detail::hmac_mac();
  if (mac == nullptr) {
    return detail::openssl_error(ErrorCode::kUnsupported,
                                 "HMAC is not offered by the loaded providers");
  }
  if (!st.ctx || st.mac != mac) {
    st.reset();
    st.ctx.reset(EVP_MAC_CTX_new(mac));
    if (!st.ctx) return detail::openssl_error(ErrorCode::kInternal, "EVP_MAC_CTX_new failed");
    st.mac = mac;
    char digest[] = "SHA2-256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_END};
    if (EVP_MAC_CTX_set_params(st.ctx.get(), params) != 1) {
      auto err = detail::openssl_error(ErrorCode::kInternal, "cannot select SHA-256 for HMAC");
      st.reset();
      return err;
    }
  }
  const bool same_key =
      st.keyed && st.key.size() == key.size() &&
      (key.empty() || CRYPTO_memcmp(st.key.view().data(), key.data(), key.size()) == 0);
  const int rc = same_key
                     ? EVP_MAC_init(st.ctx.get(), nullptr, 0, nullptr)
                     : EVP_MAC_init(st.ctx.get(), detail::nonnull_data(key), key.size(), nullptr);
  if (rc != 1) {
    auto err = detail::openssl_error(ErrorCode::kInternal, "HMAC-SHA256 init failed");
    st.reset();
    return err;
  }
  if (!same_key) {
    st.key = SecretBytes(key);
    st.keyed = true;
  }
  return ok();
}

Result<HmacSha256Tag> hmac_compute(std::span<const std::uint8_t> key,
                                   std::span<const std::uint8_t> data) {
  thread_local HmacThreadState st;
  AXLE_RETURN_IF_ERROR(hmac_start(st, key));
  HmacSha256Tag tag{};
  std::size_t len = 0;
  if (EVP_MAC_update(st.ctx.get(), data.data(), data.size()) != 1 ||
      EVP_MAC_final(st.ctx.get(), tag.data(), &len, tag.size()) != 1 || len != tag.size()) {
    auto err = detail::openssl_error(ErrorCode::kInternal, "HMAC-SHA256 failed");
    st.reset();
    return err;
  }
  return tag;
}

Result<void> check_okm_length(std::size_t length) {
  if (length == 0 || length > kMaxOkm) {
    return Error{ErrorCode::kInvalidArgument,
                 "HKDF-SHA256 output length " + std::to_string(length) +
                     " is out of range; RFC 5869 allows 1.." + std::to_string(kMaxOkm)};
  }
  return ok();
}

// Runs HKDF in `mode` with the given inputs; absent inputs (null) are not passed at all.
Result<SecretBytes> hkdf_run(int mode, std::span<const std::uint8_t> key,
                             const std::span<const std::uint8_t>* salt,
                             const std::span<const std::uint8_t>* info, std::size_t length) {
  AXLE_RETURN_IF_ERROR(require_allowed(Algorithm::kHkdfSha256));
  EVP_KDF* kdf = detail::hkdf_kdf();
  if (kdf == nullptr) {
    return detail::openssl_error(ErrorCode::kUnsupported,
                                 "HKDF is not offered by the loaded providers");
  }
  detail::KdfCtxPtr ctx(EVP_KDF_CTX_new(kdf));
  if (!ctx) return detail::openssl_error(ErrorCode::kInternal, "EVP_KDF_CTX_new failed");

  char digest[] = "SHA2-256";
  OSSL_PARAM params[6];
  std::size_t n = 0;
  params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  // OpenSSL only reads these buffers.
  params[n++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_KEY, const_cast<unsigned char*>(detail::nonnull_data(key)), key.size());
  // An empty salt is simply not passed: OpenSSL then uses HashLen zero bytes (RFC 5869 §2.2).
  if (salt != nullptr && !salt->empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_SALT, const_cast<unsigned char*>(salt->data()), salt->size());
  }
  if (info != nullptr && !info->empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_INFO, const_cast<unsigned char*>(info->data()), info->size());
  }
  params[n] = OSSL_PARAM_construct_end();

  // Derived straight into wiping storage: no intermediate copy of the output exists.
  SecretBytes out(length);
  if (EVP_KDF_derive(ctx.get(), out.mutable_view().data(), length, params) != 1) {
    return detail::openssl_error(ErrorCode::kInternal, "HKDF-SHA256 failed");
  }
  return out;
}

}  // namespace

Result<HmacSha256Tag> hmac_sha256(std::span<const std::uint8_t> key,
                                  std::span<const std::uint8_t> data) {
  AXLE_RETURN_IF_ERROR(require_allowed(Algorithm::kHmacSha256));
  return hmac_compute(key, data);
}

Result<void> hmac_sha256_verify(std::span<const std::uint8_t> key,
                                std::span<const std::uint8_t> data,
                                std::span<const std::uint8_t> tag) {
  AXLE_RETURN_IF_ERROR(require_allowed(Algorithm::kHmacSha256));
  // RFC 2104 §5 asks for at least half the hash output; axle accepts 128..256 bits.
  if (tag.size() < kMinTruncatedTag || tag.size() > kHashLen) {
    return Error{ErrorCode::kVerificationFailed,
                 "HMAC-SHA256 tag has " + std::to_string(tag.size()) +
                     " bytes; expected 16..32 (a possibly truncated tag)"};
  }
  AXLE_TRY(HmacSha256Tag expected, hmac_compute(key, data));
  const bool match = CRYPTO_memcmp(expected.data(), tag.data(), tag.size()) == 0;
  OPENSSL_cleanse(expected.data(), expected.size());
  if (!match) return Error{ErrorCode::kVerificationFailed, "HMAC-SHA256 tag does not match"};
  return ok();
}

Result<SecretBytes> hkdf_sha256_extract(std::span<const std::uint8_t> salt,
                                        std::span<const std::uint8_t> ikm) {
  return hkdf_run(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm, &salt, nullptr, kHashLen);
}

Result<SecretBytes> hkdf_sha256_expand(std::span<const std::uint8_t> prk,
                                       std::span<const std::uint8_t> info, std::size_t length) {
  AXLE_RETURN_IF_ERROR(check_okm_length(length));
  // RFC 5869 §2.3: PRK is "at least HashLen octets".
  if (prk.size() < kHashLen) {
    return Error{ErrorCode::kInvalidArgument,
                 "HKDF-SHA256 PRK has " + std::to_string(prk.size()) +
                     " bytes; it must have at least 32 (the output of hkdf_sha256_extract)"};
  }
  return hkdf_run(EVP_KDF_HKDF_MODE_EXPAND_ONLY, prk, nullptr, &info, length);
}

Result<SecretBytes> hkdf_sha256(std::span<const std::uint8_t> salt,
                                std::span<const std::uint8_t> ikm,
                                std::span<const std::uint8_t> info, std::size_t length) {
  AXLE_RETURN_IF_ERROR(check_okm_length(length));
  return hkdf_run(EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND, ikm, &salt, &info, length);
}

}  // namespace axle::crypto
