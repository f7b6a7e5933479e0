#include "history.hpp"

#include <vector>

#include "chunks.hpp"
#include "queue.hpp"

namespace axle::bus::detail {

namespace {

// After a crash under the lock the ring and the history bits may disagree in one entry: make
// the bits follow the ring, and drop ring entries whose chunk lost its bit.
void rebuild(const Segment& segment) {
  const Params& p = segment.params();
  std::uint32_t* ring = segment.history();
  std::vector<bool> in_ring(p.chunk_count, false);
  for (std::uint32_t k = 0; k < p.history_depth; ++k) {
    const std::uint32_t c = ring[k];
    if (c >= p.chunk_count ||
        (segment.chunk(c).holders.load(std::memory_order_acquire) & kHistoryBit) == 0) {
      ring[k] = kNoChunk;
    } else {
      in_ring[c] = true;
    }
  }
  for (std::uint32_t c = 0; c < p.chunk_count; ++c) {
    if (!in_ring[c]) release_chunk(segment, c, kHistoryBit);
  }
}

}  // namespace

Result<RobustLock> lock_history(const Segment& segment) {
  return RobustLock::acquire(segment.header().history_mutex, kLockTimeoutNs,
                             [&segment] { rebuild(segment); });
}

void history_push_locked(const Segment& segment, std::uint32_t chunk) {
  const std::uint32_t depth = segment.params().history_depth;
  if (depth == 0) return;
  SegmentHeader& h = segment.header();
  std::uint32_t* ring = segment.history();
  const std::uint64_t next = h.history_next;
  const std::uint32_t pos = static_cast<std::uint32_t>(next % depth);
  const std::uint32_t old = ring[pos];
  segment.chunk(chunk).holders.fetch_or(kHistoryBit, std::memory_order_acq_rel);
  ring[pos] = chunk;
  h.history_next = next + 1;
  if (old < segment.params().chunk_count && old != chunk) {
    release_chunk(segment, old, kHistoryBit);
  }
}

void history_for_each_locked(const Segment& segment,
                             const std::function<void(std::uint32_t)>& visit) {
  const std::uint32_t depth = segment.params().history_depth;
  if (depth == 0) return;
  const std::uint64_t next = segment.header().history_next;
  const std::uint64_t n = next < depth ? next : depth;
  for (std::uint64_t k = next - n; k < next; ++k) {
    const std::uint32_t c = segment.history()[k % depth];
    if (c < segment.params().chunk_count &&
        (segment.chunk(c).holders.load(std::memory_order_acquire) & kHistoryBit) != 0) {
      visit(c);
    }
  }
}

}  // namespace axle::bus::detail
