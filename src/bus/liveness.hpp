// Is the process that owns a participant slot still alive? A PID alone is not enough (PIDs are
// recycled), so slots also record the process start time from /proc/<pid>/stat.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace axle::bus::detail {

// Start time of `pid` in clock ticks since boot (proc(5), field 22); 0 when it cannot be read.
std::uint64_t process_start_time(pid_t pid) noexcept;

// The start time of this process, read once.
std::uint64_t own_start_time() noexcept;

// False when `pid` does not exist or was started at another time than `start_time` (0: unknown,
// only the PID is checked).
bool process_alive(pid_t pid, std::uint64_t start_time) noexcept;

}  // namespace axle::bus::detail
