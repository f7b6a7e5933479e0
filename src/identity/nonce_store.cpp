#include "nonce_store.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>
#include <unordered_map>

#include "axle/core/files.hpp"
#include "tree.hpp"

namespace axle::identity::detail {

namespace {

struct NonceHash {
  std::size_t operator()(const Nonce& n) const noexcept {
    // Nonces are uniform CSPRNG output from honest devices; a forger gains nothing from
    // collisions (lookups still compare the whole nonce), so eight bytes are a fine hash.
    std::size_t h = 0;
    std::memcpy(&h, n.data(), sizeof h);
    return h;
  }
};

// Live entries, with expired ones swept now and then.
class Entries {
 public:
  bool seen(const Nonce& n, std::int64_t now_ms) const {
    auto it = map_.find(n);
    return it != map_.end() && it->second > now_ms;
  }
  void put(const Nonce& n, std::int64_t expiry_ms, std::int64_t now_ms) {
    if (expiry_ms <= now_ms) return;
    auto [it, inserted] = map_.try_emplace(n, expiry_ms);
    if (!inserted && it->second < expiry_ms) it->second = expiry_ms;
    if (++puts_since_sweep_ >= kSweepEvery) sweep(now_ms);
  }
  void sweep(std::int64_t now_ms) {
    puts_since_sweep_ = 0;
    std::erase_if(map_, [now_ms](const auto& e) { return e.second <= now_ms; });
  }
  void clear() { map_.clear(); }
  [[nodiscard]] std::size_t size() const { return map_.size(); }
  template <typename F>
  void for_each(F f) const {
    for (const auto& [n, e] : map_) f(n, e);
  }

 private:
  static constexpr int kSweepEvery = 4096;
  std::unordered_map<Nonce, std::int64_t, NonceHash> map_;
  int puts_since_sweep_ = 0;
};

class MemoryStore final : public NonceStore {
 public:
  Result<bool> check_and_record(const Nonce& nonce, std::int64_t expiry_ms,
                                std::int64_t now_ms) override {
    if (entries_.seen(nonce, now_ms)) return false;
    entries_.put(nonce, expiry_ms, now_ms);
    return true;
  }

 private:
  Entries entries_;
};

std::string line_of(const Nonce& n, std::int64_t expiry_ms) {
  std::string line;
  append_hex(line, n);
  line += ' ';
  line += std::to_string(expiry_ms);
  line += '\n';
  return line;
}

class FileStore final : public NonceStore {
 public:
  FileStore(std::filesystem::path path, bool sync) : path_(std::move(path)), sync_(sync) {}
  ~FileStore() override { close_fd(); }
  FileStore(const FileStore&) = delete;
  FileStore& operator=(const FileStore&) = delete;

  Result<bool> check_and_record(const Nonce& nonce, std::int64_t expiry_ms,
                                std::int64_t now_ms) override {
    AXLE_RETURN_IF_ERROR(lock_current());
    struct Unlock {
      int fd;
      ~Unlock() { ::flock(fd, LOCK_UN); }
    } unlock{fd_};
    AXLE_RETURN_IF_ERROR(catch_up(now_ms));
    if (entries_.seen(nonce, now_ms)) return false;
    const std::string line = line_of(nonce, expiry_ms);
    if (::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      return io_error("append to");
    }
    if (sync_ && ::fdatasync(fd_) != 0) return io_error("flush");
    offset_ += static_cast<off_t>(line.size());
    ++lines_;
    entries_.put(nonce, expiry_ms, now_ms);
    if (lines_ > 1024 && lines_ > 2 * entries_.size()) AXLE_RETURN_IF_ERROR(compact(now_ms));
    return true;
  }

 private:
  Error io_error(std::string_view what) const {
    return make_error(ErrorCode::kIo, fmt::format("cannot {} the nonce cache {}: {}", what,
                                                  path_.string(), std::strerror(errno)));
  }
  Error corrupt() const {
    return make_error(ErrorCode::kCorrupt,
                      fmt::format("the nonce cache {} is malformed; a replay check is not "
                                  "possible until it is repaired",
                                  path_.string()));
  }
  void close_fd() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // Holds the lock on the file that is at path_ now (a compaction elsewhere may have replaced
  // it between our open and our lock: then reopen and start over).
  Result<void> lock_current() {
    for (int attempt = 0; attempt < 16; ++attempt) {
      if (fd_ < 0) {
        fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd_ < 0) return io_error("open");
        ino_ = 0;
      }
      if (::flock(fd_, LOCK_EX) != 0) return io_error("lock");
      struct stat at_path {};
      struct stat held {};
      if (::fstat(fd_, &held) != 0) {
        ::flock(fd_, LOCK_UN);
        return io_error("stat");
      }
      if (::stat(path_.c_str(), &at_path) == 0 && at_path.st_ino == held.st_ino &&
          at_path.st_dev == held.st_dev) {
        if (ino_ != held.st_ino) {  // a different file than the one loaded: load it afresh
          ino_ = held.st_ino;
          offset_ = 0;
          lines_ = 0;
          entries_.clear();
        }
        size_ = held.st_size;
        return ok();
      }
      ::flock(fd_, LOCK_UN);
      close_fd();
    }
    return make_error(ErrorCode::kIo,
                      fmt::format("the nonce cache {} keeps being replaced", path_.string()));
  }

  // Reads what other verifiers appended since our last look.
  Result<void> catch_up(std::int64_t now_ms) {
    if (size_ < offset_) {  // truncated by someone: reload from the start
      offset_ = 0;
      lines_ = 0;
      entries_.clear();
    }
    if (size_ == offset_) return ok();
    std::string text(static_cast<std::size_t>(size_ - offset_), '\0');
    const ssize_t n = ::pread(fd_, text.data(), text.size(), offset_);
    if (n != static_cast<ssize_t>(text.size())) return io_error("read");
    std::size_t pos = 0;
    while (pos < text.size()) {
      const std::size_t end = text.find('\n', pos);
      if (end == std::string::npos) {
        // A line without its newline: a writer died mid-append (writers hold the lock while
        // they write, and we hold it now). Cut the debris so the next line starts clean.
        if (::ftruncate(fd_, offset_ + static_cast<off_t>(pos)) != 0) return io_error("repair");
        break;
      }
      const std::string_view line(text.data() + pos, end - pos);
      pos = end + 1;
      if (line.empty()) continue;
      const std::size_t space = line.find(' ');
      Nonce nonce{};
      std::int64_t expiry = 0;
      if (space == std::string_view::npos || !from_hex_into(line.substr(0, space), nonce)) {
        return corrupt();
      }
      const std::string_view digits = line.substr(space + 1);
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), expiry);
      if (ec != std::errc() || p != digits.data() + digits.size()) return corrupt();
      entries_.put(nonce, expiry, now_ms);
      ++lines_;
    }
    offset_ += static_cast<off_t>(pos);
    return ok();
  }

  // Rewrites the file with the live entries only; the lock stays on the old inode until the
  // caller releases it, and the others reload when they see the new inode.
  Result<void> compact(std::int64_t now_ms) {
    entries_.sweep(now_ms);
    std::string text;
    entries_.for_each([&](const Nonce& n, std::int64_t e) { text += line_of(n, e); });
    AXLE_RETURN_IF_ERROR(write_file_atomic(path_, text, 0600));
    return ok();  // the next call finds a new inode at path_ and reloads it
  }

  std::filesystem::path path_;
  bool sync_;
  int fd_ = -1;
  ino_t ino_ = 0;
  off_t size_ = 0;
  off_t offset_ = 0;
  std::size_t lines_ = 0;
  Entries entries_;
};

}  // namespace

std::unique_ptr<NonceStore> NonceStore::memory() { return std::make_unique<MemoryStore>(); }

std::unique_ptr<NonceStore> NonceStore::file(std::filesystem::path path, bool sync) {
  return std::make_unique<FileStore>(std::move(path), sync);
}

}  // namespace axle::identity::detail
