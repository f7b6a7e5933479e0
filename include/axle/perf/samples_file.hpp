// The raw one-way samples of one latency run, as a ping worker hands them to `axle bench`: a file
// of int64 nanosecond values in native byte order, nothing else (both ends run on one machine).
// Merging the raw samples of several rounds gives exact percentiles, which merging histograms
// or percentiles would not.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "axle/core/result.hpp"

namespace axle::perf {

[[nodiscard]] Result<void> write_samples_file(const std::string& path,
                                              const std::vector<std::int64_t>& samples);
// Appends the file's samples to `out`; kCorrupt when its size is not a whole number of samples.
[[nodiscard]] Result<void> read_samples_file(const std::string& path,
                                             std::vector<std::int64_t>& out);

}  // namespace axle::perf
