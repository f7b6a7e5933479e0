#include "chunks.hpp"

#include "futex.hpp"
#include "prefetch.hpp"

namespace axle::bus::detail {

namespace {

// seq_cst loads: this is part of the re-check of a loan waiting for a free chunk (see
// try_claim_chunk) and of a releaser's "did the chunk become free" check.
bool extension_free(const Segment& segment, std::uint32_t chunk) noexcept {
  const std::uint32_t n = segment.layout().holder_ext_words;
  if (n == 0) return true;
  const std::atomic<std::uint64_t>* ext = segment.holder_ext(chunk);
  for (std::uint32_t i = 0; i < n; ++i) {
    if (ext[i].load(std::memory_order_seq_cst) != 0) return false;
  }
  return true;
}

// After a release turned one of the chunk's words to 0: wake loan waiters if the chunk is free
// now. When several holders in different words release at once, the last clear sees every other
// word at 0 (all are seq_cst), so a wake is never missed; an extra one is harmless.
void wake_if_free(const Segment& segment, std::uint32_t chunk, bool holder_word_cleared) noexcept {
  if (segment.layout().holder_ext_words != 0) {
    if (!holder_word_cleared && segment.chunk(chunk).holders.load(std::memory_order_seq_cst) != 0) {
      return;
    }
    if (!extension_free(segment, chunk)) return;
  }
  SegmentHeader& h = segment.header();
  notify_after_rmw(h.free_seq, h.free_waiters);
}

// Clears `bits` of one of the chunk's words (the holder word or an extension word); true when
// any of them was set.
bool clear_holder_bits(const Segment& segment, std::uint32_t chunk, const HolderBit& h) noexcept {
  const std::uint64_t before = h.word->fetch_and(~h.bit, std::memory_order_seq_cst);
  if ((before & h.bit) == 0) return false;
  if ((before & ~h.bit) == 0) wake_if_free(segment, chunk, h.word == &segment.chunk(chunk).holders);
  return true;
}

}  // namespace

bool chunk_free(const Segment& segment, std::uint32_t chunk) noexcept {
  return segment.chunk(chunk).holders.load(std::memory_order_acquire) == 0 &&
         extension_free(segment, chunk);
}

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
    if (holders.load(std::memory_order_seq_cst) != 0 || !extension_free(segment, c) ||
        !holders.compare_exchange_strong(expected, loan_field(publisher),
                                         std::memory_order_seq_cst)) {
      continue;
    }
    // With the loan in the holder word nobody can give the chunk a new holder (only its loan
    // owner and the history replay do), so extension words can only clear from here on: if they
    // are clear now, the chunk is ours; if a subscriber slot beyond the holder word still holds
    // it, give it back.
    if (!extension_free(segment, c)) {
      release_chunk(segment, c, loan_field(publisher));
      continue;
    }
    // The caller writes the payload next: fetch its first line while the loan is handed out.
    prefetch_for_write(segment.payload(c));
    return c;
  }
  return kNoChunk;
}

bool release_chunk(const Segment& segment, std::uint32_t chunk, std::uint64_t bits) noexcept {
  return clear_holder_bits(segment, chunk, {&segment.chunk(chunk).holders, bits});
}

bool release_subscriber(const Segment& segment, std::uint32_t chunk, std::uint32_t s) noexcept {
  return clear_holder_bits(segment, chunk, subscriber_holder(segment, chunk, s));
}

void release_loan_of(const Segment& segment, std::uint32_t chunk,
                     std::uint32_t publisher) noexcept {
  auto& holders = segment.chunk(chunk).holders;
  std::uint64_t h = holders.load(std::memory_order_acquire);
  while ((h & kLoanMask) == loan_field(publisher)) {
    if (holders.compare_exchange_weak(h, h & ~kLoanMask, std::memory_order_seq_cst)) {
      if ((h & ~kLoanMask) == 0) wake_if_free(segment, chunk, /*holder_word_cleared=*/true);
      return;
    }
  }
}

std::uint32_t free_chunk_count(const Segment& segment) noexcept {
  std::uint32_t n = 0;
  for (std::uint32_t c = 0; c < segment.params().chunk_count; ++c) {
    if (chunk_free(segment, c)) ++n;
  }
  return n;
}

}  // namespace axle::bus::detail
