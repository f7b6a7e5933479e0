// Status a Subscriber reports about its topic (docs/bus.md, "Deadline" and "Liveliness"):
// deadline misses and the publishers that appeared or were lost. Read them from the Subscriber
// (deadline_missed(), liveliness()) or receive them as Executor callbacks.
#pragma once

#include <cstdint>
#include <string>

namespace axle::bus {

// SubscriberOptions::deadline elapsed without a new sample.
struct DeadlineMissed {
  std::uint64_t total = 0;  // periods missed since the subscriber joined
  std::uint64_t added = 0;  // of which new since the last notification (>= 1)
};

struct LivelinessStatus {
  std::uint32_t alive_publishers = 0;  // publishers of the topic alive at the last scan
  std::uint64_t appeared = 0;          // publishers seen alive for the first time, in total
  std::uint64_t lost = 0;              // publishers that left or whose process died, in total
};

struct LivelinessChange {
  enum class Kind { kAppeared, kLost };
  Kind kind = Kind::kAppeared;
  std::int32_t pid = 0;     // the publisher's process
  std::string node;         // its node name
  LivelinessStatus status;  // after this change
};

}  // namespace axle::bus
