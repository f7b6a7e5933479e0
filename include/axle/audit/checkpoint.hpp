// Log checkpoints in the C2SP tlog-checkpoint text format, signed as C2SP signed notes with the
// log's Ed25519 key.
//
//   <origin>\n<tree size, decimal>\n<base64 root hash>\n[<extension line>\n...]
//   \n
//   — <key name> <base64(4-byte key hash || 64-byte Ed25519 signature)>\n
//
// The key hash is SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4] (signed-note,
// Ed25519 signature type 0x01). A verifier key ("vkey") is
// <key name>+<8 hex digits of the key hash>+<base64(0x01 || public key)>.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "axle/audit/merkle_hash.hpp"
#include "axle/core/result.hpp"
#include "axle/crypto/keys.hpp"

namespace axle::audit {

struct Checkpoint {
  std::string origin;  // unique name of the log, e.g. "example.com/audit/gw-1"
  std::uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;  // optional extra lines, each non-empty
};

// The checkpoint's note text (ends with a newline); kInvalidArgument on an empty or multi-line
// origin or extension.
[[nodiscard]] Result<std::string> format_checkpoint(const Checkpoint& checkpoint);
[[nodiscard]] Result<Checkpoint> parse_checkpoint(std::string_view note_text);

// The Ed25519 verifier of one signed-note key.
class NoteVerifier {
 public:
  // From a key name and an Ed25519 public key.
  [[nodiscard]] static Result<NoteVerifier> create(std::string_view key_name,
                                                   const crypto::PublicKey& key);
  // From "<name>+<hex key hash>+<base64(0x01 || key)>"; checks the hash matches.
  [[nodiscard]] static Result<NoteVerifier> from_vkey(std::string_view vkey);

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const std::array<std::uint8_t, 4>& key_hash() const noexcept { return hash_; }
  [[nodiscard]] std::string vkey() const;

  // The note's text when a signature line of this key verifies; kVerificationFailed when no line
  // has this key's name and hash, or its signature is wrong; kInvalidArgument on a malformed note.
  [[nodiscard]] Result<std::string> open(std::string_view signed_note) const;

 private:
  NoteVerifier(std::string name, std::array<std::uint8_t, 4> hash, std::vector<std::uint8_t> raw);
  std::string name_;
  std::array<std::uint8_t, 4> hash_{};
  std::vector<std::uint8_t> raw_key_;
};

// Signs `text` (a note text ending in a newline) with an Ed25519 key under `key_name`; returns the
// whole signed note.
[[nodiscard]] Result<std::string> sign_note(std::string_view text, std::string_view key_name,
                                            const crypto::PrivateKey& key);

[[nodiscard]] Result<std::string> sign_checkpoint(const Checkpoint& checkpoint,
                                                  std::string_view key_name,
                                                  const crypto::PrivateKey& key);

// Opens a signed checkpoint with `verifier` and parses it; kVerificationFailed also when the
// origin is not `expected_origin` (unless that is empty).
[[nodiscard]] Result<Checkpoint> verify_checkpoint(std::string_view signed_note,
                                                   const NoteVerifier& verifier,
                                                   std::string_view expected_origin = {});

}  // namespace axle::audit
