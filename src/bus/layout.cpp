#include "layout.hpp"

namespace axle::bus::detail {

namespace {

constexpr std::uint64_t kMaxMessageSize = 1ULL << 32;  // 4 GiB
constexpr std::uint32_t kMaxChunks = 1U << 20;
constexpr std::uint32_t kMaxDepth = 1U << 16;
constexpr std::uint64_t kMaxSegmentSize = 1ULL << 40;
constexpr std::uint64_t kPage = 4096;

constexpr std::uint64_t round_up(std::uint64_t v, std::uint64_t to) {
  return (v + to - 1) / to * to;
}

}  // namespace

bool compute_layout(const Params& p, Layout& out) noexcept {
  if (p.max_message_size == 0 || p.max_message_size > kMaxMessageSize) return false;
  if (p.chunk_count == 0 || p.chunk_count > kMaxChunks) return false;
  if (p.queue_depth == 0 || p.queue_depth > kMaxDepth || p.history_depth > kMaxDepth) return false;
  if (p.max_publishers == 0 || p.max_publishers > kMaxPublishersPerTopic) return false;
  if (p.max_subscribers == 0 || p.max_subscribers > kMaxSubscribersPerTopic) return false;
  // Each factor is bounded above, so no product below can overflow 64 bits.
  Layout l;
  std::uint64_t off = round_up(sizeof(SegmentHeader), kAlign);
  l.history_off = off;
  off += round_up(std::uint64_t{4} * p.history_depth, kAlign);
  l.pub_table_off = off;
  off += sizeof(PublisherSlot) * std::uint64_t{p.max_publishers};
  l.sub_table_off = off;
  off += sizeof(SubscriberSlot) * std::uint64_t{p.max_subscribers};
  l.queue_off = off;
  off += sizeof(QueueCell) * std::uint64_t{p.queue_depth} * p.max_subscribers;
  l.chunk_table_off = off;
  off += sizeof(ChunkInfo) * std::uint64_t{p.chunk_count};
  l.holder_ext_off = off;
  if (p.max_subscribers > kSubscribersInHolderWord) {
    l.holder_ext_words =
        (p.max_subscribers - kSubscribersInHolderWord + kSubscribersPerExtensionWord - 1) /
        kSubscribersPerExtensionWord;
    l.holder_ext_stride = round_up(std::uint64_t{8} * l.holder_ext_words, kAlign);
  }
  off += l.holder_ext_stride * p.chunk_count;
  l.payload_off = round_up(off, kPage);
  l.chunk_stride = round_up(p.max_message_size, kAlign);
  l.total_size = l.payload_off + l.chunk_stride * p.chunk_count;
  if (l.total_size > kMaxSegmentSize) return false;
  out = l;
  return true;
}

}  // namespace axle::bus::detail
