#include "axle/identity/validation.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>

#include "axle/core/files.hpp"

namespace axle::identity {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kHistoryHeader = "axle-identity-history v1";

std::vector<double> normalised(std::span<const double> h) {
  double sum = std::accumulate(h.begin(), h.end(), 0.0);
  std::vector<double> out(h.begin(), h.end());
  for (auto& x : out) x /= sum;
  return out;
}

}  // namespace

std::vector<double> log_histogram(std::span<const double> samples) {
  std::vector<double> h(kHistogramBins, 0.0);
  for (double x : samples) {
    if (!(x > 0)) continue;
    double bin = std::floor(4.0 * std::log2(x));
    std::size_t i =
        bin <= 0 ? 0 : static_cast<std::size_t>(std::min(bin, double{kHistogramBins - 1}));
    h[i] += 1.0;
  }
  return h;
}

Result<double> jensen_shannon_divergence(std::span<const double> p, std::span<const double> q) {
  if (p.size() != q.size() || p.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "distributions for the divergence must have the same, non-zero size");
  }
  double sp = std::accumulate(p.begin(), p.end(), 0.0);
  double sq = std::accumulate(q.begin(), q.end(), 0.0);
  if (!(sp > 0) || !(sq > 0)) {
    return make_error(ErrorCode::kInvalidArgument, "a distribution for the divergence is empty");
  }
  // JSD(P||Q) = ½ KL(P||M) + ½ KL(Q||M), M = ½(P+Q); base 2 bounds it by 1 (Lin 1991).
  double d = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    double pi = p[i] / sp;
    double qi = q[i] / sq;
    double m = 0.5 * (pi + qi);
    if (pi > 0) d += 0.5 * pi * std::log2(pi / m);
    if (qi > 0) d += 0.5 * qi * std::log2(qi / m);
  }
  return std::max(0.0, std::min(1.0, d));
}

Result<SampleHistory> SampleHistory::load(const fs::path& file) {
  SampleHistory history;
  std::error_code ec;
  if (!fs::exists(file, ec)) return history;
  AXLE_TRY(std::string text, read_file(file, 1U << 20));
  std::istringstream in(text);
  std::string line;
  auto corrupt = [&file] {
    return make_error(
        ErrorCode::kCorrupt,
        fmt::format("{} is malformed; delete it to start a new history", file.string()));
  };
  if (!std::getline(in, line) || line != kHistoryHeader) return corrupt();
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string name;
    unsigned count = 0;
    Entry e;
    if (!(fields >> name >> count)) return corrupt();
    double x = 0;
    while (fields >> x) {
      if (!std::isfinite(x) || x < 0) return corrupt();
      e.histogram.push_back(x);
    }
    if (e.histogram.size() != kHistogramBins || !fields.eof()) return corrupt();
    e.count = count;
    history.entries_[name] = std::move(e);
  }
  return history;
}

Result<void> SampleHistory::save(const fs::path& file) const {
  std::string text(kHistoryHeader);
  text += '\n';
  for (const auto& [name, e] : entries_) {
    text += fmt::format("{} {}", name, e.count);
    for (double x : e.histogram) text += fmt::format(" {:.17g}", x);
    text += '\n';
  }
  return write_file_atomic(file, text, 0600);
}

std::optional<std::vector<double>> SampleHistory::get(const std::string& source) const {
  auto it = entries_.find(source);
  if (it == entries_.end() || it->second.count == 0) return std::nullopt;
  return it->second.histogram;
}

void SampleHistory::update(const std::string& source, std::span<const double> histogram) {
  double sum = std::accumulate(histogram.begin(), histogram.end(), 0.0);
  if (histogram.size() != kHistogramBins || !(sum > 0)) return;
  std::vector<double> h = normalised(histogram);
  Entry& e = entries_[source];
  if (e.count == 0 || e.histogram.size() != kHistogramBins) {
    e.histogram = std::move(h);
    e.count = 1;
    return;
  }
  // Running mean, capped so that the history keeps following slow drift (thermal, firmware).
  unsigned n = std::min(e.count, 31U);
  for (std::size_t i = 0; i < kHistogramBins; ++i) {
    e.histogram[i] = (e.histogram[i] * n + h[i]) / (n + 1);
  }
  e.count = n + 1;
}

void SampleHistory::set(const std::string& source, std::vector<double> histogram, unsigned count) {
  entries_[source] = Entry{normalised(histogram), count};
}

}  // namespace axle::identity
