#include "axle/bus/publisher.hpp"

#include <sched.h>

#include <algorithm>
#include <cstring>

#include "axle/core/clock.hpp"
#include "chunks.hpp"
#include "endpoint.hpp"
#include "futex.hpp"
#include "history.hpp"
#include "liveness.hpp"
#include "prefetch.hpp"
#include "queue.hpp"

namespace axle::bus {

using detail::Endpoint;
using detail::Segment;

namespace {

// A reliable publisher re-checks a full subscriber's liveness this often while it waits, so a
// killed subscriber never blocks it longer than this.
constexpr std::int64_t kLivenessCheckNs = 100'000'000;

bool subscriber_alive(const Segment& segment, std::uint32_t s) {
  const detail::ParticipantSlot& p = segment.subscriber(s).p;
  const std::uint64_t ctl = p.ctl.load(std::memory_order_seq_cst);
  return detail::ctl_state(ctl) == detail::SlotState::kAlive &&
         detail::process_alive(detail::ctl_pid(ctl), p.start_time.load(std::memory_order_acquire));
}

// How a reliable publisher waits for room in a full queue before it sleeps: it polls for
// kFullSpinNs, then yields the CPU between polls until kFullYieldNs. A subscriber that is taking
// makes room within microseconds; one woken from a futex sleep takes tens of microseconds to run
// here (a vCPU's wake-up), and a publisher asleep by then costs the subscriber a wake syscall per
// refill and the stream a wake-up latency per queue's worth of messages. Yielding, not spinning,
// lets a subscriber that shares the publisher's CPU run.
constexpr std::int64_t kFullSpinNs = 10'000;
constexpr std::int64_t kFullYieldNs = 100'000;

// Polls until subscriber `s`'s queue has room (true) or `until` passes (false); after
// `yield_after` it yields the CPU between polls.
bool wait_for_room(const Segment& segment, std::uint32_t s, std::int64_t yield_after,
                   std::int64_t until) {
  for (std::uint32_t polls = 1;; ++polls) {
    if (!detail::queue_full(segment, s)) return true;
    if (polls % 32 != 0) {
#if defined(__x86_64__)
      __builtin_ia32_pause();
#endif
      continue;
    }
    const std::int64_t now = monotonic_ns();
    if (now >= until) return false;
    if (now >= yield_after) sched_yield();
  }
}

}  // namespace

Loan::Loan(std::shared_ptr<Endpoint> publisher, std::uint32_t chunk, std::span<std::byte> data)
    : publisher_(std::move(publisher)), chunk_(chunk), data_(data) {}

Loan& Loan::operator=(Loan&& other) noexcept {
  if (this != &other) {
    reset();
    publisher_ = std::move(other.publisher_);
    chunk_ = other.chunk_;
    data_ = other.data_;
  }
  return *this;
}

void Loan::reset() noexcept {
  if (publisher_ == nullptr) return;
  detail::release_chunk(publisher_->segment(), chunk_, detail::loan_field(publisher_->slot()));
  publisher_.reset();
}

Publisher::Publisher(std::shared_ptr<Endpoint> endpoint, PublisherOptions options)
    : endpoint_(std::move(endpoint)), options_(options) {}
Publisher::Publisher(Publisher&& other) noexcept = default;
Publisher& Publisher::operator=(Publisher&& other) noexcept = default;
Publisher::~Publisher() = default;

std::uint64_t Publisher::max_message_size() const noexcept {
  return endpoint_->segment().params().max_message_size;
}

std::size_t Publisher::subscriber_count() const noexcept {
  const Segment& segment = endpoint_->segment();
  std::size_t n = 0;
  const std::uint32_t slots = segment.subscriber_slots_used();
  for (std::uint32_t s = 0; s < slots; ++s) {
    const std::uint64_t ctl = segment.subscriber(s).p.ctl.load(std::memory_order_acquire);
    if (detail::ctl_state(ctl) == detail::SlotState::kAlive) ++n;
  }
  return n;
}

Result<Loan> Publisher::loan() {
  const Segment& segment = endpoint_->segment();
  detail::SegmentHeader& h = segment.header();
  std::int64_t deadline = 0;  // read the clock only when a wait is needed (a read costs ~40 ns)
  while (true) {
    std::uint32_t c = detail::try_claim_chunk(segment, endpoint_->slot());
    if (c == detail::kNoChunk) {
      if (deadline == 0)
        deadline = detail::deadline_after(monotonic_ns(), options_.timeout.count());
      // Futex protocol of docs/bus.md ("Waiting"): announce, read the word, re-check, sleep.
      h.free_waiters.fetch_add(1, std::memory_order_seq_cst);
      const std::uint32_t seq = h.free_seq.load(std::memory_order_seq_cst);
      c = detail::try_claim_chunk(segment, endpoint_->slot());
      if (c == detail::kNoChunk) detail::futex_wait(h.free_seq, seq, deadline - monotonic_ns());
      h.free_waiters.fetch_sub(1, std::memory_order_seq_cst);
    }
    if (c != detail::kNoChunk) {
      const auto size = static_cast<std::size_t>(segment.params().max_message_size);
      return Loan(endpoint_, c, std::span<std::byte>(segment.payload(c), size));
    }
    if (monotonic_ns() >= deadline) {
      return make_error(ErrorCode::kTimeout,
                        "all " + std::to_string(segment.params().chunk_count) +
                            " chunks of topic '" + segment.topic() +
                            "' stay in use; subscribers hold samples too long, or create the "
                            "topic with more chunks");
    }
  }
}

bool Publisher::deliver(std::uint32_t chunk, std::uint32_t s, std::int64_t& deadline_ns) {
  const Segment& segment = endpoint_->segment();
  detail::SubscriberSlot& slot = segment.subscriber(s);
  std::int64_t alive_check_at = 0;  // set by the first full queue
  while (true) {
    bool full = false;
    {
      auto lock = detail::lock_queue(segment, s);
      if (!lock) return false;
      if (detail::ctl_state(slot.p.ctl.load(std::memory_order_seq_cst)) !=
          detail::SlotState::kAlive) {
        return true;  // left meanwhile: nothing to deliver to
      }
      const bool reliable = slot.reliable.load(std::memory_order_relaxed) != 0;
      auto pushed = detail::push_locked(segment, s, chunk, /*drop_oldest=*/!reliable);
      if (!pushed) return false;
      full = *pushed == detail::PushResult::kFull;
    }
    if (!full) {
      detail::notify_once(slot.data_seq, slot.data_waiters, slot.data_wake_pending);
      return true;
    }
    std::int64_t now = monotonic_ns();
    if (deadline_ns == 0) deadline_ns = detail::deadline_after(now, options_.timeout.count());
    if (now >= deadline_ns) return false;
    // The liveness check reads /proc (four syscalls): do it once per kLivenessCheckNs of
    // waiting, not each time the queue is full — in a saturated stream with a shallow queue
    // that is every few messages.
    if (alive_check_at == 0) alive_check_at = now + kLivenessCheckNs;
    if (now >= alive_check_at) {
      if (!subscriber_alive(segment, s)) return true;  // the reaper reclaims it
      alive_check_at = now + kLivenessCheckNs;
    }
    // Poll, then yield, before paying for a futex sleep and the subscriber's wake syscall.
    if (wait_for_room(segment, s, now + kFullSpinNs,
                      std::min({deadline_ns, alive_check_at, now + kFullYieldNs}))) {
      continue;
    }
    now = monotonic_ns();
    slot.space_waiters.fetch_add(1, std::memory_order_seq_cst);
    detail::arm_wait(slot.space_wake_pending);
    const std::uint32_t seq = slot.space_seq.load(std::memory_order_seq_cst);
    if (detail::queue_full(segment, s)) {
      detail::futex_wait(slot.space_seq, seq,
                         std::max<std::int64_t>(1, std::min(deadline_ns, alive_check_at) - now));
    }
    slot.space_waiters.fetch_sub(1, std::memory_order_seq_cst);
  }
}

Result<void> Publisher::publish(Loan&& loan, std::size_t size) {
  Loan held = std::move(loan);  // consumed on every path: the chunk goes back unless delivered
  if (held.publisher_ != endpoint_) {
    return make_error(ErrorCode::kInvalidArgument, "the loan belongs to another publisher");
  }
  const Segment& segment = endpoint_->segment();
  if (size > segment.params().max_message_size) {
    return make_error(ErrorCode::kInvalidArgument,
                      "message of " + std::to_string(size) + " bytes exceeds topic '" +
                          segment.topic() + "''s maximum of " +
                          std::to_string(segment.params().max_message_size));
  }
  const std::uint32_t c = held.chunk_;
  detail::ChunkInfo& info = segment.chunk(c);
  info.size = size;
  info.publisher = endpoint_->slot();
  info.publish_time_ns = monotonic_ns();
  info.sequence = segment.header().publish_count.fetch_add(1, std::memory_order_relaxed) + 1;
  if (segment.params().history_depth > 0) {
    AXLE_TRY(auto lock, detail::lock_history(segment));
    detail::history_push_locked(segment, c);
  }
  std::int64_t deadline = 0;  // set by the first full queue: the clock is read only then
  std::size_t missed = 0;
  const std::uint32_t slots = segment.subscriber_slots_used();
  // The cell each subscriber's next entry goes to was last written by that subscriber (its
  // take): request every such line at once, so the transfers overlap (tail is read without the
  // lock: a stale value only makes the hint miss).
  for (std::uint32_t s = 0; s < slots; ++s) {
    const std::uint64_t ctl = segment.subscriber(s).p.ctl.load(std::memory_order_relaxed);
    if (detail::ctl_state(ctl) != detail::SlotState::kAlive) continue;
    const std::uint64_t tail = segment.subscriber(s).tail.load(std::memory_order_relaxed);
    detail::prefetch_for_write(&segment.queue(s)[tail % segment.params().queue_depth]);
  }
  for (std::uint32_t s = 0; s < slots; ++s) {
    const std::uint64_t ctl = segment.subscriber(s).p.ctl.load(std::memory_order_seq_cst);
    if (detail::ctl_state(ctl) != detail::SlotState::kAlive) continue;
    if (!deliver(c, s, deadline)) ++missed;
  }
  endpoint_->segment().publisher(endpoint_->slot()).p.count.fetch_add(1, std::memory_order_relaxed);
  // The next loan most likely claims the chunk under the shared cursor, whose holder line a
  // subscriber wrote when it released it: fetch it now, while nobody waits for it.
  const std::uint32_t next =
      segment.header().alloc_cursor.load(std::memory_order_relaxed) % segment.params().chunk_count;
  detail::prefetch_for_write(&segment.chunk(next).holders);
  if (missed > 0) {
    return make_error(ErrorCode::kTimeout, std::to_string(missed) + " subscriber(s) of topic '" +
                                               segment.topic() +
                                               "' did not get the sample: their queue stayed full "
                                               "past the timeout or could not be locked");
  }
  return axle::ok();
}

Result<void> Publisher::publish_copy(std::span<const std::byte> bytes) {
  AXLE_TRY(Loan loan, this->loan());
  if (bytes.size() > loan.data().size()) {
    return make_error(ErrorCode::kInvalidArgument, "message exceeds the topic's maximum size");
  }
  if (!bytes.empty()) std::memcpy(loan.data().data(), bytes.data(), bytes.size());
  return publish(std::move(loan), bytes.size());
}

}  // namespace axle::bus
