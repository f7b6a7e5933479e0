// This machine's hardware floors for the bus benchmarks, measured in the same run as the
// systems (../shared/limits/README.md explains why they move between runs): what no inter-core
// transport can beat.
#pragma once

#include "axle/perf/latency_stats.hpp"

namespace axle::perf {

struct Floors {
  LatencySummary cache_line;  // one-way hand-off of one cache line between two threads, spinning
  LatencySummary futex;       // one-way futex wake hand-off between two threads, sleeping
  Histogram cache_line_histogram;
  Histogram futex_histogram;
};

// Runs `round_trips` ping-pongs of each kind between threads pinned to CPUs 0 and 1 (unpinned
// on a one-CPU machine). Takes about a second.
[[nodiscard]] Floors measure_floors(int round_trips = 200'000);

}  // namespace axle::perf
