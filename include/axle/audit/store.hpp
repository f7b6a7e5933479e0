// Where a device keeps its audit log inside the axle state directory, with the log's signing key
// and its latest checkpoint:
//
//   <state>/audit/log/         segments and tree hashes (see log.hpp)
//   <state>/audit/log_key.pem  Ed25519 private key of the log (0600), made on first use
//   <state>/audit/origin       the log's origin line and key name, fixed on first use
//   <state>/audit/checkpoint   the latest signed checkpoint
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "axle/audit/checkpoint.hpp"
#include "axle/audit/log.hpp"
#include "axle/core/result.hpp"
#include "axle/core/state_dir.hpp"
#include "axle/crypto/keys.hpp"

namespace axle::audit {

class AuditStore {
 public:
  // Creates the key and origin on first use; `origin` (if given) names a new log and must match
  // an existing one.
  [[nodiscard]] static Result<AuditStore> open(const StateDir& state,
                                               const std::string& origin = {});

  [[nodiscard]] const std::filesystem::path& log_dir() const noexcept { return log_dir_; }
  [[nodiscard]] const std::string& origin() const noexcept { return origin_; }
  [[nodiscard]] const NoteVerifier& verifier() const noexcept { return verifier_; }

  // Signs a checkpoint of the log's current size and saves it as the latest checkpoint.
  [[nodiscard]] Result<std::string> write_checkpoint(const AuditLog& log) const;
  // Signs a note text (ending in a newline) with the log's key, under the origin as key name
  // (archive manifests).
  [[nodiscard]] Result<std::string> sign(std::string_view note_text) const;
  // The latest saved checkpoint, if any.
  [[nodiscard]] Result<std::optional<std::string>> latest_checkpoint() const;

 private:
  AuditStore(StateDir state, std::filesystem::path log_dir, std::string origin,
             crypto::PrivateKey key, NoteVerifier verifier);
  StateDir state_;
  std::filesystem::path log_dir_;
  std::string origin_;
  crypto::PrivateKey key_;
  NoteVerifier verifier_;
};

}  // namespace axle::audit
