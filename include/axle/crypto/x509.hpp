// X.509 certificate chain verification (RFC 5280) against a trust store, with CRLs, validity
// times and key usage, over OpenSSL's X509_STORE.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "axle/core/result.hpp"
#include "axle/crypto/keys.hpp"

namespace axle::crypto {

// Why a chain was refused; each has its own message. kOk is never returned inside an Error.
enum class ChainFailure {
  kNone,
  kExpired,        // a certificate (or CRL) is past notAfter/nextUpdate
  kNotYetValid,    // a certificate is before notBefore
  kUnknownIssuer,  // no path to a trusted root (wrong issuer, missing intermediate)
  kBadSignature,   // a certificate's signature does not verify under its issuer
  kRevoked,        // a CRL lists a certificate of the chain
  kCrlMissing,     // CRL checking was required and no CRL covers an issuer
  kKeyUsage,       // the leaf lacks the required key usage, or a CA lacks keyCertSign
  kMalformed,      // the input is not a parseable certificate
  kOther,
};

std::string_view chain_failure_name(ChainFailure f) noexcept;

// KeyUsage bits required of the leaf (RFC 5280 §4.2.1.3).
enum KeyUsageBits : unsigned {
  kKuDigitalSignature = 0x80,
  kKuNonRepudiation = 0x40,
  kKuKeyEncipherment = 0x20,
  kKuKeyAgreement = 0x08,
  kKuKeyCertSign = 0x04,
  kKuCrlSign = 0x02,
};

struct ChainPolicy {
  std::vector<std::string> trusted_roots_pem;  // each entry may hold several certificates
  std::vector<std::string> intermediates_pem;  // untrusted, used to build the path
  std::vector<std::string> crls_pem;           // CRLs of the roots and intermediates
  bool require_crls = false;                   // every CA in the chain must have a CRL
  unsigned required_leaf_key_usage = kKuDigitalSignature;
  std::optional<std::int64_t> at_unix_seconds;  // verification time; default now
};

struct VerifiedChain {
  std::string leaf_subject;                 // RFC 2253 form
  std::vector<std::string> chain_subjects;  // leaf first, root last
};

// The outcome of a chain check: which failure (kNone when valid), its one-line message, and the
// verified path when valid.
struct ChainVerdict {
  ChainFailure failure = ChainFailure::kOther;
  std::string message;
  VerifiedChain chain;
  [[nodiscard]] bool ok() const noexcept { return failure == ChainFailure::kNone; }
};

// Checks `leaf_pem` under `policy`; never throws, every refusal is a verdict.
[[nodiscard]] ChainVerdict check_certificate_chain(std::string_view leaf_pem,
                                                   const ChainPolicy& policy);

// The same as a Result: kVerificationFailed (message says which failure) or kInvalidArgument
// for input that does not parse.
[[nodiscard]] Result<VerifiedChain> verify_certificate_chain(std::string_view leaf_pem,
                                                             const ChainPolicy& policy);

// The leaf certificate's public key.
[[nodiscard]] Result<PublicKey> certificate_public_key(std::string_view cert_pem);

}  // namespace axle::crypto
