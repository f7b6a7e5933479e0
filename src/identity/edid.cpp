#include "axle/identity/edid.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "axle/crypto/hash.hpp"
#include "axle/crypto/mac.hpp"
#include "axle/identity/tpm.hpp"
#include "tree.hpp"

namespace axle::identity {

Result<Oui> parse_oui(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c == ':' || c == '-') continue;
    if (std::isxdigit(static_cast<unsigned char>(c)) == 0) digits = "x";
    digits += c;
  }
  if (digits.size() != 6 || digits.find('x') != std::string::npos) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("'{}' is not an OUI; give three hex bytes like 00:1B:21", text));
  }
  Oui oui{};
  for (std::size_t i = 0; i < 3; ++i) {
    oui[i] = static_cast<std::uint8_t>(std::stoul(digits.substr(i * 2, 2), nullptr, 16));
  }
  return oui;
}

std::string format_oui(const Oui& oui) {
  return fmt::format("{:02x}:{:02x}:{:02x}", oui[0], oui[1], oui[2]);
}

Result<Oui> first_nic_oui(const FingerprintReport& report) {
  for (const auto& s : report.sources) {
    if (s.name == "nic_macs" && s.verdict != Verdict::kMissing && s.display.size() >= 8) {
      return parse_oui(s.display.substr(0, 8));
    }
  }
  return make_error(ErrorCode::kNotFound,
                    "this device has no physical NIC to take an OUI from; give one with --oui");
}

Result<Digest32> manufacturer_id(std::span<const std::uint8_t> vendor_key, const Oui& oui) {
  return crypto::hmac_sha256(vendor_key, oui);
}

Result<SecureBootHash> secure_boot_hash(const SourceContext& ctx, const Fingerprint& fingerprint) {
  std::string tcti = ctx.tpm.tcti.empty()
                         ? "device:" + detail::below(ctx.root, "/dev/tpmrm0").string()
                         : ctx.tpm.tcti;
  const unsigned pcr0[] = {0};
  if (auto pcrs = tpm_read_pcrs(tcti, pcr0); pcrs.ok()) {
    return SecureBootHash{(*pcrs)[0].sha256, true};
  }
  // No TPM: bind to the fingerprint instead, under its own domain so it can never equal a PCR.
  std::string input = "axle/secure-boot-fallback@v1";
  input += '\0';
  input.append(reinterpret_cast<const char*>(fingerprint.data()), fingerprint.size());
  AXLE_TRY(auto digest, crypto::sha256(std::span(
                            reinterpret_cast<const std::uint8_t*>(input.data()), input.size())));
  return SecureBootHash{digest, false};
}

Result<std::string> edid_v2(const EdidParts& parts) {
  std::array<std::uint8_t, 32 + 32 + 8 + 16> input{};
  auto it = std::copy(parts.manufacturer_id.begin(), parts.manufacturer_id.end(), input.begin());
  it = std::copy(parts.secure_boot_hash.begin(), parts.secure_boot_hash.end(), it);
  auto ts = static_cast<std::uint64_t>(parts.timestamp_ms);
  for (int shift = 56; shift >= 0; shift -= 8) *it++ = static_cast<std::uint8_t>(ts >> shift);
  std::copy(parts.nonce.begin(), parts.nonce.end(), it);
  AXLE_TRY(auto digest, crypto::sha256(input));
  return "EDID-v2:" +
         detail::to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), 32));
}

}  // namespace axle::identity
