// Quality-of-service and topic parameters of axle::bus (docs/bus.md).
//
// TopicOptions are fixed by whoever creates a topic's segment; every later participant must ask
// for the same type name, type hash, encoding and maximum message size, and gets the creator's
// limits. Publisher and subscriber options are per endpoint.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace axle::bus {

// Bounds of the segment format's fields (the loan field of a chunk's holder word has 15 bits);
// the limits in use are the topic's run-time options below.
inline constexpr std::uint32_t kMaxSubscribersPerTopic = 32767;
inline constexpr std::uint32_t kMaxPublishersPerTopic = 32767;
inline constexpr std::size_t kMaxTypeNameLength = 127;
inline constexpr std::size_t kMaxEncodingLength = 31;

struct TopicOptions {
  // What the messages are; compared at open.
  std::string type_name = "bytes";
  std::uint64_t type_hash = 0;
  std::string encoding = "raw";
  std::uint64_t max_message_size = 4096;
  // Limits of the segment, set by the creator (run time, never compile time).
  std::uint32_t queue_depth = 16;   // per subscriber: keep the last N
  std::uint32_t history_depth = 0;  // samples kept for transient-local late joiners
  std::uint32_t max_publishers = 8;
  std::uint32_t max_subscribers = 16;  // 1..kMaxSubscribersPerTopic
  // 0: enough for every slot to be full at once (see default_chunk_count()).
  std::uint32_t chunk_count = 0;
  // Create the segment 0660 (the file's group may join) instead of 0600.
  bool group_access = false;
};

// Chunks needed so that loans never fail while every queue, every history entry and a few
// outstanding samples per endpoint are in use.
[[nodiscard]] std::uint32_t default_chunk_count(const TopicOptions& options) noexcept;

enum class Reliability {
  kBestEffort,  // a full queue loses its oldest sample
  kReliable,    // a publisher waits (up to its timeout) while this subscriber's queue is full
};

enum class Durability {
  kVolatile,        // only samples published after joining
  kTransientLocal,  // also the topic's last history_depth samples, at join
};

struct PublisherOptions {
  // How long publish() waits for room in a reliable subscriber's queue, and loan() for a chunk.
  std::chrono::nanoseconds timeout = std::chrono::seconds(1);
};

struct SubscriberOptions {
  Reliability reliability = Reliability::kBestEffort;
  Durability durability = Durability::kVolatile;
  // Busy-poll this long before sleeping on the futex: lowest latency, costs a core.
  std::chrono::nanoseconds spin = std::chrono::nanoseconds(0);
  // Deadline QoS (0 = off): a miss is counted for every full period in which no new sample
  // arrived (by publish time), from the moment the subscriber joined (docs/bus.md, "Deadline").
  std::chrono::nanoseconds deadline = std::chrono::nanoseconds(0);
  // How often an Executor scans the topic's publishers for liveliness changes (a publisher
  // that joined, left, or whose process died), when a liveliness callback is registered.
  std::chrono::nanoseconds liveliness_check = std::chrono::milliseconds(100);
};

}  // namespace axle::bus
