// Owning pointers for the OpenSSL objects that axle::identity's certificate, CRL, signing and
// verification code creates (private to axle::identity).
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace axle::identity::ossl {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

using X509Ptr = std::unique_ptr<X509, Deleter<&X509_free>>;
using CrlPtr = std::unique_ptr<X509_CRL, Deleter<&X509_CRL_free>>;
using RevokedPtr = std::unique_ptr<X509_REVOKED, Deleter<&X509_REVOKED_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<&BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<&BN_free>>;
using IntPtr = std::unique_ptr<ASN1_INTEGER, Deleter<&ASN1_INTEGER_free>>;
using EnumPtr = std::unique_ptr<ASN1_ENUMERATED, Deleter<&ASN1_ENUMERATED_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<&X509_EXTENSION_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<&EVP_PKEY_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<&EVP_MD_CTX_free>>;

}  // namespace axle::identity::ossl
