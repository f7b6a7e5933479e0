// The bounded soak of issue 6 (point 11): 4 publisher and 4 subscriber processes (fork/exec of
// soak_helper) on one topic under reliable QoS for 60 s. Every subscriber must receive every
// sample of every publisher exactly once, in order, with its checksum and content intact.
// AXLETEST_SOAK_SECONDS shortens (or lengthens, up to 600) the run for local use. Every wait is
// bounded; every child is killed and reaped and the topic removed, also when the test fails.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "axle/bus/introspect.hpp"
#include "axle/core/clock.hpp"
#include "bus_test_util.hpp"
#include "support/child_process.hpp"

namespace axle::bus {
namespace {

constexpr int kPublishers = 4;
constexpr int kSubscribers = 4;
constexpr double kRatePerPublisher = 2000;  // messages/s, in bursts of 64 (see soak_helper)

double soak_seconds() {
  const char* env = std::getenv("AXLETEST_SOAK_SECONDS");
  if (env == nullptr) return 60;
  const double s = std::atof(env);
  return s >= 1 && s <= 600 ? s : 60;
}

// A soak_helper process with its stdout on a pipe; killed and reaped when the object dies.
class SoakChild : public ::axle::test::ChildProcess {
 public:
  explicit SoakChild(const std::vector<std::string>& role_args)
      : ChildProcess(with_helper(role_args)) {}
  std::string read_line(std::int64_t deadline_ns) { return read_line_until(deadline_ns); }
  int wait_exit(std::int64_t deadline_ns) { return wait_exit_until(deadline_ns); }

 private:
  static std::vector<std::string> with_helper(const std::vector<std::string>& role_args) {
    // Built by push_back: g++ 12 warns falsely (-Warray-bounds) on insert() of a long literal.
    std::vector<std::string> args;
    args.emplace_back(AXLE_SOAK_HELPER);
    for (const auto& a : role_args) args.push_back(a);
    return args;
  }
};

struct SubReport {
  std::uint64_t received = 0, bad_checksum = 0, bad_body = 0, order_errors = 0, duplicates = 0,
                lost = 0, bytes = 0;
  std::vector<std::pair<std::uint64_t, std::int64_t>> per_pub;  // (received, announced)
  bool parsed = false;
};

SubReport parse_sub(const std::string& line) {
  SubReport r;
  std::istringstream in(line);
  std::string key, per_pub;
  in >> key >> r.received >> key >> r.bad_checksum >> key >> r.bad_body >> key >> r.order_errors >>
      key >> r.duplicates >> key >> r.lost >> key >> r.bytes >> key >> per_pub;
  if (!in || key != "per_pub") return r;
  std::istringstream items(per_pub);
  std::string item;
  while (std::getline(items, item, ',')) {
    std::uint64_t id = 0, got = 0;
    std::int64_t announced = -1;
    char c1 = 0, c2 = 0;
    std::istringstream(item) >> id >> c1 >> got >> c2 >> announced;
    r.per_pub.emplace_back(got, announced);
  }
  r.parsed = true;
  return r;
}

TEST(BusSoak, FourPublishersFourSubscribersReliableLoseNothing) {
  const double seconds = soak_seconds();
  test::ScopedTopic topic("soak");
  const std::int64_t start = monotonic_ns();
  // Setup, the run itself, and a generous margin for a loaded machine; never unbounded.
  const std::int64_t deadline = start + static_cast<std::int64_t>((seconds + 90) * 1e9);

  // Subscribers first: under reliable QoS they must see every sample from the first one on.
  std::vector<std::unique_ptr<SoakChild>> subs, pubs;
  for (int i = 0; i < kSubscribers; ++i) {
    subs.push_back(std::make_unique<SoakChild>(
        std::vector<std::string>{"sub", topic.name(), std::to_string(kPublishers)}));
    ASSERT_EQ(subs.back()->read_line(deadline), "ready") << "subscriber " << i;
  }
  for (int i = 0; i < kPublishers; ++i) {
    pubs.push_back(std::make_unique<SoakChild>(
        std::vector<std::string>{"pub", topic.name(), std::to_string(i), std::to_string(seconds),
                                 std::to_string(kRatePerPublisher)}));
    ASSERT_EQ(pubs.back()->read_line(deadline), "ready") << "publisher " << i;
  }

  // The topic's registry shows all eight while traffic flows.
  auto info = inspect_topic(topic.name());
  ASSERT_TRUE(info.ok()) << info.error().to_string();
  EXPECT_EQ(info->participants.size(), static_cast<std::size_t>(kPublishers + kSubscribers));

  std::vector<std::uint64_t> published(kPublishers, 0);
  std::uint64_t total_published = 0;
  for (int i = 0; i < kPublishers; ++i) {
    const std::string line = pubs[i]->read_line(deadline);
    std::istringstream in(line);
    std::string word;
    int id = -1;
    in >> word >> id >> published[i];
    ASSERT_TRUE(in && word == "published" && id == i) << "publisher " << i << ": '" << line << "'";
    EXPECT_EQ(pubs[i]->wait_exit(deadline), 0) << "publisher " << i;
    EXPECT_GT(published[i], 0U) << "publisher " << i;
    total_published += published[i];
  }

  std::uint64_t total_received = 0, total_bytes = 0;
  for (int s = 0; s < kSubscribers; ++s) {
    const std::string line = subs[s]->read_line(deadline);
    const SubReport r = parse_sub(line);
    ASSERT_TRUE(r.parsed) << "subscriber " << s << ": '" << line << "'";
    EXPECT_EQ(subs[s]->wait_exit(deadline), 0) << "subscriber " << s;
    EXPECT_EQ(r.bad_checksum, 0U) << "subscriber " << s;
    EXPECT_EQ(r.bad_body, 0U) << "subscriber " << s;
    EXPECT_EQ(r.order_errors, 0U) << "subscriber " << s;
    EXPECT_EQ(r.duplicates, 0U) << "subscriber " << s;
    EXPECT_EQ(r.lost, 0U) << "subscriber " << s;
    EXPECT_EQ(r.received, total_published) << "subscriber " << s;
    ASSERT_EQ(r.per_pub.size(), static_cast<std::size_t>(kPublishers)) << line;
    for (int p = 0; p < kPublishers; ++p) {
      EXPECT_EQ(r.per_pub[p].first, published[p]) << "subscriber " << s << ", publisher " << p;
      EXPECT_EQ(r.per_pub[p].second, static_cast<std::int64_t>(published[p]))
          << "subscriber " << s << ", publisher " << p;
    }
    total_received += r.received;
    total_bytes += r.bytes;
  }

  const double elapsed = static_cast<double>(monotonic_ns() - start) / 1e9;
  std::cout << "[ soak     ] " << seconds << " s run (" << elapsed << " s wall): " << kPublishers
            << " publishers sent " << total_published << " messages; " << kSubscribers
            << " subscribers received " << total_received << " messages (" << total_bytes
            << " bytes); "
            << (HasFailure()
                    ? "CHECKS FAILED (see above)"
                    : "every checksum and body verified, none lost, duplicated or reordered")
            << '\n';
  RecordProperty("published", std::to_string(total_published));
  RecordProperty("received", std::to_string(total_received));
  RecordProperty("bytes", std::to_string(total_bytes));
}

}  // namespace
}  // namespace axle::bus
