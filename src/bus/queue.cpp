#include "queue.hpp"

#include "chunks.hpp"

namespace axle::bus::detail {

namespace {

void set_pending(SubscriberSlot& slot, PendingOp op, std::uint32_t chunk, std::uint64_t pos) {
  slot.pending_chunk = chunk;
  slot.pending_pos = pos;
  slot.pending_op = static_cast<std::uint32_t>(op);
}

// Runs with the mutex just taken over from a dead holder (EOWNERDEAD).
void repair(const Segment& segment, std::uint32_t s) {
  SubscriberSlot& slot = segment.subscriber(s);
  const auto op = static_cast<PendingOp>(slot.pending_op);
  const std::uint32_t c = slot.pending_chunk;
  const std::uint64_t pos = slot.pending_pos;
  const std::uint64_t head = slot.head.load(std::memory_order_relaxed);
  const std::uint64_t tail = slot.tail.load(std::memory_order_relaxed);
  if (c < segment.params().chunk_count) {
    // An uncommitted push gave the chunk our bit without queueing it; a committed drop took the
    // entry out without clearing the bit. Nobody else sets this bit without the lock we hold.
    if ((op == PendingOp::kPush && tail == pos) || (op == PendingOp::kDrop && head == pos + 1)) {
      release_chunk(segment, c, subscriber_bit(s));
    }
  }
  set_pending(slot, PendingOp::kNone, kNoChunk, 0);
}

Error corrupt_queue(const Segment& segment, std::uint32_t s) {
  return make_error(ErrorCode::kCorrupt, "the queue of subscriber slot " + std::to_string(s) +
                                             " of topic '" + segment.topic() +
                                             "' is inconsistent; restart the topic");
}

}  // namespace

Result<RobustLock> lock_queue(const Segment& segment, std::uint32_t s) {
  return RobustLock::acquire(segment.subscriber(s).mutex, kLockTimeoutNs,
                             [&segment, s] { repair(segment, s); });
}

Result<PushResult> push_locked(const Segment& segment, std::uint32_t s, std::uint32_t chunk,
                               bool drop_oldest) {
  SubscriberSlot& slot = segment.subscriber(s);
  const std::uint32_t depth = segment.params().queue_depth;
  std::uint32_t* ring = segment.queue(s);
  std::uint64_t head = slot.head.load(std::memory_order_relaxed);
  const std::uint64_t tail = slot.tail.load(std::memory_order_relaxed);
  if (tail < head || tail - head > depth) return corrupt_queue(segment, s);
  const std::uint64_t bit = subscriber_bit(s);
  if ((segment.chunk(chunk).holders.load(std::memory_order_acquire) & bit) != 0) {
    return PushResult::kAlreadyHeld;
  }
  if (tail - head == depth) {
    if (!drop_oldest) return PushResult::kFull;
    const std::uint32_t oldest = ring[head % depth];
    set_pending(slot, PendingOp::kDrop, oldest, head);
    slot.head.store(head + 1, std::memory_order_release);
    if (oldest < segment.params().chunk_count) release_chunk(segment, oldest, bit);
    slot.lost.fetch_add(1, std::memory_order_relaxed);
    ++head;
  }
  set_pending(slot, PendingOp::kPush, chunk, tail);
  segment.chunk(chunk).holders.fetch_or(bit, std::memory_order_acq_rel);
  ring[tail % depth] = chunk;
  slot.tail.store(tail + 1, std::memory_order_seq_cst);  // the commit
  set_pending(slot, PendingOp::kNone, kNoChunk, 0);
  return PushResult::kPushed;
}

Result<std::uint32_t> pop_locked(const Segment& segment, std::uint32_t s) {
  SubscriberSlot& slot = segment.subscriber(s);
  const std::uint32_t depth = segment.params().queue_depth;
  const std::uint32_t* ring = segment.queue(s);
  while (true) {
    const std::uint64_t head = slot.head.load(std::memory_order_relaxed);
    const std::uint64_t tail = slot.tail.load(std::memory_order_acquire);
    if (tail < head || tail - head > depth) return corrupt_queue(segment, s);
    if (tail == head) return kNoChunk;
    const std::uint32_t c = ring[head % depth];
    slot.head.store(head + 1, std::memory_order_seq_cst);
    // Never follow an index that is out of range or a chunk we do not hold.
    if (c < segment.params().chunk_count &&
        (segment.chunk(c).holders.load(std::memory_order_acquire) & subscriber_bit(s)) != 0) {
      return c;
    }
    slot.lost.fetch_add(1, std::memory_order_relaxed);
  }
}

void clear_locked(const Segment& segment, std::uint32_t s) {
  SubscriberSlot& slot = segment.subscriber(s);
  set_pending(slot, PendingOp::kNone, kNoChunk, 0);
  slot.head.store(0, std::memory_order_relaxed);
  slot.tail.store(0, std::memory_order_seq_cst);
}

bool queue_nonempty(const Segment& segment, std::uint32_t s) noexcept {
  const SubscriberSlot& slot = segment.subscriber(s);
  return slot.tail.load(std::memory_order_seq_cst) != slot.head.load(std::memory_order_seq_cst);
}

bool queue_full(const Segment& segment, std::uint32_t s) noexcept {
  const SubscriberSlot& slot = segment.subscriber(s);
  return slot.tail.load(std::memory_order_seq_cst) - slot.head.load(std::memory_order_seq_cst) >=
         segment.params().queue_depth;
}

}  // namespace axle::bus::detail
