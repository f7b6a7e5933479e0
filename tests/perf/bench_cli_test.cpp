// `axle bench latency|throughput` end to end: real worker processes, real shared memory, and
// (label peer) the real iceoryx RouDi and Cyclone DDS. Figures are not checked (performance
// belongs to the benchmark runs); what is checked is that every case gives a complete record,
// that the axle side really moved messages, and that nothing is left behind.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "support/test_support.hpp"

namespace axle {
namespace {

struct BenchRun {
  int exit_code = -1;
  std::vector<nlohmann::json> records;
  std::string err;
  pid_t pid = -1;
};

BenchRun bench(std::vector<std::string> args) {
  args.insert(args.begin(), {test::axle_binary(), "--json", "bench"});
  const test::CommandResult r = test::run_command(args, {}, 300);
  BenchRun run;
  run.exit_code = r.exit_code;
  run.err = r.err;
  run.pid = r.pid;
  if (r.exit_code != 0) return run;  // errors are one pretty-printed document, not records
  std::istringstream out(r.out);
  for (std::string line; std::getline(out, line);)
    run.records.push_back(nlohmann::json::parse(line));
  return run;
}

std::size_t count_of(const std::vector<nlohmann::json>& records, const std::string& system) {
  std::size_t n = 0;
  for (const auto& r : records) n += r.at("system") == system ? 1 : 0;
  return n;
}

void expect_complete_latency(const nlohmann::json& r) {
  ASSERT_FALSE(r.contains("error")) << r.dump();
  for (const char* key :
       {"system", "size", "mode", "p50_ns", "p99_ns", "p999_ns", "max_ns", "msgs_per_s"}) {
    EXPECT_TRUE(r.contains(key)) << key << " missing in " << r.dump();
  }
  EXPECT_GT(r.at("p50_ns").get<std::int64_t>(), 0) << r.dump();
  EXPECT_LE(r.at("p50_ns").get<std::int64_t>(), r.at("p99_ns").get<std::int64_t>());
  EXPECT_LE(r.at("p99_ns").get<std::int64_t>(), r.at("p999_ns").get<std::int64_t>());
  EXPECT_LE(r.at("p999_ns").get<std::int64_t>(), r.at("max_ns").get<std::int64_t>());
  EXPECT_GT(r.at("samples").get<std::int64_t>(), 0);
}

// The topics of one bench run carry its pid (axle_bench/<pid>/...); other tests may run a
// bench at the same time, so only this run's own are looked for.
std::vector<std::string> bench_topics(const BenchRun& run) {
  const std::string own = "axle_bench." + std::to_string(run.pid) + ".";
  std::vector<std::string> left;
  for (const auto& e : std::filesystem::directory_iterator("/dev/shm")) {
    const std::string name = e.path().filename();
    if (name.find(own) != std::string::npos) left.push_back(name);
  }
  return left;
}

TEST(BenchCli, LatencyOfAxleGivesOneCompleteRecordPerCaseAndCleansUp) {
  const test::TempDir dir;
  const auto chart = dir.path() / "latency.svg";
  const BenchRun run = bench({"latency", "--quick", "--sizes", "64,1M", "--svg", chart.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(count_of(run.records, "axle"), 4u);  // 2 sizes x 2 modes
  for (const auto& r : run.records) {
    if (r.at("system") == "axle") expect_complete_latency(r);
  }
  EXPECT_EQ(count_of(run.records, "floor (before)"), 2u);
  EXPECT_NE(test::read_file(chart).find("<polyline"), std::string::npos);
  EXPECT_TRUE(bench_topics(run).empty());
}

// The value in ns of the table cell such as "323 ns" or "33.5 µs" at `from` in `line`.
double cell_ns(const std::string& line, std::size_t from) {
  std::istringstream in(line.substr(from));
  double value = 0;
  std::string unit;
  in >> value >> unit;
  return unit == "ns" ? value : unit == "µs" ? value * 1e3 : unit == "ms" ? value * 1e6 : -1;
}

// Each case runs a share of its round trips in every round; the record holds all of them.
TEST(BenchCli, LatencyRoundsSplitTheRoundTripsAndMergeEverySample) {
  const BenchRun run = bench({"latency", "--sizes", "64", "--modes", "blocking", "--count", "301",
                              "--warmup", "10", "--seconds", "30", "--rounds", "3"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(count_of(run.records, "axle"), 1u);
  for (const auto& r : run.records) {
    if (r.at("system") != "axle") continue;
    expect_complete_latency(r);
    EXPECT_EQ(r.at("samples"), 301) << r.dump();  // 101 + 100 + 100
    EXPECT_EQ(r.at("rounds"), 3) << r.dump();
  }
  for (const char* round : {"round 1/3", "round 2/3", "round 3/3"}) {
    EXPECT_NE(run.err.find(round), std::string::npos) << round << " missing in " << run.err;
  }
  EXPECT_TRUE(bench_topics(run).empty());
}

TEST(BenchCli, LatencyTableGivesAxleAsAMultipleOfTheFloorsOfItsRun) {
  const test::CommandResult r = test::run_command(
      {test::axle_binary(), "bench", "latency", "--quick", "--sizes", "64", "--modes", "busy-poll"},
      {}, 300);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<double> floors;
  double axle_p50 = -1;
  std::string ratio_cell;
  std::istringstream out(r.out);
  for (std::string line; std::getline(out, line);) {
    // Rows like "floor (before) - busy-poll 132 ns ..." and
    // "axle 64 B busy-poll 323 ns ... 2.45-2.63x floor".
    const std::size_t mode = line.find("busy-poll");
    if (mode == std::string::npos) continue;
    const double p50 = cell_ns(line, mode + 9);
    if (line.rfind("floor", 0) == 0) floors.push_back(p50);
    if (line.rfind("axle ", 0) == 0) {
      axle_p50 = p50;
      ratio_cell = line.substr(line.rfind("  ") + 2);
    }
  }
  ASSERT_EQ(floors.size(), 2u) << r.out;
  ASSERT_GT(axle_p50, 0) << r.out;
  ASSERT_NE(ratio_cell.find("x floor"), std::string::npos) << r.out;
  // Against the higher floor first, then the lower one (one figure when both round alike).
  const double lo = std::min(floors[0], floors[1]);
  const double hi = std::max(floors[0], floors[1]);
  const std::size_t dash = ratio_cell.find('-');
  const double near = std::stod(ratio_cell);
  const double far = dash == std::string::npos ? near : std::stod(ratio_cell.substr(dash + 1));
  EXPECT_NEAR(near, axle_p50 / hi, 0.006) << ratio_cell;
  EXPECT_NEAR(far, axle_p50 / lo, 0.006) << ratio_cell;
}

TEST(BenchCli, ThroughputOfAxleIsLosslessWithFourSubscribers) {
  const BenchRun run = bench({"throughput", "--quick", "--sizes", "64", "--subscribers", "4"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(run.records.size(), 1u);
  const auto& r = run.records[0];
  EXPECT_EQ(r.at("subscribers"), 4);
  EXPECT_GT(r.at("sent").get<std::uint64_t>(), 0u);
  EXPECT_EQ(r.at("lost").get<std::uint64_t>(), 0u) << r.dump();
  EXPECT_GT(r.at("msgs_per_s").get<double>(), 0);
  EXPECT_TRUE(bench_topics(run).empty());
}

TEST(BenchCli, RefusesBadOptionsClearly) {
  BenchRun run = bench({"latency", "--peers", "zeromq"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("unknown peer 'zeromq'"), std::string::npos) << run.err;
  run = bench({"latency", "--sizes", "12Q"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("12Q"), std::string::npos) << run.err;
  run = bench({"throughput", "--subscribers", "0"});
  EXPECT_EQ(run.exit_code, 2);
  run = bench({"latency", "--rounds", "0"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--rounds"), std::string::npos) << run.err;
  // A value named twice, also under another spelling, would be measured twice.
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"latency", "--sizes", "64,4K,64"},
                                             {"latency", "--sizes", "1M,1024K"},
                                             {"latency", "--peers", "iceoryx,iceoryx"},
                                             {"latency", "--modes", "blocking,busy-poll,blocking"},
                                             {"throughput", "--subscribers", "1,4,1"}}) {
    run = bench(args);
    EXPECT_EQ(run.exit_code, 2) << args[2];
    EXPECT_NE(run.err.find(args[1] + " names "), std::string::npos) << run.err;
    EXPECT_NE(run.err.find(" twice; each is measured once"), std::string::npos) << run.err;
  }
}

// The chart is written at the end of a run that takes minutes: a destination that cannot be
// written is refused before anything is measured (no progress line, no floor measured).
TEST(BenchCli, RefusesAnUnwritableChartDestinationBeforeMeasuring) {
  const test::TempDir dir;
  for (const std::string& svg :
       {(dir.path() / "no-such-dir" / "x.svg").string(), dir.path().string()}) {
    BenchRun run = bench({"latency", "--quick", "--sizes", "64", "--svg", svg});
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_NE(run.err.find("cannot write " + svg), std::string::npos) << run.err;
    EXPECT_EQ(run.err.find("measuring the floors"), std::string::npos) << run.err;
    EXPECT_TRUE(run.records.empty());
  }
}

}  // namespace
}  // namespace axle
