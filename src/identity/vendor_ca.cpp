#include "axle/identity/vendor_ca.hpp"

#include <fmt/format.h>

#include <charconv>
#include <sstream>
#include <vector>

#include "axle/core/clock.hpp"
#include "axle/crypto/random.hpp"
#include "cert_issuer.hpp"
#include "crl_issuer.hpp"

namespace axle::identity {

namespace {

constexpr std::int64_t kDaySeconds = 24 * 60 * 60;
constexpr std::int64_t kClockSkewSeconds = 5 * 60;
constexpr std::string_view kRevokedFile = "vendor-ca/revoked";

// vendor-ca/revoked: one "<serial hex> <revoked unix> <reason code>" line per revocation.
Result<std::vector<detail::RevokedCertificate>> read_revoked(const StateDir& state) {
  std::vector<detail::RevokedCertificate> out;
  if (!state.exists(kRevokedFile)) return out;
  AXLE_TRY(std::string text, state.read(kRevokedFile));
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    detail::RevokedCertificate r;
    if (!(fields >> r.serial_hex >> r.revoked_unix >> r.reason) || r.serial_hex.empty()) {
      return make_error(ErrorCode::kCorrupt, "vendor-ca/revoked has a malformed line: '" + line +
                                                 "'; restore it from a backup");
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::string_view as_text(std::span<const std::uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace

Result<VendorCa> VendorCa::init(const StateDir& state, const VendorCaInit& options) {
  if (options.days <= 0) {
    return make_error(ErrorCode::kInvalidArgument, "the CA validity must be at least one day");
  }
  AXLE_TRY(Oui oui, parse_oui(options.oui));
  if (!options.force && state.exists(kVendorRootKeyFile)) {
    return make_error(ErrorCode::kAlreadyExists,
                      fmt::format("a vendor CA already exists in {}/vendor-ca; use --force to "
                                  "replace it (certificates it issued stop verifying)",
                                  state.path().string()));
  }
  AXLE_TRY(crypto::PrivateKey key, crypto::PrivateKey::generate(crypto::KeyType::kEcdsaP256));
  AXLE_TRY(crypto::PublicKey pub, key.public_key());
  std::int64_t now = utc_ms() / 1000;
  detail::CertificateSpec spec{options.name + " root CA", options.name, true,
                               now - kClockSkewSeconds, now + options.days * kDaySeconds};
  AXLE_TRY(std::string root_pem, detail::create_certificate(spec, pub, key, {}));
  AXLE_TRY(SecretBytes vendor_key, crypto::random_secret(32));
  AXLE_TRY(SecretBytes key_pem, key.to_pem());
  // Keys first: a root certificate without its key would be useless.
  AXLE_RETURN_IF_ERROR(state.write(kVendorRootKeyFile, as_text(key_pem.view()), 0600));
  AXLE_RETURN_IF_ERROR(state.write(kVendorMacKeyFile, as_text(vendor_key.view()), 0600));
  AXLE_RETURN_IF_ERROR(state.write(kVendorOuiFile, format_oui(oui) + "\n", 0644));
  AXLE_RETURN_IF_ERROR(state.write(kVendorRootCertFile, root_pem, 0644));
  return VendorCa(std::move(key), std::move(root_pem), std::move(vendor_key), options.name, oui);
}

Result<VendorCa> VendorCa::load(const StateDir& state) {
  if (!state.exists(kVendorRootKeyFile) || !state.exists(kVendorRootCertFile) ||
      !state.exists(kVendorMacKeyFile)) {
    return make_error(ErrorCode::kNotFound,
                      fmt::format("no vendor CA in {}/vendor-ca; run 'axle vendor-ca init'",
                                  state.path().string()));
  }
  AXLE_TRY(std::string key_pem, state.read(kVendorRootKeyFile));
  auto key = crypto::PrivateKey::from_pem(key_pem);
  secure_wipe(key_pem.data(), key_pem.size());
  if (!key) {
    return make_error(ErrorCode::kCorrupt, "the vendor CA key does not parse; re-create the CA");
  }
  AXLE_TRY(std::string root_pem, state.read(kVendorRootCertFile));
  AXLE_TRY(std::string mac_key, state.read(kVendorMacKeyFile));
  SecretBytes vendor_key(
      std::span(reinterpret_cast<const std::uint8_t*>(mac_key.data()), mac_key.size()));
  secure_wipe(mac_key.data(), mac_key.size());
  if (vendor_key.size() != 32) {
    return make_error(ErrorCode::kCorrupt, "the vendor MAC key has the wrong size");
  }
  std::optional<Oui> oui;
  if (state.exists(kVendorOuiFile)) {
    AXLE_TRY(std::string text, state.read(kVendorOuiFile));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    auto parsed = parse_oui(text);
    if (!parsed) {
      return make_error(ErrorCode::kCorrupt,
                        fmt::format("{}/{} holds no OUI; write the vendor's, like 00:1B:21",
                                    state.path().string(), kVendorOuiFile));
    }
    oui = *parsed;
  }
  return VendorCa(std::move(*key), std::move(root_pem), std::move(vendor_key), "axle vendor", oui);
}

Result<std::string> VendorCa::issue(const crypto::PublicKey& device_key,
                                    std::string_view common_name, int days) const {
  if (days <= 0) return make_error(ErrorCode::kInvalidArgument, "validity must be >= 1 day");
  std::int64_t now = utc_ms() / 1000;
  return issue_with_validity(device_key, common_name, now - kClockSkewSeconds,
                             now + days * kDaySeconds);
}

Result<std::string> VendorCa::issue_with_validity(const crypto::PublicKey& device_key,
                                                  std::string_view common_name,
                                                  std::int64_t not_before_unix,
                                                  std::int64_t not_after_unix) const {
  if (common_name.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "a device certificate needs a common name");
  }
  detail::CertificateSpec spec{std::string(common_name), name_, false, not_before_unix,
                               not_after_unix};
  return detail::create_certificate(spec, device_key, key_, root_pem_);
}

Result<RevocationReason> parse_revocation_reason(std::string_view name) {
  if (name == "unspecified") return RevocationReason::kUnspecified;
  if (name == "key-compromise") return RevocationReason::kKeyCompromise;
  if (name == "affiliation-changed") return RevocationReason::kAffiliationChanged;
  if (name == "superseded") return RevocationReason::kSuperseded;
  if (name == "cessation-of-operation") return RevocationReason::kCessationOfOperation;
  return make_error(ErrorCode::kInvalidArgument,
                    "unknown revocation reason '" + std::string(name) +
                        "'; one of unspecified, key-compromise, affiliation-changed, "
                        "superseded, cessation-of-operation");
}

Result<std::string> VendorCa::refresh_crl(const StateDir& state) const {
  AXLE_TRY(auto revoked, read_revoked(state));
  // The CRL number only grows (RFC 5280 §5.2.3): one more than the last one issued.
  std::uint64_t number = 1;
  if (state.exists("vendor-ca/crl-number")) {
    AXLE_TRY(std::string text, state.read("vendor-ca/crl-number"));
    std::uint64_t last = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), last);
    if (ec != std::errc()) {
      return make_error(ErrorCode::kCorrupt, "vendor-ca/crl-number is not a number");
    }
    number = last + 1;
  }
  const std::int64_t now = utc_ms() / 1000;
  AXLE_TRY(std::string pem, detail::create_crl(root_pem_, key_, revoked, now - kClockSkewSeconds,
                                               now + kCrlValidityDays * kDaySeconds, number));
  AXLE_RETURN_IF_ERROR(state.write("vendor-ca/crl-number", std::to_string(number) + "\n", 0600));
  AXLE_RETURN_IF_ERROR(state.write(kVendorCrlFile, pem, 0644));
  return pem;
}

Result<std::string> VendorCa::revoke(const StateDir& state, const std::string& cert_pem,
                                     RevocationReason reason) const {
  AXLE_TRY(std::string serial, detail::serial_issued_by(cert_pem, key_));
  AXLE_TRY(auto revoked, read_revoked(state));
  for (const auto& r : revoked) {
    if (r.serial_hex == serial) {
      return make_error(ErrorCode::kAlreadyExists,
                        "certificate " + serial + " is already revoked (revocation is final)");
    }
  }
  std::string text = state.exists(kRevokedFile) ? state.read(kRevokedFile).value_or("") : "";
  text += fmt::format("{} {} {}\n", serial, utc_ms() / 1000, static_cast<int>(reason));
  AXLE_RETURN_IF_ERROR(state.write(kRevokedFile, text, 0600));
  return refresh_crl(state);
}

Result<Digest32> VendorCa::manufacturer_id(const Oui& oui) const {
  return identity::manufacturer_id(vendor_key_.view(), oui);
}

}  // namespace axle::identity
