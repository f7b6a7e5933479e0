// The audit log's place in the state directory: log files, signing key, origin, checkpoint.
#include "axle/audit/store.hpp"

#include <unistd.h>

#include <array>

#include "axle/core/files.hpp"

namespace axle::audit {

namespace {

constexpr std::string_view kKeyFile = "audit/log_key.pem";
constexpr std::string_view kOriginFile = "audit/origin";
constexpr std::string_view kCheckpointFile = "audit/checkpoint";

std::string default_origin() {
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0 || host[0] == '\0') return "axle/audit";
  return std::string("axle/audit/") + host.data();
}

}  // namespace

AuditStore::AuditStore(StateDir state, std::filesystem::path log_dir, std::string origin,
                       crypto::PrivateKey key, NoteVerifier verifier)
    : state_(std::move(state)),
      log_dir_(std::move(log_dir)),
      origin_(std::move(origin)),
      key_(std::move(key)),
      verifier_(std::move(verifier)) {}

Result<AuditStore> AuditStore::open(const StateDir& state, const std::string& origin) {
  AXLE_TRY(auto audit_dir, state.file("audit"));
  AXLE_RETURN_IF_ERROR(ensure_private_dir(audit_dir));
  std::string name;
  if (state.exists(kOriginFile)) {
    AXLE_TRY(name, state.read(kOriginFile));
    while (!name.empty() && name.back() == '\n') name.pop_back();
    if (!origin.empty() && origin != name) {
      return make_error(ErrorCode::kInvalidArgument,
                        "this audit log's origin is '" + name + "', not '" + origin + "'");
    }
  } else {
    name = origin.empty() ? default_origin() : origin;
    // The origin is also the signed-note key name; validated by NoteVerifier below.
  }
  std::optional<crypto::PrivateKey> key;
  if (state.exists(kKeyFile)) {
    AXLE_TRY(std::string pem, state.read(kKeyFile));
    AXLE_TRY(key, crypto::PrivateKey::from_pem(pem));
    if (key->type() != crypto::KeyType::kEd25519) {
      return make_error(ErrorCode::kCorrupt, "the audit log key is not Ed25519");
    }
  } else {
    AXLE_TRY(key, crypto::PrivateKey::generate(crypto::KeyType::kEd25519));
    AXLE_TRY(SecretBytes pem, key->to_pem());
    const std::string_view text(reinterpret_cast<const char*>(pem.view().data()), pem.size());
    AXLE_RETURN_IF_ERROR(state.write(kKeyFile, text, 0600));
  }
  AXLE_TRY(auto pub, key->public_key());
  AXLE_TRY(NoteVerifier verifier, NoteVerifier::create(name, pub));
  if (!state.exists(kOriginFile)) AXLE_RETURN_IF_ERROR(state.write(kOriginFile, name + "\n", 0644));
  AXLE_TRY(auto log_dir, state.file("audit/log"));
  return AuditStore(state, log_dir, name, std::move(*key), std::move(verifier));
}

Result<std::string> AuditStore::write_checkpoint(const AuditLog& log) const {
  Checkpoint c;
  c.origin = origin_;
  c.size = log.size();
  AXLE_TRY(c.root, log.root(c.size));
  AXLE_TRY(std::string note, sign_checkpoint(c, origin_, key_));
  AXLE_RETURN_IF_ERROR(state_.write(kCheckpointFile, note, 0644));
  return note;
}

Result<std::string> AuditStore::sign(std::string_view note_text) const {
  return sign_note(note_text, origin_, key_);
}

Result<std::optional<std::string>> AuditStore::latest_checkpoint() const {
  if (!state_.exists(kCheckpointFile)) return std::optional<std::string>();
  AXLE_TRY(std::string note, state_.read(kCheckpointFile));
  return std::optional<std::string>(std::move(note));
}

}  // namespace axle::audit
