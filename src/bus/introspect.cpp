#include "axle/bus/introspect.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "chunks.hpp"
#include "liveness.hpp"
#include "names.hpp"
#include "segment.hpp"
#include "segment_check.hpp"

namespace axle::bus {

namespace {

const char* state_name(detail::SlotState s) {
  switch (s) {
    case detail::SlotState::kJoining: return "joining";
    case detail::SlotState::kAlive: return "alive";
    case detail::SlotState::kReclaiming: return "reclaiming";
    case detail::SlotState::kFree: break;
  }
  return "free";
}

ParticipantInfo describe(const detail::ParticipantSlot& p, const char* kind, std::uint32_t slot) {
  const std::uint64_t ctl = p.ctl.load(std::memory_order_acquire);
  ParticipantInfo info;
  info.kind = kind;
  info.slot = slot;
  char name[sizeof(p.node_name) + 1] = {};
  std::memcpy(name, p.node_name, sizeof(p.node_name));
  info.node = name;  // terminated by the extra byte whatever the segment holds
  info.pid = detail::ctl_pid(ctl);
  info.state = state_name(detail::ctl_state(ctl));
  info.process_alive =
      detail::process_alive(info.pid, p.start_time.load(std::memory_order_acquire));
  info.count = p.count.load(std::memory_order_relaxed);
  return info;
}

}  // namespace

Result<std::vector<std::string>> list_topics() {
  std::vector<std::string> topics;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/dev/shm", ec)) {
    if (auto topic = detail::topic_from_file_name(entry.path().filename().string())) {
      topics.push_back(std::move(*topic));
    }
  }
  if (ec) {
    return make_error(ErrorCode::kIo, "cannot list /dev/shm: " + ec.message());
  }
  std::sort(topics.begin(), topics.end());
  return topics;
}

Result<TopicInfo> inspect_topic(std::string_view topic) {
  AXLE_TRY(std::shared_ptr<detail::Segment> seg, detail::Segment::attach(topic));
  AXLE_TRY(const detail::CheckedHeader h,
           detail::check_segment(&seg->header(), seg->mapped_size(), detail::shm_path(topic)));
  const detail::Params& p = seg->params();
  TopicInfo info;
  info.topic = std::string(topic);
  info.path = detail::shm_path(topic);
  info.type_name = h.type_name;
  info.type_hash = h.type_hash;
  info.encoding = h.encoding;
  info.max_message_size = p.max_message_size;
  info.chunk_count = p.chunk_count;
  info.free_chunks = detail::free_chunk_count(*seg);
  info.queue_depth = p.queue_depth;
  info.history_depth = p.history_depth;
  info.max_publishers = p.max_publishers;
  info.max_subscribers = p.max_subscribers;
  info.published = seg->header().publish_count.load(std::memory_order_relaxed);
  info.segment_bytes = seg->mapped_size();
  info.created_utc_ms = seg->header().created_utc_ms;
  for (std::uint32_t i = 0; i < p.max_publishers; ++i) {
    const detail::ParticipantSlot& slot = seg->publisher(i).p;
    if (detail::ctl_state(slot.ctl.load()) == detail::SlotState::kFree) continue;
    info.participants.push_back(describe(slot, "publisher", i));
  }
  for (std::uint32_t i = 0; i < p.max_subscribers; ++i) {
    const detail::SubscriberSlot& slot = seg->subscriber(i);
    if (detail::ctl_state(slot.p.ctl.load()) == detail::SlotState::kFree) continue;
    ParticipantInfo pi = describe(slot.p, "subscriber", i);
    pi.lost = slot.lost.load(std::memory_order_relaxed);
    pi.count = slot.received.load(std::memory_order_relaxed);
    pi.reliable = slot.reliable.load(std::memory_order_relaxed) != 0;
    const std::uint64_t head = slot.head.load();
    const std::uint64_t tail = slot.tail.load();
    // The head of a best-effort subscriber may lag behind entries that publishers dropped
    // (the subscriber moves it on at its next take): at most queue_depth are really queued.
    pi.queued = tail >= head ? std::min<std::uint64_t>(tail - head, p.queue_depth) : 0;
    info.participants.push_back(std::move(pi));
  }
  return info;
}

CleanReport clean_stale_topics() {
  CleanReport report;
  auto topics = list_topics();
  if (!topics) {
    report.refused.push_back("/dev/shm: " + topics.error().to_string());
    return report;
  }
  for (const auto& topic : *topics) {
    auto removed = detail::Segment::remove_if_stale(topic);
    if (!removed) {
      report.refused.push_back(topic + ": " + removed.error().to_string());
    } else if (*removed) {
      report.removed.push_back(topic);
    }
  }
  return report;
}

Result<void> remove_topic(std::string_view topic) {
  AXLE_RETURN_IF_ERROR(detail::validate_topic(topic));
  if (::shm_unlink(detail::shm_name(topic).c_str()) != 0) {
    if (errno == ENOENT) {
      return make_error(ErrorCode::kNotFound, "topic '" + std::string(topic) + "' does not exist");
    }
    return make_error(ErrorCode::kIo,
                      "cannot remove " + detail::shm_path(topic) + ": " + std::strerror(errno));
  }
  return axle::ok();
}

}  // namespace axle::bus
