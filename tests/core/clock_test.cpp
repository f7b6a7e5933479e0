#include "axle/core/clock.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace axle {
namespace {

TEST(ClockTest, MonotonicNeverGoesBackAndAdvancesWithSleep) {
  auto a = monotonic_ns();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  auto b = monotonic_ns();
  EXPECT_GE(b - a, 2'000'000);
}

TEST(ClockTest, UtcMillisecondsMatchSystemClock) {
  auto sys = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  EXPECT_NEAR(static_cast<double>(utc_ms()), static_cast<double>(sys), 1000.0);
}

TEST(ClockTest, FormatsRfc3339WithMilliseconds) {
  EXPECT_EQ(format_utc_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc_ms(1'764'029'446'123), "2025-11-25T00:10:46.123Z");
  EXPECT_EQ(format_utc_ms(-1), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace axle
