// X.509 certificate creation for the vendor CA (private to axle::identity). axle::crypto checks
// chains but does not issue certificates; issuing lives here, next to its only user, and shares
// no code with the checking side.
#pragma once

#include <cstdint>
#include <string>

#include "axle/core/result.hpp"
#include "axle/crypto/keys.hpp"

namespace axle::identity::detail {

struct CertificateSpec {
  std::string common_name;
  std::string organization;
  bool is_ca = false;  // CA: basicConstraints CA:TRUE, keyCertSign|cRLSign; else digitalSignature
  std::int64_t not_before_unix = 0;
  std::int64_t not_after_unix = 0;
};

// A certificate for `subject_key`, signed with SHA-256 by `issuer_key`. `issuer_cert_pem` empty:
// self-signed (issuer = subject). Returns PEM. The serial is 16 random bytes (RFC 5280 §4.1.2.2).
[[nodiscard]] Result<std::string> create_certificate(const CertificateSpec& spec,
                                                     const crypto::PublicKey& subject_key,
                                                     const crypto::PrivateKey& issuer_key,
                                                     const std::string& issuer_cert_pem);

}  // namespace axle::identity::detail
