// WaitSet: one thread sleeps until any of several subscribers has a sample queued or any of
// several file descriptors is readable, or a timeout passes (docs/bus.md, "Wait set").
//
// It sleeps in one futex_waitv(2) call on the subscribers' futex words in shared memory (the
// words the publishers already bump and wake), so a publisher in another process wakes it
// directly; file descriptors are watched by a small internal thread in poll() that wakes a
// local futex word of the same call. No poll-and-sleep loop anywhere.
//
//   AXLE_TRY(auto set, axle::bus::WaitSet::create());
//   AXLE_TRY(auto lidar_id, set.add(lidar_sub));
//   AXLE_TRY(auto pipe_id, set.add_fd(pipe_read_end));
//   AXLE_TRY(auto ready, set.wait(std::chrono::milliseconds(100)));
//   if (ready.has(lidar_id)) ... lidar_sub.try_take() ...
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "axle/bus/subscriber.hpp"
#include "axle/core/result.hpp"

namespace axle::bus {

namespace detail {
class WaitSetState;
}

class WaitSet {
 public:
  using Id = std::uint32_t;
  // futex_waitv(2) takes at most 128 words; two belong to the set itself.
  static constexpr std::size_t kMaxSubscribers = 126;

  struct Ready {
    std::vector<Id> subscribers;  // with a sample queued, in the order they were added
    std::vector<Id> fds;          // readable (or in error/hang-up, as poll(2) reports them)
    bool notified = false;        // notify() was called since the last wait
    [[nodiscard]] bool empty() const noexcept {
      return subscribers.empty() && fds.empty() && !notified;
    }
    [[nodiscard]] bool has(Id id) const noexcept {
      return std::find(subscribers.begin(), subscribers.end(), id) != subscribers.end() ||
             std::find(fds.begin(), fds.end(), id) != fds.end();
    }
  };

  // kUnsupported when the kernel lacks futex_waitv (Linux < 5.16).
  static Result<WaitSet> create();

  WaitSet(WaitSet&&) noexcept;
  WaitSet& operator=(WaitSet&&) noexcept;
  WaitSet(const WaitSet&) = delete;
  WaitSet& operator=(const WaitSet&) = delete;
  ~WaitSet();

  // Watches `subscriber`: ready while a sample is queued for it. The set keeps the subscriber's
  // shared state (not the Subscriber object) until remove(), so destroying or moving the
  // Subscriber first is safe: it is then simply never ready.
  Result<Id> add(const Subscriber& subscriber);
  // Watches `fd` for reading (POLLIN). The caller keeps owning it and keeps it open until
  // remove(); a closed descriptor is reported ready (POLLNVAL), as poll(2) would.
  Result<Id> add_fd(int fd);
  Result<void> remove(Id id);

  // Blocks until something is ready, notify() is called, or `timeout` passes; an empty Ready on
  // timeout (not an error). With subscribers whose SubscriberOptions::spin is set, it first
  // busy-polls their queues for the longest such spin, then sleeps. Reports the current state: a
  // subscriber stays ready until its queue is empty, a descriptor until it is read. One thread
  // waits on a set at a time.
  Result<Ready> wait(std::chrono::nanoseconds timeout);

  // Wakes the waiting thread (its Ready has `notified`). Callable from any thread and from a
  // signal handler: an atomic increment and one futex wake, nothing else.
  void notify() noexcept;

 private:
  explicit WaitSet(std::unique_ptr<detail::WaitSetState> state);
  std::unique_ptr<detail::WaitSetState> state_;
};

}  // namespace axle::bus
