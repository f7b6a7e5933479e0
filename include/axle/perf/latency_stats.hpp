// Latency statistics of one benchmark case: exact percentiles from every sample, and a
// log-scale histogram (8 buckets per octave) for charts.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace axle::perf {

struct LatencySummary {
  std::uint64_t samples = 0;
  std::int64_t min_ns = 0;
  std::int64_t p50_ns = 0;
  std::int64_t p99_ns = 0;
  std::int64_t p999_ns = 0;
  std::int64_t max_ns = 0;
  double mean_ns = 0;
};

// Nearest-rank percentiles (the smallest sample with at least q of the samples at or below it).
// Sorts `samples`. An empty vector gives a summary with samples == 0.
[[nodiscard]] LatencySummary summarize(std::vector<std::int64_t>& samples);

// Buckets as (lower bound in ns, count), ascending, empty buckets left out.
using Histogram = std::vector<std::pair<std::int64_t, std::uint64_t>>;
[[nodiscard]] Histogram log_histogram(const std::vector<std::int64_t>& samples);

// The lower bound of the log bucket holding `ns`, and of the next bucket.
[[nodiscard]] std::int64_t bucket_floor(std::int64_t ns);
[[nodiscard]] std::int64_t bucket_next(std::int64_t floor_ns);

}  // namespace axle::perf
