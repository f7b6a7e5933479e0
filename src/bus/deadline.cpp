#include "deadline.hpp"

#include <climits>

#include "queue.hpp"

namespace axle::bus::detail {

void DeadlineTracker::on_arrival(std::int64_t t) noexcept {
  if (!enabled() || t <= last_arrival_) return;
  // The gap [last_arrival_, t) is closed: count its full periods not yet counted.
  const auto periods = static_cast<std::uint64_t>((t - last_arrival_) / period_);
  if (periods > counted_in_gap_) total_ += periods - counted_in_gap_;
  last_arrival_ = t;
  counted_in_gap_ = 0;
}

std::uint64_t DeadlineTracker::evaluate(std::int64_t now) noexcept {
  if (!enabled() || now <= last_arrival_) return 0;
  const auto periods = static_cast<std::uint64_t>((now - last_arrival_) / period_);
  if (periods <= counted_in_gap_) return 0;
  const std::uint64_t added = periods - counted_in_gap_;
  counted_in_gap_ = periods;
  total_ += added;
  return added;
}

std::int64_t DeadlineTracker::next_miss_at() const noexcept {
  if (!enabled()) return INT64_MAX;
  const auto next = static_cast<std::int64_t>(counted_in_gap_ + 1);
  if (next > (INT64_MAX - last_arrival_) / period_) return INT64_MAX;
  return last_arrival_ + next * period_;
}

std::optional<std::int64_t> newest_queued_publish_time(const Segment& segment, std::uint32_t s) {
  return newest_queued_time(segment, s);
}

}  // namespace axle::bus::detail
