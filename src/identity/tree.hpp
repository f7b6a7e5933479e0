// Reading files below a root directory (a real "/" or a fixed sysfs/procfs tree in tests).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "axle/core/result.hpp"
#include "axle/identity/source.hpp"

namespace axle::identity::detail {

// <root>/<absolute>: "/sys/class/net" below "/tmp/tree" is "/tmp/tree/sys/class/net".
std::filesystem::path below(const std::filesystem::path& root, std::string_view absolute);

// The first line of a small file, trimmed of surrounding whitespace. kNotFound when absent,
// kPermissionDenied when unreadable (e.g. DMI serials need root); the message names the path
// only, never the content.
Result<std::string> read_line(const std::filesystem::path& file);

// A Reading of an identifier source whose display form is its value.
inline Reading identifier_reading(std::string value, std::vector<std::string> notes = {}) {
  Reading r;
  r.display = value;
  r.value = std::move(value);
  r.notes = std::move(notes);
  return r;
}

// Lower-case hex of bytes.
std::string to_hex(std::string_view bytes);
void append_hex(std::string& out, std::span<const std::uint8_t> bytes);

// Lower-case or upper-case hex to bytes; nullopt when malformed or not `size` bytes (any size
// when size is 0).
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view hex, std::size_t size = 0);
// The same into a fixed-size buffer: false unless `hex` is exactly out.size() bytes of hex.
bool from_hex_into(std::string_view hex, std::span<std::uint8_t> out);

}  // namespace axle::identity::detail
