// Latency histograms as a self-contained SVG (no script, no external font): one panel per
// benchmark case, one coloured step line per system, log-scale time axis.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "axle/perf/latency_stats.hpp"

namespace axle::perf {

struct ChartSeries {
  std::string label;  // e.g. "axle", "iceoryx"
  Histogram histogram;
};

struct ChartPanel {
  std::string title;  // e.g. "64 B, busy-poll"
  std::vector<ChartSeries> series;
};

// Panels are laid out `columns` wide, in order.
[[nodiscard]] std::string latency_histogram_svg(std::string_view title,
                                                const std::vector<ChartPanel>& panels,
                                                int columns = 2);

}  // namespace axle::perf
