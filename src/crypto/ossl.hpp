// Private to axle::crypto: RAII owners for OpenSSL handles, the bridge from OpenSSL's error queue
// to axle::Error, and the algorithms fetched once per process.
#pragma once

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "axle/core/error.hpp"

namespace axle::crypto::detail {

template <auto Free>
struct OsslDeleter {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

inline void free_x509_stack(STACK_OF(X509) * s) noexcept { sk_X509_pop_free(s, X509_free); }

using MdPtr = std::unique_ptr<EVP_MD, OsslDeleter<&EVP_MD_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OsslDeleter<&EVP_MD_CTX_free>>;
using MacPtr = std::unique_ptr<EVP_MAC, OsslDeleter<&EVP_MAC_free>>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, OsslDeleter<&EVP_MAC_CTX_free>>;
using KdfPtr = std::unique_ptr<EVP_KDF, OsslDeleter<&EVP_KDF_free>>;
using KdfCtxPtr = std::unique_ptr<EVP_KDF_CTX, OsslDeleter<&EVP_KDF_CTX_free>>;
using CipherPtr = std::unique_ptr<EVP_CIPHER, OsslDeleter<&EVP_CIPHER_free>>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OsslDeleter<&EVP_CIPHER_CTX_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OsslDeleter<&EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OsslDeleter<&EVP_PKEY_CTX_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OsslDeleter<&OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, OsslDeleter<&OSSL_PARAM_free>>;
using BioPtr = std::unique_ptr<BIO, OsslDeleter<&BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OsslDeleter<&BN_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OsslDeleter<&ECDSA_SIG_free>>;
using Pkcs8Ptr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, OsslDeleter<&PKCS8_PRIV_KEY_INFO_free>>;
using X509Ptr = std::unique_ptr<X509, OsslDeleter<&X509_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, OsslDeleter<&X509_CRL_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OsslDeleter<&X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OsslDeleter<&X509_STORE_CTX_free>>;
using X509StackPtr = std::unique_ptr<STACK_OF(X509), OsslDeleter<&free_x509_stack>>;

// Drains OpenSSL's (thread-local) error queue and returns its first entry, the root cause, as
// "<library>: <reason>", or "no OpenSSL error recorded". Every failure path calls this or
// clear_openssl_errors(), so a stale entry never shows up in an unrelated later error.
std::string take_openssl_error();
void clear_openssl_errors() noexcept;

// An Error whose message is "<what>: <OpenSSL's reason>"; drains the queue.
Error openssl_error(ErrorCode code, std::string_view what);

// OpenSSL takes ints for lengths in several update functions.
inline constexpr std::size_t kMaxChunk = std::size_t{1} << 30;

// Non-null pointer for spans that may be empty: OpenSSL treats a null pointer with length zero as
// "parameter absent" in several places (HKDF key, octet-string params), which is not what an
// empty value means.
inline const unsigned char* nonnull_data(std::span<const std::uint8_t> s) noexcept {
  static constexpr unsigned char kEmpty = 0;
  return s.empty() ? &kEmpty : s.data();
}

// Algorithms fetched once per process and per FIPS mode (the "fips=yes" variants are fetched only
// after enable_fips_mode(), so switching modes never reuses a default-provider implementation).
// Null when the loaded providers do not offer the algorithm.
const EVP_MD* sha256_md();
const EVP_MD* sha512_md();
EVP_MAC* hmac_mac();
EVP_KDF* hkdf_kdf();
const EVP_CIPHER* aes_gcm_cipher(std::size_t key_size);  // 16, 24 or 32, else null
const EVP_CIPHER* aes_ecb_cipher(std::size_t key_size);

}  // namespace axle::crypto::detail
