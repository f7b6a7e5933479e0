#include "segment.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <utility>

#include "axle/core/clock.hpp"
#include "liveness.hpp"
#include "names.hpp"
#include "robust_lock.hpp"
#include "segment_check.hpp"

namespace axle::bus::detail {

namespace {

constexpr std::int64_t kOpenTimeoutNs = 5'000'000'000;

// Owns a file descriptor until released into a Segment.
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

std::string errno_text() { return std::strerror(errno); }

Error os_error(const std::string& what, const std::string& path) {
  const ErrorCode code =
      errno == EACCES || errno == EPERM ? ErrorCode::kPermissionDenied : ErrorCode::kIo;
  return make_error(code, what + " " + path + ": " + errno_text());
}

Result<void> lock_fd(int fd, const std::string& path) {
  // flock is held for microseconds by its users; a bounded retry keeps a stopped process from
  // hanging everyone forever.
  const std::int64_t deadline = monotonic_ns() + kOpenTimeoutNs;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) return os_error("cannot lock", path);
    if (monotonic_ns() > deadline) {
      return make_error(ErrorCode::kTimeout, "the lock of " + path +
                                                 " stayed held for 5 s; a process using the "
                                                 "topic may be stopped");
    }
    timespec pause{0, 1'000'000};
    nanosleep(&pause, nullptr);
  }
  return axle::ok();
}

Result<void> check_owner(int fd, const std::string& path, struct stat& st) {
  if (::fstat(fd, &st) != 0) return os_error("cannot stat", path);
  if (st.st_uid != ::geteuid()) {
    return make_error(ErrorCode::kPermissionDenied,
                      path + " belongs to uid " + std::to_string(st.st_uid) +
                          ", not to this user; refusing to use it (remove it if it is stale)");
  }
  if ((st.st_mode & 0007) != 0) {
    return make_error(ErrorCode::kPermissionDenied,
                      path + " is accessible to other users; refusing to use it (remove it)");
  }
  return axle::ok();
}

Result<void*> map(int fd, std::size_t size, const std::string& path) {
  void* base = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) return os_error("cannot map", path);
  return base;
}

void copy_name(char* dst, std::size_t capacity, const std::string& src) {
  std::memset(dst, 0, capacity);
  std::copy_n(src.data(), std::min(src.size(), capacity - 1), dst);
}

Result<void> initialize(void* base, const TopicOptions& o, const Params& p, const Layout& l) {
  auto* h = new (base) SegmentHeader{};  // the file is zero-filled; this sets the plain fields
  h->magic = kMagic;
  h->abi_version = kAbiVersion;
  h->header_size = sizeof(SegmentHeader);
  h->total_size = l.total_size;
  h->creator_pid = ::getpid();
  h->created_utc_ms = utc_ms();
  copy_name(h->type_name, sizeof(h->type_name), o.type_name);
  copy_name(h->encoding, sizeof(h->encoding), o.encoding);
  h->type_hash = o.type_hash;
  h->max_message_size = p.max_message_size;
  h->chunk_count = p.chunk_count;
  h->queue_depth = p.queue_depth;
  h->history_depth = p.history_depth;
  h->max_publishers = p.max_publishers;
  h->max_subscribers = p.max_subscribers;
  h->group_access = o.group_access ? 1 : 0;
  h->history_off = l.history_off;
  h->pub_table_off = l.pub_table_off;
  h->sub_table_off = l.sub_table_off;
  h->queue_off = l.queue_off;
  h->chunk_table_off = l.chunk_table_off;
  h->payload_off = l.payload_off;
  h->chunk_stride = l.chunk_stride;
  h->holder_ext_off = l.holder_ext_off;
  h->holder_ext_stride = l.holder_ext_stride;
  AXLE_RETURN_IF_ERROR(init_robust_mutex(h->history_mutex));
  auto* bytes = static_cast<std::byte*>(base);
  for (std::uint32_t i = 0; i < p.history_depth; ++i) {
    static_cast<std::uint32_t*>(static_cast<void*>(bytes + l.history_off))[i] = kNoChunk;
  }
  auto* subs = static_cast<SubscriberSlot*>(static_cast<void*>(bytes + l.sub_table_off));
  for (std::uint32_t i = 0; i < p.max_subscribers; ++i) {
    AXLE_RETURN_IF_ERROR(init_robust_mutex(subs[i].mutex));
  }
  // Published last: an opener that sees kStateReady sees everything above.
  h->state.store(kStateReady, std::memory_order_release);
  return axle::ok();
}

}  // namespace

Segment::Segment(std::string topic, int fd, void* base, std::size_t size, Params params,
                 Layout layout)
    : topic_(std::move(topic)),
      fd_(fd),
      base_(base),
      size_(size),
      params_(params),
      layout_(layout) {}

Segment::~Segment() {
  ::munmap(base_, size_);
  ::close(fd_);
}

Result<void> Segment::lock_file() { return lock_fd(fd_, shm_path(topic_)); }
void Segment::unlock_file() noexcept { ::flock(fd_, LOCK_UN); }

bool Segment::unlinked() const noexcept {
  struct stat st {};
  return ::fstat(fd_, &st) != 0 || st.st_nlink == 0;
}

bool Segment::has_live_participant() const noexcept {
  auto live = [](const ParticipantSlot& s) {
    const std::uint64_t ctl = s.ctl.load(std::memory_order_acquire);
    return ctl_state(ctl) != SlotState::kFree &&
           process_alive(ctl_pid(ctl), s.start_time.load(std::memory_order_acquire));
  };
  for (std::uint32_t i = 0; i < params_.max_publishers; ++i) {
    if (live(publisher(i).p)) return true;
  }
  for (std::uint32_t i = 0; i < params_.max_subscribers; ++i) {
    if (live(subscriber(i).p)) return true;
  }
  return false;
}

Result<std::shared_ptr<Segment>> Segment::open(std::string_view topic,
                                               const TopicOptions& options) {
  AXLE_RETURN_IF_ERROR(validate_topic(topic));
  AXLE_TRY(const Params wanted, params_from_options(options));
  Layout layout;
  compute_layout(wanted, layout);  // checked by params_from_options
  const std::string name = shm_name(topic);
  const std::string path = shm_path(topic);
  const mode_t mode = options.group_access ? 0660 : 0600;
  const std::int64_t deadline = monotonic_ns() + kOpenTimeoutNs;

  while (true) {
    if (monotonic_ns() > deadline) {
      return make_error(ErrorCode::kTimeout,
                        "could not open " + path + " within 5 s: it keeps being replaced");
    }
    int raw = ::shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, mode);
    if (raw < 0 && errno == EEXIST) raw = ::shm_open(name.c_str(), O_RDWR, 0);
    if (raw < 0 && errno == ENOENT) continue;  // removed between the two calls
    if (raw < 0) return os_error("cannot open", path);
    Fd fd(raw);
    AXLE_RETURN_IF_ERROR(lock_fd(fd.get(), path));
    struct stat st {};
    AXLE_RETURN_IF_ERROR(check_owner(fd.get(), path, st));
    if (st.st_nlink == 0) continue;  // removed by a cleaner before we locked: open the new one

    if (st.st_size == 0) {
      // New, or its creator died before sizing it (it would have held the lock until ready).
      if (::fchmod(fd.get(), mode) != 0) return os_error("cannot set the mode of", path);
      const int rc = ::posix_fallocate(fd.get(), 0, static_cast<off_t>(layout.total_size));
      if (rc != 0) {
        errno = rc;
        return os_error("cannot size (" + std::to_string(layout.total_size) + " bytes)", path);
      }
      AXLE_TRY(void* base, map(fd.get(), layout.total_size, path));
      std::shared_ptr<Segment> seg(
          new Segment(std::string(topic), fd.release(), base, layout.total_size, wanted, layout));
      AXLE_RETURN_IF_ERROR(initialize(base, options, wanted, layout));
      return seg;
    }

    const auto size = static_cast<std::size_t>(st.st_size);
    AXLE_TRY(void* base, map(fd.get(), size, path));
    auto checked = check_segment(base, size, path);
    if (!checked) {
      ::munmap(base, size);
      return std::move(checked).error();
    }
    std::shared_ptr<Segment> seg(new Segment(std::string(topic), fd.release(), base, size,
                                             checked->params, checked->layout));
    if (!checked->ready) {
      // Its creator died while initializing (creators hold the lock until the segment is ready).
      ::shm_unlink(name.c_str());
      continue;
    }
    const bool live = seg->has_live_participant();
    if (!live) {
      // Left by processes that are all gone: start afresh, with this caller's parameters.
      ::shm_unlink(name.c_str());
      continue;
    }
    AXLE_RETURN_IF_ERROR(check_type(*checked, options, path));
    return seg;
  }
}

Result<std::shared_ptr<Segment>> Segment::attach(std::string_view topic) {
  AXLE_RETURN_IF_ERROR(validate_topic(topic));
  const std::string name = shm_name(topic);
  const std::string path = shm_path(topic);
  const int raw = ::shm_open(name.c_str(), O_RDWR, 0);
  if (raw < 0 && errno == ENOENT) {
    return make_error(ErrorCode::kNotFound, "topic '" + std::string(topic) + "' does not exist");
  }
  if (raw < 0) return os_error("cannot open", path);
  Fd fd(raw);
  struct stat st {};
  AXLE_RETURN_IF_ERROR(check_owner(fd.get(), path, st));
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) {
    return make_error(ErrorCode::kFailedPrecondition, path + " is being created; try again");
  }
  AXLE_TRY(void* base, map(fd.get(), size, path));
  auto checked = check_segment(base, size, path);
  if (!checked || !checked->ready) {
    ::munmap(base, size);
    if (!checked) return std::move(checked).error();
    return make_error(ErrorCode::kFailedPrecondition, path + " is being created; try again");
  }
  return std::shared_ptr<Segment>(
      new Segment(std::string(topic), fd.release(), base, size, checked->params, checked->layout));
}

Result<bool> Segment::remove_if_stale(std::string_view topic) {
  AXLE_RETURN_IF_ERROR(validate_topic(topic));
  const std::string name = shm_name(topic);
  const std::string path = shm_path(topic);
  const int raw = ::shm_open(name.c_str(), O_RDWR, 0);
  if (raw < 0 && errno == ENOENT) return false;
  if (raw < 0) return os_error("cannot open", path);
  Fd fd(raw);
  AXLE_RETURN_IF_ERROR(lock_fd(fd.get(), path));
  struct stat st {};
  AXLE_RETURN_IF_ERROR(check_owner(fd.get(), path, st));
  if (st.st_nlink == 0) return false;  // someone else removed it meanwhile
  // Empty under the lock: its creator died before sizing it (creators size it under the lock).
  bool stale = st.st_size == 0;
  if (!stale) {
    const auto size = static_cast<std::size_t>(st.st_size);
    AXLE_TRY(void* base, map(fd.get(), size, path));
    auto checked = check_segment(base, size, path);
    if (!checked) {
      ::munmap(base, size);
      return std::move(checked).error();
    }
    const Segment seg(std::string(topic), fd.release(), base, size, checked->params,
                      checked->layout);  // unmaps and unlocks at the end of this scope
    stale = !checked->ready || !seg.has_live_participant();
    if (stale) ::shm_unlink(name.c_str());
    return stale;
  }
  ::shm_unlink(name.c_str());
  return true;
}

}  // namespace axle::bus::detail
