#include "axle/core/state_dir.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>

#include "axle/core/files.hpp"

namespace axle {

namespace fs = std::filesystem;

fs::path default_state_dir() {
  if (::geteuid() == 0) return "/var/lib/axle";
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg != nullptr && xdg[0] == '/') {
    return fs::path(xdg) / "axle";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0') {
    return fs::path(home) / ".local/state/axle";
  }
  return fs::temp_directory_path() / fmt::format("axle-{}", ::geteuid());
}

Result<StateDir> StateDir::open(const fs::path& dir) {
  if (dir.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the state directory path is empty; give one "
                      "with --state-dir or state_dir in the config");
  }
  fs::path absolute = dir.is_absolute() ? dir : fs::absolute(dir);
  AXLE_RETURN_IF_ERROR(ensure_private_dir(absolute));
  return StateDir(absolute.lexically_normal());
}

Result<fs::path> StateDir::file(std::string_view name) const {
  fs::path rel(name);
  bool escapes = rel.empty() || rel.is_absolute();
  for (const auto& part : rel) escapes = escapes || part == "..";
  if (escapes) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("'{}' is not a relative path inside the state directory", name));
  }
  return dir_ / rel;
}

Result<void> StateDir::write(std::string_view name, std::string_view data, mode_t mode) const {
  AXLE_TRY(fs::path p, file(name));
  if (p.has_parent_path() && p.parent_path() != dir_) {
    AXLE_RETURN_IF_ERROR(ensure_private_dir(p.parent_path()));
  }
  return write_file_atomic(p, data, mode);
}

Result<std::string> StateDir::read(std::string_view name) const {
  AXLE_TRY(fs::path p, file(name));
  return read_file(p);
}

bool StateDir::exists(std::string_view name) const {
  auto p = file(name);
  std::error_code ec;
  return p.ok() && fs::exists(*p, ec);
}

}  // namespace axle
