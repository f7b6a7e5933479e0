#include "axle/core/clock.hpp"

#include <fmt/format.h>

#include <ctime>

namespace axle {

namespace {
std::int64_t read_clock(clockid_t id) noexcept {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
}  // namespace

std::int64_t monotonic_ns() noexcept { return read_clock(CLOCK_MONOTONIC); }

std::int64_t utc_ms() noexcept { return read_clock(CLOCK_REALTIME) / 1'000'000; }

std::string format_utc_ms(std::int64_t utc_ms) {
  // Floor division so that times before 1970 still format correctly.
  std::int64_t secs = utc_ms / 1000;
  std::int64_t millis = utc_ms % 1000;
  if (millis < 0) {
    millis += 1000;
    secs -= 1;
  }
  time_t t = static_cast<time_t>(secs);
  tm parts{};
  gmtime_r(&t, &parts);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", parts.tm_year + 1900,
                     parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                     millis);
}

}  // namespace axle
