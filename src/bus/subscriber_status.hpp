// What one Subscriber of this process tracks about its topic beyond the data: deadline misses
// and publisher liveliness (docs/bus.md, "Deadline", "Liveliness"). Shared by the Subscriber and
// an Executor that owns it; the take path only touches one atomic, and only with a deadline set.
#pragma once

#include <atomic>
#include <climits>
#include <cstdint>
#include <mutex>
#include <vector>

#include "axle/bus/status.hpp"
#include "deadline.hpp"
#include "liveliness.hpp"
#include "segment.hpp"

namespace axle::bus::detail {

class SubscriberStatus {
 public:
  SubscriberStatus(std::int64_t deadline_ns, std::int64_t joined_ns)
      : deadline_(deadline_ns, joined_ns) {}

  // From take(): the sample published at `publish_time_ns` has arrived (lock-free).
  void note_taken(std::int64_t publish_time_ns) noexcept {
    std::int64_t seen = newest_taken_.load(std::memory_order_relaxed);
    while (publish_time_ns > seen &&
           !newest_taken_.compare_exchange_weak(seen, publish_time_ns, std::memory_order_relaxed)) {
    }
  }

  // Folds in what arrived (taken samples and the newest queued one), then counts misses up to
  // `now`. `added` is 0 when no new miss.
  DeadlineMissed poll_deadline(const Segment& segment, std::uint32_t slot, std::int64_t now);
  // When the next miss falls due (INT64_MAX when the deadline is off).
  std::int64_t next_deadline_check();

  std::vector<LivelinessChange> scan_liveliness(const Segment& segment);
  LivelinessStatus liveliness_status() {
    std::lock_guard lock(mutex_);
    return liveliness_.status();
  }

 private:
  std::mutex mutex_;
  std::atomic<std::int64_t> newest_taken_{INT64_MIN};
  DeadlineTracker deadline_;
  LivelinessTracker liveliness_;
};

}  // namespace axle::bus::detail
