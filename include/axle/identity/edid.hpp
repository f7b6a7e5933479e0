// EDID-v2 identifiers.
//
//   EDID-v2:<hex(SHA-256(ManufacturerID | SecureBootHash | Timestamp | Nonce))>
//   ManufacturerID = HMAC-SHA256(vendor key, OUI)           32 bytes
//   SecureBootHash = PCR0 (SHA-256 bank)                    32 bytes
//                    without a TPM: SHA-256("axle/secure-boot-fallback@v1" 0x00 fingerprint)
//   Timestamp      = UTC milliseconds, 8 bytes big-endian
//   Nonce          = 16 bytes from the CSPRNG
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "axle/core/result.hpp"
#include "axle/identity/fingerprint.hpp"
#include "axle/identity/source.hpp"

namespace axle::identity {

using Oui = std::array<std::uint8_t, 3>;
using Digest32 = std::array<std::uint8_t, 32>;
using Nonce = std::array<std::uint8_t, 16>;

// "00:1B:21", "00-1b-21" or "001b21".
[[nodiscard]] Result<Oui> parse_oui(std::string_view text);

// "00:1b:21".
[[nodiscard]] std::string format_oui(const Oui& oui);

// The OUI of the first physical NIC in a fingerprint report (kNotFound when there is none).
[[nodiscard]] Result<Oui> first_nic_oui(const FingerprintReport& report);

[[nodiscard]] Result<Digest32> manufacturer_id(std::span<const std::uint8_t> vendor_key,
                                               const Oui& oui);

struct SecureBootHash {
  Digest32 value{};
  bool from_tpm = false;  // false: the documented fallback from the fingerprint
};

// PCR0 of the TPM that `ctx` selects, or the fallback when there is none.
[[nodiscard]] Result<SecureBootHash> secure_boot_hash(const SourceContext& ctx,
                                                      const Fingerprint& fingerprint);

struct EdidParts {
  Digest32 manufacturer_id{};
  Digest32 secure_boot_hash{};
  std::int64_t timestamp_ms = 0;
  Nonce nonce{};
};

[[nodiscard]] Result<std::string> edid_v2(const EdidParts& parts);

}  // namespace axle::identity
