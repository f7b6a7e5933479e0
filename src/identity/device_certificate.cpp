#include "axle/identity/device_certificate.hpp"

#include "axle/identity/derived_keys.hpp"
#include "axle/identity/edid.hpp"
#include "tree.hpp"

namespace axle::identity {

bool has_device_certificate(const StateDir& state) {
  return state.exists(kDeviceCertFile) && state.exists(kManufacturerIdFile);
}

Result<std::filesystem::path> issue_device_certificate(const StateDir& state, const VendorCa& ca,
                                                       const FingerprintReport& report,
                                                       const SecretBytes& device_secret,
                                                       const DeviceCertificateRequest& request) {
  // The ManufacturerID names the vendor: its OUI, as the CA knows it; a NIC's only for a CA
  // that does not store one.
  AXLE_TRY(Oui oui, !request.oui.empty() ? parse_oui(request.oui)
                    : ca.oui()           ? Result<Oui>(*ca.oui())
                                         : first_nic_oui(report));
  AXLE_TRY(crypto::PrivateKey key, device_signing_key(report.fingerprint, device_secret));
  AXLE_TRY(crypto::PublicKey pub, key.public_key());
  const std::string cn = request.common_name.empty()
                             ? "axle-device-" + report.fingerprint_hex().substr(0, 16)
                             : request.common_name;
  AXLE_TRY(std::string cert, ca.issue(pub, cn, request.days));
  AXLE_TRY(Digest32 mid, ca.manufacturer_id(oui));
  std::string mid_hex;
  detail::append_hex(mid_hex, mid);
  AXLE_RETURN_IF_ERROR(state.write(kManufacturerIdFile, mid_hex + "\n", 0644));
  AXLE_RETURN_IF_ERROR(state.write(kDeviceCertFile, cert, 0644));
  return state.file(kDeviceCertFile);
}

Result<std::optional<std::filesystem::path>> ensure_device_certificate(
    const StateDir& state, const FingerprintReport& report, const SecretBytes& device_secret,
    const DeviceCertificateRequest& request) {
  if (has_device_certificate(state)) return std::optional<std::filesystem::path>();
  if (!state.exists(kVendorRootKeyFile)) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "this device has no certificate yet and the state dir holds no vendor CA; "
                      "run 'axle vendor-ca init' first, and 'axle id generate' has this device "
                      "certified by it (or use --anonymous --relying-party ID)");
  }
  AXLE_TRY(VendorCa ca, VendorCa::load(state));
  AXLE_TRY(auto path, issue_device_certificate(state, ca, report, device_secret, request));
  return std::optional<std::filesystem::path>(std::move(path));
}

}  // namespace axle::identity
