// Deadline QoS arithmetic (docs/bus.md, "Deadline"): given the arrival times of samples (their
// publish times, CLOCK_MONOTONIC) in any order of observation, counts the full periods in which
// no sample arrived. Arrivals learned late still close the gap at the time they happened, so the
// count does not depend on how often someone looks, only when the miss is reported does.
#pragma once

#include <cstdint>
#include <optional>

#include "segment.hpp"

namespace axle::bus::detail {

class DeadlineTracker {
 public:
  // `period_ns` 0 = off. Counting starts at `start_ns` (the subscriber joined).
  DeadlineTracker(std::int64_t period_ns, std::int64_t start_ns) noexcept
      : period_(period_ns), last_arrival_(start_ns) {}

  [[nodiscard]] bool enabled() const noexcept { return period_ > 0; }
  // A sample published at `t` arrived. Earlier than the newest known arrival: no effect.
  void on_arrival(std::int64_t t) noexcept;
  // Misses newly counted up to `now`.
  std::uint64_t evaluate(std::int64_t now) noexcept;
  [[nodiscard]] std::uint64_t total() const noexcept { return total_; }
  // When the next miss will be counted if nothing arrives (INT64_MAX when off).
  [[nodiscard]] std::int64_t next_miss_at() const noexcept;

 private:
  std::int64_t period_;
  std::int64_t last_arrival_;
  std::uint64_t counted_in_gap_ = 0;  // misses already counted since last_arrival_
  std::uint64_t total_ = 0;
};

// Publish time of the newest sample queued for subscriber `s` (under its queue lock, so the chunk
// cannot be reused while it is read), or nullopt when the queue is empty or cannot be locked.
std::optional<std::int64_t> newest_queued_publish_time(const Segment& segment, std::uint32_t s);

}  // namespace axle::bus::detail
