#include "participants.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "chunks.hpp"
#include "futex.hpp"
#include "history.hpp"
#include "liveness.hpp"
#include "queue.hpp"

namespace axle::bus::detail {

namespace {

// Claims the first free slot of a table with one CAS on its ctl word.
template <typename Slot>
std::uint32_t claim(Slot& (Segment::*slot_at)(std::uint32_t) const noexcept, const Segment& segment,
                    std::uint32_t count, std::string_view node_name) {
  const auto pid = static_cast<std::int32_t>(::getpid());
  for (std::uint32_t i = 0; i < count; ++i) {
    ParticipantSlot& p = (segment.*slot_at)(i).p;
    std::uint64_t ctl = p.ctl.load(std::memory_order_acquire);
    if (ctl_state(ctl) != SlotState::kFree) continue;
    if (!p.ctl.compare_exchange_strong(ctl, make_ctl(SlotState::kJoining, pid),
                                       std::memory_order_acq_rel)) {
      continue;
    }
    p.start_time.store(own_start_time(), std::memory_order_release);
    p.count.store(0, std::memory_order_relaxed);
    std::memset(p.node_name, 0, sizeof(p.node_name));
    std::memcpy(p.node_name, node_name.data(), std::min(node_name.size(), sizeof(p.node_name) - 1));
    return i;
  }
  return kNoChunk;
}

void set_alive(ParticipantSlot& p) {
  p.ctl.store(make_ctl(SlotState::kAlive, static_cast<std::int32_t>(::getpid())),
              std::memory_order_seq_cst);
}

void set_free(ParticipantSlot& p) {
  p.start_time.store(0, std::memory_order_relaxed);
  p.ctl.store(make_ctl(SlotState::kFree, 0), std::memory_order_release);
}

Error table_full(const Segment& segment, const char* what, std::uint32_t max) {
  return make_error(ErrorCode::kFailedPrecondition, "topic '" + segment.topic() + "' already has " +
                                                        std::to_string(max) + " " + what +
                                                        "s; create it with a larger limit");
}

// Takes a slot whose owner is dead: one CAS to "reclaiming by me", so two survivors never
// reclaim the same slot at once, and a reclaimer that dies is itself replaced later.
bool take_over_if_dead(ParticipantSlot& p, std::uint64_t& dead_ctl) {
  std::uint64_t ctl = p.ctl.load(std::memory_order_acquire);
  dead_ctl = ctl;
  if (ctl_state(ctl) == SlotState::kFree) return false;
  if (process_alive(ctl_pid(ctl), p.start_time.load(std::memory_order_acquire))) return false;
  if (!p.ctl.compare_exchange_strong(
          ctl, make_ctl(SlotState::kReclaiming, static_cast<std::int32_t>(::getpid())),
          std::memory_order_acq_rel)) {
    return false;
  }
  p.start_time.store(own_start_time(), std::memory_order_release);
  return true;
}

}  // namespace

Result<std::uint32_t> join_as_publisher(const Segment& segment, std::string_view node_name) {
  const std::uint32_t i =
      claim(&Segment::publisher, segment, segment.params().max_publishers, node_name);
  if (i == kNoChunk) return table_full(segment, "publisher", segment.params().max_publishers);
  set_alive(segment.publisher(i).p);
  return i;
}

Result<std::uint32_t> join_as_subscriber(const Segment& segment, std::string_view node_name,
                                         const SubscriberOptions& options) {
  const std::uint32_t i =
      claim(&Segment::subscriber, segment, segment.params().max_subscribers, node_name);
  if (i == kNoChunk) return table_full(segment, "subscriber", segment.params().max_subscribers);
  // Before the slot can turn alive (and before the history replay below), so that a publish
  // that sees it alive, or pushes to the history after the replay, also scans it.
  std::atomic<std::uint32_t>& used = segment.header().subscriber_slots_used;
  std::uint32_t seen = used.load(std::memory_order_seq_cst);
  while (seen < i + 1 && !used.compare_exchange_weak(seen, i + 1, std::memory_order_seq_cst)) {
  }
  SubscriberSlot& slot = segment.subscriber(i);
  slot.reliable.store(options.reliability == Reliability::kReliable ? 1 : 0,
                      std::memory_order_relaxed);
  slot.lost.store(0, std::memory_order_relaxed);
  slot.received.store(0, std::memory_order_relaxed);
  if (options.durability == Durability::kVolatile || segment.params().history_depth == 0) {
    set_alive(slot.p);
    return i;
  }
  // Holding the history lock while queueing the history and turning alive orders this join
  // against every publish: a sample is either in the replayed history or delivered after.
  Result<void> replayed;
  {
    auto history = lock_history(segment);
    if (!history) {
      replayed = std::move(history).error();
    } else if (auto queue = lock_queue(segment, i); !queue) {
      replayed = std::move(queue).error();
    } else {
      history_for_each_locked(segment, [&](std::uint32_t c) {
        if (!replayed) return;
        auto pushed = push_locked(segment, i, c, /*drop_oldest=*/true);
        if (!pushed) replayed = std::move(pushed).error();
      });
      if (replayed) set_alive(slot.p);
    }
  }
  if (!replayed) {
    leave_subscriber(segment, i);
    return std::move(replayed).error();
  }
  return i;
}

void leave_publisher(const Segment& segment, std::uint32_t slot) {
  for (std::uint32_t c = 0; c < segment.params().chunk_count; ++c) {
    release_loan_of(segment, c, slot);
  }
  set_free(segment.publisher(slot).p);
}

void leave_subscriber(const Segment& segment, std::uint32_t s) {
  SubscriberSlot& slot = segment.subscriber(s);
  // Publishers check the state under the queue lock, so none pushes after this.
  slot.p.ctl.store(make_ctl(SlotState::kReclaiming, static_cast<std::int32_t>(::getpid())),
                   std::memory_order_seq_cst);
  {
    auto lock = lock_queue(segment, s);
    // Without the lock (a stopped holder) the queue is still cleared; the holder is not
    // pushing to a non-alive slot once it runs again.
    clear_locked(segment, s);
  }
  for (std::uint32_t c = 0; c < segment.params().chunk_count; ++c) {
    release_subscriber(segment, c, s);
  }
  slot.reliable.store(0, std::memory_order_relaxed);
  notify(slot.space_seq, slot.space_waiters);  // publishers waiting for room move on
  set_free(slot.p);
}

void stop_subscriber(const Segment& segment, std::uint32_t s) {
  SubscriberSlot& slot = segment.subscriber(s);
  // Not alive any more, but owned by this live process: reapers leave it alone.
  slot.p.ctl.store(make_ctl(SlotState::kReclaiming, static_cast<std::int32_t>(::getpid())),
                   std::memory_order_seq_cst);
  if (auto lock = lock_queue(segment, s)) {
    while (true) {
      auto e = take_entry(segment, s);
      if (!e || e->chunk == kNoChunk) break;
      release_subscriber(segment, e->chunk, s);
    }
  }
  notify(slot.space_seq, slot.space_waiters);
}

std::vector<ReclaimedSlot> reap_dead(const Segment& segment) {
  std::vector<ReclaimedSlot> reclaimed;
  auto record = [&reclaimed](const ParticipantSlot& p, std::uint64_t dead_ctl, bool publisher) {
    char name[sizeof(p.node_name) + 1] = {};
    std::memcpy(name, p.node_name, sizeof(p.node_name));
    reclaimed.push_back({publisher, ctl_pid(dead_ctl), name});
  };
  for (std::uint32_t i = 0; i < segment.params().max_publishers; ++i) {
    ParticipantSlot& p = segment.publisher(i).p;
    std::uint64_t before = 0;
    if (take_over_if_dead(p, before)) {
      record(p, before, true);
      // Subscribers take without the queue lock, so none of them would notice that the dead
      // publisher holds it: lock each queue once, which repairs a push or drop it left half
      // done (and frees the lock for the other publishers).
      for (std::uint32_t s = 0; s < segment.params().max_subscribers; ++s) {
        (void)lock_queue(segment, s);
      }
      leave_publisher(segment, i);
    }
  }
  for (std::uint32_t i = 0; i < segment.params().max_subscribers; ++i) {
    ParticipantSlot& p = segment.subscriber(i).p;
    std::uint64_t before = 0;
    if (take_over_if_dead(p, before)) {
      record(p, before, false);
      leave_subscriber(segment, i);
    }
  }
  return reclaimed;
}

}  // namespace axle::bus::detail
