// Redaction tiers for audit event fields, applied before an event is logged (so the log commits
// to the protected form):
//   L1  kept as is;
//   L2  masked by rules: e-mail addresses, phone numbers, IPv4/IPv6 addresses, plus configurable
//       regular expressions;
//   L3  encrypted with AES-256-GCM under a per-day key derived by HKDF-SHA256 from a master key;
//       the value becomes "l3:v1:<key id>:<base64(nonce || ciphertext || tag)>", the key id being
//       the UTC day ("d2026-11-25"), and the field name is bound in as associated data.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "axle/audit/event.hpp"
#include "axle/core/result.hpp"
#include "axle/core/secret.hpp"

namespace axle::audit {

enum class Tier { kL1, kL2, kL3 };

struct MaskRule {
  std::string pattern;      // ECMAScript regular expression
  std::string replacement;  // std::regex_replace format ($1, ...)
};

// L2: applies the `extra` rules first (they are the more specific), then masks e-mail local
// parts (a***@example.com), IPv4 last octets (192.0.2.*), IPv6 past the second group
// (2001:db8:*), and phone numbers but their last two digits (+** *** *****67). kInvalidArgument
// when an extra pattern does not compile.
[[nodiscard]] Result<std::string> mask_l2(std::string_view text,
                                          const std::vector<MaskRule>& extra = {});

// The per-day key: HKDF-SHA256(salt "axle/audit/l3", IKM master, info "axle/audit/l3-day@v1:"
// + day), 32 bytes. `day` is YYYY-MM-DD; the master key must be at least 32 bytes.
[[nodiscard]] Result<SecretBytes> l3_day_key(const SecretBytes& master, std::string_view day);

// L3: seals `plaintext` of parameter `field` with the key of `day`.
[[nodiscard]] Result<std::string> seal_l3(const SecretBytes& master, std::string_view day,
                                          std::string_view field, std::string_view plaintext);
[[nodiscard]] bool is_l3_token(std::string_view value) noexcept;
// Opens a token of parameter `field`; kVerificationFailed with a wrong key, field or token.
[[nodiscard]] Result<std::string> open_l3(const SecretBytes& master, std::string_view field,
                                          std::string_view token);

struct RedactionPolicy {
  std::map<std::string, Tier, std::less<>> tiers;  // parameter name -> tier; absent = L1
  std::vector<MaskRule> extra_masks;
  // actor and target encrypted, reason and message masked.
  static RedactionPolicy standard();
};

// Applies `policy` to the event's parameters (target, privilege, authn_method, actor, reason) and
// message ("message"). L3 needs `master`; `day` names the key (YYYY-MM-DD, UTC).
[[nodiscard]] Result<void> redact_event(AuditEvent& event, const RedactionPolicy& policy,
                                        const SecretBytes* master, std::string_view day);

}  // namespace axle::audit
