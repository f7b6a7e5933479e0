// A subscriber's bounded queue (docs/bus.md, "Per-subscriber queues"): a ring of 64-byte cells,
// each carrying one entry (chunk index, size, sequence, publish time) beside its control word.
// Publishers push one at a time under the slot's robust mutex, writing a pending-op record
// first so that the next locker repairs what a killed pusher left half done. The subscriber
// takes without any lock: one CAS on the cell it polls.
#pragma once

#include <cstdint>
#include <optional>

#include "axle/core/result.hpp"
#include "robust_lock.hpp"
#include "segment.hpp"

namespace axle::bus::detail {

inline constexpr std::int64_t kLockTimeoutNs = 1'000'000'000;

// Locks subscriber slot `s`'s queue against other pushers, repairing it first if its last
// holder died.
Result<RobustLock> lock_queue(const Segment& segment, std::uint32_t s);

enum class PushResult {
  kPushed,
  kAlreadyHeld,  // the subscriber already holds this chunk (history replay raced a publish)
  kFull,         // reliable: no room
};

// With the lock held: appends `chunk` (its size, sequence and publish time from its ChunkInfo)
// and gives it subscriber `s`'s bit; when full, drops the oldest (counted as lost) if
// `drop_oldest`, else returns kFull. kCorrupt if the ring is inconsistent.
Result<PushResult> push_locked(const Segment& segment, std::uint32_t s, std::uint32_t chunk,
                               bool drop_oldest);

// One taken entry; chunk == kNoChunk when the queue was empty.
struct TakenEntry {
  std::uint32_t chunk = kNoChunk;
  std::uint64_t size = 0;
  std::uint64_t sequence = 0;
  std::int64_t publish_time_ns = 0;
};

// Lock-free: takes the oldest entry (its subscriber bit stays set: the caller now holds the
// chunk). Entries that fail validation are skipped and counted as lost; a ring in a state no
// protocol step produces is kCorrupt. Safe against concurrent pushers, droppers and takers.
Result<TakenEntry> take_entry(const Segment& segment, std::uint32_t s);

// With the lock held and the subscriber gone: forgets every entry (their chunks' bits are
// cleared by the caller's scan).
void clear_locked(const Segment& segment, std::uint32_t s);

// Racy hints for waiting: true when an entry is queued / the queue is full.
bool queue_nonempty(const Segment& segment, std::uint32_t s) noexcept;
bool queue_full(const Segment& segment, std::uint32_t s) noexcept;

// The subscriber's head cell and the values it holds while nothing is queued at the head, for a
// busy-poll: the loop reads one word and compares, with no index arithmetic (a 64-bit division
// per poll would delay noticing an arrival). Any other value — an entry, or a head that another
// taker or a dropping publisher moved on — ends the poll, and a take sorts it out.
class HeadWatch {
 public:
  HeadWatch(const Segment& segment, std::uint32_t s) noexcept;
  [[nodiscard]] bool empty() const noexcept {
    const std::uint64_t ctl = ctl_->load(std::memory_order_acquire);
    return ctl == empty_ || ctl == dropped_;
  }

 private:
  const std::atomic<std::uint64_t>* ctl_;
  std::uint64_t empty_;
  std::uint64_t dropped_;
};

// Publish time of the newest queued entry, without a lock (deadline QoS).
std::optional<std::int64_t> newest_queued_time(const Segment& segment, std::uint32_t s) noexcept;

}  // namespace axle::bus::detail
