// Validation of numeric sources: histograms of samples and their Jensen–Shannon divergence from
// a history kept in the state directory.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "axle/core/result.hpp"

namespace axle::identity {

inline constexpr std::size_t kHistogramBins = 64;

// Histogram of positive samples on a log scale: bin = floor(4 * log2(x)), clamped to
// [0, kHistogramBins); a quarter-octave resolution keeps timing noise in one or two bins.
std::vector<double> log_histogram(std::span<const double> samples);

// Jensen–Shannon divergence with base-2 logarithms, so the result is in [0, 1]. Both inputs are
// normalised first; they must have the same size and a positive sum (else kInvalidArgument).
[[nodiscard]] Result<double> jensen_shannon_divergence(std::span<const double> p,
                                                       std::span<const double> q);

// Per-source histograms, stored as text (one line per source) in a 0600 file.
class SampleHistory {
 public:
  // A missing file is an empty history; a malformed one is kCorrupt.
  static Result<SampleHistory> load(const std::filesystem::path& file);
  [[nodiscard]] Result<void> save(const std::filesystem::path& file) const;

  [[nodiscard]] std::optional<std::vector<double>> get(const std::string& source) const;
  // Folds a new normalised histogram into the stored one (running mean over past updates).
  void update(const std::string& source, std::span<const double> histogram);
  void set(const std::string& source, std::vector<double> histogram, unsigned count);

 private:
  struct Entry {
    std::vector<double> histogram;  // normalised
    unsigned count = 0;
  };
  std::map<std::string, Entry> entries_;
};

}  // namespace axle::identity
