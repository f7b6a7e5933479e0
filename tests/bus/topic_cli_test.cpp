// `axle topic ...` and `axle node list` against real topics, through the built axle binary.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "axle/bus/node.hpp"
#include "bus_test_util.hpp"
#include "support/test_support.hpp"

namespace axle::bus {
namespace {

using std::chrono::seconds;
using test::ScopedTopic;

axle::test::CommandResult axle_cli(std::vector<std::string> args) {
  args.insert(args.begin(), axle::test::axle_binary());
  return axle::test::run_command(args, {}, 30);
}

std::vector<std::byte> bytes_of(std::string_view s) {
  std::vector<std::byte> out(s.size());
  std::memcpy(out.data(), s.data(), s.size());
  return out;
}

TEST(TopicCli, InfoListAndNodeListShowALiveTopic) {
  ScopedTopic topic("cliinfo");
  auto node = Node::create("clinode");
  ASSERT_TRUE(node.ok());
  TopicOptions t;
  t.type_name = "demo.T";
  auto pub = node->create_publisher(topic.name(), t);
  ASSERT_TRUE(pub.ok());

  auto info = axle_cli({"topic", "info", topic.name(), "--json"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const auto doc = nlohmann::json::parse(info.out);
  EXPECT_EQ(doc["type_name"], "demo.T");
  ASSERT_EQ(doc["participants"].size(), 1U);
  EXPECT_EQ(doc["participants"][0]["node"], "clinode");
  EXPECT_EQ(doc["participants"][0]["pid"], ::getpid());

  auto list = axle_cli({"topic", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  bool listed = false;
  for (const auto& e : nlohmann::json::parse(list.out))
    listed = listed || e["topic"] == topic.name();
  EXPECT_TRUE(listed) << list.out;

  auto nodes = axle_cli({"node", "list", "--json"});
  ASSERT_EQ(nodes.exit_code, 0) << nodes.err;
  bool found = false;
  for (const auto& n : nlohmann::json::parse(nodes.out)) {
    found = found || (n["node"] == "clinode" && n["pid"] == ::getpid() && n["alive"] == true);
  }
  EXPECT_TRUE(found) << nodes.out;
}

TEST(TopicCli, PubReachesASubscriberAndEchoPrintsTheHistory) {
  ScopedTopic topic("clipub");
  auto node = Node::create("clinode");
  ASSERT_TRUE(node.ok());
  TopicOptions t;
  t.history_depth = 2;
  auto sub = node->create_subscriber(topic.name(), t);
  ASSERT_TRUE(sub.ok());
  auto pub = axle_cli({"topic", "pub", topic.name(), "hello", "-n", "2", "--rate", "1000"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  for (int i = 0; i < 2; ++i) {
    auto s = sub->take(seconds(10));
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(s->data().data()), s->data().size()),
              "hello");
  }
  auto echo = axle_cli({"topic", "echo", topic.name(), "-n", "2", "--transient", "--json"});
  ASSERT_EQ(echo.exit_code, 0) << echo.err;
  std::istringstream lines(echo.out);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["size"], 5);
    EXPECT_EQ(j["hex"], "68656c6c6f");
    ++n;
  }
  EXPECT_EQ(n, 2);
}

TEST(TopicCli, HzCountsMessagesWhileAPublisherRuns) {
  ScopedTopic topic("clihz");
  auto node = Node::create("clinode");
  ASSERT_TRUE(node.ok());
  auto pub = node->create_publisher(topic.name(), {});
  ASSERT_TRUE(pub.ok());
  std::atomic<bool> stop{false};
  std::thread publisher([&] {
    while (!stop) {
      EXPECT_TRUE(pub->publish_copy(bytes_of("tick")).ok());
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  auto hz = axle_cli({"topic", "hz", topic.name(), "--duration", "1", "--json"});
  stop = true;
  publisher.join();
  ASSERT_EQ(hz.exit_code, 0) << hz.err;
  const auto doc = nlohmann::json::parse(hz.out);
  EXPECT_GT(doc["messages"].get<int>(), 0);
  EXPECT_EQ(doc["lost"], 0);
}

// A publisher thread of this process alternating 100- and 300-byte messages every 5 ms until
// destroyed.
class AlternatingPublisher {
 public:
  explicit AlternatingPublisher(Publisher& pub)
      : thread_([this, &pub] {
          for (int i = 0; !stop_; ++i) {
            std::vector<std::byte> bytes(i % 2 == 0 ? 100 : 300, std::byte{0x5a});
            EXPECT_TRUE(pub.publish_copy(bytes).ok());
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
          }
        }) {}
  ~AlternatingPublisher() {
    stop_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(TopicCli, BwReportsRateAndSizesOverTheWindow) {
  ScopedTopic topic("clibw");
  auto node = Node::create("clinode");
  ASSERT_TRUE(node.ok());
  auto pub = node->create_publisher(topic.name(), {});
  ASSERT_TRUE(pub.ok());
  axle::test::CommandResult bw;
  {
    AlternatingPublisher traffic(*pub);
    bw = axle_cli({"topic", "bw", topic.name(), "--duration", "1", "--window", "10", "--json"});
  }
  ASSERT_EQ(bw.exit_code, 0) << bw.err;
  const auto doc = nlohmann::json::parse(bw.out);
  EXPECT_EQ(doc["topic"], topic.name());
  EXPECT_EQ(doc["window"], 10);
  const auto total = doc["total_messages"].get<std::uint64_t>();
  ASSERT_GE(total, 2U) << bw.out;
  EXPECT_EQ(doc["window_messages"].get<std::uint64_t>(), std::min<std::uint64_t>(total, 10));
  EXPECT_EQ(doc["min_size"], 100);
  EXPECT_EQ(doc["max_size"], 300);
  const double mean = doc["mean_size"].get<double>();
  EXPECT_GE(mean, 100.0);
  EXPECT_LE(mean, 300.0);
  EXPECT_GT(doc["messages_per_s"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(doc["bytes_per_s"].get<double>(), doc["messages_per_s"].get<double>() * mean);
  EXPECT_GE(doc["total_bytes"].get<std::uint64_t>(), total * 100);
  EXPECT_LE(doc["total_bytes"].get<std::uint64_t>(), total * 300);
  EXPECT_EQ(doc["lost"], 0);
}

TEST(TopicCli, BwStopsAfterCountAndFailsWhenNothingComes) {
  ScopedTopic topic("clibwcount");
  auto node = Node::create("clinode");
  ASSERT_TRUE(node.ok());
  auto pub = node->create_publisher(topic.name(), {});
  ASSERT_TRUE(pub.ok());
  {
    AlternatingPublisher traffic(*pub);
    auto bw = axle_cli({"topic", "bw", topic.name(), "-n", "3", "--json"});
    ASSERT_EQ(bw.exit_code, 0) << bw.err;
    EXPECT_EQ(nlohmann::json::parse(bw.out)["total_messages"], 3);
  }
  auto idle = axle_cli({"topic", "bw", topic.name(), "-n", "3", "--timeout", "0.5", "--json"});
  EXPECT_EQ(idle.exit_code, 1);
  EXPECT_EQ(nlohmann::json::parse(idle.out)["error"]["code"], "timeout");
  // With a duration, a silent topic is a measurement of nothing, not an error.
  auto quiet = axle_cli({"topic", "bw", topic.name(), "--duration", "0.3", "--json"});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(nlohmann::json::parse(quiet.out)["total_messages"], 0);
}

TEST(TopicCli, BwRefusesAWindowTooSmallForARate) {
  // One message spans no interval: its rate would always read 0 msg/s.
  for (const char* window : {"1", "0", "-1", "x"}) {
    auto r = axle_cli({"topic", "bw", "any/topic", "--window", window});
    EXPECT_EQ(r.exit_code, 2) << window << ": " << r.err;
    EXPECT_NE(r.err.find("at least 2 (a rate needs two arrivals), got " + std::string(window)),
              std::string::npos)
        << r.err;
  }
}

TEST(TopicCli, DurationsAndRatesMustBeFinitePositiveNumbers) {
  const std::vector<std::vector<std::string>> commands = {
      {"topic", "pub", "any/topic", "hi", "-n", "2", "--rate"},
      {"topic", "hz", "any/topic", "--duration"},
      {"topic", "bw", "any/topic", "--duration"},
      {"topic", "echo", "any/topic", "--timeout"}};
  for (auto args : commands) {
    for (const char* value : {"0", "-1", "inf", "nan", "fast"}) {
      args.push_back(value);
      auto r = axle_cli(args);
      EXPECT_EQ(r.exit_code, 2) << args[1] << " " << value << ": " << r.err;
      EXPECT_NE(r.err.find("must be a finite number greater than 0, got " + std::string(value)),
                std::string::npos)
          << r.err;
      args.pop_back();
    }
  }
}

TEST(TopicCli, UnknownTopicIsAClearErrorForEveryCommandThatNeedsOne) {
  const std::string missing = "axletest/none_here_" + std::to_string(::getpid());
  const std::vector<std::vector<std::string>> commands = {
      {"topic", "info", missing},
      {"topic", "echo", missing, "-n", "1"},
      {"topic", "hz", missing, "--duration", "1"},
      {"topic", "bw", missing, "--duration", "1"}};
  for (const auto& args : commands) {
    auto r = axle_cli(args);
    EXPECT_EQ(r.exit_code, 1) << args[1];
    EXPECT_NE(r.err.find("'" + missing + "' does not exist"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  }
}

TEST(TopicCli, EveryCommandHasHelpWithAnExampleAndTakesJson) {
  const std::vector<std::vector<std::string>> commands = {
      {"topic", "list"}, {"topic", "info"}, {"topic", "echo"},  {"topic", "hz"},
      {"topic", "bw"},   {"topic", "pub"},  {"topic", "clean"}, {"node", "list"}};
  for (auto args : commands) {
    args.push_back("--help");
    auto help = axle_cli(args);
    EXPECT_EQ(help.exit_code, 0) << args[1] << ": " << help.err;
    EXPECT_NE(help.out.find("Example:\n  axle " + args[0] + " " + args[1]), std::string::npos)
        << help.out;
  }
  // --json is global; the commands that need no topic print a JSON document with it.
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"topic", "list", "--json"}, {"node", "list", "--json"}, {"topic", "clean", "--json"}}) {
    auto r = axle_cli(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(nlohmann::json::accept(r.out)) << r.out;
  }
}

TEST(TopicCli, CorruptSegmentIsAClearErrorWithExitCode1) {
  ScopedTopic topic("clicorrupt");
  { std::ofstream(topic.path(), std::ios::binary) << std::string(4096, 'z'); }
  ASSERT_EQ(::chmod(topic.path().c_str(), 0600), 0);
  auto info = axle_cli({"topic", "info", topic.name()});
  EXPECT_EQ(info.exit_code, 1);
  EXPECT_NE(info.err.find("not a valid axle bus segment"), std::string::npos) << info.err;
  auto clean = axle_cli({"topic", "clean", "--json"});
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  bool reported = false;
  const auto cleaned = nlohmann::json::parse(clean.out);
  for (const auto& r : cleaned["refused"]) {
    reported = reported || r.get<std::string>().find(topic.name()) == 0;
  }
  EXPECT_TRUE(reported) << clean.out;
  EXPECT_EQ(::access(topic.path().c_str(), F_OK), 0);
  auto missing = axle_cli({"topic", "info", "axletest/none_here", "--json"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(nlohmann::json::parse(missing.out)["error"]["code"], "not_found");
}

}  // namespace
}  // namespace axle::bus
