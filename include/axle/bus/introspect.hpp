// Read-only views of the bus on this host for tools (`axle topic ...`, `axle node list`) and
// tests: which topics exist for this user and what each segment's registry says. Reading does
// not join the topic and changes nothing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "axle/core/result.hpp"

namespace axle::bus {

struct ParticipantInfo {
  std::string kind;  // "publisher" or "subscriber"
  std::uint32_t slot = 0;
  std::string node;
  std::int32_t pid = 0;
  std::string state;  // "joining", "alive", "reclaiming"
  bool process_alive = false;
  std::uint64_t count = 0;  // published or received
  std::uint64_t lost = 0;   // subscribers: lost to a full queue
  bool reliable = false;
  std::uint64_t queued = 0;  // subscribers: entries waiting in the queue
};

struct TopicInfo {
  std::string topic;
  std::string path;  // the file under /dev/shm
  std::string type_name;
  std::uint64_t type_hash = 0;
  std::string encoding;
  std::uint64_t max_message_size = 0;
  std::uint32_t chunk_count = 0;
  std::uint32_t free_chunks = 0;
  std::uint32_t queue_depth = 0;
  std::uint32_t history_depth = 0;
  std::uint32_t max_publishers = 0;
  std::uint32_t max_subscribers = 0;
  std::uint64_t published = 0;  // topic-wide publish counter
  std::uint64_t segment_bytes = 0;
  std::int64_t created_utc_ms = 0;
  std::vector<ParticipantInfo> participants;
};

// Topics of this user's bus, sorted (from the segment files under /dev/shm).
Result<std::vector<std::string>> list_topics();

// The metadata and registry of one topic; kNotFound, kCorrupt as for opening it.
Result<TopicInfo> inspect_topic(std::string_view topic);

struct CleanReport {
  std::vector<std::string> removed;  // topics whose segment had no live participant
  std::vector<std::string> refused;  // "<topic>: <error>" for segments that could not be judged
};

// Removes the segments of this user's topics in which no live process takes part (left by
// crashed processes). Corrupt or foreign files are reported, never removed. Node::create runs
// this unless NodeOptions::clean_stale_topics is false.
CleanReport clean_stale_topics();

// Removes the topic's segment file (e.g. a corrupt one). Participants that have it mapped keep
// their mapping; new ones create a fresh segment.
Result<void> remove_topic(std::string_view topic);

}  // namespace axle::bus
