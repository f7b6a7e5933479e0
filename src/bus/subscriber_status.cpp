#include "subscriber_status.hpp"

#include "axle/bus/subscriber.hpp"
#include "axle/core/clock.hpp"
#include "endpoint.hpp"

namespace axle::bus {

namespace detail {

DeadlineMissed SubscriberStatus::poll_deadline(const Segment& segment, std::uint32_t slot,
                                               std::int64_t now) {
  std::lock_guard lock(mutex_);
  if (!deadline_.enabled()) return {};
  deadline_.on_arrival(newest_taken_.load(std::memory_order_relaxed));
  if (auto queued = newest_queued_publish_time(segment, slot)) deadline_.on_arrival(*queued);
  const std::uint64_t added = deadline_.evaluate(now);
  return {deadline_.total(), added};
}

std::int64_t SubscriberStatus::next_deadline_check() {
  std::lock_guard lock(mutex_);
  return deadline_.next_miss_at();
}

std::vector<LivelinessChange> SubscriberStatus::scan_liveliness(const Segment& segment) {
  std::lock_guard lock(mutex_);
  return liveliness_.scan(segment);
}

}  // namespace detail

std::uint64_t Subscriber::deadline_missed() const {
  if (endpoint_ == nullptr) return 0;
  return status_->poll_deadline(endpoint_->segment(), endpoint_->slot(), monotonic_ns()).total;
}

LivelinessStatus Subscriber::liveliness() const {
  if (endpoint_ == nullptr) return {};
  (void)status_->scan_liveliness(endpoint_->segment());
  return status_->liveliness_status();
}

}  // namespace axle::bus
