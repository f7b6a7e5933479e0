// Publish and take within one process: the data path, sample lifetime, loans and waiting.
#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "axle/bus/introspect.hpp"
#include "axle/bus/node.hpp"
#include "axle/bus/typed.hpp"
#include "bus_test_util.hpp"
#include "make_node.hpp"

namespace axle::bus {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using test::ScopedTopic;

std::vector<std::byte> bytes_of(std::string_view s) {
  std::vector<std::byte> out(s.size());
  std::memcpy(out.data(), s.data(), s.size());
  return out;
}

std::string text_of(const Sample& s) {
  return std::string(reinterpret_cast<const char*>(s.data().data()), s.data().size());
}

using test::make_node;

TEST(PubSub, PublishedBytesArriveInOrderWithSequence) {
  ScopedTopic topic("roundtrip");
  Node node = make_node("n1");
  auto sub = node.create_subscriber(topic.name(), {});
  ASSERT_TRUE(sub.ok()) << sub.error().to_string();
  auto pub = node.create_publisher(topic.name(), {});
  ASSERT_TRUE(pub.ok()) << pub.error().to_string();
  EXPECT_EQ(pub->subscriber_count(), 1U);
  ASSERT_TRUE(pub->publish_copy(bytes_of("hello")).ok());
  ASSERT_TRUE(pub->publish_copy(bytes_of("world!")).ok());
  auto a = sub->take(seconds(5));
  ASSERT_TRUE(a.ok()) << a.error().to_string();
  auto b = sub->take(seconds(5));
  ASSERT_TRUE(b.ok()) << b.error().to_string();
  EXPECT_EQ(text_of(*a), "hello");
  EXPECT_EQ(text_of(*b), "world!");
  EXPECT_EQ(b->sequence(), a->sequence() + 1);
  EXPECT_LE(a->publish_time_ns(), b->publish_time_ns());
}

TEST(PubSub, LoanIsWrittenInPlaceAndSeenWithoutCopy) {
  ScopedTopic topic("inplace");
  Node node = make_node("n1");
  auto sub = node.create_subscriber(topic.name(), {});
  auto pub = node.create_publisher(topic.name(), {});
  ASSERT_TRUE(sub.ok() && pub.ok());
  auto loan = pub->loan();
  ASSERT_TRUE(loan.ok()) << loan.error().to_string();
  const std::byte* written = loan->data().data();
  std::memset(loan->data().data(), 0x5a, 100);
  ASSERT_TRUE(pub->publish(std::move(loan).value(), 100).ok());
  auto sample = sub->take(seconds(5));
  ASSERT_TRUE(sample.ok());
  // Same process, same mapping: the subscriber reads the very bytes the publisher wrote.
  EXPECT_EQ(sample->data().data(), written);
  EXPECT_EQ(sample->data().size(), 100U);
  EXPECT_EQ(sample->data()[99], std::byte{0x5a});
}

TEST(PubSub, TakeTimesOutWhenNothingIsPublished) {
  ScopedTopic topic("timeout");
  Node node = make_node("n1");
  auto sub = node.create_subscriber(topic.name(), {});
  ASSERT_TRUE(sub.ok());
  auto r = sub->take(milliseconds(20));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
  auto empty = sub->try_take();
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->has_value());
}

TEST(PubSub, BlockedTakeWakesOnPublishFromAnotherThread) {
  ScopedTopic topic("wake");
  Node node = make_node("n1");
  auto sub = node.create_subscriber(topic.name(), {});
  auto pub = node.create_publisher(topic.name(), {});
  ASSERT_TRUE(sub.ok() && pub.ok());
  std::thread publisher([&] {
    std::this_thread::sleep_for(milliseconds(20));
    EXPECT_TRUE(pub->publish_copy(bytes_of("late")).ok());
  });
  auto s = sub->take(seconds(10));
  publisher.join();
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(text_of(*s), "late");
}

TEST(PubSub, BusyPollSubscriberReceives) {
  ScopedTopic topic("spin");
  Node node = make_node("n1");
  SubscriberOptions opts;
  opts.spin = milliseconds(50);
  auto sub = node.create_subscriber(topic.name(), {}, opts);
  auto pub = node.create_publisher(topic.name(), {});
  ASSERT_TRUE(sub.ok() && pub.ok());
  std::thread publisher([&] { EXPECT_TRUE(pub->publish_copy(bytes_of("spun")).ok()); });
  auto s = sub->take(seconds(10));
  publisher.join();
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(text_of(*s), "spun");
}

TEST(PubSub, SampleKeepsChunkAliveAfterSubscriberIsGone) {
  ScopedTopic topic("lifetime");
  Node node = make_node("n1");
  TopicOptions t;
  t.chunk_count = 2;
  auto pub = node.create_publisher(topic.name(), t);
  ASSERT_TRUE(pub.ok());
  std::optional<Sample> kept;
  {
    auto sub = node.create_subscriber(topic.name(), t);
    ASSERT_TRUE(sub.ok());
    ASSERT_TRUE(pub->publish_copy(bytes_of("keep me")).ok());
    auto s = sub->take(seconds(5));
    ASSERT_TRUE(s.ok());
    kept = std::move(*s);
  }
  // The subscriber is gone, its sample is not: the chunk may not be reused under it.
  auto info = inspect_topic(topic.name());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->free_chunks, 1U);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(pub->publish_copy(bytes_of("overwrite?")).ok());
  EXPECT_EQ(text_of(*kept), "keep me");
  kept.reset();
  info = inspect_topic(topic.name());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->free_chunks, 2U);
}

TEST(PubSub, DroppedLoanReturnsItsChunk) {
  ScopedTopic topic("loans");
  Node node = make_node("n1");
  TopicOptions t;
  t.chunk_count = 2;
  PublisherOptions p;
  p.timeout = milliseconds(10);
  auto pub = node.create_publisher(topic.name(), t, p);
  ASSERT_TRUE(pub.ok());
  auto a = pub->loan();
  auto b = pub->loan();
  ASSERT_TRUE(a.ok() && b.ok());
  auto c = pub->loan();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kTimeout);
  { Loan drop = std::move(a).value(); }
  auto d = pub->loan();
  EXPECT_TRUE(d.ok());
}

TEST(PubSub, LoanWaitsUntilASampleIsReleased) {
  ScopedTopic topic("loanwait");
  Node node = make_node("n1");
  TopicOptions t;
  t.chunk_count = 1;
  PublisherOptions p;
  p.timeout = seconds(10);
  auto pub = node.create_publisher(topic.name(), t, p);
  auto sub = node.create_subscriber(topic.name(), t);
  ASSERT_TRUE(pub.ok() && sub.ok());
  ASSERT_TRUE(pub->publish_copy(bytes_of("only chunk")).ok());
  auto held = sub->take(seconds(5));
  ASSERT_TRUE(held.ok());
  std::thread releaser([&] {
    std::this_thread::sleep_for(milliseconds(20));
    Sample gone = std::move(held).value();
  });
  auto loan = pub->loan();  // blocks on the free-chunk futex until the sample is destroyed
  releaser.join();
  EXPECT_TRUE(loan.ok()) << loan.error().to_string();
}

// Subscriber slots from 48 on keep their hold on a chunk in extension words beside the holder
// word (docs/bus.md, "Chunk ownership"): a chunk held only there must never be loaned out, and
// its release must wake a loan that waits for it.
TEST(PubSub, SubscribersBeyondTheHolderWordHoldChunksLikeAnyOther) {
  ScopedTopic topic("fanout");
  Node node = make_node("n1");
  TopicOptions t;
  t.max_subscribers = 130;  // slots 48..111 in the first extension word, 112..129 in the second
  t.chunk_count = 2;
  t.queue_depth = 2;
  PublisherOptions quick;
  quick.timeout = milliseconds(100);
  auto pub = node.create_publisher(topic.name(), t, quick);
  ASSERT_TRUE(pub.ok()) << pub.error().to_string();
  std::vector<Subscriber> subs;
  for (std::uint32_t i = 0; i < t.max_subscribers; ++i) {
    auto sub = node.create_subscriber(topic.name(), t);
    ASSERT_TRUE(sub.ok()) << i << ": " << sub.error().to_string();
    subs.push_back(std::move(*sub));
  }
  EXPECT_FALSE(node.create_subscriber(topic.name(), t).ok());  // every slot is taken
  EXPECT_EQ(pub->subscriber_count(), t.max_subscribers);
  ASSERT_TRUE(pub->publish_copy(bytes_of("to all")).ok());
  std::vector<Sample> kept;
  for (std::uint32_t i = 0; i < t.max_subscribers; ++i) {
    auto s = subs[i].take(seconds(5));
    ASSERT_TRUE(s.ok()) << i << ": " << s.error().to_string();
    EXPECT_EQ(text_of(*s), "to all") << i;
    if (i == 60 || i == 129) kept.push_back(std::move(*s));  // one per extension word
  }
  auto free_chunks = [&] {
    auto info = inspect_topic(topic.name());
    return info.ok() ? info->free_chunks : 99U;
  };
  // Only slots 60 and 129 hold the chunk now: its holder word is 0, its extension words are not.
  EXPECT_EQ(free_chunks(), 1U);
  auto a = pub->loan();
  ASSERT_TRUE(a.ok()) << a.error().to_string();
  auto b = pub->loan();
  ASSERT_FALSE(b.ok()) << "a chunk held in extension words was loaned out";
  EXPECT_EQ(b.error().code, ErrorCode::kTimeout);
  kept.pop_back();  // slot 129 lets go; slot 60 still holds it
  EXPECT_EQ(free_chunks(), 0U);
  EXPECT_FALSE(pub->loan().ok());
  // A loan waiting for the last hold is woken by its release (without the wake it would time out).
  PublisherOptions patient;
  patient.timeout = seconds(3);
  auto waiter = node.create_publisher(topic.name(), t, patient);
  ASSERT_TRUE(waiter.ok());
  std::thread releaser([&] {
    std::this_thread::sleep_for(milliseconds(20));
    kept.clear();
  });
  auto c = waiter->loan();
  releaser.join();
  EXPECT_TRUE(c.ok()) << c.error().to_string();
  // And every subscriber, in every word, still receives.
  { Loan drop = std::move(a).value(); }
  { Loan drop = std::move(c).value(); }
  ASSERT_TRUE(pub->publish_copy(bytes_of("again")).ok());
  for (std::uint32_t i = 0; i < t.max_subscribers; ++i) {
    auto s = subs[i].take(seconds(5));
    ASSERT_TRUE(s.ok()) << i << ": " << s.error().to_string();
    EXPECT_EQ(text_of(*s), "again") << i;
  }
  EXPECT_EQ(free_chunks(), 2U);
}

// A publish scans the subscriber slots below the highest ever claimed (subscriber_slots_used):
// slots freed below it and reused, and a late joiner above every earlier one, all get samples.
TEST(PubSub, SubscribersInReusedAndNewHigherSlotsAllReceive) {
  ScopedTopic topic("slots");
  Node node = make_node("n1");
  TopicOptions t;
  t.max_subscribers = 64;
  auto pub = node.create_publisher(topic.name(), t);
  ASSERT_TRUE(pub.ok()) << pub.error().to_string();
  std::vector<std::optional<Subscriber>> subs;
  auto join = [&] {
    auto sub = node.create_subscriber(topic.name(), t);
    ASSERT_TRUE(sub.ok()) << sub.error().to_string();
    subs.emplace_back(std::move(*sub));
  };
  for (int i = 0; i < 3; ++i) join();
  subs[0].reset();  // slots 0 and 1 are free again, slot 2 still taken
  subs[1].reset();
  join();  // reuses slot 0
  join();  // reuses slot 1
  join();  // slot 3, above every earlier one
  ASSERT_EQ(subs.size(), 6U);
  EXPECT_EQ(pub->subscriber_count(), 4U);
  ASSERT_TRUE(pub->publish_copy(bytes_of("all of you")).ok());
  for (std::size_t i = 2; i < subs.size(); ++i) {
    auto s = subs[i]->take(seconds(5));
    ASSERT_TRUE(s.ok()) << i << ": " << s.error().to_string();
    EXPECT_EQ(text_of(*s), "all of you") << i;
  }
}

// The wake-ups whose writer commits with a seq_cst read-modify-write and no fence (docs/bus.md,
// "Waiting"), many times over between two threads, so that releases and takes land in every
// part of the waiter's announce / read / re-check / sleep sequence. A lost wake-up leaves the
// waiter asleep until its timeout, which both loops turn into a failure.
constexpr std::uint32_t kWakeRounds = 5000;

struct ReliablePair {
  Publisher pub;
  Subscriber sub;
};

// A publisher whose waits time out after 5 s and a reliable subscriber, on `topic`.
std::optional<ReliablePair> reliable_pair(Node& node, const std::string& topic,
                                          const TopicOptions& t) {
  PublisherOptions p;
  p.timeout = seconds(5);
  SubscriberOptions reliable;
  reliable.reliability = Reliability::kReliable;
  auto pub = node.create_publisher(topic, t, p);
  auto sub = node.create_subscriber(topic, t, reliable);
  if (!pub.ok() || !sub.ok()) return std::nullopt;
  return ReliablePair{std::move(*pub), std::move(*sub)};
}

// Takes kWakeRounds samples numbered 0, 1, ... in a thread, releasing each at once; `received`
// counts those that came in order, until the first that did not or a timeout.
std::thread take_in_order(Subscriber& sub, std::uint32_t& received) {
  return std::thread([&sub, &received] {
    for (std::uint32_t i = 0; i < kWakeRounds; ++i) {
      auto s = sub.take(seconds(5));
      if (!s.ok()) return;
      std::uint32_t v = 0;
      std::memcpy(&v, s->data().data(), sizeof v);
      if (v != i) return;
      ++received;
    }
  });
}

TEST(PubSub, EveryReleaseOfTheOnlyChunkWakesTheLoanThatWaitsForIt) {
  ScopedTopic topic("releasewake");
  Node node = make_node("n1");
  TopicOptions t;
  t.chunk_count = 1;  // each loan waits for the sample before it to be released
  auto pair = reliable_pair(node, topic.name(), t);
  ASSERT_TRUE(pair.has_value());
  auto& [pub, sub] = *pair;
  std::uint32_t received = 0;
  std::thread consumer = take_in_order(sub, received);  // releasing each frees the only chunk
  Result<void> last = axle::ok();
  for (std::uint32_t i = 0; i < kWakeRounds && last.ok(); ++i) {
    auto loan = pub.loan();
    if (!loan.ok()) {
      last = loan.error();
      break;
    }
    std::memcpy(loan->data().data(), &i, sizeof i);
    last = pub.publish(std::move(*loan), sizeof i);
  }
  consumer.join();
  EXPECT_TRUE(last.ok()) << last.error().to_string();
  EXPECT_EQ(received, kWakeRounds);
}

TEST(PubSub, EveryTakeFromAFullQueueWakesTheReliablePublisherThatWaits) {
  ScopedTopic topic("spacewake");
  Node node = make_node("n1");
  TopicOptions t;
  t.queue_depth = 1;  // each publish after the first waits for the take before it
  t.chunk_count = 8;
  auto pair = reliable_pair(node, topic.name(), t);
  ASSERT_TRUE(pair.has_value());
  auto& [pub, sub] = *pair;
  std::uint32_t received = 0;
  std::thread consumer = take_in_order(sub, received);
  Result<void> last = axle::ok();
  for (std::uint32_t i = 0; i < kWakeRounds && last.ok(); ++i) {
    std::byte b[sizeof i];
    std::memcpy(b, &i, sizeof i);
    last = pub.publish_copy(b);
  }
  consumer.join();
  EXPECT_TRUE(last.ok()) << last.error().to_string();
  EXPECT_EQ(received, kWakeRounds);
  EXPECT_EQ(sub.lost(), 0U);
}

TEST(PubSub, OversizedPublishIsRefused) {
  ScopedTopic topic("oversize");
  Node node = make_node("n1");
  TopicOptions t;
  t.max_message_size = 8;
  auto pub = node.create_publisher(topic.name(), t);
  ASSERT_TRUE(pub.ok());
  auto loan = pub->loan();
  ASSERT_TRUE(loan.ok());
  auto r = pub->publish(std::move(loan).value(), 9);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  auto info = inspect_topic(topic.name());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->free_chunks, info->chunk_count);  // the refused loan went back
}

struct Imu {
  double t;
  float acc[3];
  std::uint32_t n;
};

TEST(PubSub, TypedRoundTripAndLayoutMismatchIsRefused) {
  ScopedTopic topic("typed");
  Node node = make_node("n1");
  const TopicOptions opts = typed_topic_options<Imu>("test.Imu");
  auto sub = TypedSubscriber<Imu>::create(node, topic.name(), opts);
  auto pub = TypedPublisher<Imu>::create(node, topic.name(), opts);
  ASSERT_TRUE(sub.ok() && pub.ok());
  auto loan = pub->loan();
  ASSERT_TRUE(loan.ok());
  (*loan)->t = 1.5;
  (*loan)->n = 7;
  ASSERT_TRUE(pub->publish(std::move(loan).value()).ok());
  auto s = sub->take(seconds(5));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ((*s)->t, 1.5);
  EXPECT_EQ((*s)->n, 7U);

  struct Imu2 {
    double t;
    float acc[6];  // another size: another hash
  };
  auto other =
      TypedSubscriber<Imu2>::create(node, topic.name(), typed_topic_options<Imu2>("test.Imu"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kFailedPrecondition);
}

// Two publishers and two subscribers in threads, reliable: every sample arrives once, in
// per-publisher order, with intact payload (catches chunks reused while read).
TEST(PubSub, ConcurrentManyToManyReliableLosesNothing) {
  ScopedTopic topic("m2m");
  constexpr std::uint64_t kPerPublisher = 2000;
  TopicOptions t;
  t.max_message_size = 64;
  t.queue_depth = 8;
  t.chunk_count = 24;
  Node node = make_node("n1");
  SubscriberOptions reliable;
  reliable.reliability = Reliability::kReliable;
  std::vector<Subscriber> subs;
  for (int i = 0; i < 2; ++i) {
    auto s = node.create_subscriber(topic.name(), t, reliable);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    subs.push_back(std::move(s).value());
  }
  PublisherOptions p;
  p.timeout = seconds(20);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (std::uint64_t id = 0; id < 2; ++id) {
    auto pub = node.create_publisher(topic.name(), t, p);
    ASSERT_TRUE(pub.ok());
    threads.emplace_back([&failures, id, pub = std::move(pub).value()]() mutable {
      for (std::uint64_t i = 0; i < kPerPublisher; ++i) {
        auto loan = pub.loan();
        if (!loan) {
          ++failures;
          return;
        }
        const std::uint64_t v = (id << 32) | i;
        auto* words = reinterpret_cast<std::uint64_t*>(loan->data().data());
        for (int w = 0; w < 8; ++w) words[w] = v;
        if (!pub.publish(std::move(loan).value(), 64)) ++failures;
      }
    });
  }
  for (auto& sub : subs) {
    threads.emplace_back([&failures, &sub] {
      std::uint64_t next[2] = {0, 0};
      for (std::uint64_t n = 0; n < 2 * kPerPublisher; ++n) {
        auto s = sub.take(seconds(20));
        if (!s) {
          ++failures;
          return;
        }
        std::uint64_t words[8];
        std::memcpy(words, s->data().data(), sizeof(words));
        const std::uint64_t id = words[0] >> 32;
        for (std::uint64_t w : words) {
          if (w != words[0]) ++failures;
        }
        if (id > 1 || (words[0] & 0xffffffffU) != next[id]++) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  for (auto& sub : subs) EXPECT_EQ(sub.lost(), 0U);
}

}  // namespace
}  // namespace axle::bus
