// WaitSet: woken by a publisher in another process, by a pipe, by notify(); timeouts honoured;
// no lost wake-up over 10^4 ping-pongs across processes and between threads.
#include "axle/bus/wait_set.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "axle/bus/node.hpp"
#include "axle/core/clock.hpp"
#include "bus_test_util.hpp"
#include "make_node.hpp"
#include "wait_test_child.hpp"

namespace axle::bus {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using test::ScopedTopic;
using test::wait_topic_options;
using test::WaitChild;

using test::make_node;

WaitSet make_set() {
  auto set = WaitSet::create();
  EXPECT_TRUE(set.ok()) << set.error().to_string();
  return std::move(set).value();
}

// A pipe closed on destruction.
struct Pipe {
  int r = -1, w = -1;
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0);
    r = fds[0];
    w = fds[1];
  }
  ~Pipe() {
    ::close(r);
    ::close(w);
  }
  void put() const { ASSERT_EQ(::write(w, "x", 1), 1); }
  void drain() const {
    char buf[64];
    while (::read(r, buf, sizeof(buf)) > 0) {
    }
  }
};

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

TEST(WaitSet, WokenByAPublisherInAnotherProcess) {
  ScopedTopic topic("ws_xproc");
  Node node = make_node("ws-sub");
  auto sub = node.create_subscriber(topic.name(), wait_topic_options());
  ASSERT_TRUE(sub.ok()) << sub.error().to_string();
  WaitSet set = make_set();
  auto id = set.add(*sub);
  ASSERT_TRUE(id.ok());
  Pipe unrelated;  // a descriptor in the set too, never readable
  ASSERT_TRUE(set.add_fd(unrelated.r).ok());

  // The child publishes one sample 100 ms after it joined; this thread is asleep by then.
  WaitChild child({"pub", topic.name(), "100", "1"});
  ASSERT_EQ(child.read_line(), "ready");
  auto ready = set.wait(seconds(20));
  ASSERT_TRUE(ready.ok()) << ready.error().to_string();
  ASSERT_TRUE(ready->has(*id));
  EXPECT_TRUE(ready->fds.empty());
  auto sample = sub->try_take();
  ASSERT_TRUE(sample.ok() && sample->has_value());
  EXPECT_EQ(value_of(**sample), 0U);
}

TEST(WaitSet, WokenByAPipeAndReportsItUntilRead) {
  ScopedTopic topic("ws_pipe");
  Node node = make_node("ws-pipe");
  auto sub = node.create_subscriber(topic.name(), wait_topic_options());
  ASSERT_TRUE(sub.ok());
  WaitSet set = make_set();
  auto sub_id = set.add(*sub);
  Pipe pipe;
  auto fd_id = set.add_fd(pipe.r);
  ASSERT_TRUE(sub_id.ok() && fd_id.ok());

  std::thread writer([&] {
    std::this_thread::sleep_for(milliseconds(100));
    pipe.put();
  });
  auto ready = set.wait(seconds(20));
  writer.join();
  ASSERT_TRUE(ready.ok()) << ready.error().to_string();
  EXPECT_TRUE(ready->has(*fd_id));
  EXPECT_FALSE(ready->has(*sub_id));

  // Level-triggered: still readable, still ready, without sleeping.
  ready = set.wait(seconds(20));
  ASSERT_TRUE(ready.ok());
  EXPECT_TRUE(ready->has(*fd_id));
  pipe.drain();
  ready = set.wait(milliseconds(50));
  ASSERT_TRUE(ready.ok());
  EXPECT_TRUE(ready->empty());

  // Removed: no longer reported.
  ASSERT_TRUE(set.remove(*fd_id).ok());
  pipe.put();
  ready = set.wait(milliseconds(50));
  ASSERT_TRUE(ready.ok());
  EXPECT_TRUE(ready->empty());
  EXPECT_EQ(set.remove(*fd_id).error().code, ErrorCode::kNotFound);
}

TEST(WaitSet, TimeoutIsHonouredWhenNothingHappens) {
  ScopedTopic topic("ws_timeout");
  Node node = make_node("ws-timeout");
  auto sub = node.create_subscriber(topic.name(), wait_topic_options());
  ASSERT_TRUE(sub.ok());
  WaitSet set = make_set();
  ASSERT_TRUE(set.add(*sub).ok());
  Pipe pipe;
  ASSERT_TRUE(set.add_fd(pipe.r).ok());
  const std::int64_t start = monotonic_ns();
  auto ready = set.wait(milliseconds(200));
  const std::int64_t elapsed = monotonic_ns() - start;
  ASSERT_TRUE(ready.ok());
  EXPECT_TRUE(ready->empty());
  EXPECT_GE(elapsed, 200'000'000);  // it did not return early (correctness, not speed)
  // A zero timeout checks and returns.
  ready = set.wait(milliseconds(0));
  ASSERT_TRUE(ready.ok());
  EXPECT_TRUE(ready->empty());
}

TEST(WaitSet, ReportsAQueuedSampleWithoutSleepingAndUntilTaken) {
  ScopedTopic topic("ws_level");
  Node node = make_node("ws-level");
  auto sub = node.create_subscriber(topic.name(), wait_topic_options());
  auto pub = node.create_publisher(topic.name(), wait_topic_options());
  ASSERT_TRUE(sub.ok() && pub.ok());
  WaitSet set = make_set();
  auto id = set.add(*sub);
  ASSERT_TRUE(publish_value(*pub, 7).ok());
  for (int i = 0; i < 2; ++i) {
    auto ready = set.wait(seconds(20));
    ASSERT_TRUE(ready.ok());
    EXPECT_TRUE(ready->has(*id));
  }
  auto sample = sub->try_take();
  ASSERT_TRUE(sample.ok() && sample->has_value());
  auto ready = set.wait(milliseconds(20));
  ASSERT_TRUE(ready.ok());
  EXPECT_TRUE(ready->empty());
}

TEST(WaitSet, NotifyFromAnotherThreadWakesTheWaiter) {
  WaitSet set = make_set();
  std::thread waker([&] {
    std::this_thread::sleep_for(milliseconds(50));
    set.notify();
  });
  auto ready = set.wait(seconds(20));
  waker.join();
  ASSERT_TRUE(ready.ok());
  EXPECT_TRUE(ready->notified);
  // Consumed: the next wait times out.
  ready = set.wait(milliseconds(10));
  ASSERT_TRUE(ready.ok());
  EXPECT_FALSE(ready->notified);
}

TEST(WaitSet, RefusesAMovedFromSubscriber) {
  ScopedTopic topic("ws_moved");
  Node node = make_node("ws-moved");
  auto sub = node.create_subscriber(topic.name(), wait_topic_options());
  ASSERT_TRUE(sub.ok());
  Subscriber taken = std::move(*sub);
  WaitSet set = make_set();
  EXPECT_EQ(set.add(*sub).error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(set.add(taken).ok());
  EXPECT_EQ(set.add_fd(-1).error().code, ErrorCode::kInvalidArgument);
}

// With SubscriberOptions::spin the set busy-polls first; a sample that comes after the spin is
// still delivered by the futex wake, and one that comes during it without one.
TEST(WaitSet, BusyPollingSetSeesSamplesDuringAndAfterItsSpin) {
  ScopedTopic topic("ws_spin");
  Node node = make_node("ws-spin");
  SubscriberOptions qos;
  qos.spin = milliseconds(20);
  auto sub = node.create_subscriber(topic.name(), wait_topic_options(), qos);
  auto pub = node.create_publisher(topic.name(), wait_topic_options());
  ASSERT_TRUE(sub.ok() && pub.ok());
  WaitSet set = make_set();
  auto id = set.add(*sub);
  ASSERT_TRUE(id.ok());
  for (std::uint64_t i = 0; i < 2; ++i) {
    std::jthread publisher([&, i] {
      // Round 0: within the spin (most likely); round 1: well after it.
      std::this_thread::sleep_for(milliseconds(i == 0 ? 1 : 200));
      ASSERT_TRUE(publish_value(*pub, i).ok());
    });
    auto ready = set.wait(seconds(20));
    ASSERT_TRUE(ready.ok());
    ASSERT_TRUE(ready->has(*id));
    auto sample = sub->try_take();
    ASSERT_TRUE(sample.ok() && sample->has_value());
    EXPECT_EQ(value_of(**sample), i);
  }
}

// 10^4 round trips with a WaitSet on both sides, in two processes: a lost wake-up on either
// side stalls a round trip until its 20-s bound and fails the test.
TEST(WaitSet, NoLostWakeUpOverTenThousandPingPongsAcrossProcesses) {
  constexpr std::uint64_t kRounds = 10'000;
  ScopedTopic ping("ws_ping");
  ScopedTopic pong("ws_pong");
  Node node = make_node("ws-pinger");
  auto pong_sub = node.create_subscriber(pong.name(), wait_topic_options());
  ASSERT_TRUE(pong_sub.ok()) << pong_sub.error().to_string();
  WaitChild echo({"echo", ping.name(), pong.name(), std::to_string(kRounds)});
  ASSERT_EQ(echo.read_line(), "ready");
  auto ping_pub = node.create_publisher(ping.name(), wait_topic_options());
  ASSERT_TRUE(ping_pub.ok()) << ping_pub.error().to_string();
  WaitSet set = make_set();
  auto id = set.add(*pong_sub);
  for (std::uint64_t i = 0; i < kRounds; ++i) {
    ASSERT_TRUE(publish_value(*ping_pub, i).ok());
    auto ready = set.wait(seconds(20));
    ASSERT_TRUE(ready.ok()) << ready.error().to_string();
    ASSERT_TRUE(ready->has(*id)) << "no pong for ping " << i << " within 20 s";
    auto sample = pong_sub->try_take();
    ASSERT_TRUE(sample.ok() && sample->has_value());
    ASSERT_EQ(value_of(**sample), i);
  }
  EXPECT_EQ(echo.read_line(), "done");
}

// The same between two threads of one process (also what ThreadSanitizer checks).
TEST(WaitSet, NoLostWakeUpOverTenThousandPingPongsBetweenThreads) {
  constexpr std::uint64_t kRounds = 10'000;
  ScopedTopic ping("ws_tping");
  ScopedTopic pong("ws_tpong");
  Node node = make_node("ws-threads");
  auto ping_sub = node.create_subscriber(ping.name(), wait_topic_options());
  auto pong_sub = node.create_subscriber(pong.name(), wait_topic_options());
  auto ping_pub = node.create_publisher(ping.name(), wait_topic_options());
  auto pong_pub = node.create_publisher(pong.name(), wait_topic_options());
  ASSERT_TRUE(ping_sub.ok() && pong_sub.ok() && ping_pub.ok() && pong_pub.ok());
  std::atomic<bool> echo_failed{false};
  std::jthread echo([&] {
    WaitSet set = make_set();
    auto id = set.add(*ping_sub);
    for (std::uint64_t answered = 0; answered < kRounds;) {
      auto ready = set.wait(seconds(20));
      if (!ready.ok() || !ready->has(*id)) {
        echo_failed = true;
        return;
      }
      while (true) {
        auto sample = ping_sub->try_take();
        if (!sample.ok() || !sample->has_value()) break;
        if (!pong_pub->publish_copy((**sample).data()).ok()) echo_failed = true;
        ++answered;
      }
    }
  });
  WaitSet set = make_set();
  auto id = set.add(*pong_sub);
  for (std::uint64_t i = 0; i < kRounds && !echo_failed; ++i) {
    ASSERT_TRUE(publish_value(*ping_pub, i).ok());
    auto ready = set.wait(seconds(20));
    ASSERT_TRUE(ready.ok());
    ASSERT_TRUE(ready->has(*id)) << "no pong for ping " << i << " within 20 s";
    auto sample = pong_sub->try_take();
    ASSERT_TRUE(sample.ok() && sample->has_value());
    ASSERT_EQ(value_of(**sample), i);
  }
  echo.join();
  EXPECT_FALSE(echo_failed);
}

}  // namespace
}  // namespace axle::bus
