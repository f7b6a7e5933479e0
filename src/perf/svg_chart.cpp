#include "axle/perf/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

namespace axle::perf {

namespace {

constexpr int kPanelW = 420;
constexpr int kPanelH = 190;
constexpr int kPlotLeft = 48;
constexpr int kPlotRight = 12;
constexpr int kPlotTop = 26;
constexpr int kPlotBottom = 34;
constexpr int kHeader = 60;
constexpr const char* kColours[] = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e"};

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string time_label(double ns) {
  std::ostringstream o;
  if (ns >= 1e6)
    o << ns / 1e6 << " ms";
  else if (ns >= 1e3)
    o << ns / 1e3 << " µs";
  else
    o << ns << " ns";
  return o.str();
}

// Colours follow the label, so one system has one colour in every panel.
const char* colour_of(const std::string& label, std::map<std::string, int>& assigned) {
  auto it = assigned.find(label);
  if (it == assigned.end()) {
    const int next = static_cast<int>(assigned.size());
    it = assigned.emplace(label, next).first;
  }
  return kColours[static_cast<std::size_t>(it->second) % std::size(kColours)];
}

void draw_panel(std::ostringstream& svg, const ChartPanel& panel, int x0, int y0,
                std::map<std::string, int>& colours) {
  const int w = kPanelW - kPlotLeft - kPlotRight;
  const int h = kPanelH - kPlotTop - kPlotBottom;
  std::int64_t lo = INT64_MAX;
  std::int64_t hi = 1;
  double top = 0;
  for (const ChartSeries& s : panel.series) {
    std::uint64_t total = 0;
    for (const auto& [b, n] : s.histogram) total += n;
    for (const auto& [b, n] : s.histogram) {
      lo = std::min(lo, std::max<std::int64_t>(b, 1));
      hi = std::max(hi, bucket_next(b));
      top = std::max(top, static_cast<double>(n) / static_cast<double>(total));
    }
  }
  svg << "<g transform=\"translate(" << x0 << ',' << y0 << ")\">\n";
  svg << "<text x=\"" << kPlotLeft << "\" y=\"16\" font-size=\"13\" font-weight=\"bold\">"
      << escape(panel.title) << "</text>\n";
  svg << "<rect x=\"" << kPlotLeft << "\" y=\"" << kPlotTop << "\" width=\"" << w << "\" height=\""
      << h << "\" fill=\"none\" stroke=\"#999\"/>\n";
  if (lo == INT64_MAX || top <= 0) {
    svg << "<text x=\"" << kPlotLeft + 10 << "\" y=\"" << kPlotTop + 20
        << "\" font-size=\"12\">no samples</text>\n</g>\n";
    return;
  }
  const double llo = std::floor(std::log10(static_cast<double>(lo)));
  const double lhi = std::max(llo + 1, std::ceil(std::log10(static_cast<double>(hi))));
  auto x_of = [&](double ns) {
    return kPlotLeft + (std::log10(std::max(ns, 1.0)) - llo) / (lhi - llo) * w;
  };
  auto y_of = [&](double frac) { return kPlotTop + h - frac / top * h; };
  for (double d = llo; d <= lhi; d += 1) {  // decade ticks and labels
    const double x = x_of(std::pow(10.0, d));
    svg << "<line x1=\"" << x << "\" y1=\"" << kPlotTop << "\" x2=\"" << x << "\" y2=\""
        << kPlotTop + h << "\" stroke=\"#ddd\"/>\n";
    svg << "<text x=\"" << x << "\" y=\"" << kPlotTop + h + 14
        << "\" font-size=\"10\" text-anchor=\"middle\">" << time_label(std::pow(10.0, d))
        << "</text>\n";
  }
  svg << "<text x=\"" << kPlotLeft - 4 << "\" y=\"" << kPlotTop + 8
      << "\" font-size=\"10\" text-anchor=\"end\">" << std::lround(top * 100) << "%</text>\n";
  svg << "<text x=\"" << kPlotLeft + w << "\" y=\"" << kPlotTop + h + 28
      << "\" font-size=\"10\" text-anchor=\"end\">one-way latency (log)</text>\n";
  int legend = 0;
  for (const ChartSeries& s : panel.series) {
    if (s.histogram.empty()) continue;
    std::uint64_t total = 0;
    for (const auto& [b, n] : s.histogram) total += n;
    const char* colour = colour_of(s.label, colours);
    svg << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"1.5\" points=\"";
    for (const auto& [b, n] : s.histogram) {
      const double y = y_of(static_cast<double>(n) / static_cast<double>(total));
      svg << x_of(static_cast<double>(std::max<std::int64_t>(b, 1))) << ',' << kPlotTop + h << ' '
          << x_of(static_cast<double>(std::max<std::int64_t>(b, 1))) << ',' << y << ' '
          << x_of(static_cast<double>(bucket_next(b))) << ',' << y << ' '
          << x_of(static_cast<double>(bucket_next(b))) << ',' << kPlotTop + h << ' ';
    }
    svg << "\"/>\n";
    svg << "<text x=\"" << kPlotLeft + w - 4 << "\" y=\"" << kPlotTop + 14 + 13 * legend++
        << "\" font-size=\"11\" text-anchor=\"end\" fill=\"" << colour << "\">" << escape(s.label)
        << "</text>\n";
  }
  svg << "</g>\n";
}

}  // namespace

std::string latency_histogram_svg(std::string_view title, const std::vector<ChartPanel>& panels,
                                  int columns) {
  columns = std::max(columns, 1);
  const int rows = (static_cast<int>(panels.size()) + columns - 1) / columns;
  const int width = columns * kPanelW;
  const int height = kHeader + std::max(rows, 1) * kPanelH;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << width << ' ' << height
      << "\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg << "<text x=\"12\" y=\"24\" font-size=\"16\" font-weight=\"bold\">" << escape(title)
      << "</text>\n";
  svg << "<text x=\"12\" y=\"44\" font-size=\"11\">share of samples per latency bucket (8 per "
         "octave); one-way = round trip / 2</text>\n";
  std::map<std::string, int> colours;
  for (std::size_t i = 0; i < panels.size(); ++i) {
    const int col = static_cast<int>(i) % columns;
    const int row = static_cast<int>(i) / columns;
    draw_panel(svg, panels[i], col * kPanelW, kHeader + row * kPanelH, colours);
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace axle::perf
