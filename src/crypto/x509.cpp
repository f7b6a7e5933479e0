#include "axle/crypto/x509.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <climits>
#include <ctime>

#include "ossl.hpp"

namespace axle::crypto {

namespace {

using detail::X509CrlPtr;
using detail::X509Ptr;

// PEM bundles are read block by block until the input runs out; running out is the one error
// (PEM_R_NO_START_LINE after at least one object) that means success.
template <typename T, typename Read>
Result<std::vector<std::unique_ptr<T, detail::OsslDeleter<Read::kFree>>>> read_pem_all(
    std::string_view pem, std::string_view what) {
  using Ptr = std::unique_ptr<T, detail::OsslDeleter<Read::kFree>>;
  if (pem.size() > static_cast<std::size_t>(INT_MAX)) {
    return Error{ErrorCode::kInvalidArgument, std::string(what) + " is implausibly large"};
  }
  detail::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return detail::openssl_error(ErrorCode::kInternal, "BIO_new_mem_buf failed");
  std::vector<Ptr> out;
  for (;;) {
    Ptr item(Read::read(bio.get()));
    if (item) {
      out.push_back(std::move(item));
      continue;
    }
    const unsigned long err = ERR_peek_last_error();
    if (!out.empty() && ERR_GET_LIB(err) == ERR_LIB_PEM &&
        ERR_GET_REASON(err) == PEM_R_NO_START_LINE) {
      detail::clear_openssl_errors();
      return out;
    }
    return detail::openssl_error(ErrorCode::kInvalidArgument,
                                 std::string(what) + " is not valid PEM (" + Read::kLabel + ")");
  }
}

struct ReadCert {
  static constexpr auto kFree = &X509_free;
  static constexpr const char* kLabel = "BEGIN CERTIFICATE";
  static X509* read(BIO* bio) { return PEM_read_bio_X509(bio, nullptr, nullptr, nullptr); }
};

struct ReadCrl {
  static constexpr auto kFree = &X509_CRL_free;
  static constexpr const char* kLabel = "BEGIN X509 CRL";
  static X509_CRL* read(BIO* bio) { return PEM_read_bio_X509_CRL(bio, nullptr, nullptr, nullptr); }
};

Result<std::vector<X509Ptr>> read_certs(std::string_view pem, std::string_view what) {
  return read_pem_all<X509, ReadCert>(pem, what);
}

std::string bio_text(BIO* bio) {
  std::string out(BIO_ctrl_pending(bio), '\0');
  if (!out.empty() && BIO_read(bio, out.data(), static_cast<int>(out.size())) <= 0) out.clear();
  return out;
}

// RFC 4514 (formerly RFC 2253) string form, as `openssl x509 -nameopt RFC2253` prints it.
std::string subject_of(const X509* cert) {
  if (cert == nullptr) return "(unknown certificate)";
  detail::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) < 0) {
    detail::clear_openssl_errors();
    return "(unprintable subject)";
  }
  std::string name = bio_text(bio.get());
  return name.empty() ? "(empty subject)" : name;
}

std::string time_text(const ASN1_TIME* t) {
  detail::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || t == nullptr || ASN1_TIME_print(bio.get(), t) != 1) {
    detail::clear_openssl_errors();
    return "an unreadable time";
  }
  return bio_text(bio.get());
}

ChainFailure classify(int err) {
  switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CRL_HAS_EXPIRED: return ChainFailure::kExpired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_CRL_NOT_YET_VALID: return ChainFailure::kNotYetValid;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_CERT_UNTRUSTED: return ChainFailure::kUnknownIssuer;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE: return ChainFailure::kBadSignature;
    case X509_V_ERR_CERT_REVOKED: return ChainFailure::kRevoked;
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER: return ChainFailure::kCrlMissing;
    case X509_V_ERR_INVALID_PURPOSE:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
    case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA:
    case X509_V_ERR_CA_CERT_MISSING_KEY_USAGE: return ChainFailure::kKeyUsage;
    default: return ChainFailure::kOther;
  }
}

bool is_crl_error(int err) {
  return err == X509_V_ERR_CRL_HAS_EXPIRED || err == X509_V_ERR_CRL_NOT_YET_VALID ||
         err == X509_V_ERR_CRL_SIGNATURE_FAILURE;
}

std::string failure_message(ChainFailure f, int err, int depth, X509* cert) {
  const std::string who =
      "certificate '" + subject_of(cert) + "' (depth " + std::to_string(depth) + ")";
  const std::string reason = X509_verify_cert_error_string(err);
  if (is_crl_error(err)) {
    return "the CRL covering " + who + " is unusable (" + reason +
           "); fetch the issuing CA's current CRL";
  }
  switch (f) {
    case ChainFailure::kExpired:
      return who + " expired at " + time_text(X509_get0_notAfter(cert)) +
             "; renew it, or check the system clock";
    case ChainFailure::kNotYetValid:
      return who + " is not valid before " + time_text(X509_get0_notBefore(cert)) +
             "; check the system clock";
    case ChainFailure::kUnknownIssuer:
      return "no trusted issuer for " + who + " (" + reason +
             "); add its issuing CA to the intermediates or its root to the trusted roots";
    case ChainFailure::kBadSignature:
      return "the signature on " + who +
             " does not verify under its issuer's key; the certificate is corrupt or forged";
    case ChainFailure::kRevoked:
      return who + " is revoked by its issuer's CRL; issue a new certificate";
    case ChainFailure::kCrlMissing:
      return "no CRL from the issuer of " + who +
             "; add that CA's current CRL, or turn off require_crls";
    case ChainFailure::kKeyUsage:
      return who + " may not act in this position (" + reason +
             "); a CA needs basicConstraints CA:TRUE and keyUsage keyCertSign";
    default: return who + " failed verification: " + reason;
  }
}

std::string key_usage_names(unsigned bits) {
  static constexpr std::pair<unsigned, const char*> kNames[] = {
      {kKuDigitalSignature, "digitalSignature"}, {kKuNonRepudiation, "nonRepudiation"},
      {kKuKeyEncipherment, "keyEncipherment"},   {kKuKeyAgreement, "keyAgreement"},
      {kKuKeyCertSign, "keyCertSign"},           {kKuCrlSign, "cRLSign"}};
  std::string out;
  for (const auto& [bit, name] : kNames) {
    if ((bits & bit) == 0) continue;
    if (!out.empty()) out += ",";
    out += name;
  }
  return out.empty() ? "(none)" : out;
}

ChainVerdict refuse(ChainFailure f, std::string message) {
  ChainVerdict v;
  v.failure = f;
  v.message = std::move(message);
  return v;
}

}  // namespace

std::string_view chain_failure_name(ChainFailure f) noexcept {
  switch (f) {
    case ChainFailure::kNone: return "none";
    case ChainFailure::kExpired: return "expired";
    case ChainFailure::kNotYetValid: return "not_yet_valid";
    case ChainFailure::kUnknownIssuer: return "unknown_issuer";
    case ChainFailure::kBadSignature: return "bad_signature";
    case ChainFailure::kRevoked: return "revoked";
    case ChainFailure::kCrlMissing: return "crl_missing";
    case ChainFailure::kKeyUsage: return "key_usage";
    case ChainFailure::kMalformed: return "malformed";
    case ChainFailure::kOther: return "other";
  }
  return "other";
}

ChainVerdict check_certificate_chain(std::string_view leaf_pem, const ChainPolicy& policy) {
  try {
    auto leaf_certs = read_certs(leaf_pem, "leaf certificate");
    if (!leaf_certs) return refuse(ChainFailure::kMalformed, leaf_certs.error().message);

    detail::X509StorePtr store(X509_STORE_new());
    detail::X509StackPtr untrusted(sk_X509_new_null());
    if (!store || !untrusted) {
      return refuse(ChainFailure::kOther, detail::take_openssl_error());
    }
    // Certificates after the leaf in `leaf_pem` (a "fullchain" file) help build the path but
    // are not trusted, exactly like the intermediates.
    std::vector<X509Ptr> keep_alive;
    for (auto& extra : std::span(*leaf_certs).subspan(1)) keep_alive.push_back(std::move(extra));
    for (std::size_t i = 0; i < policy.intermediates_pem.size(); ++i) {
      auto certs = read_certs(policy.intermediates_pem[i], "intermediate #" + std::to_string(i));
      if (!certs) return refuse(ChainFailure::kMalformed, certs.error().message);
      for (auto& c : *certs) keep_alive.push_back(std::move(c));
    }
    for (auto& c : keep_alive) {
      if (sk_X509_push(untrusted.get(), c.get()) <= 0 || X509_up_ref(c.get()) != 1) {
        return refuse(ChainFailure::kOther, detail::take_openssl_error());
      }
    }
    for (std::size_t i = 0; i < policy.trusted_roots_pem.size(); ++i) {
      auto certs = read_certs(policy.trusted_roots_pem[i], "trusted root #" + std::to_string(i));
      if (!certs) return refuse(ChainFailure::kMalformed, certs.error().message);
      for (auto& c : *certs) {
        if (X509_STORE_add_cert(store.get(), c.get()) != 1) {
          return refuse(ChainFailure::kOther, detail::take_openssl_error());
        }
      }
    }
    for (std::size_t i = 0; i < policy.crls_pem.size(); ++i) {
      auto crls = read_pem_all<X509_CRL, ReadCrl>(policy.crls_pem[i], "CRL #" + std::to_string(i));
      if (!crls) return refuse(ChainFailure::kMalformed, crls.error().message);
      for (auto& c : *crls) {
        if (X509_STORE_add_crl(store.get(), c.get()) != 1) {
          return refuse(ChainFailure::kOther, detail::take_openssl_error());
        }
      }
    }

    X509* leaf = (*leaf_certs)[0].get();
    detail::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf, untrusted.get()) != 1) {
      return refuse(ChainFailure::kOther, detail::take_openssl_error());
    }
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    // RFC 5280 §6.1.3 (a)(3): revocation of every certificate of the path, not only the leaf,
    // whenever CRLs are in play.
    unsigned long flags = X509_V_FLAG_X509_STRICT;
    if (policy.require_crls || !policy.crls_pem.empty()) {
      flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
    }
    X509_VERIFY_PARAM_set_flags(param, flags);
    if (policy.at_unix_seconds) {
      X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(*policy.at_unix_seconds));
    }

    const int rc = X509_verify_cert(ctx.get());
    detail::clear_openssl_errors();
    if (rc != 1) {
      const int err = X509_STORE_CTX_get_error(ctx.get());
      const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
      X509* cert = X509_STORE_CTX_get_current_cert(ctx.get());
      if (cert == nullptr) cert = leaf;
      const ChainFailure f = classify(err);
      return refuse(f, failure_message(f, err, depth, cert));
    }

    ChainVerdict verdict;
    verdict.chain.leaf_subject = subject_of(leaf);
    STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      verdict.chain.chain_subjects.push_back(subject_of(sk_X509_value(chain, i)));
    }
    // RFC 5280 §4.2.1.3: without a keyUsage extension the key is not restricted, so an absent
    // extension satisfies any requirement (X509_get_key_usage then reports all bits set).
    const std::uint32_t usage = X509_get_key_usage(leaf);
    detail::clear_openssl_errors();
    const unsigned required = policy.required_leaf_key_usage;
    if ((usage & required) != required) {
      return refuse(ChainFailure::kKeyUsage, "leaf certificate '" + verdict.chain.leaf_subject +
                                                 "' has keyUsage " + key_usage_names(usage) +
                                                 " but " + key_usage_names(required) +
                                                 " is required; reissue it with that keyUsage");
    }
    verdict.failure = ChainFailure::kNone;
    verdict.message = "certificate chain verified";
    return verdict;
  } catch (const std::exception& e) {
    // Only allocation failure can get here; the verdict type has no way to carry it otherwise.
    return refuse(ChainFailure::kOther, std::string("chain check failed: ") + e.what());
  }
}

Result<VerifiedChain> verify_certificate_chain(std::string_view leaf_pem,
                                               const ChainPolicy& policy) {
  ChainVerdict verdict = check_certificate_chain(leaf_pem, policy);
  if (verdict.ok()) return std::move(verdict.chain);
  if (verdict.failure == ChainFailure::kMalformed) {
    return Error{ErrorCode::kInvalidArgument, std::move(verdict.message)};
  }
  return Error{ErrorCode::kVerificationFailed,
               std::string(chain_failure_name(verdict.failure)) + ": " + verdict.message};
}

Result<PublicKey> certificate_public_key(std::string_view cert_pem) {
  AXLE_TRY(auto certs, read_certs(cert_pem, "certificate"));
  EVP_PKEY* pkey = X509_get0_pubkey(certs[0].get());
  if (pkey == nullptr) {
    return detail::openssl_error(ErrorCode::kInvalidArgument,
                                 "the certificate's public key does not parse");
  }
  const int len = i2d_PUBKEY(pkey, nullptr);
  if (len <= 0) return detail::openssl_error(ErrorCode::kInternal, "encoding a public key failed");
  std::vector<std::uint8_t> der(static_cast<std::size_t>(len));
  unsigned char* p = der.data();
  if (i2d_PUBKEY(pkey, &p) != len) {
    return detail::openssl_error(ErrorCode::kInternal, "encoding a public key failed");
  }
  return PublicKey::from_der(der);
}

}  // namespace axle::crypto
