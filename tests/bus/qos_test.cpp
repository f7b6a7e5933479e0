// Quality of service within one process: keep-last-N, best effort, reliable, transient-local.
#include <gtest/gtest.h>

#include <cstring>
#include <thread>

#include "axle/bus/introspect.hpp"
#include "axle/bus/node.hpp"
#include "bus_test_util.hpp"

namespace axle::bus {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using test::ScopedTopic;

Result<void> publish_u32(Publisher& pub, std::uint32_t v) {
  std::byte b[4];
  std::memcpy(b, &v, 4);
  return pub.publish_copy(b);
}

std::uint32_t u32_of(const Sample& s) {
  std::uint32_t v = 0;
  std::memcpy(&v, s.data().data(), 4);
  return v;
}

std::vector<std::uint32_t> drain(Subscriber& sub) {
  std::vector<std::uint32_t> got;
  while (true) {
    auto s = sub.try_take();
    EXPECT_TRUE(s.ok());
    if (!s.ok() || !s->has_value()) return got;
    got.push_back(u32_of(**s));
  }
}

TopicOptions small_topic() {
  TopicOptions t;
  t.max_message_size = 16;
  t.queue_depth = 4;
  return t;
}

TEST(Qos, BestEffortSubscriberKeepsTheLastNAndCountsTheRestAsLost) {
  ScopedTopic topic("besteffort");
  auto node = Node::create("n");
  ASSERT_TRUE(node.ok());
  auto sub = node->create_subscriber(topic.name(), small_topic());
  auto pub = node->create_publisher(topic.name(), small_topic());
  ASSERT_TRUE(sub.ok() && pub.ok());
  for (std::uint32_t i = 0; i < 10; ++i) ASSERT_TRUE(publish_u32(*pub, i).ok());
  EXPECT_EQ(drain(*sub), (std::vector<std::uint32_t>{6, 7, 8, 9}));
  EXPECT_EQ(sub->lost(), 6U);
  // Dropped samples went back to the pool.
  auto info = inspect_topic(topic.name());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->free_chunks, info->chunk_count);
}

TEST(Qos, ReliablePublishTimesOutWhileTheQueueIsFullAndOthersStillGetIt) {
  ScopedTopic topic("reliable");
  auto node = Node::create("n");
  ASSERT_TRUE(node.ok());
  SubscriberOptions reliable;
  reliable.reliability = Reliability::kReliable;
  auto slow = node->create_subscriber(topic.name(), small_topic(), reliable);
  auto other = node->create_subscriber(topic.name(), small_topic());
  PublisherOptions p;
  p.timeout = milliseconds(30);
  auto pub = node->create_publisher(topic.name(), small_topic(), p);
  ASSERT_TRUE(slow.ok() && other.ok() && pub.ok());
  for (std::uint32_t i = 0; i < 4; ++i) ASSERT_TRUE(publish_u32(*pub, i).ok());
  auto r = publish_u32(*pub, 4);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
  EXPECT_EQ(drain(*slow), (std::vector<std::uint32_t>{0, 1, 2, 3}));
  EXPECT_EQ(drain(*other), (std::vector<std::uint32_t>{1, 2, 3, 4}));  // best effort, depth 4
  EXPECT_EQ(other->lost(), 1U);
  EXPECT_EQ(slow->lost(), 0U);
  ASSERT_TRUE(publish_u32(*pub, 5).ok());  // room again
  EXPECT_EQ(drain(*slow), (std::vector<std::uint32_t>{5}));
}

TEST(Qos, ReliablePublisherBlocksUntilTheSubscriberMakesRoom) {
  ScopedTopic topic("reliablewait");
  auto node = Node::create("n");
  ASSERT_TRUE(node.ok());
  SubscriberOptions reliable;
  reliable.reliability = Reliability::kReliable;
  auto sub = node->create_subscriber(topic.name(), small_topic(), reliable);
  PublisherOptions p;
  p.timeout = seconds(20);
  auto pub = node->create_publisher(topic.name(), small_topic(), p);
  ASSERT_TRUE(sub.ok() && pub.ok());
  for (std::uint32_t i = 0; i < 4; ++i) ASSERT_TRUE(publish_u32(*pub, i).ok());
  std::thread consumer([&] {
    std::this_thread::sleep_for(milliseconds(20));
    auto s = sub->take(seconds(5));
    EXPECT_TRUE(s.ok());
    if (s.ok()) {
      EXPECT_EQ(u32_of(*s), 0U);
    }
  });
  auto r = publish_u32(*pub, 4);  // waits on the space futex
  consumer.join();
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(drain(*sub), (std::vector<std::uint32_t>{1, 2, 3, 4}));
}

TEST(Qos, TransientLocalLateJoinerGetsTheLastNVolatileGetsNothing) {
  ScopedTopic topic("transient");
  TopicOptions t = small_topic();
  t.history_depth = 3;
  auto node = Node::create("n");
  ASSERT_TRUE(node.ok());
  auto pub = node->create_publisher(topic.name(), t);
  ASSERT_TRUE(pub.ok());
  for (std::uint32_t i = 0; i < 5; ++i) ASSERT_TRUE(publish_u32(*pub, i).ok());
  SubscriberOptions late;
  late.durability = Durability::kTransientLocal;
  auto tl = node->create_subscriber(topic.name(), t, late);
  auto vol = node->create_subscriber(topic.name(), t);
  ASSERT_TRUE(tl.ok() && vol.ok());
  EXPECT_EQ(drain(*tl), (std::vector<std::uint32_t>{2, 3, 4}));
  EXPECT_TRUE(drain(*vol).empty());
  ASSERT_TRUE(publish_u32(*pub, 5).ok());
  EXPECT_EQ(drain(*tl), (std::vector<std::uint32_t>{5}));
  EXPECT_EQ(drain(*vol), (std::vector<std::uint32_t>{5}));
  // History holds exactly history_depth chunks; nothing else is held.
  auto info = inspect_topic(topic.name());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->free_chunks, info->chunk_count - 3);
}

TEST(Qos, SubscriberThatLeavesAndComesBackGetsOnlyNewSamples) {
  ScopedTopic topic("comeback");
  auto node = Node::create("n");
  ASSERT_TRUE(node.ok());
  auto pub = node->create_publisher(topic.name(), small_topic());
  ASSERT_TRUE(pub.ok());
  {
    auto sub = node->create_subscriber(topic.name(), small_topic());
    ASSERT_TRUE(sub.ok());
    ASSERT_TRUE(publish_u32(*pub, 1).ok());
    ASSERT_TRUE(publish_u32(*pub, 2).ok());
    auto s = sub->take(seconds(5));
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(u32_of(*s), 1U);
  }  // leaves with one sample still queued: it must be released
  EXPECT_EQ(pub->subscriber_count(), 0U);
  ASSERT_TRUE(publish_u32(*pub, 3).ok());
  auto sub = node->create_subscriber(topic.name(), small_topic());
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(publish_u32(*pub, 4).ok());
  EXPECT_EQ(drain(*sub), (std::vector<std::uint32_t>{4}));
  auto info = inspect_topic(topic.name());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->free_chunks, info->chunk_count);
}

TEST(Qos, SubscriberTableFullIsAClearError) {
  ScopedTopic topic("fulltable");
  TopicOptions t = small_topic();
  t.max_subscribers = 2;
  auto node = Node::create("n");
  ASSERT_TRUE(node.ok());
  auto a = node->create_subscriber(topic.name(), t);
  auto b = node->create_subscriber(topic.name(), t);
  auto c = node->create_subscriber(topic.name(), t);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(c.error().message.find("2 subscribers"), std::string::npos) << c.error().message;
}

}  // namespace
}  // namespace axle::bus
