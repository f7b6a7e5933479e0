// Chunk ownership through the holder word (docs/bus.md, "Chunk ownership"): claiming a free
// chunk and dropping a holder are each one atomic instruction, so a process killed at any point
// leaves every chunk either free or attributed to a holder that a survivor can reclaim.
#pragma once

#include <cstdint>

#include "segment.hpp"

namespace axle::bus::detail {

// Claims a free chunk for publisher slot `publisher`; kNoChunk when all are held.
std::uint32_t try_claim_chunk(const Segment& segment, std::uint32_t publisher) noexcept;

// Drops `bits` (a subscriber bit, the history bit or a loan field) from the chunk; the caller
// holds them. Wakes loan waiters when the chunk became free. Returns true when any of `bits` was
// still set (clearing is idempotent).
bool release_chunk(const Segment& segment, std::uint32_t chunk, std::uint64_t bits) noexcept;

// Drops the loan of publisher slot `publisher` from the chunk if it holds one.
void release_loan_of(const Segment& segment, std::uint32_t chunk, std::uint32_t publisher) noexcept;

// Number of chunks with no holder (tools and tests).
std::uint32_t free_chunk_count(const Segment& segment) noexcept;

}  // namespace axle::bus::detail
