// `axle bench --peers iceoryx,cyclonedds` against Debian's iceoryx 2.0.3 (its RouDi started and
// stopped by the bench) and Cyclone DDS 0.10.2: every system gives a complete record per case,
// and the run leaves neither a RouDi nor shared memory behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
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
  }
  EXPECT_FALSE(std::filesystem::exists("/dev/shm/iceoryx_mgmt"));
}

}  // namespace
}  // namespace axle
