// The binary layout of a topic's shared-memory segment (docs/bus.md, "Segment layout").
// Everything here lives in shared memory: fixed-size types, lock-free atomics, process-shared
// robust mutexes, no pointers. Changing any of it requires bumping kAbiVersion.
#pragma once

#include <pthread.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "axle/bus/options.hpp"

namespace axle::bus::detail {

inline constexpr std::uint64_t kMagic = 0x3130535542'4c5841ULL;  // "AXLBUS01", little-endian
// 2: SubscriberSlot::received, free_seq line; 3: wake-pending flags; 4: lock-free take from a ring
// of 64-byte cells (QueueCell) that carry the entry, head on the subscriber's own line;
// 5: holder extension words for subscriber slots from 48 on (no compile-time subscriber bound);
// 6: subscriber_slots_used, so that a publish scans the slots in use, not every slot.
inline constexpr std::uint32_t kAbiVersion = 6;
inline constexpr std::uint32_t kStateReady = 0x59444552;  // "REDY"
inline constexpr std::uint32_t kNoChunk = 0xffffffffU;
inline constexpr std::size_t kAlign = 64;

static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);

// Chunk holder word: bits 0..47 subscriber slots, bit 48 history, bits 49..63 loan (slot + 1).
// Subscriber slots from 48 on hold a bit in the chunk's extension words (64 slots per word),
// which exist only in topics with more than 48 subscriber slots.
inline constexpr std::uint32_t kSubscribersInHolderWord = 48;
inline constexpr std::uint32_t kSubscribersPerExtensionWord = 64;
inline constexpr std::uint64_t kHistoryBit = 1ULL << 48;
inline constexpr unsigned kLoanShift = 49;
inline constexpr std::uint64_t kLoanMask = ~0ULL << kLoanShift;
// The bit of subscriber slot `slot` < kSubscribersInHolderWord in the holder word.
inline constexpr std::uint64_t subscriber_bit(std::uint32_t slot) { return 1ULL << slot; }
inline constexpr std::uint64_t loan_field(std::uint32_t publisher_slot) {
  return (static_cast<std::uint64_t>(publisher_slot) + 1) << kLoanShift;
}
static_assert(kMaxPublishersPerTopic == (1U << (64 - kLoanShift)) - 1);

// Participant slot states, the high half of the ctl word (low half: pid of the owner).
enum class SlotState : std::uint32_t { kFree = 0, kJoining = 1, kAlive = 2, kReclaiming = 3 };
inline constexpr std::uint64_t make_ctl(SlotState state, std::int32_t pid) {
  return (static_cast<std::uint64_t>(state) << 32) | static_cast<std::uint32_t>(pid);
}
inline constexpr SlotState ctl_state(std::uint64_t ctl) {
  return static_cast<SlotState>(ctl >> 32);
}
inline constexpr std::int32_t ctl_pid(std::uint64_t ctl) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(ctl & 0xffffffffU));
}

struct SegmentHeader {
  std::uint64_t magic;
  std::uint32_t abi_version;
  std::uint32_t header_size;
  std::uint64_t total_size;
  std::atomic<std::uint32_t> state;
  std::int32_t creator_pid;
  std::int64_t created_utc_ms;
  char type_name[kMaxTypeNameLength + 1];
  char encoding[kMaxEncodingLength + 1];
  std::uint64_t type_hash;
  std::uint64_t max_message_size;
  std::uint32_t chunk_count;
  std::uint32_t queue_depth;
  std::uint32_t history_depth;
  std::uint32_t max_publishers;
  std::uint32_t max_subscribers;
  std::uint32_t group_access;
  // Stored for tools; every opener recomputes and compares them.
  std::uint64_t history_off;
  std::uint64_t pub_table_off;
  std::uint64_t sub_table_off;
  std::uint64_t queue_off;
  std::uint64_t chunk_table_off;
  std::uint64_t payload_off;
  std::uint64_t chunk_stride;
  std::uint64_t holder_ext_off;
  std::uint64_t holder_ext_stride;

  alignas(kAlign) std::atomic<std::uint32_t> alloc_cursor;
  std::atomic<std::uint64_t> publish_count;
  // One past the highest subscriber slot ever claimed: publishes scan only the slots below it.
  // Raised by a join before the slot turns alive, never lowered (joins reuse the lowest free
  // slot, so it stays at the most subscribers the topic has had at once).
  std::atomic<std::uint32_t> subscriber_slots_used;
  // On their own line: every release reads free_waiters, every loan writes alloc_cursor.
  alignas(kAlign) std::atomic<std::uint32_t> free_seq;  // futex: a chunk became free
  std::atomic<std::uint32_t> free_waiters;

  alignas(kAlign) pthread_mutex_t history_mutex;  // robust, process-shared
  std::uint64_t history_next;                     // pushes so far; ring slot = next % depth
};

// Common head of publisher and subscriber slots.
struct ParticipantSlot {
  std::atomic<std::uint64_t> ctl;         // make_ctl(state, pid)
  std::atomic<std::uint64_t> start_time;  // /proc/<pid>/stat field 22; 0 = not yet known
  std::atomic<std::uint64_t> count;       // published / received
  char node_name[64];
};

struct alignas(kAlign) PublisherSlot {
  ParticipantSlot p;
};

enum class PendingOp : std::uint32_t { kNone = 0, kPush = 1, kDrop = 2 };

// One entry of a subscriber's ring, alone on its cache line: the subscriber's poll reads only
// `ctl`, and the entry's fields come with it. `ctl` is cell_ctl(kind, lap) where the cell serves
// queue positions lap * depth + index (docs/bus.md, "Per-subscriber queues").
enum class CellKind : std::uint64_t {
  kEmpty = 0,    // free for position `lap` (a zeroed ring is empty at lap 0)
  kFull = 1,     // holds the entry of position `lap`
  kDropped = 2,  // free for position `lap`; a best-effort publisher dropped the entry before it
};
inline constexpr unsigned kCellKindShift = 62;
inline constexpr std::uint64_t kCellLapMask = (1ULL << kCellKindShift) - 1;
inline constexpr std::uint64_t cell_ctl(CellKind kind, std::uint64_t lap) {
  return (static_cast<std::uint64_t>(kind) << kCellKindShift) | (lap & kCellLapMask);
}
inline constexpr CellKind cell_kind(std::uint64_t ctl) {
  return static_cast<CellKind>(ctl >> kCellKindShift);
}
inline constexpr std::uint64_t cell_lap(std::uint64_t ctl) { return ctl & kCellLapMask; }

struct alignas(kAlign) QueueCell {
  std::atomic<std::uint64_t> ctl;
  // Written by the pushing publisher before `ctl` turns kFull; read by a taker before its CAS
  // on `ctl`, which tells it whether what it read was this lap's entry.
  std::atomic<std::uint32_t> chunk;
  std::atomic<std::uint32_t> publisher;
  std::atomic<std::uint64_t> size;
  std::atomic<std::uint64_t> sequence;
  std::atomic<std::int64_t> publish_time_ns;
};
static_assert(sizeof(QueueCell) == kAlign);

struct alignas(kAlign) SubscriberSlot {
  ParticipantSlot p;
  std::atomic<std::uint32_t> reliable;
  // Publishers' line: they push one at a time under this robust mutex; the subscriber never
  // takes it on the data path (it takes entries with a CAS on the cell).
  alignas(kAlign) pthread_mutex_t mutex;  // robust, process-shared; serializes pushes
  std::atomic<std::uint64_t> tail;        // next position to push (under the mutex)
  // What the mutex holder is doing, written before it touches anything (crash repair).
  std::uint32_t pending_op;
  std::uint32_t pending_chunk;
  std::uint64_t pending_pos;
  // Subscriber's line: the next position to take, and samples taken (counted here, not in
  // p.count: p shares its line with ctl, which every publish reads).
  alignas(kAlign) std::atomic<std::uint64_t> head;
  std::atomic<std::uint64_t> received;
  alignas(kAlign) std::atomic<std::uint32_t> data_seq;  // futex: data arrived
  std::atomic<std::uint32_t> data_waiters;
  std::atomic<std::uint32_t> data_wake_pending;          // a wake is on its way (see notify_once)
  alignas(kAlign) std::atomic<std::uint32_t> space_seq;  // futex: room in the queue
  std::atomic<std::uint32_t> space_waiters;
  std::atomic<std::uint32_t> space_wake_pending;
  std::atomic<std::uint64_t> lost;
};

struct alignas(kAlign) ChunkInfo {
  std::atomic<std::uint64_t> holders;
  // Written by the loan owner before publish, read by subscribers after taking.
  std::uint64_t size;
  std::uint64_t sequence;
  std::int64_t publish_time_ns;
  std::uint32_t publisher;
};

// Offsets and sizes of one segment, computed from its parameters alone.
struct Layout {
  std::uint64_t history_off = 0;
  std::uint64_t pub_table_off = 0;
  std::uint64_t sub_table_off = 0;
  std::uint64_t queue_off = 0;
  std::uint64_t chunk_table_off = 0;
  std::uint64_t payload_off = 0;
  std::uint64_t chunk_stride = 0;
  // Per chunk: holder extension words (0 when every subscriber slot fits the holder word), on
  // lines of their own.
  std::uint64_t holder_ext_off = 0;
  std::uint32_t holder_ext_words = 0;
  std::uint64_t holder_ext_stride = 0;
  std::uint64_t total_size = 0;
};

struct Params {
  std::uint64_t max_message_size = 0;
  std::uint32_t chunk_count = 0;
  std::uint32_t queue_depth = 0;
  std::uint32_t history_depth = 0;
  std::uint32_t max_publishers = 0;
  std::uint32_t max_subscribers = 0;
};

// Checks the limits (nonzero, within the format's bounds, no overflow) and computes the layout.
bool compute_layout(const Params& params, Layout& out) noexcept;

}  // namespace axle::bus::detail
