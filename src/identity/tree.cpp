#include "tree.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace axle::identity::detail {

namespace fs = std::filesystem;

fs::path below(const fs::path& root, std::string_view absolute) {
  while (!absolute.empty() && absolute.front() == '/') absolute.remove_prefix(1);
  return root / absolute;
}

Result<std::string> read_line(const fs::path& file) {
  std::ifstream in(file);
  if (!in) {
    int err = errno;
    if (err == EACCES || err == EPERM) {
      return make_error(ErrorCode::kPermissionDenied,
                        fmt::format("{} is not readable by this user (needs root)", file.string()));
    }
    return make_error(ErrorCode::kNotFound, fmt::format("{} does not exist", file.string()));
  }
  std::string line;
  std::getline(in, line);
  if (in.bad()) {
    return make_error(ErrorCode::kIo, fmt::format("reading {} failed", file.string()));
  }
  auto first = line.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return std::string();
  auto last = line.find_last_not_of(" \t\r\n");
  return line.substr(first, last - first + 1);
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0f];
  }
  return out;
}

void append_hex(std::string& out, std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const std::size_t at = out.size();
  out.resize(at + bytes.size() * 2);
  char* p = out.data() + at;
  for (std::uint8_t b : bytes) {
    *p++ = kDigits[b >> 4];
    *p++ = kDigits[b & 0x0f];
  }
}

namespace {
int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool from_hex_into(std::string_view hex, std::span<std::uint8_t> out) {
  if (hex.size() != out.size() * 2) return false;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(hex[2 * i]);
    const int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return true;
}

std::optional<std::vector<std::uint8_t>> from_hex(std::string_view hex, std::size_t size) {
  if (hex.size() % 2 != 0 || (size != 0 && hex.size() != size * 2)) return std::nullopt;
  std::vector<std::uint8_t> out(hex.size() / 2);
  if (!from_hex_into(hex, out)) return std::nullopt;
  return out;
}

}  // namespace axle::identity::detail
