// A subscriber's bounded queue of chunk indices (docs/bus.md, "Per-subscriber queues"): many
// writers, one reader, under the slot's robust mutex. Every operation writes its pending-op
// record first and commits with one store, so the next locker can repair what a killed holder
// left half done.
#pragma once

#include <cstdint>

#include "axle/core/result.hpp"
#include "robust_lock.hpp"
#include "segment.hpp"

namespace axle::bus::detail {

inline constexpr std::int64_t kLockTimeoutNs = 1'000'000'000;

// Locks subscriber slot `s`'s queue, repairing it first if its last holder died.
Result<RobustLock> lock_queue(const Segment& segment, std::uint32_t s);

enum class PushResult {
  kPushed,
  kAlreadyHeld,  // the subscriber already holds this chunk (history replay raced a publish)
  kFull,         // reliable: no room
};

// With the lock held: appends `chunk` and gives it subscriber `s`'s bit; when full, drops the
// oldest (counted as lost) if `drop_oldest`, else returns kFull. kCorrupt if the counters are
// inconsistent.
Result<PushResult> push_locked(const Segment& segment, std::uint32_t s, std::uint32_t chunk,
                               bool drop_oldest);

// With the lock held: the oldest chunk (its subscriber bit stays set: the caller now holds it),
// or kNoChunk when empty. Entries that fail validation are skipped and counted as lost.
Result<std::uint32_t> pop_locked(const Segment& segment, std::uint32_t s);

// With the lock held: forgets every entry (their chunks' bits are cleared by the caller's scan).
void clear_locked(const Segment& segment, std::uint32_t s);

// Racy hints without the lock, for waiting: true when entries are queued / the queue is full.
bool queue_nonempty(const Segment& segment, std::uint32_t s) noexcept;
bool queue_full(const Segment& segment, std::uint32_t s) noexcept;

}  // namespace axle::bus::detail
