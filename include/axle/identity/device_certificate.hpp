// This device's certificate from a vendor CA: the CA certifies the device's Ed25519 identity key
// (derived from its fingerprint and device secret), and the certificate and the device's
// ManufacturerID are stored in the state dir, where `axle id generate` reads them:
//   identity/device.pem        the device certificate (PEM, 0644)
//   identity/manufacturer_id   hex HMAC-SHA256(vendor key, OUI) (0644)
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "axle/core/result.hpp"
#include "axle/core/secret.hpp"
#include "axle/core/state_dir.hpp"
#include "axle/identity/fingerprint.hpp"
#include "axle/identity/vendor_ca.hpp"

namespace axle::identity {

inline constexpr std::string_view kDeviceCertFile = "identity/device.pem";
inline constexpr std::string_view kManufacturerIdFile = "identity/manufacturer_id";

struct DeviceCertificateRequest {
  std::string oui;          // "00:1B:21"; empty: the vendor CA's, else (older CAs) the first NIC's
  std::string common_name;  // empty: "axle-device-<first 16 hex digits of the fingerprint>"
  int days = 365;
};

// True when both files of a device certificate are in the state dir.
[[nodiscard]] bool has_device_certificate(const StateDir& state);

// Issues the certificate of this device's identity key with `ca` and stores both files; returns
// the certificate's path. Fails (kNotFound) when neither the request nor the CA gives an OUI and
// the device has no physical NIC to take one from.
[[nodiscard]] Result<std::filesystem::path> issue_device_certificate(
    const StateDir& state, const VendorCa& ca, const FingerprintReport& report,
    const SecretBytes& device_secret, const DeviceCertificateRequest& request);

// Makes sure this device has a certificate: nullopt when it has one already; otherwise the
// state dir's own vendor CA (`axle vendor-ca init`) issues it (as issue_device_certificate) and
// its path is returned. kFailedPrecondition, saying what to run, when there is no certificate and
// no vendor CA.
[[nodiscard]] Result<std::optional<std::filesystem::path>> ensure_device_certificate(
    const StateDir& state, const FingerprintReport& report, const SecretBytes& device_secret,
    const DeviceCertificateRequest& request);

}  // namespace axle::identity
