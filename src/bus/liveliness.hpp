// Liveliness (docs/bus.md, "Liveliness"): which publishers of a topic are alive, as one
// subscriber sees it. A scan reads the publisher table (one ctl word and start time per slot)
// and checks each alive-looking owner's process (liveness.hpp), so a publisher killed with
// SIGKILL is lost at the next scan even before any reaper has freed its slot (and before its
// parent has reaped it: a zombie counts as lost).
#pragma once

#include <cstdint>
#include <vector>

#include "axle/bus/status.hpp"
#include "segment.hpp"

namespace axle::bus::detail {

class LivelinessTracker {
 public:
  // The changes since the last scan, in slot order (a slot whose owner changed between scans
  // gives "lost" then "appeared").
  std::vector<LivelinessChange> scan(const Segment& segment);
  [[nodiscard]] const LivelinessStatus& status() const noexcept { return status_; }

 private:
  struct Known {
    bool alive = false;
    std::int32_t pid = 0;
    std::uint64_t start_time = 0;
    std::string node;
  };
  std::vector<Known> known_;  // per publisher slot
  LivelinessStatus status_;
};

}  // namespace axle::bus::detail
