#include "axle/perf/floors.hpp"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <thread>
#include <vector>

#include "axle/core/clock.hpp"

namespace axle::perf {

namespace {

void pin_to(int cpu) {
  if (std::thread::hardware_concurrency() < 2) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  (void)pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected) {
  ::syscall(SYS_futex, static_cast<void*>(&word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr,
            0);
}

void futex_wake(std::atomic<std::uint32_t>& word) {
  ::syscall(SYS_futex, static_cast<void*>(&word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

// Ping-pong on one word: the pinger writes odd values, the ponger answers with the next even.
template <bool kSleep>
std::vector<std::int64_t> ping_pong(int round_trips) {
  alignas(64) std::atomic<std::uint32_t> word{0};
  std::thread ponger([&] {
    pin_to(1);
    for (std::uint32_t expect = 1; expect < 2u * static_cast<std::uint32_t>(round_trips);
         expect += 2) {
      std::uint32_t v;
      while ((v = word.load(std::memory_order_acquire)) != expect) {
        if constexpr (kSleep) futex_wait(word, v);
      }
      word.store(expect + 1, std::memory_order_release);
      if constexpr (kSleep) futex_wake(word);
    }
  });
  pin_to(0);
  std::vector<std::int64_t> samples;
  samples.reserve(static_cast<std::size_t>(round_trips));
  for (std::uint32_t i = 0; i < static_cast<std::uint32_t>(round_trips); ++i) {
    const std::uint32_t ping = 2 * i + 1;
    const std::int64_t t0 = monotonic_ns();
    word.store(ping, std::memory_order_release);
    if constexpr (kSleep) futex_wake(word);
    std::uint32_t v;
    while ((v = word.load(std::memory_order_acquire)) != ping + 1) {
      if constexpr (kSleep) futex_wait(word, v);
    }
    samples.push_back((monotonic_ns() - t0) / 2);
  }
  ponger.join();
  // The first tenth warms caches and wakes the CPUs up; it is not measured.
  samples.erase(samples.begin(),
                samples.begin() + static_cast<std::ptrdiff_t>(samples.size() / 10));
  return samples;
}

}  // namespace

Floors measure_floors(int round_trips) {
  cpu_set_t before;
  const bool restore = sched_getaffinity(0, sizeof before, &before) == 0;
  Floors f;
  auto spin = ping_pong<false>(round_trips);
  f.cache_line_histogram = log_histogram(spin);
  f.cache_line = summarize(spin);
  auto sleep = ping_pong<true>(std::max(round_trips / 20, 1000));
  f.futex_histogram = log_histogram(sleep);
  f.futex = summarize(sleep);
  if (restore) (void)sched_setaffinity(0, sizeof before, &before);
  return f;
}

}  // namespace axle::perf
