// File helpers with the guarantees axle's state needs: atomic replacement (a reader sees the old
// or the new content, never a mix, also after a crash) and explicit permissions.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "axle/core/result.hpp"

namespace axle {

// Writes `data` to a temporary file beside `path` with `mode`, fsyncs it, renames it over `path`
// and fsyncs the directory. The permissions hold from the first byte written.
[[nodiscard]] Result<void> write_file_atomic(const std::filesystem::path& path,
                                             std::span<const std::uint8_t> data,
                                             mode_t mode = 0600);
[[nodiscard]] Result<void> write_file_atomic(const std::filesystem::path& path,
                                             std::string_view data, mode_t mode = 0600);

// Reads a whole file; refuses files larger than max_bytes (kInvalidArgument).
[[nodiscard]] Result<std::string> read_file(const std::filesystem::path& path,
                                            std::size_t max_bytes = 64u << 20);

// Creates `dir` (and parents) if needed, and makes sure it is a directory owned by this user that
// no other user can write; a new directory gets `mode`.
[[nodiscard]] Result<void> ensure_private_dir(const std::filesystem::path& dir, mode_t mode = 0700);

}  // namespace axle
