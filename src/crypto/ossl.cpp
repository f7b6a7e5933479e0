#include "ossl.hpp"

#include <openssl/err.h>

#include "axle/crypto/provider.hpp"

namespace axle::crypto::detail {

std::string take_openssl_error() {
  const unsigned long first = ERR_get_error();
  clear_openssl_errors();
  if (first == 0) return "no OpenSSL error recorded";
  const char* lib = ERR_lib_error_string(first);
  const char* reason = ERR_reason_error_string(first);
  std::string out = lib != nullptr ? lib : "OpenSSL";
  out += ": ";
  out += reason != nullptr ? reason : "error " + std::to_string(ERR_GET_REASON(first));
  return out;
}

void clear_openssl_errors() noexcept { ERR_clear_error(); }

Error openssl_error(ErrorCode code, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += take_openssl_error();
  return Error{code, std::move(message)};
}

namespace {

constexpr const char* kFipsQuery = "fips=yes";

// One static per lambda type, so each call site below owns its own once-initialised handle
// (C++ guarantees thread-safe initialisation of function-local statics). The handles are freed
// at exit, before OpenSSL's own atexit cleanup, which was registered earlier.
template <typename Make>
auto* fetch_once(Make make) {
  static const auto handle = make();
  return handle.get();
}

}  // namespace

const EVP_MD* sha256_md() {
  if (fips_mode_enabled()) {
    return fetch_once([] { return MdPtr(EVP_MD_fetch(nullptr, "SHA2-256", kFipsQuery)); });
  }
  return fetch_once([] { return MdPtr(EVP_MD_fetch(nullptr, "SHA2-256", nullptr)); });
}

const EVP_MD* sha512_md() {
  if (fips_mode_enabled()) {
    return fetch_once([] { return MdPtr(EVP_MD_fetch(nullptr, "SHA2-512", kFipsQuery)); });
  }
  return fetch_once([] { return MdPtr(EVP_MD_fetch(nullptr, "SHA2-512", nullptr)); });
}

EVP_MAC* hmac_mac() {
  if (fips_mode_enabled()) {
    return fetch_once([] { return MacPtr(EVP_MAC_fetch(nullptr, "HMAC", kFipsQuery)); });
  }
  return fetch_once([] { return MacPtr(EVP_MAC_fetch(nullptr, "HMAC", nullptr)); });
}

EVP_KDF* hkdf_kdf() {
  if (fips_mode_enabled()) {
    return fetch_once([] { return KdfPtr(EVP_KDF_fetch(nullptr, "HKDF", kFipsQuery)); });
  }
  return fetch_once([] { return KdfPtr(EVP_KDF_fetch(nullptr, "HKDF", nullptr)); });
}

namespace {

template <typename Fetch>
const EVP_CIPHER* by_key_size(std::size_t key_size, Fetch fetch) {
  switch (key_size) {
    case 16: return fetch(std::integral_constant<int, 128>{});
    case 24: return fetch(std::integral_constant<int, 192>{});
    case 32: return fetch(std::integral_constant<int, 256>{});
    default: return nullptr;
  }
}

template <int Bits>
constexpr const char* gcm_name() {
  if constexpr (Bits == 128) return "AES-128-GCM";
  if constexpr (Bits == 192) return "AES-192-GCM";
  return "AES-256-GCM";
}

template <int Bits>
constexpr const char* ecb_name() {
  if constexpr (Bits == 128) return "AES-128-ECB";
  if constexpr (Bits == 192) return "AES-192-ECB";
  return "AES-256-ECB";
}

// Instantiated per (name, mode) pair, so every cipher has its own once-initialised static.
template <const char* (*Name)(), bool Fips>
const EVP_CIPHER* cipher_once() {
  static const CipherPtr cipher(EVP_CIPHER_fetch(nullptr, Name(), Fips ? kFipsQuery : nullptr));
  return cipher.get();
}

}  // namespace

const EVP_CIPHER* aes_gcm_cipher(std::size_t key_size) {
  const bool fips = fips_mode_enabled();
  return by_key_size(key_size, [fips](auto bits) {
    constexpr int kBits = decltype(bits)::value;
    return fips ? cipher_once<&gcm_name<kBits>, true>() : cipher_once<&gcm_name<kBits>, false>();
  });
}

const EVP_CIPHER* aes_ecb_cipher(std::size_t key_size) {
  const bool fips = fips_mode_enabled();
  return by_key_size(key_size, [fips](auto bits) {
    constexpr int kBits = decltype(bits)::value;
    return fips ? cipher_once<&ecb_name<kBits>, true>() : cipher_once<&ecb_name<kBits>, false>();
  });
}

}  // namespace axle::crypto::detail
