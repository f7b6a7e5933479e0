// C2SP signed-note: Ed25519 signatures over a text, with key names and 4-byte key hashes.
#include <algorithm>
#include <array>
#include <string>

#include "axle/audit/checkpoint.hpp"
#include "axle/crypto/hash.hpp"
#include "base64.hpp"
#include "utf8.hpp"

namespace axle::audit {

namespace {

constexpr std::uint8_t kEd25519Type = 0x01;          // signed-note signature type for Ed25519
constexpr std::string_view kDash = "\xE2\x80\x94 ";  // U+2014 EM DASH, then a space
constexpr std::size_t kMaxSignatures = 100;

Error malformed(const std::string& why) {
  return make_error(ErrorCode::kInvalidArgument, "malformed signed note: " + why);
}

// Key names are non-empty UTF-8 without spaces or '+' (signed-note "Signatures").
bool is_key_name(std::string_view name) noexcept {
  if (name.empty() || !detail::is_valid_utf8(name)) return false;
  for (char c : name) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == '+' || c == 0x7F) return false;
  }
  return true;
}

// Note text: UTF-8, ends in a newline, no control characters but newline.
Result<void> check_text(std::string_view text) {
  if (text.empty() || text.back() != '\n') return malformed("text must end with a newline");
  if (!detail::is_valid_utf8(text)) return malformed("text is not UTF-8");
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n') {
      return malformed("text holds a control character");
    }
  }
  return ok();
}

Result<std::array<std::uint8_t, 4>> key_hash_of(std::string_view name,
                                                std::span<const std::uint8_t> raw_key) {
  std::string buf(name);
  buf += '\n';
  buf += static_cast<char>(kEd25519Type);
  buf.append(raw_key.begin(), raw_key.end());
  AXLE_TRY(auto digest,
           crypto::sha256({reinterpret_cast<const std::uint8_t*>(buf.data()), buf.size()}));
  return std::array<std::uint8_t, 4>{digest[0], digest[1], digest[2], digest[3]};
}

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : bytes) {
    out += kDigits[b >> 4U];
    out += kDigits[b & 15U];
  }
  return out;
}

struct SignatureLine {
  std::string name;
  std::vector<std::uint8_t> blob;  // key hash || signature
};

struct ParsedNote {
  std::string text;
  std::vector<SignatureLine> signatures;
};

Result<ParsedNote> parse_note(std::string_view note) {
  // The text ends at the last blank line; signature lines follow it.
  const std::size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) return malformed("no blank line before the signatures");
  ParsedNote out;
  out.text = std::string(note.substr(0, split + 1));
  AXLE_RETURN_IF_ERROR(check_text(out.text));
  std::string_view rest = note.substr(split + 2);
  if (rest.empty()) return malformed("no signature lines");
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) return malformed("signature line without a newline");
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    if (!line.starts_with(kDash)) return malformed("signature line must start with an em dash");
    line.remove_prefix(kDash.size());
    const std::size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return malformed("signature line lacks a space");
    SignatureLine sig;
    sig.name = std::string(line.substr(0, sp));
    if (!is_key_name(sig.name)) return malformed("bad key name in a signature line");
    auto blob = detail::base64_decode(line.substr(sp + 1));
    if (!blob || blob->size() < 5) return malformed("signature is not base64 of hash and bytes");
    sig.blob = std::move(*blob);
    out.signatures.push_back(std::move(sig));
    if (out.signatures.size() > kMaxSignatures) return malformed("more than 100 signatures");
  }
  return out;
}

std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

NoteVerifier::NoteVerifier(std::string name, std::array<std::uint8_t, 4> hash,
                           std::vector<std::uint8_t> raw)
    : name_(std::move(name)), hash_(hash), raw_key_(std::move(raw)) {}

Result<NoteVerifier> NoteVerifier::create(std::string_view key_name, const crypto::PublicKey& key) {
  if (!is_key_name(key_name)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "key name must be non-empty UTF-8 without spaces or '+'");
  }
  if (key.type() != crypto::KeyType::kEd25519) {
    return make_error(ErrorCode::kInvalidArgument, "signed notes need an Ed25519 key");
  }
  AXLE_TRY(auto raw, key.to_raw());
  AXLE_TRY(auto hash, key_hash_of(key_name, raw));
  return NoteVerifier(std::string(key_name), hash, std::move(raw));
}

Result<NoteVerifier> NoteVerifier::from_vkey(std::string_view vkey) {
  const std::size_t p1 = vkey.find('+');
  const std::size_t p2 = p1 == std::string_view::npos ? p1 : vkey.find('+', p1 + 1);
  auto bad = [] {
    return make_error(ErrorCode::kInvalidArgument,
                      "verifier key must be <name>+<8 hex digits>+<base64(0x01 || key)>");
  };
  if (p2 == std::string_view::npos) return bad();
  const std::string_view name = vkey.substr(0, p1);
  const std::string_view hash_hex = vkey.substr(p1 + 1, p2 - p1 - 1);
  auto blob = detail::base64_decode(vkey.substr(p2 + 1));
  if (!is_key_name(name) || hash_hex.size() != 8 || !blob || blob->size() != 33 ||
      (*blob)[0] != kEd25519Type) {
    return bad();
  }
  std::vector<std::uint8_t> raw(blob->begin() + 1, blob->end());
  AXLE_TRY(auto key, crypto::PublicKey::from_raw(crypto::KeyType::kEd25519, raw));
  AXLE_TRY(NoteVerifier v, create(name, key));
  if (hex(v.hash_) != hash_hex) {
    return make_error(ErrorCode::kInvalidArgument,
                      "verifier key hash does not match its name and key");
  }
  return v;
}

std::string NoteVerifier::vkey() const {
  std::vector<std::uint8_t> blob{kEd25519Type};
  blob.insert(blob.end(), raw_key_.begin(), raw_key_.end());
  return name_ + "+" + hex(hash_) + "+" + detail::base64_encode(blob);
}

Result<std::string> NoteVerifier::open(std::string_view signed_note) const {
  AXLE_TRY(ParsedNote note, parse_note(signed_note));
  AXLE_TRY(auto key, crypto::PublicKey::from_raw(crypto::KeyType::kEd25519, raw_key_));
  for (const SignatureLine& sig : note.signatures) {
    if (sig.name != name_ || !std::equal(hash_.begin(), hash_.end(), sig.blob.begin())) continue;
    // A known key whose signature fails rejects the note (signed-note "Verification").
    const std::span<const std::uint8_t> signature(sig.blob.data() + 4, sig.blob.size() - 4);
    auto verified = key.verify(as_bytes(note.text), signature);
    if (!verified) {
      return make_error(ErrorCode::kVerificationFailed,
                        "signature of key '" + name_ + "' on the note does not verify");
    }
    return note.text;
  }
  return make_error(ErrorCode::kVerificationFailed, "the note carries no signature of key '" +
                                                        name_ + "' (hash " + hex(hash_) + ")");
}

Result<std::string> sign_note(std::string_view text, std::string_view key_name,
                              const crypto::PrivateKey& key) {
  AXLE_RETURN_IF_ERROR(check_text(text));
  AXLE_TRY(auto pub, key.public_key());
  AXLE_TRY(NoteVerifier v, NoteVerifier::create(key_name, pub));
  AXLE_TRY(auto signature, key.sign(as_bytes(text)));
  std::vector<std::uint8_t> blob(v.key_hash().begin(), v.key_hash().end());
  blob.insert(blob.end(), signature.begin(), signature.end());
  std::string out(text);
  out += '\n';
  out += kDash;
  out += key_name;
  out += ' ';
  out += detail::base64_encode(blob);
  out += '\n';
  return out;
}

}  // namespace axle::audit
