#include "cert_issuer.hpp"

#include <fmt/format.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "openssl_ptr.hpp"

namespace axle::identity::detail {

namespace {

using ossl::BioPtr;
using ossl::BnPtr;
using ossl::ExtPtr;
using ossl::X509Ptr;

Error openssl_error(std::string_view what) {
  unsigned long code = ERR_get_error();
  char buf[256] = "no OpenSSL error recorded";
  if (code != 0) ERR_error_string_n(code, buf, sizeof(buf));
  ERR_clear_error();
  return make_error(ErrorCode::kInternal,
                    fmt::format("certificate creation: {} failed ({})", what, buf));
}

Result<void> add_name(X509_NAME* name, const char* field, const std::string& value) {
  if (value.empty()) return ok();
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                 0) != 1) {
    return openssl_error("setting the subject name");
  }
  return ok();
}

Result<void> add_extension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) return openssl_error(value);
  return ok();
}

}  // namespace

Result<std::string> create_certificate(const CertificateSpec& spec,
                                       const crypto::PublicKey& subject_key,
                                       const crypto::PrivateKey& issuer_key,
                                       const std::string& issuer_cert_pem) {
  if (spec.not_after_unix <= spec.not_before_unix) {
    return make_error(ErrorCode::kInvalidArgument, "certificate validity ends before it starts");
  }
  X509Ptr issuer;
  if (!issuer_cert_pem.empty()) {
    BioPtr bio(BIO_new_mem_buf(issuer_cert_pem.data(), static_cast<int>(issuer_cert_pem.size())));
    issuer.reset(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!issuer) {
      ERR_clear_error();
      return make_error(ErrorCode::kInvalidArgument, "the issuer certificate is not valid PEM");
    }
  }
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) return openssl_error("X509_new");

  // RFC 5280 §4.1.2.2: a positive serial of at most 20 octets; 127 random bits.
  BnPtr serial(BN_new());
  if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return openssl_error("the serial number");
  }
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(spec.not_before_unix)) ==
          nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(spec.not_after_unix)) ==
          nullptr) {
    return openssl_error("the validity period");
  }
  X509_NAME* subject = X509_get_subject_name(cert.get());
  AXLE_RETURN_IF_ERROR(add_name(subject, "O", spec.organization));
  AXLE_RETURN_IF_ERROR(add_name(subject, "CN", spec.common_name));
  X509* issuer_ref = issuer ? issuer.get() : cert.get();
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer_ref)) != 1) {
    return openssl_error("the issuer name");
  }
  auto* pkey = static_cast<EVP_PKEY*>(subject_key.native_handle());
  if (X509_set_pubkey(cert.get(), pkey) != 1) return openssl_error("the public key");

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer_ref, cert.get(), nullptr, nullptr, 0);
  if (spec.is_ca) {
    AXLE_RETURN_IF_ERROR(
        add_extension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE"));
    AXLE_RETURN_IF_ERROR(
        add_extension(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign"));
  } else {
    AXLE_RETURN_IF_ERROR(
        add_extension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE"));
    AXLE_RETURN_IF_ERROR(
        add_extension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature"));
  }
  AXLE_RETURN_IF_ERROR(add_extension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  // The authority key id of a self-signed certificate refers to its own key (RFC 5280 §4.2.1.1).
  AXLE_RETURN_IF_ERROR(
      add_extension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));

  // Ed25519 signs the message itself (no separate digest); ECDSA uses SHA-256.
  auto* issuer_pkey = static_cast<EVP_PKEY*>(issuer_key.native_handle());
  const EVP_MD* md = issuer_key.type() == crypto::KeyType::kEd25519 ? nullptr : EVP_sha256();
  if (X509_sign(cert.get(), issuer_pkey, md) <= 0) return openssl_error("signing");

  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_X509(out.get(), cert.get()) != 1) return openssl_error("PEM output");
  char* data = nullptr;
  long len = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace axle::identity::detail
