#include "report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "axle/perf/svg_chart.hpp"

namespace axle::cli::bench {

namespace {

std::string ns_label(std::int64_t ns) {
  if (ns >= 10'000'000) return fmt::format("{:.1f} ms", static_cast<double>(ns) / 1e6);
  if (ns >= 10'000) return fmt::format("{:.1f} µs", static_cast<double>(ns) / 1e3);
  return fmt::format("{} ns", ns);
}

// Floors first, then axle, then the peers in the order they ran.
int system_rank(const std::string& name) {
  if (name.rfind("floor", 0) == 0) return 0;
  if (name == "axle") return 1;
  return 2;
}

std::string ratio(double axle, double peer) {
  if (axle <= 0 || peer <= 0) return "-";
  return fmt::format("{:.2f}", axle / peer);
}

}  // namespace

std::string size_label(std::uint64_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  if (bytes >= 1024 && bytes % 1024 == 0) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} B", bytes);
}

std::vector<LatencyRecord> floor_records(const perf::Floors& floors, const char* when) {
  LatencyRecord spin;
  spin.system = std::string("floor (") + when + ")";
  spin.mode = perf::WaitMode::kBusyPoll;
  spin.summary = floors.cache_line;
  spin.histogram = floors.cache_line_histogram;
  LatencyRecord sleep = spin;
  sleep.mode = perf::WaitMode::kBlocking;
  sleep.summary = floors.futex;
  sleep.histogram = floors.futex_histogram;
  return {spin, sleep};
}

nlohmann::ordered_json latency_json(const LatencyRecord& r) {
  nlohmann::ordered_json j{
      {"system", r.system}, {"size", r.size}, {"mode", std::string(perf::mode_name(r.mode))}};
  if (!r.error.empty()) {
    j["error"] = r.error;
    return j;
  }
  j["p50_ns"] = r.summary.p50_ns;
  j["p99_ns"] = r.summary.p99_ns;
  j["p999_ns"] = r.summary.p999_ns;
  j["max_ns"] = r.summary.max_ns;
  j["msgs_per_s"] = std::round(r.msgs_per_s);
  j["samples"] = r.summary.samples;
  j["rounds"] = r.rounds;
  return j;
}

nlohmann::ordered_json throughput_json(const ThroughputRecord& r) {
  nlohmann::ordered_json j{{"system", r.system},
                           {"size", r.size},
                           {"mode", fmt::format("throughput-{}sub", r.subscribers)}};
  if (!r.error.empty()) {
    j["error"] = r.error;
    return j;
  }
  j["p50_ns"] = nullptr;
  j["p99_ns"] = nullptr;
  j["p999_ns"] = nullptr;
  j["max_ns"] = nullptr;
  j["msgs_per_s"] = std::round(r.msgs_per_s);
  j["gb_per_s"] = r.msgs_per_s * static_cast<double>(r.size) / 1e9;
  j["subscribers"] = r.subscribers;
  j["sent"] = r.sent;
  j["lost"] = r.lost;
  return j;
}

std::string latency_table(const std::vector<LatencyRecord>& records) {
  std::vector<const LatencyRecord*> sorted;
  for (const auto& r : records) sorted.push_back(&r);
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    if (a->mode != b->mode) return a->mode == perf::WaitMode::kBusyPoll;
    if (a->size != b->size) return a->size < b->size;
    return system_rank(a->system) < system_rank(b->system);
  });
  // axle's figures per case, for the ratio columns.
  std::map<std::pair<int, std::uint64_t>, const LatencyRecord*> axle;
  // The floors' p50 per mode (measured before and after the run), for axle's distance to them.
  std::map<int, std::vector<double>> floor_p50;
  for (const auto* r : sorted) {
    if (r->system == "axle" && r->error.empty()) axle[{static_cast<int>(r->mode), r->size}] = r;
    if (r->system.rfind("floor", 0) == 0 && r->error.empty()) {
      floor_p50[static_cast<int>(r->mode)].push_back(static_cast<double>(r->summary.p50_ns));
    }
  }
  std::string out = fmt::format("{:<17} {:>8} {:<10} {:>10} {:>10} {:>10} {:>10} {:>8}  {}\n",
                                "system", "size", "mode", "p50", "p99", "p99.9", "max", "samples",
                                "axle/peer p50, p99 | axle p50/floor p50");
  perf::WaitMode last_mode = perf::WaitMode::kBusyPoll;
  std::uint64_t last_size = ~std::uint64_t{0};
  for (const auto* r : sorted) {
    if (r->size != last_size || r->mode != last_mode) out += "\n";
    last_size = r->size;
    last_mode = r->mode;
    const std::string size = r->system.rfind("floor", 0) == 0 ? "-" : size_label(r->size);
    if (!r->error.empty()) {
      out += fmt::format("{:<17} {:>8} {:<10} failed: {}\n", r->system, size,
                         perf::mode_name(r->mode), r->error);
      continue;
    }
    const perf::LatencySummary& s = r->summary;
    std::string cmp;
    auto it = axle.find({static_cast<int>(r->mode), r->size});
    if (r->system != "axle" && r->system.rfind("floor", 0) != 0 && it != axle.end()) {
      cmp = ratio(static_cast<double>(it->second->summary.p50_ns), static_cast<double>(s.p50_ns)) +
            ", " +
            ratio(static_cast<double>(it->second->summary.p99_ns), static_cast<double>(s.p99_ns));
    }
    const auto floors = floor_p50.find(static_cast<int>(r->mode));
    if (r->system == "axle" && floors != floor_p50.end()) {
      const auto [lo, hi] = std::minmax_element(floors->second.begin(), floors->second.end());
      const auto p50 = static_cast<double>(s.p50_ns);
      // The floor moves between its two measurements: show the ratio to each end.
      const std::string near = ratio(p50, *hi);
      const std::string far = ratio(p50, *lo);
      cmp = (near == far ? near : near + "-" + far) + "x floor";
    }
    out += fmt::format("{:<17} {:>8} {:<10} {:>10} {:>10} {:>10} {:>10} {:>8}  {}\n", r->system,
                       size, perf::mode_name(r->mode), ns_label(s.p50_ns), ns_label(s.p99_ns),
                       ns_label(s.p999_ns), ns_label(s.max_ns), s.samples, cmp);
  }
  return out;
}

std::string throughput_table(const std::vector<ThroughputRecord>& records) {
  std::vector<const ThroughputRecord*> sorted;
  for (const auto& r : records) sorted.push_back(&r);
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    if (a->size != b->size) return a->size < b->size;
    if (a->subscribers != b->subscribers) return a->subscribers < b->subscribers;
    return system_rank(a->system) < system_rank(b->system);
  });
  std::map<std::pair<std::uint64_t, std::uint32_t>, double> axle;
  for (const auto* r : sorted) {
    if (r->system == "axle" && r->error.empty()) axle[{r->size, r->subscribers}] = r->msgs_per_s;
  }
  std::string out = fmt::format("{:<12} {:>8} {:>5} {:>14} {:>10} {:>12} {:>8}  {}\n", "system",
                                "size", "subs", "msgs/s", "GB/s", "sent", "lost", "axle/peer");
  for (const auto* r : sorted) {
    if (!r->error.empty()) {
      out += fmt::format("{:<12} {:>8} {:>5} failed: {}\n", r->system, size_label(r->size),
                         r->subscribers, r->error);
      continue;
    }
    std::string cmp;
    auto it = axle.find({r->size, r->subscribers});
    if (r->system != "axle" && it != axle.end()) cmp = ratio(it->second, r->msgs_per_s);
    out += fmt::format("{:<12} {:>8} {:>5} {:>14.0f} {:>10.2f} {:>12} {:>8}  {}\n", r->system,
                       size_label(r->size), r->subscribers, r->msgs_per_s,
                       r->msgs_per_s * static_cast<double>(r->size) / 1e9, r->sent, r->lost, cmp);
  }
  return out;
}

std::string latency_chart(const std::vector<LatencyRecord>& records) {
  std::set<std::uint64_t> sizes;
  for (const auto& r : records) {
    if (r.system.rfind("floor", 0) != 0) sizes.insert(r.size);
  }
  std::vector<perf::ChartPanel> panels;
  for (std::uint64_t size : sizes) {
    for (perf::WaitMode mode : {perf::WaitMode::kBusyPoll, perf::WaitMode::kBlocking}) {
      perf::ChartPanel panel;
      panel.title = size_label(size) + ", " + std::string(perf::mode_name(mode));
      bool floor_added = false;
      for (const auto& r : records) {
        if (r.mode != mode || !r.error.empty()) continue;
        const bool is_floor = r.system.rfind("floor", 0) == 0;
        if (is_floor && !floor_added) {
          panel.series.push_back({"floor", r.histogram});
          floor_added = true;
        } else if (!is_floor && r.size == size) {
          panel.series.push_back({r.system, r.histogram});
        }
      }
      if (panel.series.size() > (floor_added ? 1u : 0u)) panels.push_back(std::move(panel));
    }
  }
  return perf::latency_histogram_svg("axle bench latency: one-way latency histograms", panels);
}

}  // namespace axle::cli::bench
