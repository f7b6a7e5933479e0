#include "fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace axle::audit::detail {

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

Error io_error(const std::string& what, const std::filesystem::path& path, int err) {
  return make_error(err == EACCES || err == EPERM ? ErrorCode::kPermissionDenied : ErrorCode::kIo,
                    what + " " + path.string() + ": " + std::strerror(err));
}

Result<Fd> open_file(const std::filesystem::path& path, int flags, int mode) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == ENOENT) {
      return make_error(ErrorCode::kNotFound, "no such file " + path.string());
    }
    return io_error("cannot open", path, errno);
  }
  return Fd(fd);
}

Result<void> pwrite_all(const Fd& fd, std::span<const std::uint8_t> data, std::uint64_t offset,
                        const std::filesystem::path& path) {
  while (!data.empty()) {
    const ssize_t n = ::pwrite(fd.get(), data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write", path, errno);
    }
    data = data.subspan(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
  return ok();
}

Result<void> pread_all(const Fd& fd, std::span<std::uint8_t> data, std::uint64_t offset,
                       const std::filesystem::path& path) {
  while (!data.empty()) {
    const ssize_t n = ::pread(fd.get(), data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot read", path, errno);
    }
    if (n == 0) {
      return make_error(ErrorCode::kCorrupt,
                        path.string() + " is shorter than expected; run 'axle audit verify'");
    }
    data = data.subspan(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
  return ok();
}

Result<std::uint64_t> file_size(const Fd& fd, const std::filesystem::path& path) {
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return io_error("cannot stat", path, errno);
  return static_cast<std::uint64_t>(st.st_size);
}

Result<void> truncate_file(const Fd& fd, std::uint64_t size, const std::filesystem::path& path) {
  if (::ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
    return io_error("cannot truncate", path, errno);
  }
  return ok();
}

Result<void> sync_data(const Fd& fd, const std::filesystem::path& path) {
  if (::fdatasync(fd.get()) != 0) return io_error("cannot fdatasync", path, errno);
  return ok();
}

Result<void> sync_dir(const std::filesystem::path& dir) {
  AXLE_TRY(Fd fd, open_file(dir, O_RDONLY | O_DIRECTORY));
  if (::fsync(fd.get()) != 0) return io_error("cannot fsync directory", dir, errno);
  return ok();
}

Result<std::vector<std::uint8_t>> read_whole(const Fd& fd, const std::filesystem::path& path) {
  std::vector<std::uint8_t> buf;
  AXLE_TRY(const auto got, read_whole_into(fd, path, buf));
  buf.resize(got.size());
  return buf;
}

Result<std::span<const std::uint8_t>> read_whole_into(const Fd& fd,
                                                      const std::filesystem::path& path,
                                                      std::vector<std::uint8_t>& buf) {
  AXLE_TRY(std::uint64_t size, file_size(fd, path));
  // Grown, never shrunk: a reused buffer is neither zeroed again nor faulted in again.
  if (buf.size() < size) buf.resize(static_cast<std::size_t>(size));
  // The file may shrink while it is read: a closed segment's preallocated zeros are trimmed in
  // the background (segment_prepare.cpp). What is read is what the file holds.
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = ::pread(fd.get(), buf.data() + got, static_cast<std::size_t>(size) - got,
                              static_cast<off_t>(got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot read", path, errno);
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  return std::span<const std::uint8_t>(buf.data(), got);
}

}  // namespace axle::audit::detail
