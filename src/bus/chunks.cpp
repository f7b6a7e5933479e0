#include "chunks.hpp"

#include "futex.hpp"
#include "prefetch.hpp"

namespace axle::bus::detail {

std::uint32_t try_claim_chunk(const Segment& segment, std::uint32_t publisher) noexcept {
  const std::uint32_t n = segment.params().chunk_count;
  // A shared rotating start spreads publishers over the table, so a claim usually succeeds on
  // the first chunk it looks at.
  const std::uint32_t start =
      segment.header().alloc_cursor.fetch_add(1, std::memory_order_relaxed) % n;
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t c = (start + i) % n;
    auto& holders = segment.chunk(c).holders;
    std::uint64_t expected = 0;
    // seq_cst: this is also the re-check of a publisher waiting for a free chunk, which a
    // release's waiters load (notify_after_rmw) must not slip past.
    if (holders.load(std::memory_order_seq_cst) == 0 &&
        holders.compare_exchange_strong(expected, loan_field(publisher),
                                        std::memory_order_seq_cst)) {
      // The caller writes the payload next: fetch its first line while the loan is handed out.
      prefetch_for_write(segment.payload(c));
      return c;
    }
  }
  return kNoChunk;
}

bool release_chunk(const Segment& segment, std::uint32_t chunk, std::uint64_t bits) noexcept {
  const std::uint64_t before =
      segment.chunk(chunk).holders.fetch_and(~bits, std::memory_order_seq_cst);
  if ((before & bits) == 0) return false;
  if ((before & ~bits) == 0) {
    SegmentHeader& h = segment.header();
    notify_after_rmw(h.free_seq, h.free_waiters);
  }
  return true;
}

void release_loan_of(const Segment& segment, std::uint32_t chunk,
                     std::uint32_t publisher) noexcept {
  auto& holders = segment.chunk(chunk).holders;
  std::uint64_t h = holders.load(std::memory_order_acquire);
  while ((h & kLoanMask) == loan_field(publisher)) {
    if (holders.compare_exchange_weak(h, h & ~kLoanMask, std::memory_order_seq_cst)) {
      if ((h & ~kLoanMask) == 0) {
        SegmentHeader& header = segment.header();
        notify_after_rmw(header.free_seq, header.free_waiters);
      }
      return;
    }
  }
}

std::uint32_t free_chunk_count(const Segment& segment) noexcept {
  std::uint32_t n = 0;
  for (std::uint32_t c = 0; c < segment.params().chunk_count; ++c) {
    if (segment.chunk(c).holders.load(std::memory_order_acquire) == 0) ++n;
  }
  return n;
}

}  // namespace axle::bus::detail
