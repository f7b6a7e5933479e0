// Fuzzes what a bus participant or tool reads from a topic's shared-memory segment, which any
// process of the same user can write (docs/threat-model.md#bus): the header check at open
// (Segment::attach), the tools' view (inspect_topic), and the data path on whatever the segment
// holds — taking from every queue, releasing, claiming, pushing, the history. Any bytes give a
// refusal with a message or bounded, in-range accesses, never a crash or a read outside the
// mapping.
//
// The input is either a whole segment file (first byte even) or a list of patches to a real,
// valid segment made at start-up (first byte odd: [offset u16][length u8][bytes]...), so that most
// inputs get past the header check and reach the queues. The pthread mutexes are never locked
// here: glibc owns their bytes, and the bus's only use of them (lock, repair) is covered by the
// Repair tests.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "axle/bus/introspect.hpp"
#include "axle/bus/node.hpp"
#include "chunks.hpp"
#include "fuzz_support.hpp"
#include "history.hpp"
#include "names.hpp"
#include "queue.hpp"
#include "segment.hpp"

namespace {

using axle::bus::detail::Segment;
using axle::fuzz::require;

const std::string& topic() {
  static const std::string t = "axle_fuzz/segment-" + std::to_string(::getpid());
  return t;
}

// A real segment with entries queued for two subscribers (one reliable, one best effort) and for
// a third in slot 49, whose holds live in the chunks' holder extension words, one taken sample
// still held, and history: its bytes are the base of the patch inputs (under 64 KiB, so that a
// patch's 16-bit offset reaches all of it).
std::vector<std::uint8_t> make_template() {
  namespace bus = axle::bus;
  std::vector<std::uint8_t> image;
  {
    bus::NodeOptions node_options;
    node_options.clean_stale_topics = false;
    auto node = bus::Node::create("fuzz", node_options);
    require(node.ok());
    bus::TopicOptions t;
    t.type_name = "axle.fuzz.Message";
    t.max_message_size = 64;
    t.queue_depth = 4;
    t.history_depth = 2;
    t.max_publishers = 2;
    t.max_subscribers = 50;
    t.chunk_count = 8;
    auto pub = node->create_publisher(topic(), t);
    bus::SubscriberOptions reliable;
    reliable.reliability = bus::Reliability::kReliable;
    reliable.durability = bus::Durability::kTransientLocal;
    auto sub_a = node->create_subscriber(topic(), t, reliable);
    auto sub_b = node->create_subscriber(topic(), t, bus::SubscriberOptions{});
    require(pub.ok() && sub_a.ok() && sub_b.ok());
    std::vector<bus::Subscriber> others;  // slots 2..49: the last one is the third subscriber
    for (std::uint32_t s = 2; s < t.max_subscribers; ++s) {
      auto sub = node->create_subscriber(topic(), t, bus::SubscriberOptions{});
      require(sub.ok());
      others.push_back(std::move(sub).value());
    }
    for (std::uint8_t i = 0; i < 3; ++i) {
      const std::byte payload[8] = {std::byte{i}};
      require(pub->publish_copy(payload).ok());
    }
    auto held = sub_a->take(std::chrono::seconds(1));
    require(held.ok());
    const int fd = ::shm_open(bus::detail::shm_name(topic()).c_str(), O_RDONLY, 0);
    require(fd >= 0);
    const off_t size = ::lseek(fd, 0, SEEK_END);
    image.resize(static_cast<std::size_t>(size));
    require(::pread(fd, image.data(), image.size(), 0) == static_cast<ssize_t>(image.size()));
    ::close(fd);
  }
  (void)bus::remove_topic(topic());
  return image;
}

const std::vector<std::uint8_t>& segment_template() {
  static const std::vector<std::uint8_t> image = make_template();
  return image;
}

std::vector<std::uint8_t> patched(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> image = segment_template();
  std::size_t i = 1;
  while (i + 3 <= size && !image.empty()) {
    const std::size_t offset =
        (std::size_t{data[i]} | std::size_t{data[i + 1]} << 8) % image.size();
    const std::size_t length = data[i + 2];
    i += 3;
    for (std::size_t k = 0; k < length && i < size && offset + k < image.size(); ++k, ++i) {
      image[offset + k] = data[i];
    }
  }
  return image;
}

bool write_segment_file(const std::vector<std::uint8_t>& image) {
  const int fd =
      ::shm_open(axle::bus::detail::shm_name(topic()).c_str(), O_CREAT | O_RDWR | O_TRUNC, 0600);
  if (fd < 0) return false;
  const bool ok = image.empty() ||
                  ::write(fd, image.data(), image.size()) == static_cast<ssize_t>(image.size());
  ::close(fd);
  return ok;
}

// The bounds every accessor relies on: the params the check accepted keep every part inside
// the mapping.
void check_layout(const Segment& seg) {
  const auto* base = reinterpret_cast<const std::byte*>(&seg.header());
  const auto* end = base + seg.mapped_size();
  const auto& p = seg.params();
  auto inside = [&](const void* first, std::size_t bytes) {
    const auto* b = static_cast<const std::byte*>(first);
    return b >= base && b + bytes <= end;
  };
  require(inside(&seg.publisher(p.max_publishers - 1), sizeof(axle::bus::detail::PublisherSlot)));
  require(
      inside(&seg.subscriber(p.max_subscribers - 1), sizeof(axle::bus::detail::SubscriberSlot)));
  require(inside(seg.queue(p.max_subscribers - 1),
                 sizeof(axle::bus::detail::QueueCell) * p.queue_depth));
  require(inside(&seg.chunk(p.chunk_count - 1), sizeof(axle::bus::detail::ChunkInfo)));
  const std::uint32_t ext_words = seg.layout().holder_ext_words;
  if (ext_words > 0) {
    require(inside(seg.holder_ext(p.chunk_count - 1), sizeof(std::uint64_t) * ext_words));
  }
  require(inside(seg.payload(p.chunk_count - 1), p.max_message_size));
  if (p.history_depth > 0) require(inside(seg.history(), sizeof(std::uint32_t) * p.history_depth));
}

// What a subscriber in slot s does with its queue, bounded: take until empty, read each
// sample's bytes, release it.
void drain(const Segment& seg, std::uint32_t s) {
  namespace d = axle::bus::detail;
  (void)d::queue_nonempty(seg, s);
  (void)d::queue_full(seg, s);
  (void)d::newest_queued_time(seg, s);
  for (std::uint32_t n = 0; n < seg.params().queue_depth + 2; ++n) {
    auto e = d::take_entry(seg, s);
    if (!axle::fuzz::accepted(e)) return;
    if (e->chunk == d::kNoChunk) return;
    require(e->chunk < seg.params().chunk_count);
    if (e->size <= seg.params().max_message_size) {  // what Subscriber::try_take hands out
      volatile std::byte sink{};
      const std::byte* payload = seg.payload(e->chunk);
      for (std::uint64_t k = 0; k < e->size; k += 16) sink = payload[k];
      (void)sink;
    }
    d::release_subscriber(seg, e->chunk, s);
  }
}

// What a publisher in slot 0 does: claim, push to slot s (the caller is the only thread, so it
// stands for the lock holder), give the loan back.
void push_once(const Segment& seg, std::uint32_t s, bool drop_oldest) {
  namespace d = axle::bus::detail;
  const std::uint32_t c = d::try_claim_chunk(seg, 0);
  if (c == d::kNoChunk) return;
  require(c < seg.params().chunk_count);
  auto pushed = d::push_locked(seg, s, c, drop_oldest);
  (void)axle::fuzz::accepted(pushed);
  d::history_push_locked(seg, c);
  d::release_loan_of(seg, c, 0);
}

void exercise(const Segment& seg) {
  namespace d = axle::bus::detail;
  check_layout(seg);
  const auto& p = seg.params();
  auto drain_push_drain = [&seg](std::uint32_t s, bool drop_oldest) {
    drain(seg, s);
    push_once(seg, s, drop_oldest);
    drain(seg, s);
  };
  const std::uint32_t subscribers = p.max_subscribers < 4 ? p.max_subscribers : 4;
  for (std::uint32_t s = 0; s < subscribers; ++s) drain_push_drain(s, s % 2 == 1);
  // The last slot too: beyond the holder word when there are more than 48.
  if (p.max_subscribers > subscribers) drain_push_drain(p.max_subscribers - 1, true);
  d::history_for_each_locked(seg, [&](std::uint32_t c) { require(c < p.chunk_count); });
  require(d::free_chunk_count(seg) <= p.chunk_count);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  require(!segment_template().empty());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::vector<std::uint8_t> image =
      data[0] % 2 == 1 ? patched(data, size) : std::vector<std::uint8_t>(data + 1, data + size);
  require(write_segment_file(image));
  auto info = axle::bus::inspect_topic(topic());
  const bool viewed = axle::fuzz::accepted(info);
  auto seg = Segment::attach(topic());
  if (!axle::fuzz::accepted(seg)) {
    require(!viewed);  // the tools' view refuses what attach refuses
  } else {
    if (viewed) {
      require(info->chunk_count == (*seg)->params().chunk_count);
      for (const auto& participant : info->participants) {
        require(participant.queued <= info->queue_depth);
      }
    }
    exercise(**seg);
  }
  (void)axle::bus::remove_topic(topic());
  return 0;
}
