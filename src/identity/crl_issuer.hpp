// X.509 CRL creation for the vendor CA (private to axle::identity), beside cert_issuer.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "axle/core/result.hpp"
#include "axle/crypto/keys.hpp"

namespace axle::identity::detail {

struct RevokedCertificate {
  std::string serial_hex;  // upper-case hex of the serial number
  std::int64_t revoked_unix = 0;
  int reason = 0;  // RFC 5280 §5.3.1 CRLReason
};

// A v2 CRL of the issuer, signed with SHA-256 by `issuer_key`, numbered `crl_number` (RFC 5280
// §5.2.3), valid from `this_update` to `next_update`. Returns PEM.
[[nodiscard]] Result<std::string> create_crl(const std::string& issuer_cert_pem,
                                             const crypto::PrivateKey& issuer_key,
                                             const std::vector<RevokedCertificate>& revoked,
                                             std::int64_t this_update, std::int64_t next_update,
                                             std::uint64_t crl_number);

// The serial number (upper-case hex) of `cert_pem` when `issuer_key` signed it; kInvalidArgument
// when it is not a certificate, kFailedPrecondition when another key signed it.
[[nodiscard]] Result<std::string> serial_issued_by(const std::string& cert_pem,
                                                   const crypto::PrivateKey& issuer_key);

}  // namespace axle::identity::detail
