// Chunk ownership through holder bits (docs/bus.md, "Chunk ownership"): claiming a free chunk
// and dropping a holder are each one atomic instruction, so a process killed at any point leaves
// every chunk either free or attributed to a holder that a survivor can reclaim.
#pragma once

#include <atomic>
#include <cstdint>

#include "segment.hpp"

namespace axle::bus::detail {

// Where subscriber slot `s`'s holder bit of a chunk lives: the holder word for slots below
// kSubscribersInHolderWord (beside the history bit and the loan), else an extension word.
struct HolderBit {
  std::atomic<std::uint64_t>* word;
  std::uint64_t bit;
};
inline HolderBit subscriber_holder(const Segment& segment, std::uint32_t chunk,
                                   std::uint32_t s) noexcept {
  if (s < kSubscribersInHolderWord) return {&segment.chunk(chunk).holders, subscriber_bit(s)};
  const std::uint32_t x = s - kSubscribersInHolderWord;
  return {segment.holder_ext(chunk) + x / kSubscribersPerExtensionWord,
          1ULL << (x % kSubscribersPerExtensionWord)};
}

// True when subscriber slot `s` holds the chunk.
inline bool subscriber_holds(const Segment& segment, std::uint32_t chunk,
                             std::uint32_t s) noexcept {
  const HolderBit h = subscriber_holder(segment, chunk, s);
  return (h.word->load(std::memory_order_acquire) & h.bit) != 0;
}

// Gives subscriber slot `s` a hold on the chunk; only the chunk's loan owner (a push) and the
// history replay do, so a chunk nobody loans or keeps in history never gains a holder.
inline void give_to_subscriber(const Segment& segment, std::uint32_t chunk,
                               std::uint32_t s) noexcept {
  const HolderBit h = subscriber_holder(segment, chunk, s);
  h.word->fetch_or(h.bit, std::memory_order_acq_rel);
}

// True when nothing holds the chunk: its holder word and every extension word are 0.
bool chunk_free(const Segment& segment, std::uint32_t chunk) noexcept;

// Claims a free chunk for publisher slot `publisher`; kNoChunk when all are held.
std::uint32_t try_claim_chunk(const Segment& segment, std::uint32_t publisher) noexcept;

// Drops `bits` of the holder word (the history bit or a loan field); the caller holds them.
// Wakes loan waiters when the chunk became free. Returns true when any of `bits` was still set
// (clearing is idempotent).
bool release_chunk(const Segment& segment, std::uint32_t chunk, std::uint64_t bits) noexcept;

// release_chunk() for subscriber slot `s`'s hold.
bool release_subscriber(const Segment& segment, std::uint32_t chunk, std::uint32_t s) noexcept;

// Drops the loan of publisher slot `publisher` from the chunk if it holds one.
void release_loan_of(const Segment& segment, std::uint32_t chunk, std::uint32_t publisher) noexcept;

// Number of chunks with no holder (tools and tests).
std::uint32_t free_chunk_count(const Segment& segment) noexcept;

}  // namespace axle::bus::detail
