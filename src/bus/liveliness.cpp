#include "liveliness.hpp"

#include <cstring>

#include "liveness.hpp"

namespace axle::bus::detail {

std::vector<LivelinessChange> LivelinessTracker::scan(const Segment& segment) {
  const std::uint32_t count = segment.params().max_publishers;
  known_.resize(count);
  std::vector<LivelinessChange> changes;
  for (std::uint32_t i = 0; i < count; ++i) {
    const ParticipantSlot& p = segment.publisher(i).p;
    const std::uint64_t ctl = p.ctl.load(std::memory_order_acquire);
    const std::int32_t pid = ctl_pid(ctl);
    const std::uint64_t start = p.start_time.load(std::memory_order_acquire);
    // kAlive is stored after the start time and node name (participants.cpp), so both are
    // complete once it is seen; a dead owner's slot stays kAlive until a reaper frees it.
    const bool alive = ctl_state(ctl) == SlotState::kAlive && process_alive(pid, start);
    Known& k = known_[i];
    const bool same = k.alive && alive && k.pid == pid && k.start_time == start;
    if (k.alive && !same) {
      k.alive = false;
      --status_.alive_publishers;
      ++status_.lost;
      changes.push_back({LivelinessChange::Kind::kLost, k.pid, k.node, status_});
    }
    if (alive && !same) {
      char name[sizeof(p.node_name) + 1] = {};
      std::memcpy(name, p.node_name, sizeof(p.node_name));
      k = Known{true, pid, start, name};
      ++status_.alive_publishers;
      ++status_.appeared;
      changes.push_back({LivelinessChange::Kind::kAppeared, pid, k.node, status_});
    }
  }
  return changes;
}

}  // namespace axle::bus::detail
