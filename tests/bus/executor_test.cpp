// Executor: callbacks in order (timers, samples, descriptors), stop() from another thread and
// from a signal handler; deadline misses counted when a publisher in another process stops and
// not while it publishes in time; liveliness lost after kill -9 of a publisher process.
#include "axle/bus/executor.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "axle/bus/node.hpp"
#include "axle/core/clock.hpp"
#include "bus_test_util.hpp"
#include "make_node.hpp"
#include "deadline.hpp"
#include "wait_test_child.hpp"

namespace axle::bus {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using test::ScopedTopic;
using test::wait_topic_options;
using test::WaitChild;

using test::make_node;

Executor make_executor() {
  auto exec = Executor::create();
  EXPECT_TRUE(exec.ok()) << exec.error().to_string();
  return std::move(exec).value();
}

std::uint64_t value_of(const Sample& s) {
  std::uint64_t v = 0;
  std::memcpy(&v, s.data().data(), std::min(sizeof(v), s.data().size()));
  return v;
}

Result<void> publish_value(Publisher& pub, std::uint64_t v) {
  std::byte bytes[sizeof(v)];
  std::memcpy(bytes, &v, sizeof(v));
  return pub.publish_copy(bytes);
}

// Spins until `done` or 20 s; returns whether `done` came true.
bool spin_until(Executor& exec, const std::function<bool()>& done) {
  const std::int64_t deadline = monotonic_ns() + 20'000'000'000;
  while (!done() && monotonic_ns() < deadline) {
    auto r = exec.spin_once(milliseconds(100));
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    if (!r.ok()) return false;
  }
  return done();
}

TEST(Executor, SamplesArriveInPublishOrder) {
  ScopedTopic topic("ex_order");
  Node node = make_node("ex-order");
  TopicOptions options = wait_topic_options();
  options.queue_depth = 8;  // fewer than the samples: the executor drains while they come
  auto sub = node.create_subscriber(topic.name(), options, {.reliability = Reliability::kReliable});
  auto pub = node.create_publisher(topic.name(), options);
  ASSERT_TRUE(sub.ok() && pub.ok());
  Executor exec = make_executor();
  std::vector<std::uint64_t> values, sequences;
  auto id = exec.add_subscription(std::move(*sub), [&](const Sample& s) {
    values.push_back(value_of(s));
    sequences.push_back(s.sequence());
  });
  ASSERT_TRUE(id.ok());
  constexpr std::uint64_t kCount = 500;
  std::jthread publisher([&] {
    for (std::uint64_t i = 0; i < kCount; ++i) ASSERT_TRUE(publish_value(*pub, i).ok());
  });
  ASSERT_TRUE(spin_until(exec, [&] { return values.size() == kCount; }));
  for (std::uint64_t i = 0; i < kCount; ++i) {
    ASSERT_EQ(values[i], i);
    if (i > 0) {
      ASSERT_GT(sequences[i], sequences[i - 1]);
    }
  }
  EXPECT_EQ(exec.subscriber(*id)->lost(), 0U);
}

TEST(Executor, OneSpinRunsTimersThenSamplesThenDescriptorsInRegistrationOrder) {
  ScopedTopic a("ex_a");
  ScopedTopic b("ex_b");
  Node node = make_node("ex-mixed");
  auto sub_a = node.create_subscriber(a.name(), wait_topic_options());
  auto sub_b = node.create_subscriber(b.name(), wait_topic_options());
  auto pub_a = node.create_publisher(a.name(), wait_topic_options());
  auto pub_b = node.create_publisher(b.name(), wait_topic_options());
  ASSERT_TRUE(sub_a.ok() && sub_b.ok() && pub_a.ok() && pub_b.ok());
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0);
  std::vector<std::string> log;
  Executor exec = make_executor();
  // Registered in this order: subscription b, fd, timer slow, subscription a, timer fast.
  ASSERT_TRUE(exec.add_subscription(
                      std::move(*sub_b),
                      [&](const Sample& s) { log.push_back("b" + std::to_string(value_of(s))); })
                  .ok());
  ASSERT_TRUE(exec.add_fd(fds[0],
                          [&](int fd) {
                            char c;
                            while (::read(fd, &c, 1) == 1) log.push_back(std::string("fd") + c);
                          })
                  .ok());
  ASSERT_TRUE(exec.add_timer(milliseconds(2), [&] { log.push_back("slow"); }).ok());
  ASSERT_TRUE(exec.add_subscription(
                      std::move(*sub_a),
                      [&](const Sample& s) { log.push_back("a" + std::to_string(value_of(s))); })
                  .ok());
  ASSERT_TRUE(exec.add_timer(milliseconds(1), [&] { log.push_back("fast"); }).ok());

  ASSERT_TRUE(publish_value(*pub_a, 1).ok());
  ASSERT_TRUE(publish_value(*pub_b, 1).ok());
  ASSERT_TRUE(publish_value(*pub_a, 2).ok());
  ASSERT_EQ(::write(fds[1], "x", 1), 1);
  std::this_thread::sleep_for(milliseconds(10));  // both timers are due
  auto calls = exec.spin_once(seconds(0));
  ASSERT_TRUE(calls.ok()) << calls.error().to_string();
  EXPECT_EQ(*calls, 6U);
  // Timers by due time (fast was due first), subscriptions and descriptors by registration.
  EXPECT_EQ(log, (std::vector<std::string>{"fast", "slow", "b1", "a1", "a2", "fdx"}));
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(Executor, TimersRepeatAndSpinForReturnsAfterItsDuration) {
  Executor exec = make_executor();
  int ticks = 0;
  auto id = exec.add_timer(milliseconds(10), [&] { ++ticks; });
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(exec.spin_for(milliseconds(200)).ok());
  EXPECT_GE(ticks, 2);  // a loaded machine may skip periods, never run them early
  ASSERT_TRUE(exec.remove(*id).ok());
  const int before = ticks;
  ASSERT_TRUE(exec.spin_for(milliseconds(50)).ok());
  EXPECT_EQ(ticks, before);
  EXPECT_EQ(exec.remove(*id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(exec.add_timer(seconds(0), [] {}).error().code, ErrorCode::kInvalidArgument);
}

TEST(Executor, StopFromAnotherThreadEndsSpin) {
  Executor exec = make_executor();
  std::jthread stopper([&] {
    std::this_thread::sleep_for(milliseconds(50));
    exec.stop();
  });
  EXPECT_TRUE(exec.spin().ok());  // returns: the test would hang (ctest timeout) otherwise
}

std::atomic<Executor*> g_executor{nullptr};
extern "C" void stop_on_signal(int) {
  if (Executor* e = g_executor.load()) e->stop();
}

TEST(Executor, StopFromASignalHandlerEndsSpin) {
  Executor exec = make_executor();
  g_executor = &exec;
  struct sigaction sa {};
  sa.sa_handler = stop_on_signal;
  struct sigaction old {};
  ASSERT_EQ(::sigaction(SIGUSR1, &sa, &old), 0);
  std::jthread signaller([] {
    std::this_thread::sleep_for(milliseconds(50));
    ::kill(::getpid(), SIGUSR1);
  });
  EXPECT_TRUE(exec.spin_for(seconds(20)).ok());
  signaller.join();
  ::sigaction(SIGUSR1, &old, nullptr);
  g_executor = nullptr;
}

TEST(Executor, CallbacksCannotChangeTheExecutorAndExceptionsBecomeErrors) {
  Executor exec = make_executor();
  Result<Executor::Id> inner = Executor::Id{0};
  ASSERT_TRUE(
      exec.add_timer(milliseconds(1), [&] { inner = exec.add_timer(milliseconds(1), [] {}); })
          .ok());
  std::this_thread::sleep_for(milliseconds(2));
  ASSERT_TRUE(exec.spin_once(seconds(1)).ok());
  ASSERT_FALSE(inner.ok());
  EXPECT_EQ(inner.error().code, ErrorCode::kFailedPrecondition);

  Executor throwing = make_executor();
  ASSERT_TRUE(throwing.add_timer(milliseconds(1), [] { throw std::runtime_error("boom"); }).ok());
  auto r = throwing.spin_once(seconds(1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_NE(r.error().message.find("boom"), std::string::npos);
}

TEST(Executor, SubscriptionsAreGivenBackAndValidated) {
  ScopedTopic topic("ex_back");
  Node node = make_node("ex-back");
  auto sub = node.create_subscriber(topic.name(), wait_topic_options());
  ASSERT_TRUE(sub.ok());
  Executor exec = make_executor();
  Executor::SubscriptionCallbacks no_deadline;
  no_deadline.on_sample = [](const Sample&) {};
  no_deadline.on_deadline_missed = [](const DeadlineMissed&) {};
  // A deadline callback without a deadline set is refused, and the subscriber stays usable.
  EXPECT_EQ(exec.add_subscription(std::move(*sub), no_deadline).error().code,
            ErrorCode::kInvalidArgument);
  auto id = exec.add_subscription(std::move(*sub), [](const Sample&) {});
  ASSERT_TRUE(id.ok());
  auto back = exec.remove_subscription(*id);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(exec.subscriber(*id), nullptr);
  auto pub = node.create_publisher(topic.name(), wait_topic_options());
  ASSERT_TRUE(pub.ok());
  ASSERT_TRUE(publish_value(*pub, 3).ok());
  auto sample = back->take(seconds(20));
  ASSERT_TRUE(sample.ok());
  EXPECT_EQ(value_of(*sample), 3U);
}

// The arithmetic of the deadline, with arrivals learned late and out of order.
TEST(Deadline, CountsFullPeriodsWithoutArrivalWhateverTheObservationTimes) {
  detail::DeadlineTracker t(100, 0);
  EXPECT_EQ(t.evaluate(99), 0U);
  EXPECT_EQ(t.next_miss_at(), 100);
  EXPECT_EQ(t.evaluate(250), 2U);  // misses at 100 and 200
  t.on_arrival(230);               // learned after the evaluation: closes the gap at 230
  EXPECT_EQ(t.total(), 2U);
  EXPECT_EQ(t.evaluate(320), 0U);  // 230 + 100 not reached
  t.on_arrival(300);
  t.on_arrival(250);  // older than what is known: no effect
  EXPECT_EQ(t.evaluate(399), 0U);
  t.on_arrival(650);  // learned late: [300, 650) held 3 full periods
  EXPECT_EQ(t.total(), 5U);
  EXPECT_EQ(t.evaluate(700), 0U);
  EXPECT_EQ(t.next_miss_at(), 750);
  detail::DeadlineTracker off(0, 0);
  EXPECT_EQ(off.evaluate(1'000'000), 0U);
}

// A publisher process publishes every 10 ms for a while and then stays alive but silent: no
// miss while it publishes (the deadline is 1 s, a hundred periods), misses once it stops.
TEST(Executor, DeadlineMissedWhenThePublisherStopsAndNotWhileItPublishes) {
  constexpr std::uint64_t kSamples = 150;
  ScopedTopic topic("ex_deadline");
  Node node = make_node("ex-deadline");
  SubscriberOptions qos;
  qos.deadline = seconds(1);
  auto sub = node.create_subscriber(topic.name(), wait_topic_options(), qos);
  ASSERT_TRUE(sub.ok());
  Executor exec = make_executor();
  std::uint64_t received = 0, misses = 0, misses_at_first = 0, misses_at_last = 0;
  Executor::SubscriptionCallbacks callbacks;
  callbacks.on_sample = [&](const Sample&) {
    if (received == 0) misses_at_first = misses;  // the child's start-up may take a period
    ++received;
    if (received == kSamples) misses_at_last = misses;
  };
  callbacks.on_deadline_missed = [&](const DeadlineMissed& m) {
    EXPECT_GE(m.added, 1U);
    misses = m.total;
  };
  auto id = exec.add_subscription(std::move(*sub), callbacks);
  ASSERT_TRUE(id.ok());
  WaitChild child({"pub", topic.name(), "10", std::to_string(kSamples)});
  ASSERT_EQ(child.read_line(), "ready");
  ASSERT_TRUE(spin_until(exec, [&] { return received == kSamples; }));
  EXPECT_EQ(misses_at_last, misses_at_first) << "a deadline miss while samples came every 10 ms";
  ASSERT_TRUE(spin_until(exec, [&] { return misses > misses_at_last; }));
  EXPECT_EQ(exec.subscriber(*id)->deadline_missed(), misses);
}

// Liveliness: the subscriber sees a publisher process appear, and lose it after kill -9 (before
// any reaper frees its slot: the scan checks the process itself).
TEST(Executor, LivelinessLostAfterKillNineOfAPublisherProcess) {
  ScopedTopic topic("ex_alive");
  Node node = make_node("ex-alive");
  SubscriberOptions qos;
  qos.liveliness_check = milliseconds(20);
  auto sub = node.create_subscriber(topic.name(), wait_topic_options(), qos);
  ASSERT_TRUE(sub.ok());
  Executor exec = make_executor();
  std::vector<LivelinessChange> changes;
  Executor::SubscriptionCallbacks callbacks;
  callbacks.on_sample = [](const Sample&) {};
  callbacks.on_liveliness_changed = [&](const LivelinessChange& c) { changes.push_back(c); };
  auto id = exec.add_subscription(std::move(*sub), callbacks);
  ASSERT_TRUE(id.ok());

  WaitChild child({"pub", topic.name(), "1", "0"});  // joins, publishes nothing, stays
  ASSERT_EQ(child.read_line(), "ready");
  ASSERT_TRUE(spin_until(exec, [&] { return !changes.empty(); }));
  EXPECT_EQ(changes[0].kind, LivelinessChange::Kind::kAppeared);
  EXPECT_EQ(changes[0].pid, child.pid());
  EXPECT_EQ(changes[0].node, "wait-pub");
  EXPECT_EQ(changes[0].status.alive_publishers, 1U);

  child.kill9();
  ASSERT_TRUE(spin_until(exec, [&] { return changes.size() >= 2; }));
  EXPECT_EQ(changes[1].kind, LivelinessChange::Kind::kLost);
  EXPECT_EQ(changes[1].pid, child.pid());
  EXPECT_EQ(changes[1].status.alive_publishers, 0U);
  const LivelinessStatus status = exec.subscriber(*id)->liveliness();
  EXPECT_EQ(status.alive_publishers, 0U);
  EXPECT_EQ(status.appeared, 1U);
  EXPECT_EQ(status.lost, 1U);
}

// Without an executor: a publisher of this process joins and leaves.
TEST(Subscriber, LivelinessCountsAPublisherThatJoinsAndLeaves) {
  ScopedTopic topic("sub_alive");
  Node node = make_node("sub-alive");
  auto sub = node.create_subscriber(topic.name(), wait_topic_options());
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->liveliness().alive_publishers, 0U);
  {
    auto pub = node.create_publisher(topic.name(), wait_topic_options());
    ASSERT_TRUE(pub.ok());
    const LivelinessStatus s = sub->liveliness();
    EXPECT_EQ(s.alive_publishers, 1U);
    EXPECT_EQ(s.appeared, 1U);
  }
  const LivelinessStatus s = sub->liveliness();
  EXPECT_EQ(s.alive_publishers, 0U);
  EXPECT_EQ(s.appeared, 1U);
  EXPECT_EQ(s.lost, 1U);
  EXPECT_EQ(sub->deadline_missed(), 0U);  // deadline off
}

}  // namespace
}  // namespace axle::bus
