// C2SP tlog-checkpoint bodies, and their signing and verification as signed notes.
#include "axle/audit/checkpoint.hpp"

#include <algorithm>
#include <charconv>
#include <string>

#include "base64.hpp"

namespace axle::audit {

namespace {

Error malformed(const std::string& why) {
  return make_error(ErrorCode::kInvalidArgument, "malformed checkpoint: " + why);
}

bool is_line(std::string_view s) noexcept {
  return !s.empty() && s.find('\n') == std::string_view::npos;
}

}  // namespace

Result<std::string> format_checkpoint(const Checkpoint& c) {
  if (!is_line(c.origin)) return malformed("origin must be one non-empty line");
  std::string out =
      c.origin + "\n" + std::to_string(c.size) + "\n" + detail::base64_encode(c.root) + "\n";
  for (const std::string& ext : c.extensions) {
    if (!is_line(ext)) return malformed("extension lines must be non-empty single lines");
    out += ext + "\n";
  }
  return out;
}

Result<Checkpoint> parse_checkpoint(std::string_view text) {
  if (text.empty() || text.back() != '\n') return malformed("text must end with a newline");
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t nl = text.find('\n', start);
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  if (lines.size() < 3) return malformed("needs origin, size and root hash lines");
  Checkpoint c;
  if (lines[0].empty()) return malformed("empty origin");
  c.origin = std::string(lines[0]);
  // tlog-checkpoint: the size is ASCII decimal without leading zeros.
  const std::string_view size = lines[1];
  if (size.empty() || (size.size() > 1 && size[0] == '0') ||
      size.find_first_not_of("0123456789") != std::string_view::npos) {
    return malformed("tree size is not a decimal number without leading zeros");
  }
  const auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), c.size);
  if (ec != std::errc() || end != size.data() + size.size()) return malformed("tree size too big");
  auto root = detail::base64_decode(lines[2]);
  if (!root || root->size() != c.root.size())
    return malformed("root hash is not base64 of 32 bytes");
  std::copy(root->begin(), root->end(), c.root.begin());
  for (std::size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return malformed("empty extension line");
    c.extensions.emplace_back(lines[i]);
  }
  return c;
}

Result<std::string> sign_checkpoint(const Checkpoint& checkpoint, std::string_view key_name,
                                    const crypto::PrivateKey& key) {
  AXLE_TRY(std::string text, format_checkpoint(checkpoint));
  return sign_note(text, key_name, key);
}

Result<Checkpoint> verify_checkpoint(std::string_view signed_note, const NoteVerifier& verifier,
                                     std::string_view expected_origin) {
  AXLE_TRY(std::string text, verifier.open(signed_note));
  AXLE_TRY(Checkpoint c, parse_checkpoint(text));
  if (!expected_origin.empty() && c.origin != expected_origin) {
    return make_error(ErrorCode::kVerificationFailed, "checkpoint origin '" + c.origin +
                                                          "' is not the expected '" +
                                                          std::string(expected_origin) + "'");
  }
  return c;
}

}  // namespace axle::audit
