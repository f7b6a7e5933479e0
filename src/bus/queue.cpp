#include "queue.hpp"

#include <algorithm>

#include "chunks.hpp"
#include "prefetch.hpp"

namespace axle::bus::detail {

namespace {

QueueCell& cell_at(const Segment& segment, std::uint32_t s, std::uint64_t pos) noexcept {
  return segment.queue(s)[pos % segment.params().queue_depth];
}

std::uint64_t lap_of(const Segment& segment, std::uint64_t pos) noexcept {
  return pos / segment.params().queue_depth;
}

void set_pending(SubscriberSlot& slot, PendingOp op, std::uint32_t chunk, std::uint64_t pos) {
  slot.pending_chunk = chunk;
  slot.pending_pos = pos;
  slot.pending_op = static_cast<std::uint32_t>(op);
}

bool free_for(std::uint64_t ctl, std::uint64_t lap) noexcept {
  return ctl == cell_ctl(CellKind::kEmpty, lap) || ctl == cell_ctl(CellKind::kDropped, lap);
}

// Runs with the mutex just taken over from a dead pusher (EOWNERDEAD). While the mutex is held
// nobody can set subscriber s's bit on any chunk (only pushes and the history replay do, both
// under it), so releasing that bit here is idempotent and never hits a later owner of the chunk.
void repair(const Segment& segment, std::uint32_t s) {
  SubscriberSlot& slot = segment.subscriber(s);
  const auto op = static_cast<PendingOp>(slot.pending_op);
  const std::uint32_t c = slot.pending_chunk;
  const std::uint64_t pos = slot.pending_pos;
  const bool chunk_ok = c < segment.params().chunk_count;
  if (op == PendingOp::kPush) {
    // The commit is the cell turning kFull for `pos`; after it, the entry may already have been
    // taken or dropped, which moves the cell's lap on. Only a cell still free for `pos` means
    // "not committed": the bit given to the chunk must go, and the position is pushed again.
    const std::uint64_t ctl = cell_at(segment, s, pos).ctl.load(std::memory_order_acquire);
    if (free_for(ctl, lap_of(segment, pos))) {
      if (chunk_ok) release_subscriber(segment, c, s);
      slot.tail.store(pos, std::memory_order_seq_cst);
    } else {
      slot.tail.store(pos + 1, std::memory_order_seq_cst);
    }
  } else if (op == PendingOp::kDrop) {
    // Our CAS turned the cell kDropped for the next lap; a taker would have made it kEmpty. So
    // kDropped means the entry is ours to release (perhaps again: idempotent, see above).
    const std::uint64_t ctl = cell_at(segment, s, pos).ctl.load(std::memory_order_acquire);
    if (ctl == cell_ctl(CellKind::kDropped, lap_of(segment, pos) + 1) && chunk_ok) {
      release_subscriber(segment, c, s);
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
  ChunkInfo& info = segment.chunk(chunk);
  if (subscriber_holds(segment, chunk, s)) return PushResult::kAlreadyHeld;
  const std::uint64_t tail = slot.tail.load(std::memory_order_relaxed);
  const std::uint64_t lap = lap_of(segment, tail);
  QueueCell& cell = cell_at(segment, s, tail);
  std::uint64_t ctl = cell.ctl.load(std::memory_order_acquire);
  while (!free_for(ctl, lap)) {
    // Anything but "full with the previous lap's entry" is a state no step produces.
    const std::uint64_t full = cell_ctl(CellKind::kFull, lap - 1);
    if (lap == 0 || ctl != full) return corrupt_queue(segment, s);
    if (!drop_oldest) return PushResult::kFull;
    // Drop the oldest entry (position tail - depth) unless the subscriber takes it first.
    const std::uint32_t oldest = cell.chunk.load(std::memory_order_relaxed);
    set_pending(slot, PendingOp::kDrop, oldest, tail - depth);
    if (cell.ctl.compare_exchange_strong(ctl, cell_ctl(CellKind::kDropped, lap),
                                         std::memory_order_acq_rel)) {
      if (oldest < segment.params().chunk_count) release_subscriber(segment, oldest, s);
      slot.lost.fetch_add(1, std::memory_order_relaxed);
      ctl = cell_ctl(CellKind::kDropped, lap);
    }
  }
  set_pending(slot, PendingOp::kPush, chunk, tail);
  give_to_subscriber(segment, chunk, s);
  cell.chunk.store(chunk, std::memory_order_relaxed);
  cell.publisher.store(info.publisher, std::memory_order_relaxed);
  cell.size.store(info.size, std::memory_order_relaxed);
  cell.sequence.store(info.sequence, std::memory_order_relaxed);
  cell.publish_time_ns.store(info.publish_time_ns, std::memory_order_relaxed);
  // The commit. Release is enough: the caller's notify_once() puts a sequentially consistent
  // fence between it and its read of data_waiters, which is what the futex protocol needs.
  cell.ctl.store(cell_ctl(CellKind::kFull, lap), std::memory_order_release);
  slot.tail.store(tail + 1, std::memory_order_release);
  set_pending(slot, PendingOp::kNone, kNoChunk, 0);
  return PushResult::kPushed;
}

Result<TakenEntry> take_entry(const Segment& segment, std::uint32_t s) {
  SubscriberSlot& slot = segment.subscriber(s);
  while (true) {
    std::uint64_t head = slot.head.load(std::memory_order_acquire);
    const std::uint64_t lap = lap_of(segment, head);
    QueueCell& cell = cell_at(segment, s, head);
    std::uint64_t ctl = cell.ctl.load(std::memory_order_acquire);
    if (free_for(ctl, lap)) return TakenEntry{};
    if (ctl != cell_ctl(CellKind::kFull, lap)) {
      // A later lap: the entry of `head` was taken (by another thread of this subscriber) or
      // dropped by a publisher — perhaps several laps ago, when publishers keep dropping — and
      // the head not yet moved past it: move it. A cell behind the head, or ahead of what
      // publishers have pushed, is a scribbled ring. (Reading the publishers' tail costs a
      // cache line, but only here, off the fast path.)
      const std::uint64_t tail = slot.tail.load(std::memory_order_acquire);
      const std::uint64_t cl = cell_lap(ctl);
      if (cl <= lap || cl > lap_of(segment, tail) + 1 || cell_kind(ctl) > CellKind::kDropped) {
        if (slot.head.load(std::memory_order_acquire) != head) continue;  // we read a stale head
        return corrupt_queue(segment, s);
      }
      // Positions before tail - depth are gone for certain (their cells were pushed again):
      // a head several laps behind jumps there instead of stepping cell by cell.
      const std::uint64_t depth = segment.params().queue_depth;
      const std::uint64_t oldest = tail >= depth ? tail - depth : 0;
      slot.head.compare_exchange_strong(head, std::max(head + 1, oldest),
                                        std::memory_order_acq_rel);
      continue;
    }
    TakenEntry e;
    e.chunk = cell.chunk.load(std::memory_order_relaxed);
    if (e.chunk < segment.params().chunk_count) {
      // Start the transfers of the chunk's holder line (checked below, written when the
      // sample is released) and of its first payload line (the caller reads it next) now, so
      // that they overlap with the CAS on the cell instead of following it.
      prefetch_for_write(subscriber_holder(segment, e.chunk, s).word);
      prefetch_for_read(segment.payload(e.chunk));
    }
    e.size = cell.size.load(std::memory_order_relaxed);
    e.sequence = cell.sequence.load(std::memory_order_relaxed);
    e.publish_time_ns = cell.publish_time_ns.load(std::memory_order_relaxed);
    // The CAS succeeds only if the cell still holds this lap's entry, so what we read is it.
    // seq_cst: it is the commit of room that a waiting publisher's re-check (queue_full) must
    // see, with no fence before the caller's waiters load (notify_once_after_rmw).
    if (!cell.ctl.compare_exchange_strong(ctl, cell_ctl(CellKind::kEmpty, lap + 1),
                                          std::memory_order_seq_cst)) {
      continue;  // a publisher dropped it meanwhile
    }
    slot.head.compare_exchange_strong(head, head + 1, std::memory_order_acq_rel);
    // Never follow an index that is out of range or a chunk we do not hold.
    if (e.chunk < segment.params().chunk_count && subscriber_holds(segment, e.chunk, s)) {
      return e;
    }
    slot.lost.fetch_add(1, std::memory_order_relaxed);
  }
}

void clear_locked(const Segment& segment, std::uint32_t s) {
  SubscriberSlot& slot = segment.subscriber(s);
  set_pending(slot, PendingOp::kNone, kNoChunk, 0);
  QueueCell* ring = segment.queue(s);
  for (std::uint32_t i = 0; i < segment.params().queue_depth; ++i) {
    ring[i].ctl.store(cell_ctl(CellKind::kEmpty, 0), std::memory_order_relaxed);
  }
  slot.head.store(0, std::memory_order_relaxed);
  slot.tail.store(0, std::memory_order_seq_cst);
}

bool queue_nonempty(const Segment& segment, std::uint32_t s) noexcept {
  const std::uint64_t head = segment.subscriber(s).head.load(std::memory_order_seq_cst);
  const std::uint64_t ctl = cell_at(segment, s, head).ctl.load(std::memory_order_seq_cst);
  // Anything but "free for the head's position" needs a take to sort out (an entry, a stale
  // head, or corruption that take reports).
  return !free_for(ctl, lap_of(segment, head));
}

HeadWatch::HeadWatch(const Segment& segment, std::uint32_t s) noexcept {
  const std::uint64_t head = segment.subscriber(s).head.load(std::memory_order_acquire);
  ctl_ = &cell_at(segment, s, head).ctl;
  empty_ = cell_ctl(CellKind::kEmpty, lap_of(segment, head));
  dropped_ = cell_ctl(CellKind::kDropped, lap_of(segment, head));
}

bool queue_full(const Segment& segment, std::uint32_t s) noexcept {
  const std::uint64_t tail = segment.subscriber(s).tail.load(std::memory_order_seq_cst);
  const std::uint64_t lap = lap_of(segment, tail);
  return lap > 0 && cell_at(segment, s, tail).ctl.load(std::memory_order_seq_cst) ==
                        cell_ctl(CellKind::kFull, lap - 1);
}

std::optional<std::int64_t> newest_queued_time(const Segment& segment, std::uint32_t s) noexcept {
  const std::uint64_t tail = segment.subscriber(s).tail.load(std::memory_order_acquire);
  if (tail == 0) return std::nullopt;
  const QueueCell& cell = cell_at(segment, s, tail - 1);
  const std::uint64_t full = cell_ctl(CellKind::kFull, lap_of(segment, tail - 1));
  if (cell.ctl.load(std::memory_order_acquire) != full) return std::nullopt;
  const std::int64_t t = cell.publish_time_ns.load(std::memory_order_relaxed);
  // Seqlock-style: the time belongs to that entry only if the cell still holds it.
  std::atomic_thread_fence(std::memory_order_acquire);
  if (cell.ctl.load(std::memory_order_relaxed) != full) return std::nullopt;
  return t;
}

}  // namespace axle::bus::detail
