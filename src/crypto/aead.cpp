#include "axle/crypto/aead.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/modes.h>

#include <algorithm>
#include <array>

#include "axle/crypto/provider.hpp"
#include "axle/crypto/random.hpp"
#include "ossl.hpp"

namespace axle::crypto {

namespace {

constexpr std::size_t kMinTagSize = 12;  // SP 800-38D §5.2.1.2 allows 96..128-bit tags here
constexpr std::size_t kBlockSize = 16;
// OpenSSL 3.0's GCM provider keeps the IV in a 128-byte buffer (GCM_IV_MAX_SIZE); longer IVs,
// which SP 800-38D §8.2.2 permits, go through the fallback below.
constexpr std::size_t kProviderMaxNonce = 128;

enum class Direction : int { kOpen = 0, kSeal = 1 };

Result<void> check_arguments(std::span<const std::uint8_t> key, std::span<const std::uint8_t> nonce,
                             std::size_t tag_size) {
  AXLE_RETURN_IF_ERROR(require_allowed(Algorithm::kAesGcm));
  if (key.size() != 16 && key.size() != 24 && key.size() != 32) {
    return Error{ErrorCode::kInvalidArgument,
                 "AES-GCM key has " + std::to_string(key.size()) + " bytes; use 16, 24 or 32"};
  }
  // SP 800-38D §5.2.1.1: len(IV) >= 1 bit; an empty IV would make GCM's J0 a constant.
  if (nonce.empty()) {
    return Error{ErrorCode::kInvalidArgument, "AES-GCM nonce is empty; use a 12-byte nonce"};
  }
  if (tag_size < kMinTagSize || tag_size > kAesGcmTagSize) {
    return Error{ErrorCode::kInvalidArgument, "AES-GCM tag size " + std::to_string(tag_size) +
                                                  " is unsupported; use 12..16 bytes"};
  }
  return ok();
}

// A per-thread cipher context that keeps the last key schedule (and the hash subkey H derived
// from it): sealing many short messages under one key then costs no key expansion per call.
// The saved key copy is needed to recognise the key and is wiped with the context.
struct GcmThreadState {
  detail::CipherCtxPtr ctx;
  const EVP_CIPHER* cipher = nullptr;
  SecretBytes key;
  bool keyed = false;
  std::size_t iv_len = kAesGcmNonceSize;

  void reset() noexcept {
    ctx.reset();
    cipher = nullptr;
    key.wipe();
    keyed = false;
    iv_len = kAesGcmNonceSize;
  }
};

Result<void> gcm_start(GcmThreadState& st, std::span<const std::uint8_t> key,
                       std::span<const std::uint8_t> nonce, Direction dir) {
  const EVP_CIPHER* cipher = detail::aes_gcm_cipher(key.size());
  if (cipher == nullptr) {
    return detail::openssl_error(ErrorCode::kUnsupported,
                                 "AES-GCM is not offered by the loaded providers");
  }
  const int enc = static_cast<int>(dir);
  if (!st.ctx || st.cipher != cipher) {
    st.reset();
    st.ctx.reset(EVP_CIPHER_CTX_new());
    if (!st.ctx || EVP_CipherInit_ex2(st.ctx.get(), cipher, nullptr, nullptr, enc, nullptr) != 1) {
      return detail::openssl_error(ErrorCode::kInternal, "AES-GCM context setup failed");
    }
    st.cipher = cipher;
  }
  // The IV length must be set before the IV itself (EVP_EncryptInit(3), "ivlen").
  if (st.iv_len != nonce.size()) {
    std::size_t iv_len = nonce.size();
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &iv_len),
                                 OSSL_PARAM_END};
    if (EVP_CIPHER_CTX_set_params(st.ctx.get(), params) != 1) {
      return detail::openssl_error(
          ErrorCode::kInvalidArgument,
          "AES-GCM rejected a " + std::to_string(nonce.size()) + "-byte nonce");
    }
    st.iv_len = nonce.size();
  }
  const bool same_key = st.keyed && st.key.size() == key.size() &&
                        CRYPTO_memcmp(st.key.view().data(), key.data(), key.size()) == 0;
  if (EVP_CipherInit_ex2(st.ctx.get(), nullptr, same_key ? nullptr : key.data(), nonce.data(), enc,
                         nullptr) != 1) {
    return detail::openssl_error(ErrorCode::kInternal, "AES-GCM init failed");
  }
  if (!same_key) {
    st.key = SecretBytes(key);
    st.keyed = true;
  }
  return ok();
}

Result<void> gcm_update(EVP_CIPHER_CTX* ctx, std::uint8_t* out, std::span<const std::uint8_t> in) {
  while (!in.empty()) {
    const std::size_t n = std::min(in.size(), detail::kMaxChunk);
    int written = 0;
    if (EVP_CipherUpdate(ctx, out, &written, in.data(), static_cast<int>(n)) != 1 ||
        (out != nullptr && static_cast<std::size_t>(written) != n)) {
      return detail::openssl_error(ErrorCode::kInternal, "AES-GCM update failed");
    }
    in = in.subspan(n);
    if (out != nullptr) out += n;
  }
  return ok();
}

Result<std::vector<std::uint8_t>> seal_with_provider(std::span<const std::uint8_t> key,
                                                     std::span<const std::uint8_t> nonce,
                                                     std::span<const std::uint8_t> aad,
                                                     std::span<const std::uint8_t> plaintext,
                                                     std::size_t tag_size) {
  thread_local GcmThreadState st;
  auto run = [&]() -> Result<std::vector<std::uint8_t>> {
    AXLE_RETURN_IF_ERROR(gcm_start(st, key, nonce, Direction::kSeal));
    EVP_CIPHER_CTX* ctx = st.ctx.get();
    std::vector<std::uint8_t> out(plaintext.size() + tag_size);
    AXLE_RETURN_IF_ERROR(gcm_update(ctx, nullptr, aad));
    AXLE_RETURN_IF_ERROR(gcm_update(ctx, out.data(), plaintext));
    int final_len = 0;
    if (EVP_CipherFinal_ex(ctx, out.data() + plaintext.size(), &final_len) != 1) {
      return detail::openssl_error(ErrorCode::kInternal, "AES-GCM final failed");
    }
    // A shorter tag is the leftmost bits of the full one (SP 800-38D §7.1 step 6, MSB_t).
    OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(
                               OSSL_CIPHER_PARAM_AEAD_TAG, out.data() + plaintext.size(), tag_size),
                           OSSL_PARAM_END};
    if (EVP_CIPHER_CTX_get_params(ctx, params) != 1) {
      return detail::openssl_error(ErrorCode::kInternal, "AES-GCM tag retrieval failed");
    }
    return out;
  };
  auto result = run();
  if (!result) st.reset();
  return result;
}

Result<std::vector<std::uint8_t>> open_with_provider(std::span<const std::uint8_t> key,
                                                     std::span<const std::uint8_t> nonce,
                                                     std::span<const std::uint8_t> aad,
                                                     std::span<const std::uint8_t> ciphertext,
                                                     std::span<const std::uint8_t> tag) {
  thread_local GcmThreadState st;
  std::vector<std::uint8_t> out(ciphertext.size());
  auto run = [&]() -> Result<void> {
    AXLE_RETURN_IF_ERROR(gcm_start(st, key, nonce, Direction::kOpen));
    EVP_CIPHER_CTX* ctx = st.ctx.get();
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
                                          const_cast<std::uint8_t*>(tag.data()), tag.size()),
        OSSL_PARAM_END};
    if (EVP_CIPHER_CTX_set_params(ctx, params) != 1) {
      return detail::openssl_error(ErrorCode::kInternal, "AES-GCM tag setup failed");
    }
    AXLE_RETURN_IF_ERROR(gcm_update(ctx, nullptr, aad));
    AXLE_RETURN_IF_ERROR(gcm_update(ctx, out.data(), ciphertext));
    int final_len = 0;
    if (EVP_CipherFinal_ex(ctx, out.data() + ciphertext.size(), &final_len) != 1) {
      detail::clear_openssl_errors();
      return Error{ErrorCode::kVerificationFailed,
                   "AES-GCM authentication failed: wrong key, nonce, associated data or tag, or "
                   "the ciphertext was modified"};
    }
    return ok();
  };
  auto result = run();
  if (!result) {
    // Plaintext that failed authentication is never released (SP 800-38D §7.2 step 7).
    if (!out.empty()) secure_wipe(out.data(), out.size());
    if (result.error().code != ErrorCode::kVerificationFailed) st.reset();
    return std::move(result).error();
  }
  return out;
}

// Nonces longer than OpenSSL's provider accepts: OpenSSL's own GCM mode (CRYPTO_gcm128_*, which
// implements the GHASH-derived J0 of SP 800-38D §7.1 step 2 for any IV length), driven by an
// AES-ECB context of the same provider as the block cipher.
struct EcbBlock {
  EVP_CIPHER_CTX* ctx;
  bool failed;
};

void ecb_encrypt_block(const unsigned char in[16], unsigned char out[16], const void* key) {
  auto* block = static_cast<EcbBlock*>(const_cast<void*>(key));
  int written = 0;
  if (EVP_EncryptUpdate(block->ctx, out, &written, in, static_cast<int>(kBlockSize)) != 1 ||
      written != static_cast<int>(kBlockSize)) {
    block->failed = true;
  }
}

using Gcm128Ptr = std::unique_ptr<GCM128_CONTEXT, detail::OsslDeleter<&CRYPTO_gcm128_release>>;

Result<std::vector<std::uint8_t>> long_nonce_gcm(std::span<const std::uint8_t> key,
                                                 std::span<const std::uint8_t> nonce,
                                                 std::span<const std::uint8_t> aad,
                                                 std::span<const std::uint8_t> in,
                                                 std::span<const std::uint8_t> tag_in,
                                                 std::size_t tag_size, Direction dir) {
  if (fips_mode_enabled()) {
    return Error{ErrorCode::kUnsupported,
                 "AES-GCM nonces longer than 128 bytes are not available in FIPS mode; use a "
                 "12-byte nonce"};
  }
  const EVP_CIPHER* ecb = detail::aes_ecb_cipher(key.size());
  detail::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ecb == nullptr || !ctx ||
      EVP_EncryptInit_ex2(ctx.get(), ecb, key.data(), nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1) {
    return detail::openssl_error(ErrorCode::kInternal, "AES block cipher setup failed");
  }
  EcbBlock block{ctx.get(), false};
  Gcm128Ptr gcm(CRYPTO_gcm128_new(&block, &ecb_encrypt_block));
  if (!gcm) return detail::openssl_error(ErrorCode::kInternal, "GCM context allocation failed");
  CRYPTO_gcm128_setiv(gcm.get(), nonce.data(), nonce.size());
  std::vector<std::uint8_t> out(in.size() + (dir == Direction::kSeal ? tag_size : 0));
  if ((!aad.empty() && CRYPTO_gcm128_aad(gcm.get(), aad.data(), aad.size()) != 0) ||
      (!in.empty() &&
       (dir == Direction::kSeal
            ? CRYPTO_gcm128_encrypt(gcm.get(), in.data(), out.data(), in.size())
            : CRYPTO_gcm128_decrypt(gcm.get(), in.data(), out.data(), in.size())) != 0)) {
    secure_wipe(out.data(), out.size());
    return Error{ErrorCode::kInvalidArgument, "AES-GCM input exceeds SP 800-38D length limits"};
  }
  if (dir == Direction::kSeal) {
    CRYPTO_gcm128_tag(gcm.get(), out.data() + in.size(), tag_size);
  } else if (CRYPTO_gcm128_finish(gcm.get(), tag_in.data(), tag_in.size()) != 0) {
    secure_wipe(out.data(), out.size());
    return Error{ErrorCode::kVerificationFailed,
                 "AES-GCM authentication failed: wrong key, nonce, associated data or tag, or the "
                 "ciphertext was modified"};
  }
  if (block.failed) {
    secure_wipe(out.data(), out.size());
    return detail::openssl_error(ErrorCode::kInternal, "AES block encryption failed");
  }
  return out;
}

}  // namespace

Result<std::vector<std::uint8_t>> aes_gcm_seal(std::span<const std::uint8_t> key,
                                               std::span<const std::uint8_t> nonce,
                                               std::span<const std::uint8_t> aad,
                                               std::span<const std::uint8_t> plaintext,
                                               std::size_t tag_size) {
  AXLE_RETURN_IF_ERROR(check_arguments(key, nonce, tag_size));
  if (nonce.size() > kProviderMaxNonce) {
    return long_nonce_gcm(key, nonce, aad, plaintext, {}, tag_size, Direction::kSeal);
  }
  return seal_with_provider(key, nonce, aad, plaintext, tag_size);
}

Result<std::vector<std::uint8_t>> aes_gcm_open(std::span<const std::uint8_t> key,
                                               std::span<const std::uint8_t> nonce,
                                               std::span<const std::uint8_t> aad,
                                               std::span<const std::uint8_t> ciphertext_and_tag,
                                               std::size_t tag_size) {
  AXLE_RETURN_IF_ERROR(check_arguments(key, nonce, tag_size));
  // Too short to hold a tag: as unauthentic as a wrong tag, and reported the same way.
  if (ciphertext_and_tag.size() < tag_size) {
    return Error{ErrorCode::kVerificationFailed,
                 "AES-GCM input is shorter than its " + std::to_string(tag_size) + "-byte tag"};
  }
  const auto ciphertext = ciphertext_and_tag.first(ciphertext_and_tag.size() - tag_size);
  const auto tag = ciphertext_and_tag.last(tag_size);
  if (nonce.size() > kProviderMaxNonce) {
    return long_nonce_gcm(key, nonce, aad, ciphertext, tag, tag_size, Direction::kOpen);
  }
  return open_with_provider(key, nonce, aad, ciphertext, tag);
}

Result<std::vector<std::uint8_t>> aes256_gcm_seal_random_nonce(
    std::span<const std::uint8_t> key, std::span<const std::uint8_t> aad,
    std::span<const std::uint8_t> plaintext) {
  if (key.size() != 32) {
    return Error{ErrorCode::kInvalidArgument,
                 "AES-256-GCM key has " + std::to_string(key.size()) + " bytes; use 32"};
  }
  // SP 800-38D §8.2.2 (RBG-based IVs); §8.3 then limits one key to 2^32 messages.
  std::array<std::uint8_t, kAesGcmNonceSize> nonce{};
  AXLE_RETURN_IF_ERROR(random_fill(nonce));
  AXLE_TRY(auto sealed, aes_gcm_seal(key, nonce, aad, plaintext));
  std::vector<std::uint8_t> out;
  out.reserve(nonce.size() + sealed.size());
  out.insert(out.end(), nonce.begin(), nonce.end());
  out.insert(out.end(), sealed.begin(), sealed.end());
  return out;
}

Result<std::vector<std::uint8_t>> aes256_gcm_open_random_nonce(
    std::span<const std::uint8_t> key, std::span<const std::uint8_t> aad,
    std::span<const std::uint8_t> sealed) {
  if (key.size() != 32) {
    return Error{ErrorCode::kInvalidArgument,
                 "AES-256-GCM key has " + std::to_string(key.size()) + " bytes; use 32"};
  }
  if (sealed.size() < kAesGcmNonceSize + kAesGcmTagSize) {
    return Error{ErrorCode::kVerificationFailed,
                 "AES-256-GCM message is shorter than its nonce and tag (28 bytes)"};
  }
  return aes_gcm_open(key, sealed.first(kAesGcmNonceSize), aad, sealed.subspan(kAesGcmNonceSize));
}

}  // namespace axle::crypto
