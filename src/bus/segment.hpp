// One topic's shared-memory segment, mapped: creation, validation and typed access to its parts
// (docs/bus.md, "Segment layout" and "Stale segments"). Every accessor takes indices that the
// caller has bounds-checked against params(), which were validated once at open and are never
// re-read from shared memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "axle/bus/options.hpp"
#include "axle/core/result.hpp"
#include "layout.hpp"

namespace axle::bus::detail {

class Segment {
 public:
  // Opens the topic's segment, creating it (or replacing a stale one) when needed. Returns with
  // the segment's file lock held so that the caller can join before anyone may judge the segment
  // stale; the caller calls unlock_file() after joining.
  static Result<std::shared_ptr<Segment>> open(std::string_view topic, const TopicOptions& options);
  // Maps an existing segment read-write without creating or joining (tools).
  static Result<std::shared_ptr<Segment>> attach(std::string_view topic);
  // Removes the topic's segment when no live process takes part in it (under the file lock, so
  // no one joins meanwhile). True when removed; kCorrupt (and nothing removed) for a file that
  // is not a valid segment.
  static Result<bool> remove_if_stale(std::string_view topic);

  ~Segment();
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  // The exclusive file lock that orders creation, joining and removal (bounded wait).
  Result<void> lock_file();
  void unlock_file() noexcept;
  // True when the file was removed since it was mapped (a newer segment may exist).
  [[nodiscard]] bool unlinked() const noexcept;

  [[nodiscard]] const std::string& topic() const noexcept { return topic_; }
  [[nodiscard]] const Params& params() const noexcept { return params_; }
  [[nodiscard]] std::size_t mapped_size() const noexcept { return size_; }
  [[nodiscard]] SegmentHeader& header() const noexcept { return *at<SegmentHeader>(0); }
  [[nodiscard]] PublisherSlot& publisher(std::uint32_t i) const noexcept {
    return at<PublisherSlot>(layout_.pub_table_off)[i];
  }
  [[nodiscard]] SubscriberSlot& subscriber(std::uint32_t i) const noexcept {
    return at<SubscriberSlot>(layout_.sub_table_off)[i];
  }
  [[nodiscard]] QueueCell* queue(std::uint32_t subscriber) const noexcept {
    return at<QueueCell>(layout_.queue_off) +
           static_cast<std::size_t>(subscriber) * params_.queue_depth;
  }
  [[nodiscard]] std::uint32_t* history() const noexcept {
    return at<std::uint32_t>(layout_.history_off);
  }
  [[nodiscard]] ChunkInfo& chunk(std::uint32_t i) const noexcept {
    return at<ChunkInfo>(layout_.chunk_table_off)[i];
  }
  // Holder extension words of chunk i (layout().holder_ext_words of them; none in topics of up
  // to 48 subscriber slots).
  [[nodiscard]] std::atomic<std::uint64_t>* holder_ext(std::uint32_t i) const noexcept {
    return at<std::atomic<std::uint64_t>>(layout_.holder_ext_off + layout_.holder_ext_stride * i);
  }
  [[nodiscard]] const Layout& layout() const noexcept { return layout_; }
  [[nodiscard]] std::byte* payload(std::uint32_t i) const noexcept {
    return at<std::byte>(layout_.payload_off + layout_.chunk_stride * i);
  }

  // Subscriber slots a publish must look at: those below the highest ever claimed, bounded by
  // the table (the stored value is shared memory).
  [[nodiscard]] std::uint32_t subscriber_slots_used() const noexcept {
    const std::uint32_t used = header().subscriber_slots_used.load(std::memory_order_seq_cst);
    return used < params_.max_subscribers ? used : params_.max_subscribers;
  }

  // True when some participant slot belongs to a live process.
  [[nodiscard]] bool has_live_participant() const noexcept;

 private:
  Segment(std::string topic, int fd, void* base, std::size_t size, Params params, Layout layout);
  template <typename T>
  T* at(std::uint64_t offset) const noexcept {
    return static_cast<T*>(static_cast<void*>(static_cast<std::byte*>(base_) + offset));
  }

  std::string topic_;
  int fd_;
  void* base_;
  std::size_t size_;
  Params params_;
  Layout layout_;
};

}  // namespace axle::bus::detail
