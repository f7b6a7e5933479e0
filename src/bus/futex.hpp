// Futex wait and wake on 32-bit words in shared memory (futex(2)). Shared futexes (no
// FUTEX_PRIVATE_FLAG) because waiter and waker are in different processes.
#pragma once

#include <atomic>
#include <climits>
#include <cstdint>

namespace axle::bus::detail {

// Sleeps while `*word == expected`, at most `timeout_ns` (> 0). Returns on wake, on a changed
// value, on a signal or on timeout; the caller re-checks its condition and its deadline.
void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected,
                std::int64_t timeout_ns) noexcept;

// Wakes every waiter on `word`.
void futex_wake_all(std::atomic<std::uint32_t>& word) noexcept;

// monotonic_ns() + timeout, saturating instead of overflowing for huge timeouts.
inline std::int64_t deadline_after(std::int64_t now_ns, std::int64_t timeout_ns) noexcept {
  constexpr std::int64_t kMax = INT64_MAX / 2;  // about 146 years
  return timeout_ns > kMax - now_ns ? kMax : now_ns + (timeout_ns < 0 ? 0 : timeout_ns);
}

// Writer side of the protocol in docs/bus.md ("Waiting"), after the commit: only when someone
// waits, bump the sequence word and wake. Without waiters nothing is written, so the word's
// cache line stays with the waiting side and the fast path costs one load. The fence orders the
// commit before the waiters load (Dekker with the waiter's seq_cst increment): a waiter this load
// misses increments after the commit, so its re-check sees the commit and it does not sleep.
//
// notify_after_rmw() is the same for a commit that was itself a sequentially consistent
// read-modify-write, which already precedes the waiters load in the single order of seq_cst
// operations: no fence (on x86 a fence costs as much as the commit).
inline void notify_after_rmw(std::atomic<std::uint32_t>& seq,
                             std::atomic<std::uint32_t>& waiters) noexcept {
  if (waiters.load(std::memory_order_seq_cst) == 0) return;
  seq.fetch_add(1, std::memory_order_seq_cst);
  futex_wake_all(seq);
}
inline void notify(std::atomic<std::uint32_t>& seq, std::atomic<std::uint32_t>& waiters) noexcept {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  notify_after_rmw(seq, waiters);
}

// notify() for a stream of commits: only the first commit after a waiter armed issues the wake
// syscall; later ones see `pending` set and skip it, until a waiter arms again (arm_wait clears
// `pending` before it reads the sequence word and re-checks). Safe because a commit that skips
// read pending == 1 before the waiter's clear in the single order of seq_cst operations, so the
// waiter's re-check after its clear sees that commit. The _after_rmw form is for a commit that
// was a seq_cst read-modify-write, as for notify_after_rmw().
inline void notify_once_after_rmw(std::atomic<std::uint32_t>& seq,
                                  std::atomic<std::uint32_t>& waiters,
                                  std::atomic<std::uint32_t>& pending) noexcept {
  if (waiters.load(std::memory_order_seq_cst) == 0) return;
  if (pending.exchange(1, std::memory_order_seq_cst) != 0) return;
  seq.fetch_add(1, std::memory_order_seq_cst);
  futex_wake_all(seq);
}
inline void notify_once(std::atomic<std::uint32_t>& seq, std::atomic<std::uint32_t>& waiters,
                        std::atomic<std::uint32_t>& pending) noexcept {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  notify_once_after_rmw(seq, waiters, pending);
}

// Waiter side for words woken by notify_once: after counting itself in `waiters` and before
// reading the sequence word, a waiter re-arms the wake.
inline void arm_wait(std::atomic<std::uint32_t>& pending) noexcept {
  pending.store(0, std::memory_order_seq_cst);
}

}  // namespace axle::bus::detail
