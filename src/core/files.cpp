#include "axle/core/files.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "axle/core/clock.hpp"

namespace axle {

namespace fs = std::filesystem;

namespace {

// Distinguishes temporary files of concurrent writers in one process.
std::uint64_t unique_suffix() {
  static std::atomic<std::uint64_t> counter{0};
  return (static_cast<std::uint64_t>(monotonic_ns()) << 16) ^ counter.fetch_add(1);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

Error io_error(std::string_view what, const fs::path& path, int err) {
  ErrorCode code = (err == EACCES || err == EPERM) ? ErrorCode::kPermissionDenied
                   : (err == ENOENT)               ? ErrorCode::kNotFound
                                                   : ErrorCode::kIo;
  return make_error(code, fmt::format("cannot {} {}: {}", what, path.string(), std::strerror(err)));
}

Result<void> write_all(int fd, const std::uint8_t* data, std::size_t size, const fs::path& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("write", path, errno);
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return ok();
}

Result<void> fsync_dir(const fs::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return io_error("open directory", dir, errno);
  if (::fsync(fd.get()) != 0) return io_error("fsync directory", dir, errno);
  return ok();
}

}  // namespace

Result<void> write_file_atomic(const fs::path& path, std::span<const std::uint8_t> data,
                               mode_t mode) {
  fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  // A unique temporary name in the same directory, so that rename() is atomic.
  fs::path tmp =
      dir / fmt::format(".{}.tmp.{}.{}", path.filename().string(), ::getpid(), unique_suffix());
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) return io_error("create", tmp, errno);
  auto cleanup_on_error = [&](Error e) {
    ::unlink(tmp.c_str());
    return e;
  };
  // The umask may have narrowed the mode; set exactly what was asked.
  if (::fchmod(fd.get(), mode) != 0) return cleanup_on_error(io_error("chmod", tmp, errno));
  if (auto r = write_all(fd.get(), data.data(), data.size(), tmp); !r) {
    return cleanup_on_error(std::move(r).error());
  }
  if (::fsync(fd.get()) != 0) return cleanup_on_error(io_error("fsync", tmp, errno));
  if (::close(fd.release()) != 0) return cleanup_on_error(io_error("close", tmp, errno));
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return cleanup_on_error(io_error("rename into", path, errno));
  }
  return fsync_dir(dir);
}

Result<void> write_file_atomic(const fs::path& path, std::string_view data, mode_t mode) {
  return write_file_atomic(
      path, std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()), mode);
}

Result<std::string> read_file(const fs::path& path, std::size_t max_bytes) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return io_error("open", path, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return io_error("stat", path, errno);
  if (S_ISDIR(st.st_mode)) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("{} is a directory; give a file", path.string()));
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("read", path, errno);
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
      return make_error(
          ErrorCode::kInvalidArgument,
          fmt::format("{} is larger than the {} byte limit", path.string(), max_bytes));
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

Result<void> ensure_private_dir(const fs::path& dir, mode_t mode) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    // Parents get the default permissions; only the final directory must be private.
    fs::create_directories(dir.parent_path(), ec);
    if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) {
      return io_error("create directory", dir, errno);
    }
    if (::chmod(dir.c_str(), mode) != 0) return io_error("chmod", dir, errno);
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return io_error("stat", dir, errno);
  if (!S_ISDIR(st.st_mode)) {
    return make_error(ErrorCode::kFailedPrecondition,
                      fmt::format("{} exists and is not a directory; remove it or choose another "
                                  "--state-dir",
                                  dir.string()));
  }
  if (st.st_uid != ::geteuid()) {
    return make_error(ErrorCode::kPermissionDenied,
                      fmt::format("{} is owned by uid {}, not by this user (uid {}); use a "
                                  "directory of your own with --state-dir",
                                  dir.string(), st.st_uid, ::geteuid()));
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return make_error(ErrorCode::kPermissionDenied,
                      fmt::format("{} is writable by other users (mode {:o}); run `chmod 700 {}`",
                                  dir.string(), st.st_mode & 07777, dir.string()));
  }
  return ok();
}

}  // namespace axle
