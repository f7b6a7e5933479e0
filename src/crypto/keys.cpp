#include "axle/crypto/keys.hpp"

#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <climits>
#include <mutex>

#include "axle/crypto/provider.hpp"
#include "ossl.hpp"

namespace axle::crypto {

namespace detail {
struct PkeyHandle {
  explicit PkeyHandle(PkeyPtr key) : pkey(std::move(key)) {}
  PkeyPtr pkey;
  // ECDSA signing context set up once (algorithm fetch, key checks) and copied per signature:
  // EVP_DigestSignInit_ex costs about as much as a fifth of a P-256 signature. Read-only after
  // initialisation, so signing from several threads with one key stays safe.
  std::once_flag sign_template_once;
  MdCtxPtr sign_template;
};
}  // namespace detail

namespace {

using detail::PkeyHandle;
using detail::PkeyPtr;

constexpr std::size_t kP256ScalarSize = 32;
constexpr int kP256ScalarBytes = 32;  // the same, for OpenSSL's int lengths
constexpr std::size_t kP1363Size = 2 * kP256ScalarSize;
constexpr std::size_t kEd25519KeySize = 32;        // RFC 8032 §5.1.5
constexpr std::size_t kEd25519SignatureSize = 64;  // RFC 8032 §5.1.6
constexpr const char* kEcdsaDigest = "SHA2-256";

Algorithm algorithm_of(KeyType type) {
  return type == KeyType::kEd25519 ? Algorithm::kEd25519 : Algorithm::kEcdsaP256;
}

Error moved_from() {
  return Error{ErrorCode::kFailedPrecondition, "key object used after it was moved from"};
}

Result<void> check_input_size(std::size_t size, std::string_view what) {
  if (size > static_cast<std::size_t>(INT_MAX)) {
    return Error{ErrorCode::kInvalidArgument, std::string(what) + " is implausibly large"};
  }
  return ok();
}

// Only Ed25519 and P-256 keys are axle keys; anything else (RSA, other curves) is refused
// before it can reach a signing or verifying call.
Result<KeyType> classify(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "ED25519") == 1) return KeyType::kEd25519;
  if (EVP_PKEY_is_a(pkey, "EC") == 1) {
    char group[64] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &len) == 1 &&
        std::string_view(group, len) == "prime256v1") {
      return KeyType::kEcdsaP256;
    }
    detail::clear_openssl_errors();
    const std::string curve = len > 0 ? std::string(group, len) : "explicit parameters";
    return Error{ErrorCode::kUnsupported,
                 "EC keys on " + curve + " are not supported; use P-256 (prime256v1) or Ed25519"};
  }
  const char* name = EVP_PKEY_get0_type_name(pkey);
  return Error{ErrorCode::kUnsupported, std::string(name != nullptr ? name : "this kind of") +
                                            " keys are not supported; use Ed25519 or ECDSA P-256"};
}

// SEC 1 §3.2.2.1 public key validation for EC keys (on the curve, not the identity, right order);
// decoders accept the point at infinity, which must never become a verification key.
Result<void> check_ec_public(EVP_PKEY* pkey) {
  detail::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx || EVP_PKEY_public_check(ctx.get()) != 1) {
    return detail::openssl_error(ErrorCode::kInvalidArgument,
                                 "EC public key is not a valid P-256 point");
  }
  return ok();
}

Result<KeyType> accept_public(EVP_PKEY* pkey) {
  AXLE_TRY(KeyType type, classify(pkey));
  AXLE_RETURN_IF_ERROR(require_allowed(algorithm_of(type)));
  if (type == KeyType::kEcdsaP256) AXLE_RETURN_IF_ERROR(check_ec_public(pkey));
  return type;
}

Result<std::string> drain_bio(BIO* bio) {
  const std::size_t n = BIO_ctrl_pending(bio);
  std::string out(n, '\0');
  if (n > 0 && BIO_read(bio, out.data(), static_cast<int>(n)) != static_cast<int>(n)) {
    return detail::openssl_error(ErrorCode::kInternal, "reading an OpenSSL memory buffer failed");
  }
  return out;
}

Result<SecretBytes> drain_bio_secret(BIO* bio) {
  const std::size_t n = BIO_ctrl_pending(bio);
  SecretBytes out(n);
  if (n > 0 &&
      BIO_read(bio, out.mutable_view().data(), static_cast<int>(n)) != static_cast<int>(n)) {
    return detail::openssl_error(ErrorCode::kInternal, "reading an OpenSSL memory buffer failed");
  }
  return out;
}

// Never prompts: without this callback OpenSSL would ask for a passphrase on the terminal.
int refuse_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return -1; }

Result<std::vector<std::uint8_t>> public_der(EVP_PKEY* pkey) {
  const int len = i2d_PUBKEY(pkey, nullptr);
  if (len <= 0) return detail::openssl_error(ErrorCode::kInternal, "encoding a public key failed");
  std::vector<std::uint8_t> out(static_cast<std::size_t>(len));
  unsigned char* p = out.data();
  if (i2d_PUBKEY(pkey, &p) != len) {
    return detail::openssl_error(ErrorCode::kInternal, "encoding a public key failed");
  }
  return out;
}

Result<std::vector<std::uint8_t>> ec_uncompressed_point(EVP_PKEY* pkey) {
  BIGNUM* x_raw = nullptr;
  BIGNUM* y_raw = nullptr;
  const bool got = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x_raw) == 1 &&
                   EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y_raw) == 1;
  const detail::BignumPtr x(x_raw);
  const detail::BignumPtr y(y_raw);
  // SEC 1 §2.3.3: 0x04 || X || Y, each coordinate left-padded to the field size.
  std::vector<std::uint8_t> out(1 + 2 * kP256ScalarSize);
  out[0] = 0x04;
  if (!got || BN_bn2binpad(x.get(), out.data() + 1, kP256ScalarBytes) < 0 ||
      BN_bn2binpad(y.get(), out.data() + 1 + kP256ScalarSize, kP256ScalarBytes) < 0) {
    return detail::openssl_error(ErrorCode::kInternal, "reading the EC public point failed");
  }
  return out;
}

Result<PkeyPtr> ec_public_from_point(std::span<const std::uint8_t> point) {
  // SEC 1 §2.3.4: only the compressed (02/03) and uncompressed (04) forms name a point; the
  // single byte 00 (the identity) and hybrid forms are refused.
  const bool uncompressed = point.size() == 1 + 2 * kP256ScalarSize && point[0] == 0x04;
  const bool compressed =
      point.size() == 1 + kP256ScalarSize && (point[0] == 0x02 || point[0] == 0x03);
  if (!uncompressed && !compressed) {
    return Error{ErrorCode::kInvalidArgument,
                 "P-256 public key must be a 65-byte uncompressed or 33-byte compressed point"};
  }
  detail::ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1 ||
      // Exports (to_der, to_pem) then use the uncompressed form whatever form came in.
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                      "uncompressed", 0) != 1) {
    return detail::openssl_error(ErrorCode::kInternal, "building EC key parameters failed");
  }
  detail::ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  detail::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return detail::openssl_error(ErrorCode::kInvalidArgument,
                                 "P-256 public key is not a point on the curve");
  }
  return PkeyPtr(raw);
}

Result<void> verify_raw(EVP_PKEY* pkey, const char* digest, std::span<const std::uint8_t> message,
                        std::span<const std::uint8_t> signature) {
  detail::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx ||
      EVP_DigestVerifyInit_ex(ctx.get(), nullptr, digest, nullptr, nullptr, pkey, nullptr) != 1) {
    return detail::openssl_error(ErrorCode::kInternal, "signature verification setup failed");
  }
  // 1 is a valid signature; 0 a wrong one; a negative value a malformed one (e.g. an encoding
  // OpenSSL cannot parse). All but 1 are the same answer, and the queue is left clean.
  const int rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                                  detail::nonnull_data(message), message.size());
  detail::clear_openssl_errors();
  if (rc != 1) return Error{ErrorCode::kVerificationFailed, "signature does not verify"};
  return ok();
}

}  // namespace

std::string_view key_type_name(KeyType type) noexcept {
  switch (type) {
    case KeyType::kEd25519: return "ed25519";
    case KeyType::kEcdsaP256: return "ecdsa-p256";
  }
  return "unknown";
}

Result<KeyType> parse_key_type(std::string_view name) {
  if (name == "ed25519") return KeyType::kEd25519;
  if (name == "ecdsa-p256") return KeyType::kEcdsaP256;
  return Error{ErrorCode::kInvalidArgument,
               "unknown key type '" + std::string(name) + "'; use ed25519 or ecdsa-p256"};
}

// ---- PublicKey ------------------------------------------------------------------------------

PublicKey::PublicKey(KeyType type, std::unique_ptr<detail::PkeyHandle> key)
    : type_(type), key_(std::move(key)) {}
PublicKey::PublicKey(PublicKey&&) noexcept = default;
PublicKey& PublicKey::operator=(PublicKey&&) noexcept = default;
PublicKey::~PublicKey() = default;

Result<PublicKey> PublicKey::from_pem(std::string_view pem) {
  AXLE_RETURN_IF_ERROR(check_input_size(pem.size(), "public key PEM"));
  detail::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return detail::openssl_error(ErrorCode::kInternal, "BIO_new_mem_buf failed");
  PkeyPtr pkey(
      PEM_read_bio_PUBKEY_ex(bio.get(), nullptr, &refuse_passphrase, nullptr, nullptr, nullptr));
  if (!pkey) {
    return detail::openssl_error(ErrorCode::kInvalidArgument,
                                 "not a PEM public key (\"BEGIN PUBLIC KEY\")");
  }
  AXLE_TRY(KeyType type, accept_public(pkey.get()));
  return PublicKey(type, std::make_unique<PkeyHandle>(std::move(pkey)));
}

Result<PublicKey> PublicKey::from_der(std::span<const std::uint8_t> spki_der) {
  AXLE_RETURN_IF_ERROR(check_input_size(spki_der.size(), "public key DER"));
  const unsigned char* p = spki_der.data();
  PkeyPtr pkey(d2i_PUBKEY_ex(nullptr, &p, static_cast<long>(spki_der.size()), nullptr, nullptr));
  if (!pkey) {
    return detail::openssl_error(ErrorCode::kInvalidArgument,
                                 "not a DER SubjectPublicKeyInfo public key");
  }
  if (p != spki_der.data() + spki_der.size()) {
    return Error{ErrorCode::kInvalidArgument, "public key DER has trailing bytes"};
  }
  AXLE_TRY(KeyType type, accept_public(pkey.get()));
  return PublicKey(type, std::make_unique<PkeyHandle>(std::move(pkey)));
}

Result<PublicKey> PublicKey::from_raw(KeyType type, std::span<const std::uint8_t> raw) {
  AXLE_RETURN_IF_ERROR(require_allowed(algorithm_of(type)));
  if (type == KeyType::kEd25519) {
    if (raw.size() != kEd25519KeySize) {
      return Error{ErrorCode::kInvalidArgument,
                   "Ed25519 public key has " + std::to_string(raw.size()) + " bytes; expected 32"};
    }
    PkeyPtr pkey(
        EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, raw.data(), raw.size()));
    if (!pkey) {
      return detail::openssl_error(ErrorCode::kInvalidArgument, "Ed25519 public key rejected");
    }
    return PublicKey(type, std::make_unique<PkeyHandle>(std::move(pkey)));
  }
  AXLE_TRY(PkeyPtr pkey, ec_public_from_point(raw));
  AXLE_RETURN_IF_ERROR(check_ec_public(pkey.get()));
  return PublicKey(type, std::make_unique<PkeyHandle>(std::move(pkey)));
}

Result<std::string> PublicKey::to_pem() const {
  if (!key_) return moved_from();
  detail::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_->pkey.get()) != 1) {
    return detail::openssl_error(ErrorCode::kInternal, "writing the public key PEM failed");
  }
  return drain_bio(bio.get());
}

Result<std::vector<std::uint8_t>> PublicKey::to_der() const {
  if (!key_) return moved_from();
  return public_der(key_->pkey.get());
}

namespace {

// The raw public key of either half of a key pair: 32 bytes (Ed25519) or the uncompressed point.
Result<std::vector<std::uint8_t>> raw_public(KeyType type, EVP_PKEY* pkey) {
  if (type == KeyType::kEcdsaP256) return ec_uncompressed_point(pkey);
  std::vector<std::uint8_t> out(kEd25519KeySize);
  std::size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(pkey, out.data(), &len) != 1 || len != kEd25519KeySize) {
    return detail::openssl_error(ErrorCode::kInternal, "reading the Ed25519 public key failed");
  }
  return out;
}

}  // namespace

Result<std::vector<std::uint8_t>> PublicKey::to_raw() const {
  if (!key_) return moved_from();
  return raw_public(type_, key_->pkey.get());
}

Result<void> PublicKey::verify(std::span<const std::uint8_t> message,
                               std::span<const std::uint8_t> signature,
                               SignatureFormat format) const {
  AXLE_RETURN_IF_ERROR(require_allowed(algorithm_of(type_)));
  if (!key_) return moved_from();
  if (type_ == KeyType::kEd25519) {
    if (signature.size() != kEd25519SignatureSize) {
      return Error{
          ErrorCode::kVerificationFailed,
          "Ed25519 signature has " + std::to_string(signature.size()) + " bytes; expected 64"};
    }
    return verify_raw(key_->pkey.get(), nullptr, message, signature);
  }
  if (format == SignatureFormat::kP1363) {
    auto der = ecdsa_p1363_to_der(signature);
    if (!der)
      return Error{ErrorCode::kVerificationFailed, "ECDSA signature: " + der.error().message};
    return verify_raw(key_->pkey.get(), kEcdsaDigest, message, *der);
  }
  // Only the one DER encoding of (r, s) is accepted (X.690 §10): a signature is not malleable
  // through BER variants, and DER and P1363 callers see the same set of valid signatures.
  if (auto canonical = ecdsa_der_to_p1363(signature); !canonical) {
    return Error{ErrorCode::kVerificationFailed, "ECDSA signature: " + canonical.error().message};
  }
  return verify_raw(key_->pkey.get(), kEcdsaDigest, message, signature);
}

void* PublicKey::native_handle() const noexcept { return key_ ? key_->pkey.get() : nullptr; }

// ---- PrivateKey -----------------------------------------------------------------------------

PrivateKey::PrivateKey(KeyType type, std::unique_ptr<detail::PkeyHandle> key)
    : type_(type), key_(std::move(key)) {}
PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;
PrivateKey::~PrivateKey() = default;

Result<PrivateKey> PrivateKey::generate(KeyType type) {
  AXLE_RETURN_IF_ERROR(require_allowed(algorithm_of(type)));
  const bool ed = type == KeyType::kEd25519;
  detail::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, ed ? "ED25519" : "EC", nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1) {
    return detail::openssl_error(ErrorCode::kInternal, "key generation setup failed");
  }
  if (!ed) {
    char group[] = "P-256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0), OSSL_PARAM_END};
    if (EVP_PKEY_CTX_set_params(ctx.get(), params) != 1) {
      return detail::openssl_error(ErrorCode::kInternal, "selecting P-256 failed");
    }
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    return detail::openssl_error(ErrorCode::kInternal, "key generation failed");
  }
  return PrivateKey(type, std::make_unique<PkeyHandle>(PkeyPtr(raw)));
}

Result<PrivateKey> PrivateKey::ed25519_from_seed(std::span<const std::uint8_t> seed) {
  AXLE_RETURN_IF_ERROR(require_allowed(Algorithm::kEd25519));
  if (seed.size() != kEd25519KeySize) {
    return Error{ErrorCode::kInvalidArgument,
                 "Ed25519 seed has " + std::to_string(seed.size()) + " bytes; expected 32"};
  }
  PkeyPtr pkey(
      EVP_PKEY_new_raw_private_key_ex(nullptr, "ED25519", nullptr, seed.data(), seed.size()));
  if (!pkey) return detail::openssl_error(ErrorCode::kInternal, "Ed25519 key from seed failed");
  return PrivateKey(KeyType::kEd25519, std::make_unique<PkeyHandle>(std::move(pkey)));
}

Result<PrivateKey> PrivateKey::from_pem(std::string_view pem) {
  AXLE_RETURN_IF_ERROR(check_input_size(pem.size(), "private key PEM"));
  detail::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return detail::openssl_error(ErrorCode::kInternal, "BIO_new_mem_buf failed");
  PkeyPtr pkey(PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, &refuse_passphrase, nullptr, nullptr,
                                          nullptr));
  if (!pkey) {
    return detail::openssl_error(
        ErrorCode::kInvalidArgument,
        "not an unencrypted PEM private key (PKCS#8 \"BEGIN PRIVATE KEY\" or \"BEGIN EC PRIVATE "
        "KEY\")");
  }
  AXLE_TRY(KeyType type, classify(pkey.get()));
  AXLE_RETURN_IF_ERROR(require_allowed(algorithm_of(type)));
  return PrivateKey(type, std::make_unique<PkeyHandle>(std::move(pkey)));
}

Result<PrivateKey> PrivateKey::from_der(std::span<const std::uint8_t> pkcs8_der) {
  AXLE_RETURN_IF_ERROR(check_input_size(pkcs8_der.size(), "private key DER"));
  const unsigned char* p = pkcs8_der.data();
  PkeyPtr pkey(
      d2i_AutoPrivateKey_ex(nullptr, &p, static_cast<long>(pkcs8_der.size()), nullptr, nullptr));
  if (!pkey) {
    return detail::openssl_error(ErrorCode::kInvalidArgument,
                                 "not an unencrypted DER private key (PKCS#8 or SEC 1)");
  }
  if (p != pkcs8_der.data() + pkcs8_der.size()) {
    return Error{ErrorCode::kInvalidArgument, "private key DER has trailing bytes"};
  }
  AXLE_TRY(KeyType type, classify(pkey.get()));
  AXLE_RETURN_IF_ERROR(require_allowed(algorithm_of(type)));
  return PrivateKey(type, std::make_unique<PkeyHandle>(std::move(pkey)));
}

namespace {

// PKCS#8 PrivateKeyInfo (RFC 5208 §5) written into a secure-heap BIO, whose buffers OpenSSL
// wipes when it frees or grows them.
Result<SecretBytes> encode_private(EVP_PKEY* pkey, const char* format) {
  using EncoderCtxPtr =
      std::unique_ptr<OSSL_ENCODER_CTX, detail::OsslDeleter<&OSSL_ENCODER_CTX_free>>;
  EncoderCtxPtr enc(
      OSSL_ENCODER_CTX_new_for_pkey(pkey, EVP_PKEY_KEYPAIR, format, "PrivateKeyInfo", nullptr));
  detail::BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!enc || OSSL_ENCODER_CTX_get_num_encoders(enc.get()) == 0 || !bio ||
      OSSL_ENCODER_to_bio(enc.get(), bio.get()) != 1) {
    return detail::openssl_error(ErrorCode::kInternal, "encoding the private key failed");
  }
  return drain_bio_secret(bio.get());
}

}  // namespace

Result<SecretBytes> PrivateKey::to_pem() const {
  if (!key_) return moved_from();
  return encode_private(key_->pkey.get(), "PEM");
}

Result<SecretBytes> PrivateKey::to_der() const {
  if (!key_) return moved_from();
  return encode_private(key_->pkey.get(), "DER");
}

Result<std::vector<std::uint8_t>> PrivateKey::public_raw() const {
  if (!key_) return moved_from();
  return raw_public(type_, key_->pkey.get());
}

Result<PublicKey> PrivateKey::public_key() const {
  if (!key_) return moved_from();
  // i2d_PUBKEY writes only the public half; decoding it gives a key that holds no secret.
  AXLE_TRY(auto der, public_der(key_->pkey.get()));
  return PublicKey::from_der(der);
}

Result<std::vector<std::uint8_t>> PrivateKey::sign(std::span<const std::uint8_t> message,
                                                   SignatureFormat format) const {
  AXLE_RETURN_IF_ERROR(require_allowed(algorithm_of(type_)));
  if (!key_) return moved_from();
  EVP_PKEY* pkey = key_->pkey.get();
  const char* digest = type_ == KeyType::kEd25519 ? nullptr : kEcdsaDigest;
  detail::MdCtxPtr ctx(EVP_MD_CTX_new());
  const int max_size = EVP_PKEY_get_size(pkey);
  if (!ctx || max_size <= 0)
    return detail::openssl_error(ErrorCode::kInternal, "signing setup failed");
  if (type_ == KeyType::kEcdsaP256) {
    std::call_once(key_->sign_template_once, [&] {
      detail::MdCtxPtr t(EVP_MD_CTX_new());
      if (t &&
          EVP_DigestSignInit_ex(t.get(), nullptr, digest, nullptr, nullptr, pkey, nullptr) == 1) {
        key_->sign_template = std::move(t);
      }
    });
  }
  // Ed25519 contexts cannot be copied in OpenSSL 3.0; they, and any failed copy, are set up anew.
  const bool copied =
      key_->sign_template && EVP_MD_CTX_copy_ex(ctx.get(), key_->sign_template.get()) == 1;
  if (!copied &&
      EVP_DigestSignInit_ex(ctx.get(), nullptr, digest, nullptr, nullptr, pkey, nullptr) != 1) {
    return detail::openssl_error(ErrorCode::kInternal, "signing setup failed");
  }
  std::vector<std::uint8_t> sig(static_cast<std::size_t>(max_size));
  std::size_t len = sig.size();
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, detail::nonnull_data(message), message.size()) !=
      1) {
    return detail::openssl_error(ErrorCode::kInternal, "signing failed");
  }
  sig.resize(len);
  if (type_ == KeyType::kEcdsaP256 && format == SignatureFormat::kP1363) {
    return ecdsa_der_to_p1363(sig);
  }
  return sig;
}

void* PrivateKey::native_handle() const noexcept { return key_ ? key_->pkey.get() : nullptr; }

// ---- ECDSA signature encodings --------------------------------------------------------------

Result<std::vector<std::uint8_t>> ecdsa_der_to_p1363(std::span<const std::uint8_t> der) {
  const Error malformed{ErrorCode::kInvalidArgument,
                        "not a DER ECDSA P-256 signature (SEQUENCE of two INTEGERs)"};
  if (der.empty() || der.size() > 2 * (kP256ScalarSize + 8)) return malformed;
  const unsigned char* p = der.data();
  detail::EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  detail::clear_openssl_errors();
  if (!sig || p != der.data() + der.size()) return malformed;
  // d2i accepts some BER (long-form lengths, padded integers); re-encoding gives the DER form,
  // which must be the input itself.
  std::array<std::uint8_t, 2 * (kP256ScalarSize + 8)> reencoded{};
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  unsigned char* q = reencoded.data();
  if (len <= 0 || static_cast<std::size_t>(len) != der.size() ||
      i2d_ECDSA_SIG(sig.get(), &q) != len ||
      !std::equal(der.begin(), der.end(), reencoded.begin())) {
    detail::clear_openssl_errors();
    return Error{ErrorCode::kInvalidArgument, "ECDSA signature is not in canonical DER"};
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  if (BN_is_negative(r) != 0 || BN_is_negative(s) != 0 ||
      static_cast<std::size_t>(BN_num_bytes(r)) > kP256ScalarSize ||
      static_cast<std::size_t>(BN_num_bytes(s)) > kP256ScalarSize) {
    return Error{ErrorCode::kInvalidArgument, "ECDSA signature integers are out of range"};
  }
  // IEEE 1363 / RFC 7518 §3.4: r and s as fixed-width big-endian integers.
  std::vector<std::uint8_t> out(kP1363Size);
  if (BN_bn2binpad(r, out.data(), kP256ScalarBytes) < 0 ||
      BN_bn2binpad(s, out.data() + kP256ScalarSize, kP256ScalarBytes) < 0) {
    return detail::openssl_error(ErrorCode::kInternal, "ECDSA signature conversion failed");
  }
  return out;
}

Result<std::vector<std::uint8_t>> ecdsa_p1363_to_der(std::span<const std::uint8_t> p1363) {
  if (p1363.size() != kP1363Size) {
    return Error{
        ErrorCode::kInvalidArgument,
        "P1363 ECDSA P-256 signature has " + std::to_string(p1363.size()) + " bytes; expected 64"};
  }
  detail::BignumPtr r(BN_bin2bn(p1363.data(), kP256ScalarBytes, nullptr));
  detail::BignumPtr s(BN_bin2bn(p1363.data() + kP256ScalarSize, kP256ScalarBytes, nullptr));
  detail::EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return detail::openssl_error(ErrorCode::kInternal, "ECDSA signature conversion failed");
  }
  // ECDSA_SIG_set0 took ownership of r and s.
  (void)r.release();
  (void)s.release();
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return detail::openssl_error(ErrorCode::kInternal, "ECDSA DER encoding failed");
  std::vector<std::uint8_t> out(static_cast<std::size_t>(len));
  unsigned char* q = out.data();
  if (i2d_ECDSA_SIG(sig.get(), &q) != len) {
    return detail::openssl_error(ErrorCode::kInternal, "ECDSA DER encoding failed");
  }
  return out;
}

}  // namespace axle::crypto
