// Clocks: a monotonic clock for durations and deadlines, and UTC wall time for records.
#pragma once

#include <cstdint>
#include <string>

namespace axle {

// CLOCK_MONOTONIC in nanoseconds: never jumps, use for durations, timeouts and latency.
std::int64_t monotonic_ns() noexcept;

// CLOCK_REALTIME in milliseconds since the Unix epoch (UTC): use for timestamps in records.
std::int64_t utc_ms() noexcept;

// RFC 3339 form with milliseconds, e.g. "2026-11-25T00:10:46.123Z".
std::string format_utc_ms(std::int64_t utc_ms);

}  // namespace axle
