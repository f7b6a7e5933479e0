// A vendor CA for demos and tests, kept in <state-dir>/vendor-ca/:
//   root.pem    self-signed ECDSA P-256 root certificate (0644)
//   root.key    its private key, PKCS#8 PEM (0600)
//   vendor.key  32-byte HMAC key that turns an OUI into a ManufacturerID (0600)
//   oui         the vendor's IEEE OUI, "00:00:5e" (0644): the OUI of the ManufacturerIDs it gives
// Device certificates it issues are standard X.509 v3 leaves (digitalSignature) that
// `openssl verify -CAfile root.pem` accepts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "axle/core/result.hpp"
#include "axle/core/secret.hpp"
#include "axle/core/state_dir.hpp"
#include "axle/crypto/keys.hpp"
#include "axle/identity/edid.hpp"

namespace axle::identity {

inline constexpr std::string_view kVendorRootCertFile = "vendor-ca/root.pem";
inline constexpr std::string_view kVendorRootKeyFile = "vendor-ca/root.key";
inline constexpr std::string_view kVendorMacKeyFile = "vendor-ca/vendor.key";
inline constexpr std::string_view kVendorOuiFile = "vendor-ca/oui";
// A demo CA's OUI unless one is given: IANA's 00-00-5E, whose 00-00-5E-00-53-xx block RFC 7042
// §2.1.2 sets aside for documentation; a real vendor gives its own.
inline constexpr std::string_view kDefaultVendorOui = "00:00:5E";
// The CA's CRL (0644), re-issued at every revocation and by refresh_crl(); `axle id verify` uses
// it by default. The revoked serials are kept in vendor-ca/revoked ("<serial> <unix> <reason>").
inline constexpr std::string_view kVendorCrlFile = "vendor-ca/crl.pem";
inline constexpr int kCrlValidityDays = 30;

// RFC 5280 §5.3.1 reasons a device certificate is revoked for.
enum class RevocationReason {
  kUnspecified = 0,
  kKeyCompromise = 1,
  kAffiliationChanged = 3,
  kSuperseded = 4,
  kCessationOfOperation = 5,
};
// "unspecified", "key-compromise", "affiliation-changed", "superseded", "cessation-of-operation".
[[nodiscard]] Result<RevocationReason> parse_revocation_reason(std::string_view name);

struct VendorCaInit {
  std::string name = "axle demo vendor";
  std::string oui = std::string(kDefaultVendorOui);  // "00:1B:21", "00-1b-21" or "001b21"
  int days = 3650;
  bool force = false;  // replace an existing CA (kAlreadyExists otherwise)
};

class VendorCa {
 public:
  // Creates the CA files; returns the CA.
  static Result<VendorCa> init(const StateDir& state, const VendorCaInit& options);
  // kNotFound, saying to run `axle vendor-ca init`, when there is none.
  static Result<VendorCa> load(const StateDir& state);

  [[nodiscard]] const std::string& root_pem() const noexcept { return root_pem_; }
  // The vendor's OUI; none for a CA made before the OUI was stored (a device's NIC gives one).
  [[nodiscard]] const std::optional<Oui>& oui() const noexcept { return oui_; }

  // A device certificate for `device_key`, valid from now - 5 minutes for `days` days.
  [[nodiscard]] Result<std::string> issue(const crypto::PublicKey& device_key,
                                          std::string_view common_name, int days) const;
  // As issue(), with an explicit validity (tests: expired and not-yet-valid certificates).
  [[nodiscard]] Result<std::string> issue_with_validity(const crypto::PublicKey& device_key,
                                                        std::string_view common_name,
                                                        std::int64_t not_before_unix,
                                                        std::int64_t not_after_unix) const;

  [[nodiscard]] Result<Digest32> manufacturer_id(const Oui& oui) const;

  // Revokes a certificate this CA issued (kFailedPrecondition for another CA's, kAlreadyExists
  // when already revoked), records it in `state` and writes a new CRL; returns the CRL's PEM.
  [[nodiscard]] Result<std::string> revoke(const StateDir& state, const std::string& cert_pem,
                                           RevocationReason reason) const;
  // Issues a fresh CRL of every revocation so far (valid kCrlValidityDays); returns its PEM.
  [[nodiscard]] Result<std::string> refresh_crl(const StateDir& state) const;

 private:
  VendorCa(crypto::PrivateKey key, std::string root_pem, SecretBytes vendor_key, std::string name,
           std::optional<Oui> oui)
      : key_(std::move(key)),
        root_pem_(std::move(root_pem)),
        vendor_key_(std::move(vendor_key)),
        name_(std::move(name)),
        oui_(oui) {}
  crypto::PrivateKey key_;
  std::string root_pem_;
  SecretBytes vendor_key_;
  std::string name_;
  std::optional<Oui> oui_;
};

}  // namespace axle::identity
