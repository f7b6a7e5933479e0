#include "crl_issuer.hpp"

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
using ossl::CrlPtr;
using ossl::EnumPtr;
using ossl::IntPtr;
using ossl::RevokedPtr;
using ossl::X509Ptr;
using TimePtr = std::unique_ptr<ASN1_TIME, ossl::Deleter<&ASN1_TIME_free>>;

Error openssl_error(std::string_view what) {
  unsigned long code = ERR_get_error();
  char buf[256] = "no OpenSSL error recorded";
  if (code != 0) ERR_error_string_n(code, buf, sizeof(buf));
  ERR_clear_error();
  return make_error(ErrorCode::kInternal, fmt::format("CRL creation: {} failed ({})", what, buf));
}

Result<X509Ptr> parse_certificate(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) {
    ERR_clear_error();
    return make_error(ErrorCode::kInvalidArgument, "not a PEM certificate");
  }
  return cert;
}

}  // namespace

Result<std::string> serial_issued_by(const std::string& cert_pem,
                                     const crypto::PrivateKey& issuer_key) {
  AXLE_TRY(X509Ptr cert, parse_certificate(cert_pem));
  auto* pkey = static_cast<EVP_PKEY*>(issuer_key.native_handle());
  if (X509_verify(cert.get(), pkey) != 1) {
    ERR_clear_error();
    return make_error(ErrorCode::kFailedPrecondition,
                      "this certificate was not issued by this vendor CA");
  }
  BnPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr));
  char* hex = bn ? BN_bn2hex(bn.get()) : nullptr;
  if (hex == nullptr) return openssl_error("reading the serial number");
  std::string out(hex);
  OPENSSL_free(hex);
  return out;
}

Result<std::string> create_crl(const std::string& issuer_cert_pem,
                               const crypto::PrivateKey& issuer_key,
                               const std::vector<RevokedCertificate>& revoked,
                               std::int64_t this_update, std::int64_t next_update,
                               std::uint64_t crl_number) {
  AXLE_TRY(X509Ptr issuer, parse_certificate(issuer_cert_pem));
  CrlPtr crl(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), 1) != 1 ||  // v2 (RFC 5280 §5.1.2.1)
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.get())) != 1) {
    return openssl_error("the issuer name");
  }
  TimePtr last(ASN1_TIME_set(nullptr, static_cast<time_t>(this_update)));
  TimePtr next(ASN1_TIME_set(nullptr, static_cast<time_t>(next_update)));
  if (!last || !next || X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1) {
    return openssl_error("the update times");
  }
  for (const RevokedCertificate& r : revoked) {
    BIGNUM* raw = nullptr;
    if (BN_hex2bn(&raw, r.serial_hex.c_str()) == 0) return openssl_error("a serial number");
    BnPtr bn(raw);
    IntPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    TimePtr when(ASN1_TIME_set(nullptr, static_cast<time_t>(r.revoked_unix)));
    RevokedPtr entry(X509_REVOKED_new());
    EnumPtr reason(ASN1_ENUMERATED_new());
    if (!serial || !when || !entry || !reason ||
        X509_REVOKED_set_serialNumber(entry.get(), serial.get()) != 1 ||
        X509_REVOKED_set_revocationDate(entry.get(), when.get()) != 1 ||
        ASN1_ENUMERATED_set(reason.get(), r.reason) != 1 ||
        X509_REVOKED_add1_ext_i2d(entry.get(), NID_crl_reason, reason.get(), 0, 0) != 1) {
      return openssl_error("a revoked entry");
    }
    if (X509_CRL_add0_revoked(crl.get(), entry.get()) != 1) return openssl_error("adding an entry");
    entry.release();  // owned by the CRL now
  }
  // RFC 5280 §5.2.1 and §5.2.3: authority key identifier and CRL number.
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer.get(), nullptr, nullptr, crl.get(), 0);
  ossl::ExtPtr akid(
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
  IntPtr number(ASN1_INTEGER_new());
  if (!akid || X509_CRL_add_ext(crl.get(), akid.get(), -1) != 1 || !number ||
      ASN1_INTEGER_set_uint64(number.get(), crl_number) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0) != 1) {
    return openssl_error("the CRL extensions");
  }
  if (X509_CRL_sort(crl.get()) != 1) return openssl_error("sorting");
  auto* pkey = static_cast<EVP_PKEY*>(issuer_key.native_handle());
  const EVP_MD* md = issuer_key.type() == crypto::KeyType::kEd25519 ? nullptr : EVP_sha256();
  if (X509_CRL_sign(crl.get(), pkey, md) <= 0) return openssl_error("signing");
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_X509_CRL(out.get(), crl.get()) != 1) return openssl_error("PEM output");
  char* data = nullptr;
  const long len = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace axle::identity::detail
