// The bridge from file descriptors to a futex word, for WaitSet (docs/bus.md, "Wait set"): a
// thread sleeps in poll(2) on the descriptors, but only while the WaitSet has asked it to
// (arm()); when one becomes readable it increments the word and wakes it, then waits to be
// armed again. So a descriptor that stays readable costs no spinning: the waiter sees it with
// its own non-blocking poll and returns without arming.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "axle/core/result.hpp"

namespace axle::bus::detail {

class FdPoller {
 public:
  // `word` must outlive the poller.
  static Result<std::unique_ptr<FdPoller>> start(std::atomic<std::uint32_t>& word);
  ~FdPoller();  // stops and joins the thread
  FdPoller(const FdPoller&) = delete;
  FdPoller& operator=(const FdPoller&) = delete;

  // Replaces the watched set; a poll() in progress is restarted with it.
  void set_fds(std::vector<int> fds);
  // Asks for one wake-up at the next readiness (no-op if already asked and not yet served).
  void arm();

 private:
  FdPoller(std::atomic<std::uint32_t>& word, int event_fd);
  void run();
  void interrupt() noexcept;

  std::atomic<std::uint32_t>& word_;
  const int event_fd_;  // restarts poll() when the set changes or on stop
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<int> fds_;
  std::uint64_t armed_ = 0;   // arm() requests so far
  std::uint64_t served_ = 0;  // the request the last wake-up answered
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace axle::bus::detail
