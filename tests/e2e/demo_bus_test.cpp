// The bus step of `axle demo` (src/cli/demo/bus_step.cpp) through the real binary: its report,
// and that a publisher killed with SIGKILL mid-run makes the demo fail with a clear error while
// leaving no process and no segment behind. Every wait is bounded; the demo process is killed
// and reaped, also when a test fails.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "axle/bus/introspect.hpp"
#include "axle/core/clock.hpp"
#include "support/test_support.hpp"

namespace axle {
namespace {

using test::TempDir;

// The demo's topics are "axle-demo/p<pid of the demo process>/...".
std::string demo_prefix(pid_t demo) { return "axle-demo/p" + std::to_string(demo) + "/"; }

std::vector<std::string> topics_under(const std::string& prefix) {
  std::vector<std::string> out;
  if (auto list = bus::list_topics()) {
    for (const auto& t : *list) {
      if (t.rfind(prefix, 0) == 0) out.push_back(t);
    }
  }
  return out;
}

bool process_exists(pid_t pid) { return ::kill(pid, 0) == 0 || errno != ESRCH; }

// `axle demo` started in the background, stdout and stderr to files; killed and reaped when
// the object dies.
class BackgroundDemo {
 public:
  explicit BackgroundDemo(const TempDir& dir) : out_(dir.path() / "out"), err_(dir.path() / "err") {
    const std::string state = (dir.path() / "state").string();
    const std::string bin = test::axle_binary();  // before fork(): the child must not allocate
    pid_ = ::fork();
    if (pid_ == 0) {
      const int o = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int e = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(o, STDOUT_FILENO);
      ::dup2(e, STDERR_FILENO);
      ::setenv("AXLE_CONFIG", "", 1);  // no threads in this test process: setenv is safe
      ::execl(bin.c_str(), bin.c_str(), "--state-dir", state.c_str(), "demo",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~BackgroundDemo() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  BackgroundDemo(const BackgroundDemo&) = delete;
  BackgroundDemo& operator=(const BackgroundDemo&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  std::string err() const { return test::read_file(err_); }
  std::string out() const { return test::read_file(out_); }

  // Exit status, or -1 if it has not ended within `seconds`.
  int wait_exit(int seconds) {
    const std::int64_t deadline = monotonic_ns() + std::int64_t{seconds} * 1'000'000'000;
    while (monotonic_ns() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

 private:
  std::filesystem::path out_, err_;
  pid_t pid_ = -1;
  bool reaped_ = false;
};

TEST(DemoBus, JsonReportHasBothStreamsAndNoSegmentLeft) {
  TempDir dir;
  auto r =
      test::run_command({test::axle_binary(), "--state-dir", dir.path().string(), "demo", "--json"},
                        {"AXLE_CONFIG="}, 120);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  const auto& b = doc["bus"];
  EXPECT_EQ(b["processes"], 3);
  EXPECT_EQ(b["segments_left"], 0);
  const std::pair<const char*, std::uint64_t> streams[] = {{"lidar", b["seconds"].get<int>() * 10},
                                                           {"imu", b["seconds"].get<int>() * 200}};
  for (const auto& [name, expected] : streams) {
    const auto& l = b[name]["latency"];
    // Best effort: a sample may be lost on a loaded machine, but every one is accounted for.
    EXPECT_GT(l["count"].get<std::uint64_t>(), 0U) << name;
    EXPECT_EQ(l["count"].get<std::uint64_t>() + l["lost"].get<std::uint64_t>(), expected) << name;
    EXPECT_EQ(l["bad"], 0) << name;
    EXPECT_GT(l["p50_ns"].get<std::int64_t>(), 0) << name;
    EXPECT_LE(l["p50_ns"].get<std::int64_t>(), l["p99_ns"].get<std::int64_t>()) << name;
    EXPECT_LE(l["p99_ns"].get<std::int64_t>(), l["p999_ns"].get<std::int64_t>()) << name;
    EXPECT_LE(l["p999_ns"].get<std::int64_t>(), l["max_ns"].get<std::int64_t>()) << name;
  }
  EXPECT_EQ(b["lidar"]["bytes"], 1 << 20);
  const std::string lidar_topic = b["lidar"]["topic"].get<std::string>();
  const std::string prefix = lidar_topic.substr(0, lidar_topic.rfind('/') + 1);
  EXPECT_EQ(prefix.rfind("axle-demo/p", 0), 0U) << prefix;
  EXPECT_TRUE(topics_under(prefix).empty());
}

TEST(DemoBus, KilledPublisherFailsTheDemoAndLeavesNothingBehind) {
  TempDir dir;
  BackgroundDemo demo(dir);
  ASSERT_GT(demo.pid(), 0);
  // Find the three children in the registry of the demo's topics once they have joined.
  pid_t lidar = 0;
  std::vector<pid_t> children;
  const std::int64_t deadline = monotonic_ns() + 60'000'000'000;
  while ((lidar == 0 || children.size() < 3) && monotonic_ns() < deadline) {
    lidar = 0;
    children.clear();
    for (const auto& t : topics_under(demo_prefix(demo.pid()))) {
      auto info = bus::inspect_topic(t);
      if (!info) continue;
      for (const auto& p : info->participants) {
        if (p.node == "demo-lidar") lidar = p.pid;
        if (std::find(children.begin(), children.end(), p.pid) == children.end()) {
          children.push_back(p.pid);
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_NE(lidar, 0) << demo.out() << demo.err();
  ASSERT_EQ(children.size(), 3U);
  ASSERT_EQ(::kill(lidar, SIGKILL), 0);

  ASSERT_EQ(demo.wait_exit(60), 1) << demo.out() << demo.err();
  const std::string err = demo.err();
  EXPECT_NE(err.find("the demo's bus processes failed: lidar publisher"), std::string::npos) << err;
  for (pid_t child : children) EXPECT_FALSE(process_exists(child)) << "pid " << child;
  EXPECT_TRUE(topics_under(demo_prefix(demo.pid())).empty());
}

}  // namespace
}  // namespace axle
