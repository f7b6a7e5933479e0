// Joining, leaving and reclaiming participant slots (docs/bus.md, "Participants, liveness and
// reclaim"). Leaving and reclaiming a dead participant are the same idempotent procedure, run
// by the participant itself or by any survivor.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "axle/bus/options.hpp"
#include "axle/core/result.hpp"
#include "segment.hpp"

namespace axle::bus::detail {

// Claims a free publisher slot for this process and makes it alive.
Result<std::uint32_t> join_as_publisher(const Segment& segment, std::string_view node_name);

// Claims a free subscriber slot; a transient-local subscriber gets the history queued (oldest
// first) before it becomes visible to publishers.
Result<std::uint32_t> join_as_subscriber(const Segment& segment, std::string_view node_name,
                                         const SubscriberOptions& options);

// Releases everything the slot holds and frees it. The caller owns the slot (alive, or claimed
// as reclaiming by this process).
void leave_publisher(const Segment& segment, std::uint32_t slot);
void leave_subscriber(const Segment& segment, std::uint32_t slot);

// Stops deliveries to subscriber slot `slot` and releases what is queued for it, but not the
// samples it has taken (they stay valid until leave_subscriber()).
void stop_subscriber(const Segment& segment, std::uint32_t slot);

struct ReclaimedSlot {
  bool publisher = false;
  std::int32_t pid = 0;  // of the dead owner
  std::string node;
};

// Reclaims every slot whose owner (or whose reclaimer) is dead; says whose.
std::vector<ReclaimedSlot> reap_dead(const Segment& segment);

}  // namespace axle::bus::detail
