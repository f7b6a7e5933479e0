// The state directory: where axle keeps keys, identities, logs and databases of one device.
//
// Default: /var/lib/axle when running as root, else $XDG_STATE_HOME/axle (~/.local/state/axle).
// The directory is private (0700, owned by the user); files are written atomically with 0600.
#pragma once

#include <filesystem>
#include <string_view>

#include "axle/core/result.hpp"

namespace axle {

// The default location, before any configuration.
std::filesystem::path default_state_dir();

class StateDir {
 public:
  // Creates the directory if needed and checks that it is private; errors say how to fix it.
  static Result<StateDir> open(const std::filesystem::path& dir);

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return dir_; }
  // `name` is relative to the state dir and may not escape it ("..", absolute paths).
  [[nodiscard]] Result<std::filesystem::path> file(std::string_view name) const;
  [[nodiscard]] Result<void> write(std::string_view name, std::string_view data,
                                   mode_t mode = 0600) const;
  [[nodiscard]] Result<std::string> read(std::string_view name) const;
  [[nodiscard]] bool exists(std::string_view name) const;

 private:
  explicit StateDir(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
};

}  // namespace axle
