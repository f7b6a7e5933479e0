// L2 masking and L3 per-day encryption of audit fields.
#include "axle/audit/redaction.hpp"

#include <regex>

#include "axle/crypto/aead.hpp"
#include "axle/crypto/mac.hpp"
#include "base64.hpp"

namespace axle::audit {

namespace {

constexpr std::string_view kTokenPrefix = "l3:v1:";

std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

bool is_day(std::string_view day) {
  // YYYY-MM-DD; the calendar check of RFC 5424 timestamps applies.
  return day.size() == 10 && validate_timestamp(std::string(day) + "T00:00:00Z").ok();
}

// Phone numbers: a '+' or digit, then at least 7 digits in total with spaces, dashes or
// parentheses between; every digit but the last two becomes '*'.
std::string mask_phones(const std::string& text) {
  static const std::regex kPhone(R"(\+?\d[\d \-()]{5,}\d)");
  std::string out;
  std::size_t last = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kPhone);
       it != std::sregex_iterator(); ++it) {
    std::string match = it->str();
    std::size_t digits = 0;
    for (char c : match) digits += (c >= '0' && c <= '9') ? 1 : 0;
    if (digits < 7) continue;
    out.append(text, last, static_cast<std::size_t>(it->position()) - last);
    std::size_t seen = 0;
    for (char& c : match) {
      if (c >= '0' && c <= '9' && ++seen <= digits - 2) c = '*';
    }
    out += match;
    last = static_cast<std::size_t>(it->position() + it->length());
  }
  out.append(text, last);
  return out;
}

std::string aad_of(std::string_view field, std::string_view key_id) {
  return "axle/audit/l3@v1\n" + std::string(field) + "\n" + std::string(key_id);
}

}  // namespace

Result<std::string> mask_l2(std::string_view text, const std::vector<MaskRule>& extra) {
  static const std::regex kEmail(
      R"(([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+))");
  static const std::regex kIpv4(R"(\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}\b)");
  static const std::regex kIpv6(
      R"(\b([0-9A-Fa-f]{1,4}):([0-9A-Fa-f]{1,4}):[0-9A-Fa-f:]*[0-9A-Fa-f:]\b)");
  std::string s(text);
  // Configured rules first: they are more specific than the built-in ones.
  for (const MaskRule& rule : extra) {
    try {
      s = std::regex_replace(s, std::regex(rule.pattern), rule.replacement);
    } catch (const std::regex_error&) {
      return make_error(ErrorCode::kInvalidArgument,
                        "mask pattern '" + rule.pattern + "' is not a valid regular expression");
    }
  }
  s = std::regex_replace(s, kEmail, "$1***@$2");
  s = std::regex_replace(s, kIpv4, "$1.$2.$3.*");
  s = std::regex_replace(s, kIpv6, "$1:$2:*");
  s = mask_phones(s);
  return s;
}

Result<SecretBytes> l3_day_key(const SecretBytes& master, std::string_view day) {
  if (master.size() < 32) {
    return make_error(ErrorCode::kInvalidArgument, "the L3 master key must be at least 32 bytes");
  }
  if (!is_day(day)) {
    return make_error(ErrorCode::kInvalidArgument, "day must be YYYY-MM-DD");
  }
  const std::string info = "axle/audit/l3-day@v1:" + std::string(day);
  return crypto::hkdf_sha256(as_bytes("axle/audit/l3"), master.view(), as_bytes(info), 32);
}

Result<std::string> seal_l3(const SecretBytes& master, std::string_view day, std::string_view field,
                            std::string_view plaintext) {
  AXLE_TRY(SecretBytes key, l3_day_key(master, day));
  const std::string key_id = "d" + std::string(day);
  const std::string aad = aad_of(field, key_id);
  AXLE_TRY(auto sealed,
           crypto::aes256_gcm_seal_random_nonce(key.view(), as_bytes(aad), as_bytes(plaintext)));
  return std::string(kTokenPrefix) + key_id + ":" + detail::base64_encode(sealed);
}

bool is_l3_token(std::string_view value) noexcept { return value.starts_with(kTokenPrefix); }

Result<std::string> open_l3(const SecretBytes& master, std::string_view field,
                            std::string_view token) {
  auto bad = [] {
    return make_error(ErrorCode::kInvalidArgument, "not an L3 token (l3:v1:d<day>:<base64>)");
  };
  if (!is_l3_token(token)) return bad();
  token.remove_prefix(kTokenPrefix.size());
  const std::size_t colon = token.find(':');
  if (colon != 11 || token[0] != 'd') return bad();
  const std::string_view key_id = token.substr(0, colon);
  auto sealed = detail::base64_decode(token.substr(colon + 1));
  if (!sealed) return bad();
  AXLE_TRY(SecretBytes key, l3_day_key(master, key_id.substr(1)));
  const std::string aad = aad_of(field, key_id);
  AXLE_TRY(auto plain, crypto::aes256_gcm_open_random_nonce(key.view(), as_bytes(aad), *sealed));
  return std::string(plain.begin(), plain.end());
}

RedactionPolicy RedactionPolicy::standard() {
  RedactionPolicy p;
  p.tiers = {
      {"actor", Tier::kL3}, {"target", Tier::kL3}, {"reason", Tier::kL2}, {"message", Tier::kL2}};
  return p;
}

Result<void> redact_event(AuditEvent& event, const RedactionPolicy& policy,
                          const SecretBytes* master, std::string_view day) {
  std::pair<std::string_view, std::string*> fields[] = {{"target", &event.target},
                                                        {"privilege", &event.privilege},
                                                        {"authn_method", &event.authn_method},
                                                        {"actor", &event.actor},
                                                        {"reason", &event.reason},
                                                        {"message", &event.message}};
  for (auto& [name, value] : fields) {
    const auto it = policy.tiers.find(name);
    if (it == policy.tiers.end() || it->second == Tier::kL1 || value->empty()) continue;
    if (it->second == Tier::kL2) {
      AXLE_TRY(*value, mask_l2(*value, policy.extra_masks));
    } else {
      if (master == nullptr) {
        return make_error(ErrorCode::kFailedPrecondition,
                          "field " + std::string(name) + " is L3 but no master key was given");
      }
      AXLE_TRY(*value, seal_l3(*master, day, name, *value));
    }
  }
  return ok();
}

}  // namespace axle::audit
