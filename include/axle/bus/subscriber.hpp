// Subscriber: receives the chunks publishers hand to its queue. take() returns a Sample, a
// read-only view into shared memory that keeps the chunk alive until the Sample is destroyed.
//
//   AXLE_TRY(auto sample, sub.take(std::chrono::milliseconds(100)));
//   use(sample.data());
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "axle/bus/options.hpp"
#include "axle/bus/status.hpp"
#include "axle/core/result.hpp"

namespace axle::bus {

namespace detail {
class Endpoint;
class SubscriberStatus;
}  // namespace detail

class Sample {
 public:
  // Moves and destruction of an empty (moved-from) Sample are inline: a sample passes through a
  // few Result/optional layers on every take, and each move was an out-of-line call.
  Sample(Sample&& other) noexcept = default;
  Sample& operator=(Sample&& other) noexcept;
  Sample(const Sample&) = delete;
  Sample& operator=(const Sample&) = delete;
  ~Sample() {
    if (subscriber_ != nullptr) reset();
  }

  [[nodiscard]] std::span<const std::byte> data() const noexcept { return data_; }
  // Topic-wide publish counter value of this sample (starts at 1).
  [[nodiscard]] std::uint64_t sequence() const noexcept { return sequence_; }
  // CLOCK_MONOTONIC at publish(), nanoseconds.
  [[nodiscard]] std::int64_t publish_time_ns() const noexcept { return publish_time_ns_; }

 private:
  friend class Subscriber;
  Sample(std::shared_ptr<detail::Endpoint> subscriber, std::uint32_t chunk,
         std::span<const std::byte> data, std::uint64_t sequence, std::int64_t publish_time_ns);
  void reset() noexcept;
  std::shared_ptr<detail::Endpoint> subscriber_;
  std::uint32_t chunk_ = 0;
  std::span<const std::byte> data_;
  std::uint64_t sequence_ = 0;
  std::int64_t publish_time_ns_ = 0;
};

class Subscriber {
 public:
  Subscriber(Subscriber&& other) noexcept;
  Subscriber& operator=(Subscriber&& other) noexcept;
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;
  ~Subscriber();  // stops receiving at once; Samples still alive stay valid

  // The oldest queued sample, or nullopt when the queue is empty. kCorrupt if the queue in
  // shared memory is inconsistent.
  Result<std::optional<Sample>> try_take();
  // Waits up to `timeout` (futex; after options.spin of busy-polling) for a sample; kTimeout.
  Result<Sample> take(std::chrono::nanoseconds timeout);

  // Samples this subscriber lost to a full queue (best effort) since it joined.
  [[nodiscard]] std::uint64_t lost() const noexcept;

  // Deadline QoS (docs/bus.md, "Deadline"): periods of options.deadline in which no new sample
  // arrived, since the subscriber joined; 0 when the deadline is off. Evaluated at the call.
  [[nodiscard]] std::uint64_t deadline_missed() const;
  // Liveliness (docs/bus.md, "Liveliness"): scans the topic's publisher table now and reports
  // the publishers alive and the changes seen by this subscriber so far.
  [[nodiscard]] LivelinessStatus liveliness() const;

 private:
  friend class Node;
  friend class WaitSet;   // waits on this subscriber's futex word
  friend class Executor;  // deadline and liveliness notifications
  Subscriber(std::shared_ptr<detail::Endpoint> endpoint, SubscriberOptions options);
  std::shared_ptr<detail::Endpoint> endpoint_;
  SubscriberOptions options_;
  // Deadline and liveliness state of this process's view (src/bus/subscriber_status.hpp).
  std::shared_ptr<detail::SubscriberStatus> status_;
};

}  // namespace axle::bus
