#include "axle/bus/subscriber.hpp"

#include <algorithm>

#include "axle/core/clock.hpp"
#include "chunks.hpp"
#include "endpoint.hpp"
#include "futex.hpp"
#include "participants.hpp"
#include "queue.hpp"
#include "subscriber_status.hpp"

namespace axle::bus {

using detail::Endpoint;
using detail::Segment;

Sample::Sample(std::shared_ptr<Endpoint> subscriber, std::uint32_t chunk,
               std::span<const std::byte> data, std::uint64_t sequence,
               std::int64_t publish_time_ns)
    : subscriber_(std::move(subscriber)),
      chunk_(chunk),
      data_(data),
      sequence_(sequence),
      publish_time_ns_(publish_time_ns) {}

Sample& Sample::operator=(Sample&& other) noexcept {
  if (this != &other) {
    reset();
    subscriber_ = std::move(other.subscriber_);
    chunk_ = other.chunk_;
    data_ = other.data_;
    sequence_ = other.sequence_;
    publish_time_ns_ = other.publish_time_ns_;
  }
  return *this;
}

void Sample::reset() noexcept {
  if (subscriber_ == nullptr) return;
  detail::release_subscriber(subscriber_->segment(), chunk_, subscriber_->slot());
  subscriber_.reset();
  data_ = {};
}

Subscriber::Subscriber(std::shared_ptr<Endpoint> endpoint, SubscriberOptions options)
    : endpoint_(std::move(endpoint)),
      options_(options),
      status_(
          std::make_shared<detail::SubscriberStatus>(options.deadline.count(), monotonic_ns())) {}
Subscriber::Subscriber(Subscriber&& other) noexcept = default;

Subscriber& Subscriber::operator=(Subscriber&& other) noexcept {
  if (this != &other) {
    if (endpoint_ != nullptr) detail::stop_subscriber(endpoint_->segment(), endpoint_->slot());
    endpoint_ = std::move(other.endpoint_);
    options_ = other.options_;
    status_ = std::move(other.status_);
  }
  return *this;
}

// Stops receiving now; the slot itself is freed when the last Sample is gone too.
Subscriber::~Subscriber() {
  if (endpoint_ != nullptr) detail::stop_subscriber(endpoint_->segment(), endpoint_->slot());
}

std::uint64_t Subscriber::lost() const noexcept {
  return endpoint_->segment().subscriber(endpoint_->slot()).lost.load(std::memory_order_relaxed);
}

Result<std::optional<Sample>> Subscriber::try_take() {
  const Segment& segment = endpoint_->segment();
  const std::uint32_t s = endpoint_->slot();
  detail::SubscriberSlot& slot = segment.subscriber(s);
  AXLE_TRY(const detail::TakenEntry e, detail::take_entry(segment, s));
  if (e.chunk == detail::kNoChunk) return std::optional<Sample>();
  // A reliable publisher may wait for room. The take's commit, its CAS on the cell, is a
  // seq_cst read-modify-write, so no fence is needed before the waiters load.
  detail::notify_once_after_rmw(slot.space_seq, slot.space_waiters, slot.space_wake_pending);
  if (e.size > segment.params().max_message_size) {
    detail::release_subscriber(segment, e.chunk, s);
    return make_error(ErrorCode::kCorrupt, "a sample of topic '" + segment.topic() +
                                               "' claims a size beyond the topic's maximum");
  }
  slot.received.fetch_add(1, std::memory_order_relaxed);
  if (options_.deadline.count() > 0) status_->note_taken(e.publish_time_ns);  // deadline QoS
  return std::optional<Sample>(
      Sample(endpoint_, e.chunk,
             std::span<const std::byte>(segment.payload(e.chunk), static_cast<std::size_t>(e.size)),
             e.sequence, e.publish_time_ns));
}

Result<Sample> Subscriber::take(std::chrono::nanoseconds timeout) {
  const Segment& segment = endpoint_->segment();
  const std::uint32_t s = endpoint_->slot();
  detail::SubscriberSlot& slot = segment.subscriber(s);
  // A sample already queued is returned without reading the clock (a read costs ~40 ns).
  AXLE_TRY(auto first, try_take());
  if (first) return std::move(*first);
  const std::int64_t start = monotonic_ns();
  const std::int64_t deadline = detail::deadline_after(start, timeout.count());
  const std::int64_t spin_until = detail::deadline_after(start, options_.spin.count());
  for (bool check = false;; check = true) {
    if (check) {
      AXLE_TRY(auto sample, try_take());
      if (sample) return std::move(*sample);
    }
    const std::int64_t now = check ? monotonic_ns() : start;
    if (now >= deadline) {
      return make_error(ErrorCode::kTimeout,
                        "no sample on topic '" + segment.topic() + "' within the timeout");
    }
    if (now < spin_until) {
      // The clock is read every 256 polls only: a clock read costs more than a poll, and a
      // sample arriving during one would wait for it to finish.
      const std::int64_t spin_end = std::min(spin_until, deadline);
      const detail::HeadWatch head(segment, s);
      for (std::uint32_t polls = 1; head.empty(); ++polls) {
        if (polls % 256 == 0 && monotonic_ns() >= spin_end) break;
      }
      continue;
    }
    // Futex protocol of docs/bus.md ("Waiting"): announce, read the word, re-check, sleep.
    slot.data_waiters.fetch_add(1, std::memory_order_seq_cst);
    detail::arm_wait(slot.data_wake_pending);
    const std::uint32_t seq = slot.data_seq.load(std::memory_order_seq_cst);
    if (!detail::queue_nonempty(segment, s)) detail::futex_wait(slot.data_seq, seq, deadline - now);
    slot.data_waiters.fetch_sub(1, std::memory_order_seq_cst);
  }
}

}  // namespace axle::bus
