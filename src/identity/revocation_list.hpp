// The verifier's revocation list (private to axle::identity): one EDID or hex Ed25519 public key
// per line ('#' starts a comment), case-insensitive. Parsed once and parsed again only when the
// file changes (inode, size or modification time), so a relying party pays a stat per document.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <unordered_set>

#include "axle/core/result.hpp"
#include "axle/identity/document.hpp"

namespace axle::identity::detail {

class RevocationList {
 public:
  // An empty path: nothing is revoked. A missing file: nothing is revoked (yet).
  explicit RevocationList(std::filesystem::path path) : path_(std::move(path)) {}
  [[nodiscard]] Result<bool> contains(const IdentityDocument& doc);

 private:
  Result<void> refresh();

  std::filesystem::path path_;
  std::unordered_set<std::string> entries_;
  bool loaded_ = false;
  ino_t ino_ = 0;
  off_t size_ = 0;
  timespec mtime_{};
};

}  // namespace axle::identity::detail
