// The topic's transient-local history: the last history_depth published chunks, each holding
// the history bit, in a ring under the header's robust mutex (docs/bus.md).
#pragma once

#include <cstdint>
#include <functional>

#include "axle/core/result.hpp"
#include "robust_lock.hpp"
#include "segment.hpp"

namespace axle::bus::detail {

// Locks the history, rebuilding the history bits from the ring if its last holder died.
Result<RobustLock> lock_history(const Segment& segment);

// With the lock held: appends `chunk` (giving it the history bit), evicting the oldest.
void history_push_locked(const Segment& segment, std::uint32_t chunk);

// With the lock held: calls `visit` for each chunk in the history, oldest first.
void history_for_each_locked(const Segment& segment,
                             const std::function<void(std::uint32_t)>& visit);

}  // namespace axle::bus::detail
