// Segments: names, modes, refusing corrupt, foreign and mismatched segments, replacing stale
// ones, and the read-only introspection of a topic.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <fstream>

#include "axle/bus/introspect.hpp"
#include "axle/bus/node.hpp"
#include "bus_test_util.hpp"
#include "layout.hpp"

namespace axle::bus {
namespace {

using test::ScopedTopic;

mode_t file_mode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

void write_raw(const std::string& path, const std::string& bytes) {
  { std::ofstream(path, std::ios::binary) << bytes; }
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
}

// Overwrites `bytes.size()` bytes at `offset` of an existing file.
void patch(const std::string& path, off_t offset, const void* bytes, std::size_t n) {
  const int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(::pwrite(fd, bytes, n, offset), static_cast<ssize_t>(n));
  ::close(fd);
}

TEST(Segment, CreatedOwnerOnlyByDefaultAndGroupReadableOnRequest) {
  ScopedTopic a("mode");
  ScopedTopic b("groupmode");
  auto node = Node::create("n");
  ASSERT_TRUE(node.ok());
  auto pa = node->create_publisher(a.name(), {});
  ASSERT_TRUE(pa.ok()) << pa.error().to_string();
  EXPECT_EQ(file_mode(a.path()), 0600U);
  TopicOptions group;
  group.group_access = true;
  auto pb = node->create_publisher(b.name(), group);
  ASSERT_TRUE(pb.ok());
  EXPECT_EQ(file_mode(b.path()), 0660U);
}

TEST(Segment, ForeignFileIsRefusedAsCorruptAndLeftInPlace) {
  ScopedTopic topic("foreign");
  write_raw(topic.path(), std::string(8192, 'x'));
  auto node = Node::create("n");
  ASSERT_TRUE(node.ok());
  auto pub = node->create_publisher(topic.name(), {});
  ASSERT_FALSE(pub.ok());
  EXPECT_EQ(pub.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(pub.error().message.find("rm " + topic.path()), std::string::npos)
      << pub.error().message;
  EXPECT_EQ(::access(topic.path().c_str(), F_OK), 0);
  auto info = inspect_topic(topic.name());
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code, ErrorCode::kCorrupt);
}

TEST(Segment, TruncatedFileIsRefused) {
  ScopedTopic topic("short");
  write_raw(topic.path(), "AXLBUS01");
  auto node = Node::create("n");
  ASSERT_TRUE(node.ok());
  auto sub = node->create_subscriber(topic.name(), {});
  ASSERT_FALSE(sub.ok());
  EXPECT_EQ(sub.error().code, ErrorCode::kCorrupt);
}

TEST(Segment, OtherAbiVersionOrBrokenLayoutIsRefusedWhileInUse) {
  ScopedTopic topic("abi");
  auto owner = Node::create("owner");
  ASSERT_TRUE(owner.ok());
  auto pub = owner->create_publisher(topic.name(), {});
  ASSERT_TRUE(pub.ok());
  const std::uint32_t abi = 99;
  patch(topic.path(), offsetof(detail::SegmentHeader, abi_version), &abi, sizeof(abi));
  auto other = Node::create("other");
  ASSERT_TRUE(other.ok());
  auto sub = other->create_subscriber(topic.name(), {});
  ASSERT_FALSE(sub.ok());
  EXPECT_EQ(sub.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(sub.error().message.find("ABI version 99"), std::string::npos) << sub.error().message;
}

TEST(Segment, LimitsThatDoNotMatchTheLayoutAreRefused) {
  ScopedTopic topic("layout");
  auto owner = Node::create("owner");
  ASSERT_TRUE(owner.ok());
  auto pub = owner->create_publisher(topic.name(), {});
  ASSERT_TRUE(pub.ok());
  // chunk_count grows without the file growing: every offset after it would point outside.
  auto info = inspect_topic(topic.name());
  ASSERT_TRUE(info.ok());
  const std::uint32_t more = info->chunk_count * 4;
  patch(topic.path(), offsetof(detail::SegmentHeader, chunk_count), &more, sizeof(more));
  auto other = Node::create("other");
  ASSERT_TRUE(other.ok());
  auto sub = other->create_subscriber(topic.name(), {});
  ASSERT_FALSE(sub.ok());
  EXPECT_EQ(sub.error().code, ErrorCode::kCorrupt);
}

TEST(Segment, FileOfAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another user";
  ScopedTopic topic("otheruser");
  auto node = Node::create("n");
  ASSERT_TRUE(node.ok());
  {
    auto pub = node->create_publisher(topic.name(), {});
    ASSERT_TRUE(pub.ok());
    ASSERT_EQ(::chown(topic.path().c_str(), 65534, 65534), 0);
  }
  auto other = Node::create("other");
  ASSERT_TRUE(other.ok());
  auto pub = other->create_publisher(topic.name(), {});
  ASSERT_FALSE(pub.ok());
  EXPECT_EQ(pub.error().code, ErrorCode::kPermissionDenied);
}

TEST(Segment, HolderExtensionOffsetsThatDoNotMatchTheLimitsAreRefused) {
  ScopedTopic topic("holderext");
  auto owner = Node::create("owner");
  ASSERT_TRUE(owner.ok());
  TopicOptions t;
  t.max_subscribers = 100;  // slots 48..99 hold chunks in extension words
  auto pub = owner->create_publisher(topic.name(), t);
  ASSERT_TRUE(pub.ok()) << pub.error().to_string();
  for (const std::size_t field : {offsetof(detail::SegmentHeader, holder_ext_off),
                                  offsetof(detail::SegmentHeader, holder_ext_stride)}) {
    std::uint64_t value = 0;
    std::ifstream in(topic.path(), std::ios::binary);
    in.seekg(static_cast<std::streamoff>(field));
    in.read(reinterpret_cast<char*>(&value), sizeof value);
    ASSERT_NE(value, 0U);
    const std::uint64_t wrong = value + 64;
    patch(topic.path(), static_cast<off_t>(field), &wrong, sizeof wrong);
    auto other = Node::create("other");
    ASSERT_TRUE(other.ok());
    auto sub = other->create_subscriber(topic.name(), t);
    ASSERT_FALSE(sub.ok());
    EXPECT_EQ(sub.error().code, ErrorCode::kCorrupt);
    EXPECT_NE(sub.error().message.find("layout does not match"), std::string::npos)
        << sub.error().message;
    patch(topic.path(), static_cast<off_t>(field), &value, sizeof value);
  }
  auto again = Node::create("again");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->create_subscriber(topic.name(), t).ok());
}

TEST(Segment, TypeMismatchWithALiveParticipantNamesBothSides) {
  ScopedTopic topic("mismatch");
  auto node = Node::create("n");
  ASSERT_TRUE(node.ok());
  TopicOptions a;
  a.type_name = "demo.A";
  auto pub = node->create_publisher(topic.name(), a);
  ASSERT_TRUE(pub.ok());
  TopicOptions b = a;
  b.type_name = "demo.B";
  auto sub = node->create_subscriber(topic.name(), b);
  ASSERT_FALSE(sub.ok());
  EXPECT_EQ(sub.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(sub.error().message.find("demo.A"), std::string::npos);
  EXPECT_NE(sub.error().message.find("demo.B"), std::string::npos);
  TopicOptions c = a;
  c.max_message_size = a.max_message_size * 2;
  auto other = Node::create("other");  // a fresh mapping checks the same way
  ASSERT_TRUE(other.ok());
  auto sub2 = other->create_subscriber(topic.name(), c);
  ASSERT_FALSE(sub2.ok());
  EXPECT_EQ(sub2.error().code, ErrorCode::kFailedPrecondition);
}

TEST(Segment, SegmentWithoutLiveParticipantsIsReplacedWithNewParameters) {
  ScopedTopic topic("replace");
  auto node = Node::create("n");
  ASSERT_TRUE(node.ok());
  TopicOptions a;
  a.type_name = "demo.A";
  { ASSERT_TRUE(node->create_publisher(topic.name(), a).ok()); }
  TopicOptions b;
  b.type_name = "demo.B";
  b.queue_depth = 3;
  auto pub = node->create_publisher(topic.name(), b);
  ASSERT_TRUE(pub.ok()) << pub.error().to_string();
  auto info = inspect_topic(topic.name());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->type_name, "demo.B");
  EXPECT_EQ(info->queue_depth, 3U);
}

TEST(Segment, BadNamesAndLimitsAreInvalidArguments) {
  auto node = Node::create("n");
  ASSERT_TRUE(node.ok());
  for (const char* bad : {"", "/a", "a/", "a//b", "a.b", "a b", "../x"}) {
    auto r = node->create_publisher(bad, {});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
  }
  ScopedTopic topic("limits");
  TopicOptions t;
  t.max_subscribers = kMaxSubscribersPerTopic + 1;
  auto r = node->create_publisher(topic.name(), t);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  t = {};
  t.queue_depth = 0;
  r = node->create_publisher(topic.name(), t);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(Node::create("bad name").ok());
}

TEST(Segment, IntrospectionListsTopicsAndParticipants) {
  ScopedTopic topic("introspect");
  auto node = Node::create("viewer");
  ASSERT_TRUE(node.ok());
  TopicOptions t;
  t.type_name = "demo.T";
  auto pub = node->create_publisher(topic.name(), t);
  SubscriberOptions r;
  r.reliability = Reliability::kReliable;
  auto sub = node->create_subscriber(topic.name(), t, r);
  ASSERT_TRUE(pub.ok() && sub.ok());
  auto topics = list_topics();
  ASSERT_TRUE(topics.ok());
  EXPECT_NE(std::find(topics->begin(), topics->end(), topic.name()), topics->end());
  auto info = inspect_topic(topic.name());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->type_name, "demo.T");
  ASSERT_EQ(info->participants.size(), 2U);
  EXPECT_EQ(info->participants[0].kind, "publisher");
  EXPECT_EQ(info->participants[0].node, "viewer");
  EXPECT_EQ(info->participants[0].pid, ::getpid());
  EXPECT_TRUE(info->participants[0].process_alive);
  EXPECT_EQ(info->participants[1].kind, "subscriber");
  EXPECT_TRUE(info->participants[1].reliable);
  auto missing = inspect_topic("axletest/never_created_here");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(Hooks, AuthorizerRefusesAndEventHookSeesJoinsAndRefusals) {
  ScopedTopic allowed("hookok");
  std::vector<BusEvent> events;
  NodeOptions opts;
  opts.authorizer = [](const JoinRequest& r) -> Result<void> {
    if (r.kind == EndpointKind::kPublisher && r.topic.find("hookok") == std::string_view::npos) {
      return make_error(ErrorCode::kPermissionDenied, "node may not publish here");
    }
    return axle::ok();
  };
  opts.on_event = [&events](const BusEvent& e) { events.push_back(e); };
  auto node = Node::create("guarded", opts);
  ASSERT_TRUE(node.ok());
  auto pub = node->create_publisher(allowed.name(), {});
  ASSERT_TRUE(pub.ok()) << pub.error().to_string();
  auto refused = node->create_publisher("axletest/never_allowed", {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  EXPECT_FALSE(inspect_topic("axletest/never_allowed").ok());  // refused before creating it
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].kind, BusEvent::Kind::kJoined);
  EXPECT_EQ(events[0].topic, allowed.name());
  EXPECT_EQ(events[0].node, "guarded");
  EXPECT_EQ(events[1].kind, BusEvent::Kind::kRefused);
}

}  // namespace
}  // namespace axle::bus
