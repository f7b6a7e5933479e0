// Facts fixed when axle was built, shown by `axle version`.
#pragma once

#include <string_view>

namespace axle {

struct BuildInfo {
  std::string_view version;     // "0.1.0"
  std::string_view git_commit;  // short hash, or "unknown" outside a git checkout
  std::string_view build_type;  // CMake build type: Release, Debug, ...
  std::string_view compiler;    // e.g. "GNU 12.2.0"
  std::string_view sanitizers;  // "" or "address,undefined" / "thread"
};

const BuildInfo& build_info() noexcept;

}  // namespace axle
