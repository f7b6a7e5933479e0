// Crash repair, white-box: a holder that dies in the middle of an operation, simulated by a
// forked child that does part of the operation on the shared mapping and exits holding the
// robust mutex (the kernel then hands EOWNERDEAD to the next locker, as after kill -9).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <functional>

#include "axle/bus/introspect.hpp"
#include "axle/bus/node.hpp"
#include "bus_test_util.hpp"
#include "chunks.hpp"
#include "history.hpp"
#include "participants.hpp"
#include "queue.hpp"
#include "segment.hpp"

namespace axle::bus {
namespace {

using std::chrono::seconds;
using test::ScopedTopic;

// Opens the segment for white-box access, as a second mapping.
std::shared_ptr<detail::Segment> raw_segment(const ScopedTopic& topic) {
  auto seg = detail::Segment::attach(topic.name());
  EXPECT_TRUE(seg.ok()) << seg.error().to_string();
  return seg.ok() ? *seg : nullptr;
}

// Runs `doomed` in a child process that exits without unlocking anything; returns its status.
int run_in_dying_child(const std::function<void()>& doomed) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    doomed();
    ::_exit(0);
  }
  int status = -1;
  ::waitpid(pid, &status, 0);
  return status;
}

TEST(Repair, PushInterruptedBeforeCommitIsUndoneByTheNextLocker) {
  ScopedTopic topic("pushcrash");
  TopicOptions t;
  t.chunk_count = 4;
  auto node = Node::create("n");
  ASSERT_TRUE(node.ok());
  auto sub = node->create_subscriber(topic.name(), t);
  auto pub = node->create_publisher(topic.name(), t);
  ASSERT_TRUE(sub.ok() && pub.ok());
  auto seg = raw_segment(topic);
  ASSERT_NE(seg, nullptr);
  // A "publisher" claims a chunk, starts pushing it to subscriber 0, and dies holding the lock.
  const std::uint32_t c = detail::try_claim_chunk(*seg, /*publisher=*/5);
  ASSERT_NE(c, detail::kNoChunk);
  const int status = run_in_dying_child([&] {
    pthread_mutex_lock(&seg->subscriber(0).mutex);
    detail::SubscriberSlot& slot = seg->subscriber(0);
    slot.pending_chunk = c;
    slot.pending_pos = slot.tail.load();
    slot.pending_op = static_cast<std::uint32_t>(detail::PendingOp::kPush);
    seg->chunk(c).holders.fetch_or(detail::subscriber_bit(0));
  });
  ASSERT_EQ(status, 0);
  detail::release_loan_of(*seg, c, 5);  // its loan is reclaimed separately (reap_dead)
  // The subscriber bit is still set: the chunk is neither free nor queued.
  EXPECT_NE(seg->chunk(c).holders.load(), 0U);
  // The next locker (a take) repairs it.
  auto none = sub->try_take();
  ASSERT_TRUE(none.ok()) << none.error().to_string();
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(seg->chunk(c).holders.load(), 0U);
  // And the queue works on.
  std::byte b[1] = {std::byte{1}};
  ASSERT_TRUE(pub->publish_copy(b).ok());
  auto s = sub->take(seconds(5));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
}

TEST(Repair, HistoryBitsFollowTheRingAfterACrashUnderTheHistoryLock) {
  ScopedTopic topic("histcrash");
  TopicOptions t;
  t.history_depth = 2;
  t.chunk_count = 8;
  auto node = Node::create("n");
  ASSERT_TRUE(node.ok());
  auto pub = node->create_publisher(topic.name(), t);
  ASSERT_TRUE(pub.ok());
  std::byte b[1] = {std::byte{1}};
  ASSERT_TRUE(pub->publish_copy(b).ok());
  auto seg = raw_segment(topic);
  ASSERT_NE(seg, nullptr);
  const std::uint32_t c = detail::try_claim_chunk(*seg, 5);
  ASSERT_NE(c, detail::kNoChunk);
  const int status = run_in_dying_child([&] {
    pthread_mutex_lock(&seg->header().history_mutex);
    // Dies after giving the chunk the history bit, before putting it into the ring.
    seg->chunk(c).holders.fetch_or(detail::kHistoryBit);
  });
  ASSERT_EQ(status, 0);
  detail::release_loan_of(*seg, c, 5);
  EXPECT_EQ(seg->chunk(c).holders.load(), detail::kHistoryBit);
  ASSERT_TRUE(pub->publish_copy(b).ok());  // locks the history: rebuild
  EXPECT_EQ(seg->chunk(c).holders.load(), 0U);
  auto info = inspect_topic(topic.name());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->free_chunks, info->chunk_count - 2);  // the two real history entries
}

// Values read from shared memory are checked before use: a writer that scribbles over the queue
// or a chunk's size makes the reader fail or skip, never read out of bounds.
TEST(Validation, OutOfRangeQueueEntryIsSkippedAndCountedAsLost) {
  ScopedTopic topic("badentry");
  auto node = Node::create("n");
  ASSERT_TRUE(node.ok());
  auto sub = node->create_subscriber(topic.name(), {});
  auto pub = node->create_publisher(topic.name(), {});
  ASSERT_TRUE(sub.ok() && pub.ok());
  std::byte b[1] = {std::byte{1}};
  ASSERT_TRUE(pub->publish_copy(b).ok());
  auto seg = raw_segment(topic);
  ASSERT_NE(seg, nullptr);
  const std::uint32_t real = seg->queue(0)[0];
  seg->queue(0)[0] = 0xdeadbeef;
  auto s = sub->try_take();
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_FALSE(s->has_value());
  EXPECT_EQ(sub->lost(), 1U);
  // The chunk it pointed to is still attributed to the subscriber, until it leaves.
  EXPECT_NE(seg->chunk(real).holders.load(), 0U);
  sub = Result<Subscriber>(make_error(ErrorCode::kInternal, "gone"));
  EXPECT_EQ(seg->chunk(real).holders.load(), 0U);
}

TEST(Validation, InconsistentQueueCountersAreCorruptNotACrash) {
  ScopedTopic topic("badcounters");
  auto node = Node::create("n");
  ASSERT_TRUE(node.ok());
  auto sub = node->create_subscriber(topic.name(), {});
  auto pub = node->create_publisher(topic.name(), {});
  ASSERT_TRUE(sub.ok() && pub.ok());
  auto seg = raw_segment(topic);
  ASSERT_NE(seg, nullptr);
  seg->subscriber(0).tail.store(seg->subscriber(0).head.load() + 1'000'000);
  auto s = sub->try_take();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kCorrupt);
  std::byte b[1] = {std::byte{1}};
  auto r = pub->publish_copy(b);  // the publisher skips the broken queue and says so
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("1 subscriber(s)"), std::string::npos) << r.error().message;
}

TEST(Validation, ChunkSizeBeyondTheMaximumIsCorruptAndTheChunkIsReleased) {
  ScopedTopic topic("badsize");
  auto node = Node::create("n");
  ASSERT_TRUE(node.ok());
  auto sub = node->create_subscriber(topic.name(), {});
  auto pub = node->create_publisher(topic.name(), {});
  ASSERT_TRUE(sub.ok() && pub.ok());
  std::byte b[1] = {std::byte{1}};
  ASSERT_TRUE(pub->publish_copy(b).ok());
  auto seg = raw_segment(topic);
  ASSERT_NE(seg, nullptr);
  const std::uint32_t c = seg->queue(0)[0];
  seg->chunk(c).size = 1ULL << 40;
  auto s = sub->try_take();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kCorrupt);
  EXPECT_EQ(seg->chunk(c).holders.load(), 0U);
}

}  // namespace
}  // namespace axle::bus
