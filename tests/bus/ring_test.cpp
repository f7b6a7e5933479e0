// The per-subscriber ring under concurrency, in one process (so that ThreadSanitizer sees every
// access): several publisher threads pushing while a subscriber takes lock-free, best-effort
// drops racing with takes, and two threads taking from one Subscriber.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "axle/bus/introspect.hpp"
#include "axle/bus/node.hpp"
#include "bus_test_util.hpp"
#include "make_node.hpp"

namespace axle::bus {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using test::make_node;
using test::ScopedTopic;

constexpr std::uint32_t kPublishers = 3;
constexpr std::uint32_t kPerPublisher = 2000;

// Message = (publisher, index), 8 bytes.
Result<void> publish_pair(Publisher& pub, std::uint32_t who, std::uint32_t index) {
  std::uint32_t v[2] = {who, index};
  return pub.publish_copy(std::as_bytes(std::span(v)));
}

std::pair<std::uint32_t, std::uint32_t> pair_of(const Sample& s) {
  std::uint32_t v[2] = {0, 0};
  if (s.data().size() == sizeof v) std::memcpy(v, s.data().data(), sizeof v);
  return {v[0], v[1]};
}

TopicOptions ring_topic() {
  TopicOptions t;
  t.max_message_size = 64;
  t.queue_depth = 4;  // small, so that the ring wraps and fills all the time
  t.chunk_count = 64;
  return t;
}

// Publishers are created here, on the test's thread; each thread then publishes its share.
void start_publishers(Node& node, const std::string& topic, std::vector<std::thread>& threads,
                      std::atomic<std::uint32_t>& failures) {
  for (std::uint32_t p = 0; p < kPublishers; ++p) {
    PublisherOptions po;
    po.timeout = seconds(20);
    auto pub = node.create_publisher(topic, ring_topic(), po);
    ASSERT_TRUE(pub.ok()) << pub.error().to_string();
    threads.emplace_back([&failures, p, owned = std::move(pub).value()]() mutable {
      for (std::uint32_t i = 0; i < kPerPublisher; ++i) {
        if (!publish_pair(owned, p, i).ok()) failures.fetch_add(1);
      }
    });
  }
}

TEST(Ring, ReliableSubscriberGetsEveryMessageOfConcurrentPublishersInTheirOrder) {
  ScopedTopic topic("ringrel");
  Node node = make_node("n");
  SubscriberOptions qos;
  qos.reliability = Reliability::kReliable;
  auto sub = node.create_subscriber(topic.name(), ring_topic(), qos);
  ASSERT_TRUE(sub.ok()) << sub.error().to_string();
  std::vector<std::thread> threads;
  std::atomic<std::uint32_t> failures{0};
  start_publishers(node, topic.name(), threads, failures);
  std::vector<std::uint32_t> next(kPublishers, 0);
  std::uint32_t got = 0;
  while (got < kPublishers * kPerPublisher) {
    auto s = sub->take(seconds(20));
    ASSERT_TRUE(s.ok()) << s.error().to_string() << " after " << got;
    const auto [who, index] = pair_of(*s);
    ASSERT_LT(who, kPublishers);
    ASSERT_EQ(index, next[who]) << "publisher " << who;
    ++next[who];
    ++got;
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0U);
  EXPECT_EQ(sub->lost(), 0U);
  auto info = inspect_topic(topic.name());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->free_chunks, info->chunk_count);
}

TEST(Ring, BestEffortDropsRaceWithTakesWithoutLossOfChunksOrOrder) {
  ScopedTopic topic("ringbe");
  Node node = make_node("n");
  auto sub = node.create_subscriber(topic.name(), ring_topic());  // best effort
  ASSERT_TRUE(sub.ok()) << sub.error().to_string();
  std::vector<std::thread> threads;
  std::atomic<std::uint32_t> failures{0};
  start_publishers(node, topic.name(), threads, failures);
  std::vector<std::int64_t> last(kPublishers, -1);
  std::uint64_t got = 0;
  bool done = false;
  while (!done) {
    auto s = sub->take(milliseconds(500));
    if (!s.ok()) {
      ASSERT_EQ(s.error().code, ErrorCode::kTimeout) << s.error().to_string();
      done = true;  // the publishers finished and the queue is drained
      continue;
    }
    const auto [who, index] = pair_of(*s);
    ASSERT_LT(who, kPublishers);
    ASSERT_GT(static_cast<std::int64_t>(index), last[who]) << "publisher " << who;
    last[who] = index;
    ++got;
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0U);
  // Every message was either taken or counted as lost, exactly once.
  EXPECT_EQ(got + sub->lost(), std::uint64_t{kPublishers} * kPerPublisher);
  auto info = inspect_topic(topic.name());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->free_chunks, info->chunk_count);
}

TEST(Ring, TwoThreadsTakingFromOneSubscriberGetEachMessageOnce) {
  ScopedTopic topic("ringtwo");
  Node node = make_node("n");
  SubscriberOptions qos;
  qos.reliability = Reliability::kReliable;
  auto sub = node.create_subscriber(topic.name(), ring_topic(), qos);
  ASSERT_TRUE(sub.ok()) << sub.error().to_string();
  std::vector<std::thread> threads;
  std::atomic<std::uint32_t> failures{0};
  start_publishers(node, topic.name(), threads, failures);
  constexpr std::uint32_t kTotal = kPublishers * kPerPublisher;
  std::vector<std::atomic<std::uint32_t>> seen(kTotal);
  std::atomic<std::uint32_t> taken{0};
  const auto give_up = std::chrono::steady_clock::now() + seconds(60);
  auto taker = [&] {
    while (taken.load() < kTotal) {
      if (std::chrono::steady_clock::now() > give_up) {
        failures.fetch_add(1);
        return;
      }
      auto s = sub->try_take();
      if (!s.ok()) {
        failures.fetch_add(1);
        return;
      }
      if (!s->has_value()) {
        std::this_thread::yield();
        continue;
      }
      const auto [who, index] = pair_of(**s);
      if (who >= kPublishers || index >= kPerPublisher) {
        failures.fetch_add(1);
        return;
      }
      seen[who * kPerPublisher + index].fetch_add(1);
      taken.fetch_add(1);
    }
  };
  std::thread a(taker);
  std::thread b(taker);
  for (auto& t : threads) t.join();
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0U);
  for (std::uint32_t i = 0; i < kTotal; ++i) ASSERT_EQ(seen[i].load(), 1U) << "message " << i;
  auto info = inspect_topic(topic.name());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->free_chunks, info->chunk_count);
}

}  // namespace
}  // namespace axle::bus
