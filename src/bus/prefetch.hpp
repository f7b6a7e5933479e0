// Cache-line prefetch hints for the data path. A hint changes no memory and no ownership; it
// only asks the core to start fetching a line that the next instructions will touch, so that
// several cross-core transfers overlap instead of following one another (docs/bus.md, "Cache
// lines per message").
#pragma once

namespace axle::bus::detail {

// Fetches the line in a writable (exclusive) state: a later store or atomic read-modify-write
// then needs no second transfer to upgrade a shared copy.
inline void prefetch_for_write(const void* p) noexcept {
#if defined(__x86_64__)
  asm volatile("prefetchw %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p, 1, 3);
#endif
}

inline void prefetch_for_read(const void* p) noexcept { __builtin_prefetch(p, 0, 3); }

}  // namespace axle::bus::detail
