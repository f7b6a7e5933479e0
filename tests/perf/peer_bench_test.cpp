// `axle bench --peers iceoryx,cyclonedds` against Debian's iceoryx 2.0.3 (its RouDi started and
// stopped by the bench) and Cyclone DDS 0.10.2: every system gives a complete record per case,
// and the run leaves neither a RouDi nor shared memory behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "support/test_support.hpp"

namespace axle {
namespace {

bool roudi_running() {
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::ifstream comm(e.path() / "comm");
    std::string name;
    if (std::getline(comm, name) && name == "iox-roudi") return true;
  }
  return false;
}

// Latency progress lines are "[n/total] round r/R: <system> <size> <mode>: ...". Within a round,
// the three systems run each case one right after the other, and which system starts rotates.
void expect_systems_take_turns_per_case(const std::string& progress) {
  std::vector<std::pair<std::string, std::string>> runs;  // (system, "round: size mode")
  std::istringstream in(progress);
  for (std::string line; std::getline(in, line);) {
    const std::size_t round = line.find("] round ");
    if (line.rfind('[', 0) != 0 || round == std::string::npos) continue;
    std::istringstream fields(line.substr(round + 8));
    std::string rounds, system, size, unit, mode;
    fields >> rounds >> system >> size >> unit >> mode;
    runs.emplace_back(system, rounds + " " + size + unit + mode);
  }
  ASSERT_EQ(runs.size(), 3u * 4u * 2u) << progress;  // systems x cases x rounds
  std::set<std::string> firsts;
  for (std::size_t i = 0; i < runs.size(); i += 3) {
    std::set<std::string> systems;
    for (std::size_t j = i; j < i + 3; ++j) {
      EXPECT_EQ(runs[j].second, runs[i].second) << "case interrupted at line " << j;
      systems.insert(runs[j].first);
    }
    EXPECT_EQ(systems, (std::set<std::string>{"axle", "iceoryx", "cyclonedds"}));
    firsts.insert(runs[i].first);
  }
  EXPECT_EQ(firsts.size(), 3u) << "the system that starts a case never rotates";
}

TEST(PeerBench, LatencyAndThroughputBesideIceoryxAndCyclone) {
  if (!std::filesystem::exists(std::filesystem::path(test::axle_binary()).parent_path() /
                               "axle-peer-iceoryx")) {
    GTEST_SKIP() << "the peer workers are not built (iceoryx / Cyclone DDS packages missing)";
  }
  ASSERT_FALSE(roudi_running()) << "another iox-roudi runs; this test starts its own";
  const std::vector<std::vector<std::string>> kinds{
      {"latency", "--sizes", "64,64K"}, {"throughput", "--sizes", "64", "--subscribers", "1"}};
  for (std::vector<std::string> args : kinds) {
    const std::string kind = args[0];
    args.insert(args.begin(), {test::axle_binary(), "--json", "bench"});
    for (const char* a : {"--quick", "--peers", "iceoryx,cyclonedds"}) args.emplace_back(a);
    const test::CommandResult run = test::run_command(args, {}, 600);
    ASSERT_EQ(run.exit_code, 0) << kind << "\n" << run.err;
    std::map<std::string, int> per_system;
    std::istringstream out(run.out);
    for (std::string line; std::getline(out, line);) {
      const auto r = nlohmann::json::parse(line);
      ASSERT_FALSE(r.contains("error")) << r.dump();
      if (r.at("system").get<std::string>().rfind("floor", 0) == 0) continue;
      ASSERT_GT(r.at("msgs_per_s").get<double>(), 0) << r.dump();
      ++per_system[r.at("system").get<std::string>()];
    }
    const int cases = kind == "latency" ? 4 : 1;
    EXPECT_EQ(per_system["axle"], cases) << kind;
    EXPECT_EQ(per_system["iceoryx"], cases) << kind;
    EXPECT_EQ(per_system["cyclonedds"], cases) << kind;
    EXPECT_FALSE(roudi_running()) << "the bench left its RouDi running";
    if (kind == "latency") expect_systems_take_turns_per_case(run.err);
  }
  EXPECT_FALSE(std::filesystem::exists("/dev/shm/iceoryx_mgmt"));
}

}  // namespace
}  // namespace axle
