#include "axle/perf/latency_stats.hpp"

#include <algorithm>
#include <bit>
#include <map>
#include <numeric>

namespace axle::perf {

namespace {

constexpr int kBucketsPerOctave = 8;

std::int64_t at_rank(const std::vector<std::int64_t>& sorted, double q) {
  // Nearest rank: ceil(q * n), 1-based.
  const auto n = static_cast<double>(sorted.size());
  auto rank = static_cast<std::size_t>(q * n);
  if (static_cast<double>(rank) < q * n) ++rank;
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

}  // namespace

LatencySummary summarize(std::vector<std::int64_t>& samples) {
  LatencySummary s;
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  s.samples = samples.size();
  s.min_ns = samples.front();
  s.max_ns = samples.back();
  s.p50_ns = at_rank(samples, 0.50);
  s.p99_ns = at_rank(samples, 0.99);
  s.p999_ns = at_rank(samples, 0.999);
  const long double sum = std::accumulate(samples.begin(), samples.end(), 0.0L);
  s.mean_ns = static_cast<double>(sum / static_cast<long double>(samples.size()));
  return s;
}

// Bucket k of octave [2^e, 2^(e+1)) starts at 2^e * (1 + k/8); values below 8 ns share bucket 0.
std::int64_t bucket_floor(std::int64_t ns) {
  if (ns < kBucketsPerOctave) return 0;
  const auto v = static_cast<std::uint64_t>(ns);
  const auto e = static_cast<int>(std::bit_width(v)) - 1;
  const std::uint64_t base = std::uint64_t{1} << e;
  const std::uint64_t step = base / kBucketsPerOctave;
  return static_cast<std::int64_t>(base + (v - base) / step * step);
}

std::int64_t bucket_next(std::int64_t floor_ns) {
  if (floor_ns < kBucketsPerOctave) return kBucketsPerOctave;
  const auto v = static_cast<std::uint64_t>(floor_ns);
  const auto e = static_cast<int>(std::bit_width(v)) - 1;
  return floor_ns + static_cast<std::int64_t>((std::uint64_t{1} << e) / kBucketsPerOctave);
}

Histogram log_histogram(const std::vector<std::int64_t>& samples) {
  std::map<std::int64_t, std::uint64_t> counts;
  for (std::int64_t ns : samples) ++counts[bucket_floor(std::max<std::int64_t>(ns, 0))];
  return {counts.begin(), counts.end()};
}

}  // namespace axle::perf
