// The bus across real processes (fork/exec of bus_test_helper): many to many, late joiners,
// kill -9 of publishers and subscribers during traffic with the survivors reclaiming their
// chunks, stale segments of dead processes. Every wait is bounded; every child is killed and
// reaped, and every topic removed, also when a test fails.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "axle/bus/introspect.hpp"
#include "axle/bus/node.hpp"
#include "axle/core/clock.hpp"
#include "bus_test_util.hpp"
#include "support/child_process.hpp"

namespace axle::bus {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using test::ScopedTopic;

constexpr int kWaitMs = 20000;

// A helper process with its stdout on a pipe; killed and reaped when the object dies.
class Child : public ::axle::test::ChildProcess {
 public:
  explicit Child(std::vector<std::string> args) : ChildProcess(with_helper(std::move(args))) {}

  // The next line of output, or "" after `timeout_ms` or at end of output.
  std::string read_line(int timeout_ms = kWaitMs) {
    return read_line_until(monotonic_ns() + std::int64_t{timeout_ms} * 1'000'000);
  }
  // Exit status (or 128 + signal), or -1 if it does not end within the timeout.
  int wait_exit(int timeout_ms = kWaitMs) {
    return wait_exit_until(monotonic_ns() + std::int64_t{timeout_ms} * 1'000'000);
  }

 private:
  static std::vector<std::string> with_helper(std::vector<std::string> args) {
    args.insert(args.begin(), AXLE_BUS_TEST_HELPER);
    return args;
  }
};

struct SubSummary {
  std::uint64_t received = 0, lost = 0, torn = 0, order_errors = 0;
  long long first = -1;
};

SubSummary parse_summary(const std::string& line) {
  SubSummary s;
  std::istringstream in(line);
  std::string word;
  in >> word >> s.received >> word >> s.lost >> word >> s.torn >> word >> s.order_errors >> word >>
      s.first;
  return s;
}

// Polls `condition` every 10 ms for up to `timeout_ms`; returns whether it came true.
bool eventually(const std::function<bool()>& condition, int timeout_ms = kWaitMs) {
  const std::int64_t deadline = monotonic_ns() + std::int64_t{timeout_ms} * 1'000'000;
  while (monotonic_ns() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return condition();
}

TopicInfo info_of(const ScopedTopic& topic) {
  auto info = inspect_topic(topic.name());
  EXPECT_TRUE(info.ok()) << info.error().to_string();
  return info.ok() ? *info : TopicInfo{};
}

bool has_participant_of(const TopicInfo& info, pid_t pid) {
  for (const auto& p : info.participants) {
    if (p.pid == pid) return true;
  }
  return false;
}

// Samples the participant of process `pid` has taken so far (0 if it is not on the topic).
std::uint64_t samples_taken_by(const ScopedTopic& topic, pid_t pid) {
  for (const auto& p : info_of(topic).participants) {
    if (p.pid == pid) return p.count;
  }
  return 0;
}

bool publish_zeros(Publisher& pub, int n) {
  for (int i = 0; i < n; ++i) {
    std::byte payload[64] = {};
    if (!pub.publish_copy(payload).ok()) return false;
  }
  return true;
}

TopicOptions helper_topic(std::uint32_t depth = 16, std::uint32_t chunks = 0) {
  TopicOptions t;
  t.type_name = "test.Payload";
  t.max_message_size = 64;
  t.queue_depth = depth;
  t.chunk_count = chunks;
  return t;
}

std::vector<std::uint64_t> payload_words(const Sample& s) {
  std::vector<std::uint64_t> w(s.data().size() / 8);
  std::memcpy(w.data(), s.data().data(), w.size() * 8);
  return w;
}

TEST(BusProcess, ManyToManyReliableLosesNothing) {
  ScopedTopic topic("m2m");
  std::vector<std::unique_ptr<Child>> subs;
  for (int i = 0; i < 2; ++i) {
    subs.push_back(std::make_unique<Child>(
        std::vector<std::string>{"sub", topic.name(), "400", "--reliable", "--depth", "8"}));
    ASSERT_EQ(subs.back()->read_line(), "ready");
  }
  std::vector<std::unique_ptr<Child>> pubs;
  for (int id = 0; id < 2; ++id) {
    pubs.push_back(std::make_unique<Child>(std::vector<std::string>{
        "pub", topic.name(), "200", "--id", std::to_string(id), "--depth", "8"}));
  }
  for (auto& pub : pubs) {
    EXPECT_EQ(pub->read_line(), "ready");
    EXPECT_EQ(pub->read_line(), "published 200");
    EXPECT_EQ(pub->wait_exit(), 0);
  }
  for (auto& sub : subs) {
    const SubSummary s = parse_summary(sub->read_line());
    EXPECT_EQ(s.received, 400U);
    EXPECT_EQ(s.lost, 0U);
    EXPECT_EQ(s.torn, 0U);
    EXPECT_EQ(s.order_errors, 0U);
    EXPECT_EQ(sub->wait_exit(), 0);
  }
}

TEST(BusProcess, LateJoinerGetsTheLastNFromTheHistory) {
  ScopedTopic topic("late");
  Child pub({"pub", topic.name(), "10", "--history", "4", "--linger"});
  ASSERT_EQ(pub.read_line(), "ready");
  ASSERT_EQ(pub.read_line(), "published 10");
  ASSERT_EQ(pub.read_line(), "done");
  Child sub({"sub", topic.name(), "4", "--transient", "--history", "4"});
  ASSERT_EQ(sub.read_line(), "ready");
  const SubSummary s = parse_summary(sub.read_line());
  EXPECT_EQ(s.received, 4U);
  EXPECT_EQ(s.first, 6);  // samples 6, 7, 8, 9
  EXPECT_EQ(s.order_errors, 0U);
  EXPECT_EQ(sub.wait_exit(), 0);
}

TEST(BusProcess, SubscriberKilledHoldingChunksIsReclaimedAndOthersCarryOn) {
  ScopedTopic topic("killsub");
  auto node = Node::create("survivor");
  ASSERT_TRUE(node.ok());
  const TopicOptions t = helper_topic(4, 16);
  auto pub = node->create_publisher(topic.name(), t);
  auto mine = node->create_subscriber(topic.name(), t);
  ASSERT_TRUE(pub.ok() && mine.ok());
  Child victim({"sub", topic.name(), "0", "--depth", "4", "--chunks", "16", "--hold", "3"});
  ASSERT_EQ(victim.read_line(), "ready");
  Sample keep_one = [&] {
    std::byte payload[64] = {};
    EXPECT_TRUE(pub->publish_copy(payload).ok());
    auto s = mine->take(seconds(10));
    EXPECT_TRUE(s.ok());
    return std::move(s).value();
  }();
  ASSERT_TRUE(publish_zeros(*pub, 6));
  // The victim takes and holds 3 samples; wait until it has.
  ASSERT_TRUE(eventually([&] { return samples_taken_by(topic, victim.pid()) >= 3; }));
  while (true) {  // empty my own queue, keep one sample
    auto s = mine->try_take();
    ASSERT_TRUE(s.ok());
    if (!s->has_value()) break;
  }
  EXPECT_LT(info_of(topic).free_chunks, t.chunk_count - 1);
  const std::int64_t killed_at = monotonic_ns();
  victim.kill9();
  EXPECT_EQ(victim.wait_exit(), 128 + SIGKILL);
  // The survivor's reaper gives back everything the victim held: only my sample stays held.
  ASSERT_TRUE(eventually([&] {
    const TopicInfo info = info_of(topic);
    return !has_participant_of(info, victim.pid()) && info.free_chunks == t.chunk_count - 1;
  }));
  std::printf("reclaimed %.0f ms after kill -9\n",
              static_cast<double>(monotonic_ns() - killed_at) / 1e6);
  std::byte payload[64] = {};
  ASSERT_TRUE(pub->publish_copy(payload).ok());
  EXPECT_TRUE(mine->take(seconds(10)).ok());
}

// The same for a subscriber in a slot beyond the chunk's holder word (slot 50 of 64), whose
// holds live in the chunks' extension words.
TEST(BusProcess, SubscriberKilledInAnExtensionSlotIsReclaimed) {
  ScopedTopic topic("killwide");
  auto node = Node::create("survivor");
  ASSERT_TRUE(node.ok());
  TopicOptions t = helper_topic(4, 16);
  t.max_subscribers = 64;
  auto pub = node->create_publisher(topic.name(), t);
  ASSERT_TRUE(pub.ok()) << pub.error().to_string();
  std::vector<Subscriber> mine;  // slots 0..49
  for (int i = 0; i < 50; ++i) {
    auto sub = node->create_subscriber(topic.name(), t);
    ASSERT_TRUE(sub.ok()) << sub.error().to_string();
    mine.push_back(std::move(*sub));
  }
  Child victim({"sub", topic.name(), "0", "--depth", "4", "--chunks", "16", "--hold", "3"});
  ASSERT_EQ(victim.read_line(), "ready");
  ASSERT_TRUE(publish_zeros(*pub, 6));
  ASSERT_TRUE(eventually([&] { return samples_taken_by(topic, victim.pid()) >= 3; }));
  for (auto& sub : mine) {  // release everything of mine: only the victim's holds remain
    while (true) {
      auto s = sub.try_take();
      ASSERT_TRUE(s.ok());
      if (!s->has_value()) break;
    }
  }
  EXPECT_LE(info_of(topic).free_chunks, t.chunk_count - 3);
  victim.kill9();
  EXPECT_EQ(victim.wait_exit(), 128 + SIGKILL);
  ASSERT_TRUE(eventually([&] {
    const TopicInfo info = info_of(topic);
    return !has_participant_of(info, victim.pid()) && info.free_chunks == t.chunk_count;
  }));
}

TEST(BusProcess, PublisherKilledDuringTrafficIsReclaimedAndANewOneIsHeard) {
  ScopedTopic topic("killpub");
  auto node = Node::create("survivor");
  ASSERT_TRUE(node.ok());
  const TopicOptions t = helper_topic(8, 32);
  SubscriberOptions reliable;  // so that the second publisher's burst is not cut to the last 8
  reliable.reliability = Reliability::kReliable;
  auto sub = node->create_subscriber(topic.name(), t, reliable);
  ASSERT_TRUE(sub.ok());
  Child victim(
      {"pub", topic.name(), "0", "--id", "1", "--depth", "8", "--chunks", "32", "--hold", "2"});
  ASSERT_EQ(victim.read_line(), "ready");
  for (int i = 0; i < 200; ++i) {
    auto s = sub->take(seconds(10));
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    EXPECT_EQ(payload_words(*s)[0] >> 32, 1U);
  }
  victim.kill9();
  EXPECT_EQ(victim.wait_exit(), 128 + SIGKILL);
  // Its loans (2 held + maybe one in flight) come back; what sits in my queue stays mine.
  ASSERT_TRUE(eventually([&] {
    const TopicInfo info = info_of(topic);
    std::uint64_t queued = 0;
    for (const auto& p : info.participants) queued += p.queued;
    return !has_participant_of(info, victim.pid()) && info.free_chunks + queued == t.chunk_count;
  }));
  while (true) {
    auto s = sub->try_take();
    ASSERT_TRUE(s.ok());
    if (!s->has_value()) break;
  }
  Child next({"pub", topic.name(), "20", "--id", "2", "--depth", "8", "--chunks", "32"});
  ASSERT_EQ(next.read_line(), "ready");
  for (std::uint64_t i = 0; i < 20; ++i) {
    auto s = sub->take(seconds(10));
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    EXPECT_EQ(payload_words(*s)[0], (std::uint64_t{2} << 32) | i);
  }
  EXPECT_EQ(next.wait_exit(), 0);
}

TEST(BusProcess, ReliablePublisherCarriesOnWhenAReliableSubscriberIsKilled) {
  ScopedTopic topic("killreliable");
  auto node = Node::create("survivor");
  ASSERT_TRUE(node.ok());
  const TopicOptions t = helper_topic(4, 32);
  SubscriberOptions reliable;
  reliable.reliability = Reliability::kReliable;
  auto sub = node->create_subscriber(topic.name(), t, reliable);
  ASSERT_TRUE(sub.ok());
  Child victim({"sub", topic.name(), "0", "--reliable", "--depth", "4", "--chunks", "32"});
  ASSERT_EQ(victim.read_line(), "ready");
  Child pub({"pub", topic.name(), "0", "--depth", "4", "--chunks", "32"});
  ASSERT_EQ(pub.read_line(), "ready");
  std::uint64_t next = 0;
  auto take_in_order = [&](int n) {
    for (int i = 0; i < n; ++i) {
      auto s = sub->take(seconds(10));
      ASSERT_TRUE(s.ok()) << s.error().to_string();
      EXPECT_EQ(payload_words(*s)[0], next++);
    }
  };
  take_in_order(300);
  victim.kill9();
  EXPECT_EQ(victim.wait_exit(), 128 + SIGKILL);
  // Reliable delivery to me goes on, without a gap, although the victim's queue is full forever.
  take_in_order(2000);
  EXPECT_EQ(sub->lost(), 0U);
  ASSERT_TRUE(eventually([&] { return !has_participant_of(info_of(topic), victim.pid()); }));
}

TEST(BusProcess, StaleSegmentOfADeadProcessIsReplacedAtStart) {
  ScopedTopic topic("stale");
  {
    Child dies({"join-and-die", topic.name(), "--type", "test.Old"});
    ASSERT_EQ(dies.read_line(), "ready");
    ASSERT_EQ(dies.wait_exit(), 0);
  }
  // Another process's Node may clean it first (tests run in parallel): the same feature.
  if (auto before = inspect_topic(topic.name()); before.ok()) {
    ASSERT_EQ(before->participants.size(), 1U);
    EXPECT_FALSE(before->participants[0].process_alive);
    EXPECT_EQ(before->free_chunks, before->chunk_count - 1);  // its loan is still recorded
  }
  NodeOptions keep;
  keep.clean_stale_topics = false;  // so that opening the topic itself replaces it
  auto node = Node::create("fresh", keep);
  ASSERT_TRUE(node.ok());
  TopicOptions t = helper_topic();
  t.type_name = "test.New";  // would be refused if anyone alive used test.Old
  auto pub = node->create_publisher(topic.name(), t);
  ASSERT_TRUE(pub.ok()) << pub.error().to_string();
  const TopicInfo after = info_of(topic);
  EXPECT_EQ(after.type_name, "test.New");
  ASSERT_EQ(after.participants.size(), 1U);
  EXPECT_EQ(after.participants[0].pid, ::getpid());
  EXPECT_EQ(after.free_chunks, after.chunk_count);
}

TEST(BusProcess, DeadParticipantBesideALiveOneIsReclaimedByTheLiveOne) {
  ScopedTopic topic("deadbeside");
  std::mutex mutex;
  std::vector<BusEvent> reclaimed;  // filled by the reaper thread
  NodeOptions opts;
  opts.on_event = [&](const BusEvent& e) {
    std::lock_guard lock(mutex);
    if (e.kind == BusEvent::Kind::kReclaimed) reclaimed.push_back(e);
  };
  auto node = Node::create("live", opts);
  ASSERT_TRUE(node.ok());
  const TopicOptions t = helper_topic();
  auto sub = node->create_subscriber(topic.name(), t);
  ASSERT_TRUE(sub.ok());
  Child dies({"join-and-die", topic.name()});
  ASSERT_EQ(dies.read_line(), "ready");
  ASSERT_EQ(dies.wait_exit(), 0);
  ASSERT_TRUE(eventually([&] {
    const TopicInfo info = info_of(topic);
    return info.participants.size() == 1 && info.free_chunks == info.chunk_count;
  }));
  node = Result<Node>(make_error(ErrorCode::kInternal, "stopped"));  // joins the reaper thread
  ASSERT_EQ(reclaimed.size(), 1U);
  EXPECT_EQ(reclaimed[0].pid, dies.pid());
  EXPECT_EQ(reclaimed[0].node, "helper-dies");
  EXPECT_EQ(reclaimed[0].endpoint, EndpointKind::kPublisher);
  EXPECT_EQ(reclaimed[0].topic, topic.name());
}

// Rounds of traffic between child processes, ended by kill -9 at arbitrary points; after each
// round every chunk the dead held is back, and the topic keeps working for the survivor.
TEST(BusProcess, ChaosKillRoundsLeaveNoChunkBehind) {
  ScopedTopic topic("chaos");
  auto node = Node::create("survivor");
  ASSERT_TRUE(node.ok());
  const TopicOptions t = helper_topic(4, 48);
  SubscriberOptions reliable;
  reliable.reliability = Reliability::kReliable;
  auto mine = node->create_subscriber(topic.name(), t, reliable);
  ASSERT_TRUE(mine.ok());
  auto drain = [&] {
    while (true) {
      auto s = mine->try_take();
      ASSERT_TRUE(s.ok());
      if (!s->has_value()) return;
    }
  };
  for (std::uint64_t round = 1; round <= 6; ++round) {
    Child sub(
        {"sub", topic.name(), "0", "--reliable", "--depth", "4", "--chunks", "48", "--hold", "2"});
    ASSERT_EQ(sub.read_line(), "ready");
    Child pub({"pub", topic.name(), "0", "--id", std::to_string(round), "--depth", "4", "--chunks",
               "48", "--hold", "1"});
    ASSERT_EQ(pub.read_line(), "ready");
    for (int seen = 0; seen < 50 + static_cast<int>(round) * 37;) {
      auto s = mine->take(seconds(10));
      ASSERT_TRUE(s.ok()) << "round " << round << ": " << s.error().to_string();
      if (payload_words(*s)[0] >> 32 == round) ++seen;
    }
    // Alternate who dies first; the other dies while the first one's chunks are reclaimed.
    if (round % 2 == 0) {
      sub.kill9();
      pub.kill9();
    } else {
      pub.kill9();
      sub.kill9();
    }
    EXPECT_EQ(sub.wait_exit(), 128 + SIGKILL);
    EXPECT_EQ(pub.wait_exit(), 128 + SIGKILL);
    drain();
    ASSERT_TRUE(eventually([&] {
      const TopicInfo info = info_of(topic);
      return info.participants.size() == 1 && info.free_chunks == info.chunk_count;
    })) << "round "
        << round << ": free " << info_of(topic).free_chunks;
  }
  auto pub = node->create_publisher(topic.name(), t);
  ASSERT_TRUE(pub.ok());
  std::byte payload[64] = {};
  ASSERT_TRUE(pub->publish_copy(payload).ok());
  EXPECT_TRUE(mine->take(seconds(10)).ok());
}

TEST(BusProcess, CleaningRemovesOnlySegmentsWithoutLiveParticipants) {
  ScopedTopic stale("cleanstale");
  ScopedTopic live("cleanlive");
  ScopedTopic corrupt("cleancorrupt");
  {
    Child dies({"join-and-die", stale.name()});
    ASSERT_EQ(dies.read_line(), "ready");
    ASSERT_EQ(dies.wait_exit(), 0);
  }
  NodeOptions keep;
  keep.clean_stale_topics = false;
  auto node = Node::create("keeper", keep);
  ASSERT_TRUE(node.ok());
  auto pub = node->create_publisher(live.name(), {});
  ASSERT_TRUE(pub.ok());
  { std::ofstream(corrupt.path(), std::ios::binary) << std::string(4096, 'q'); }
  ASSERT_EQ(::chmod(corrupt.path().c_str(), 0600), 0);

  const CleanReport report = clean_stale_topics();
  EXPECT_NE(::access(stale.path().c_str(), F_OK), 0);  // gone (by us or a parallel test's node)
  EXPECT_EQ(::access(live.path().c_str(), F_OK), 0);
  EXPECT_EQ(::access(corrupt.path().c_str(), F_OK), 0);  // never deleted silently
  bool corrupt_reported = false;
  for (const auto& r : report.refused) corrupt_reported |= r.find(corrupt.name()) == 0;
  EXPECT_TRUE(corrupt_reported);
  for (const auto& r : report.removed) EXPECT_NE(r, live.name());
}

}  // namespace
}  // namespace axle::bus
