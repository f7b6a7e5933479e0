#include "fd_poller.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "futex.hpp"

namespace axle::bus::detail {

Result<std::unique_ptr<FdPoller>> FdPoller::start(std::atomic<std::uint32_t>& word) {
  const int efd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (efd < 0) {
    return make_error(
        ErrorCode::kIo,
        std::string("eventfd for the wait set's descriptor thread: ") + std::strerror(errno));
  }
  std::unique_ptr<FdPoller> poller(new FdPoller(word, efd));
  try {
    poller->thread_ = std::thread([p = poller.get()] { p->run(); });
  } catch (const std::system_error& e) {
    return make_error(ErrorCode::kInternal,
                      std::string("cannot start the wait set's descriptor thread: ") + e.what());
  }
  return poller;
}

FdPoller::FdPoller(std::atomic<std::uint32_t>& word, int event_fd)
    : word_(word), event_fd_(event_fd) {}

FdPoller::~FdPoller() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  interrupt();
  if (thread_.joinable()) thread_.join();
  ::close(event_fd_);
}

void FdPoller::interrupt() noexcept {
  const std::uint64_t one = 1;
  (void)!::write(event_fd_, &one, sizeof(one));
}

void FdPoller::set_fds(std::vector<int> fds) {
  std::lock_guard lock(mutex_);
  fds_ = std::move(fds);
  if (armed_ != served_) interrupt();  // polling the old set: restart with the new one
}

void FdPoller::arm() {
  {
    std::lock_guard lock(mutex_);
    if (armed_ != served_) return;
    ++armed_;
  }
  cv_.notify_one();
}

void FdPoller::run() {
  std::unique_lock lock(mutex_);
  std::vector<pollfd> pfds;
  while (true) {
    cv_.wait(lock, [this] { return stop_ || armed_ != served_; });
    if (stop_) return;
    const std::uint64_t request = armed_;
    pfds.clear();
    for (int fd : fds_) pfds.push_back({fd, POLLIN, 0});
    pfds.push_back({event_fd_, POLLIN, 0});
    lock.unlock();
    const int n = ::poll(pfds.data(), pfds.size(), -1);
    const int poll_errno = errno;
    if (pfds.back().revents != 0) {
      std::uint64_t drained = 0;
      (void)!::read(event_fd_, &drained, sizeof(drained));
    }
    bool ready = false;
    for (std::size_t i = 0; i + 1 < pfds.size(); ++i) ready = ready || pfds[i].revents != 0;
    // A failing poll() (not EINTR) is reported as readiness too: the waiter's own poll() then
    // tells which descriptor is at fault, instead of this thread failing silently.
    if (n < 0 && poll_errno != EINTR) ready = true;
    lock.lock();
    if (ready) {
      served_ = request;
      // Waker side of the futex protocol: bump, then wake (the waiter read the word before it
      // checked the descriptors and armed us, so it cannot miss this).
      word_.fetch_add(1, std::memory_order_seq_cst);
      futex_wake_all(word_);
    }
  }
}

}  // namespace axle::bus::detail
