// The state behind one Publisher or Subscriber, shared with the Loans and Samples it hands out:
// the slot is left only when the endpoint and everything it lent are gone, so a Sample stays
// valid after its Subscriber is destroyed.
#pragma once

#include <cstdint>
#include <memory>

#include "participants.hpp"
#include "segment.hpp"

namespace axle::bus::detail {

class Endpoint {
 public:
  enum class Kind { kPublisher, kSubscriber };
  Endpoint(std::shared_ptr<Segment> segment, std::uint32_t slot, Kind kind)
      : segment_(std::move(segment)), slot_(slot), kind_(kind) {}
  ~Endpoint() {
    if (kind_ == Kind::kPublisher) {
      leave_publisher(*segment_, slot_);
    } else {
      leave_subscriber(*segment_, slot_);
    }
  }
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  [[nodiscard]] const Segment& segment() const noexcept { return *segment_; }
  [[nodiscard]] std::uint32_t slot() const noexcept { return slot_; }

 private:
  std::shared_ptr<Segment> segment_;
  std::uint32_t slot_;
  Kind kind_;
};

}  // namespace axle::bus::detail
