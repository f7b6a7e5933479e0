#include "axle/bus/wait_set.hpp"

#include <linux/futex.h>
#include <poll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "axle/core/clock.hpp"
#include "endpoint.hpp"
#include "fd_poller.hpp"
#include "futex.hpp"
#include "queue.hpp"

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif

namespace axle::bus {

namespace detail {

namespace {

constexpr std::size_t kMaxWaitv = 128;  // FUTEX_WAITV_MAX
static_assert(WaitSet::kMaxSubscribers + 2 == kMaxWaitv);

// futex_waitv(2): sleeps until one of the words differs from its value or is woken, or until the
// absolute CLOCK_MONOTONIC `deadline_ns`. Shared futexes (no FUTEX_PRIVATE_FLAG): the subscriber
// words live in shared memory and their wakers are other processes. Returns 0 or an errno;
// EAGAIN (a word already changed), EINTR and ETIMEDOUT all mean "re-check".
int wait_any(const ::futex_waitv* waiters, unsigned count, std::int64_t deadline_ns) {
  timespec abs{};
  abs.tv_sec = static_cast<time_t>(deadline_ns / 1'000'000'000);
  abs.tv_nsec = static_cast<long>(deadline_ns % 1'000'000'000);
  const long r = ::syscall(SYS_futex_waitv, waiters, count, 0, &abs, CLOCK_MONOTONIC);
  return r < 0 ? errno : 0;
}

::futex_waitv waiter_on(std::atomic<std::uint32_t>& word, std::uint32_t value) {
  ::futex_waitv w{};
  w.val = value;
  w.uaddr = reinterpret_cast<std::uintptr_t>(&word);
  w.flags = FUTEX_32;
  return w;
}

}  // namespace

class WaitSetState {
 public:
  struct SubEntry {
    WaitSet::Id id;
    std::shared_ptr<Endpoint> endpoint;
    std::int64_t spin_ns;  // SubscriberOptions::spin
  };
  struct FdEntry {
    WaitSet::Id id;
    int fd;
  };

  std::vector<SubEntry> subs;
  std::vector<FdEntry> fds;
  WaitSet::Id next_id = 1;
  // notify(): incremented and woken, and the flag says why the waiter woke.
  std::atomic<std::uint32_t> wake_word{0};
  std::atomic<bool> notified{false};
  // Incremented and woken by the descriptor thread.
  std::atomic<std::uint32_t> fd_word{0};
  std::unique_ptr<FdPoller> poller;  // started with the first descriptor

  // Busy-polls the subscribers' queues (not the descriptors: a syscall per round) for the
  // longest SubscriberOptions::spin among them, before the set announces itself as a waiter:
  // publishers issue no FUTEX_WAKE for a spinning set.
  void spin_until_ready(std::int64_t start, std::int64_t deadline) const {
    std::int64_t spin = 0;
    for (const SubEntry& s : subs) spin = std::max(spin, s.spin_ns);
    if (spin <= 0) return;
    const std::int64_t end = std::min(deadline, deadline_after(start, spin));
    while (monotonic_ns() < end) {
      if (notified.load(std::memory_order_relaxed)) return;
      for (const SubEntry& s : subs) {
        if (queue_nonempty(s.endpoint->segment(), s.endpoint->slot())) return;
      }
    }
  }

  void update_poller() {
    if (poller == nullptr) return;
    std::vector<int> list;
    list.reserve(fds.size());
    for (const FdEntry& f : fds) list.push_back(f.fd);
    poller->set_fds(std::move(list));
  }
};

}  // namespace detail

using detail::WaitSetState;

namespace {

// Announces a waiter on every subscriber's data word for the duration of a wait, so publishers
// issue FUTEX_WAKE (docs/bus.md, "Waiting": they wake only when the waiters count is non-zero).
class WaiterAnnouncement {
 public:
  explicit WaiterAnnouncement(const std::vector<WaitSetState::SubEntry>& subs) : subs_(subs) {
    for (const auto& s : subs_) {
      s.endpoint->segment()
          .subscriber(s.endpoint->slot())
          .data_waiters.fetch_add(1, std::memory_order_seq_cst);
    }
  }
  ~WaiterAnnouncement() {
    for (const auto& s : subs_) {
      s.endpoint->segment()
          .subscriber(s.endpoint->slot())
          .data_waiters.fetch_sub(1, std::memory_order_seq_cst);
    }
  }
  WaiterAnnouncement(const WaiterAnnouncement&) = delete;
  WaiterAnnouncement& operator=(const WaiterAnnouncement&) = delete;

 private:
  const std::vector<WaitSetState::SubEntry>& subs_;
};

}  // namespace

Result<WaitSet> WaitSet::create() {
  // Probe once: futex_waitv on a word whose value differs returns EAGAIN where supported.
  static const int probe = [] {
    std::atomic<std::uint32_t> word{1};
    const ::futex_waitv w = detail::waiter_on(word, 0);
    return detail::wait_any(&w, 1, monotonic_ns() + 1'000'000);
  }();
  if (probe == ENOSYS) {
    return make_error(ErrorCode::kUnsupported,
                      "this kernel has no futex_waitv (Linux 5.16 or later is needed for "
                      "axle::bus::WaitSet)");
  }
  return WaitSet(std::make_unique<WaitSetState>());
}

WaitSet::WaitSet(std::unique_ptr<WaitSetState> state) : state_(std::move(state)) {}
WaitSet::WaitSet(WaitSet&&) noexcept = default;
WaitSet& WaitSet::operator=(WaitSet&&) noexcept = default;
WaitSet::~WaitSet() = default;

Result<WaitSet::Id> WaitSet::add(const Subscriber& subscriber) {
  if (subscriber.endpoint_ == nullptr) {
    return make_error(ErrorCode::kInvalidArgument, "the subscriber was moved from");
  }
  if (state_->subs.size() >= kMaxSubscribers) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "a wait set holds at most " + std::to_string(kMaxSubscribers) +
                          " subscribers (futex_waitv's limit); use a second set in another thread");
  }
  const Id id = state_->next_id++;
  state_->subs.push_back({id, subscriber.endpoint_, subscriber.options_.spin.count()});
  return id;
}

Result<WaitSet::Id> WaitSet::add_fd(int fd) {
  if (fd < 0) return make_error(ErrorCode::kInvalidArgument, "invalid file descriptor");
  if (state_->poller == nullptr) {
    AXLE_TRY(state_->poller, detail::FdPoller::start(state_->fd_word));
  }
  const Id id = state_->next_id++;
  state_->fds.push_back({id, fd});
  state_->update_poller();
  return id;
}

Result<void> WaitSet::remove(Id id) {
  auto& subs = state_->subs;
  for (auto it = subs.begin(); it != subs.end(); ++it) {
    if (it->id == id) {
      subs.erase(it);
      return axle::ok();
    }
  }
  auto& fds = state_->fds;
  for (auto it = fds.begin(); it != fds.end(); ++it) {
    if (it->id == id) {
      fds.erase(it);
      state_->update_poller();
      return axle::ok();
    }
  }
  return make_error(ErrorCode::kNotFound, "no entry " + std::to_string(id) + " in the wait set");
}

void WaitSet::notify() noexcept {
  state_->notified.store(true, std::memory_order_seq_cst);
  state_->wake_word.fetch_add(1, std::memory_order_seq_cst);
  detail::futex_wake_all(state_->wake_word);
}

Result<WaitSet::Ready> WaitSet::wait(std::chrono::nanoseconds timeout) {
  WaitSetState& st = *state_;
  const std::int64_t start = monotonic_ns();
  const std::int64_t deadline = detail::deadline_after(start, timeout.count());
  st.spin_until_ready(start, deadline);
  const WaiterAnnouncement announced(st.subs);
  std::array<::futex_waitv, detail::kMaxWaitv> waiters{};
  std::vector<pollfd> pfds(st.fds.size());
  Ready ready;
  while (true) {
    // Lost wake-ups (docs/bus.md, "Waiting"): read every word first, then check readiness, then
    // sleep on the values read. A wake that lands after a read changes the word, and the kernel
    // refuses to sleep on a stale value.
    unsigned n = 0;
    waiters[n++] = detail::waiter_on(st.wake_word, st.wake_word.load(std::memory_order_seq_cst));
    if (!st.fds.empty()) {
      waiters[n++] = detail::waiter_on(st.fd_word, st.fd_word.load(std::memory_order_seq_cst));
    }
    for (const auto& s : st.subs) {
      auto& slot = s.endpoint->segment().subscriber(s.endpoint->slot());
      detail::arm_wait(slot.data_wake_pending);  // publishers skip the wake while it is set
      waiters[n++] =
          detail::waiter_on(slot.data_seq, slot.data_seq.load(std::memory_order_seq_cst));
    }

    ready.notified = st.notified.exchange(false, std::memory_order_seq_cst);
    for (const auto& s : st.subs) {
      if (detail::queue_nonempty(s.endpoint->segment(), s.endpoint->slot())) {
        ready.subscribers.push_back(s.id);
      }
    }
    if (!st.fds.empty()) {
      for (std::size_t i = 0; i < st.fds.size(); ++i) pfds[i] = {st.fds[i].fd, POLLIN, 0};
      if (::poll(pfds.data(), pfds.size(), 0) < 0 && errno != EINTR) {
        return make_error(ErrorCode::kIo, std::string("poll on the wait set's descriptors: ") +
                                              std::strerror(errno));
      }
      for (std::size_t i = 0; i < st.fds.size(); ++i) {
        if (pfds[i].revents != 0) ready.fds.push_back(st.fds[i].id);
      }
    }
    if (!ready.empty() || monotonic_ns() >= deadline) return ready;

    if (st.poller != nullptr && !st.fds.empty()) st.poller->arm();
    const int err = detail::wait_any(waiters.data(), n, deadline);
    if (err != 0 && err != EAGAIN && err != EINTR && err != ETIMEDOUT) {
      return make_error(ErrorCode::kInternal,
                        std::string("futex_waitv in the wait set: ") + std::strerror(err));
    }
  }
}

}  // namespace axle::bus
