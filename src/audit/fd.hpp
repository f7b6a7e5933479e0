// A file descriptor owned by RAII, and the few POSIX calls the log needs with Result errors.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "axle/core/result.hpp"

namespace axle::audit::detail {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) noexcept : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();

  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
  int release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

[[nodiscard]] Result<Fd> open_file(const std::filesystem::path& path, int flags, int mode = 0600);
[[nodiscard]] Result<void> pwrite_all(const Fd& fd, std::span<const std::uint8_t> data,
                                      std::uint64_t offset, const std::filesystem::path& path);
[[nodiscard]] Result<void> pread_all(const Fd& fd, std::span<std::uint8_t> data,
                                     std::uint64_t offset, const std::filesystem::path& path);
[[nodiscard]] Result<std::uint64_t> file_size(const Fd& fd, const std::filesystem::path& path);
[[nodiscard]] Result<void> truncate_file(const Fd& fd, std::uint64_t size,
                                         const std::filesystem::path& path);
[[nodiscard]] Result<void> sync_data(const Fd& fd, const std::filesystem::path& path);
[[nodiscard]] Result<void> sync_dir(const std::filesystem::path& dir);
[[nodiscard]] Result<std::vector<std::uint8_t>> read_whole(const Fd& fd,
                                                           const std::filesystem::path& path);
// The same into `buf`, reused across files (grown as needed); the result views `buf`.
[[nodiscard]] Result<std::span<const std::uint8_t>> read_whole_into(
    const Fd& fd, const std::filesystem::path& path, std::vector<std::uint8_t>& buf);

[[nodiscard]] Error io_error(const std::string& what, const std::filesystem::path& path, int err);

}  // namespace axle::audit::detail
