// Crash repair, white-box: a holder that dies in the middle of an operation, simulated by a
// forked child that does part of the operation on the shared mapping and exits holding the
// robust mutex (the kernel then hands EOWNERDEAD to the next locker, as after kill -9).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <vector>

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

TEST(Repair, PushInterruptedBeforeCommitIsUndoneByTheNextPusher) {
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
    seg->queue(0)[0].chunk.store(c);  // the entry written, the cell not yet committed
  });
  ASSERT_EQ(status, 0);
  detail::release_loan_of(*seg, c, 5);  // its loan is reclaimed separately (reap_dead)
  // The subscriber bit is still set: the chunk is neither free nor queued, and the subscriber,
  // which takes without the lock, sees an empty queue rather than a hole.
  EXPECT_NE(seg->chunk(c).holders.load(), 0U);
  auto none = sub->try_take();
  ASSERT_TRUE(none.ok()) << none.error().to_string();
  EXPECT_FALSE(none->has_value());
  // The next pusher repairs it and reuses the position.
  std::byte b[1] = {std::byte{7}};
  ASSERT_TRUE(pub->publish_copy(b).ok());
  EXPECT_EQ(seg->chunk(c).holders.load() & detail::subscriber_bit(0), 0U);
  auto s = sub->take(seconds(5));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->data()[0], std::byte{7});
  EXPECT_EQ(sub->lost(), 0U);
}

// A publisher process that dies at each step of a push (or of a best-effort drop), holding the
// queue lock: when it is reaped, with no other publisher left to take the lock, the queue is
// repaired, the subscriber gets every committed entry and nothing else, and every chunk that the
// dead process held comes back.
enum class DieAt { kAfterBit, kAfterCommit, kAfterTail, kAfterDropCas, kAfterDropRelease };

void die_in_push(DieAt at) {
  ScopedTopic topic("pushdeath");
  TopicOptions t;
  t.chunk_count = 8;
  t.queue_depth = 2;
  auto node = Node::create("n");
  ASSERT_TRUE(node.ok());
  SubscriberOptions qos;  // best effort: a full queue drops its oldest entry
  auto sub = node->create_subscriber(topic.name(), t, qos);
  ASSERT_TRUE(sub.ok());
  auto seg = raw_segment(topic);
  ASSERT_NE(seg, nullptr);
  const bool drop = at == DieAt::kAfterDropCas || at == DieAt::kAfterDropRelease;
  {
    auto pub = node->create_publisher(topic.name(), t);
    ASSERT_TRUE(pub.ok());
    std::byte b[1] = {std::byte{1}};
    if (drop) {  // fill the queue, so the dying push must drop the oldest first
      ASSERT_TRUE(pub->publish_copy(b).ok());
      ASSERT_TRUE(pub->publish_copy(b).ok());
    }
  }
  const int status = run_in_dying_child([&] {
    auto slot_index = detail::join_as_publisher(*seg, "doomed");
    if (!slot_index.ok()) ::_exit(3);
    const std::uint32_t c = detail::try_claim_chunk(*seg, *slot_index);
    if (c == detail::kNoChunk) ::_exit(4);
    detail::ChunkInfo& info = seg->chunk(c);
    info.size = 1;
    info.publisher = *slot_index;
    seg->payload(c)[0] = std::byte{9};
    pthread_mutex_lock(&seg->subscriber(0).mutex);
    detail::SubscriberSlot& slot = seg->subscriber(0);
    const std::uint64_t tail = slot.tail.load();
    detail::QueueCell& cell = seg->queue(0)[tail % 2];
    const std::uint64_t lap = tail / 2;
    if (drop) {
      const std::uint32_t oldest = cell.chunk.load();
      slot.pending_chunk = oldest;
      slot.pending_pos = tail - 2;
      slot.pending_op = static_cast<std::uint32_t>(detail::PendingOp::kDrop);
      cell.ctl.store(detail::cell_ctl(detail::CellKind::kDropped, lap));
      if (at == DieAt::kAfterDropCas) ::_exit(0);
      seg->chunk(oldest).holders.fetch_and(~detail::subscriber_bit(0));
      ::_exit(0);  // released, pending record still says "drop"
    }
    slot.pending_chunk = c;
    slot.pending_pos = tail;
    slot.pending_op = static_cast<std::uint32_t>(detail::PendingOp::kPush);
    info.holders.fetch_or(detail::subscriber_bit(0));
    cell.chunk.store(c);
    cell.size.store(1);
    if (at == DieAt::kAfterBit) ::_exit(0);
    cell.ctl.store(detail::cell_ctl(detail::CellKind::kFull, lap));
    if (at == DieAt::kAfterCommit) ::_exit(0);
    slot.tail.store(tail + 1);
    ::_exit(0);
  });
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  const auto reclaimed = detail::reap_dead(*seg);
  ASSERT_EQ(reclaimed.size(), 1U);
  EXPECT_TRUE(reclaimed[0].publisher);
  // The subscriber gets exactly the committed entries, in order.
  std::vector<std::byte> got;
  while (true) {
    auto s = sub->try_take();
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    if (!s->has_value()) break;
    got.push_back((**s).data()[0]);
  }
  if (drop) {
    EXPECT_EQ(got, std::vector<std::byte>{std::byte{1}});  // one of two dropped
  } else if (at == DieAt::kAfterBit) {
    EXPECT_TRUE(got.empty());
  } else {
    EXPECT_EQ(got, std::vector<std::byte>{std::byte{9}});
  }
  EXPECT_EQ(detail::free_chunk_count(*seg), t.chunk_count);
  // And the queue works on for a new publisher.
  auto pub = node->create_publisher(topic.name(), t);
  ASSERT_TRUE(pub.ok());
  std::byte b[1] = {std::byte{5}};
  ASSERT_TRUE(pub->publish_copy(b).ok());
  auto s = sub->take(seconds(5));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->data()[0], std::byte{5});
}

TEST(Repair, PusherDiesAfterGivingTheBit) { die_in_push(DieAt::kAfterBit); }
TEST(Repair, PusherDiesAfterTheCommit) { die_in_push(DieAt::kAfterCommit); }
TEST(Repair, PusherDiesAfterMovingTheTail) { die_in_push(DieAt::kAfterTail); }
TEST(Repair, DropperDiesAfterItsCas) { die_in_push(DieAt::kAfterDropCas); }
TEST(Repair, DropperDiesAfterReleasing) { die_in_push(DieAt::kAfterDropRelease); }

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
  const std::uint32_t real = seg->queue(0)[0].chunk.load();
  seg->queue(0)[0].chunk.store(0xdeadbeef);
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
  // A cell claiming a lap far ahead of the counters: no protocol step produces that.
  seg->queue(0)[0].ctl.store(detail::cell_ctl(detail::CellKind::kFull, 1'000'000));
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
  const std::uint32_t c = seg->queue(0)[0].chunk.load();
  seg->queue(0)[0].size.store(1ULL << 40);
  auto s = sub->try_take();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kCorrupt);
  EXPECT_EQ(seg->chunk(c).holders.load(), 0U);
}

}  // namespace
}  // namespace axle::bus
