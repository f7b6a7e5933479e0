// The two small interfaces through which a higher layer plugs into the bus without the bus
// knowing it (docs/architecture.md): an authorizer that decides whether a node may join a topic
// (the identity layer fills it in), and a hook for events of record (the audit layer fills it
// in). Both are optional; the bus works alone without them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "axle/core/result.hpp"

namespace axle::bus {

enum class EndpointKind { kPublisher, kSubscriber };

struct JoinRequest {
  std::string_view node;
  std::string_view topic;
  EndpointKind kind = EndpointKind::kPublisher;
  std::string_view type_name;
};

// Returns an error (usually kPermissionDenied) to refuse the join; called before the topic's
// segment is opened, in the caller's thread.
using Authorizer = std::function<Result<void>(const JoinRequest&)>;

struct BusEvent {
  enum class Kind {
    kJoined,     // this node joined a topic
    kRefused,    // the authorizer refused a join of this node
    kReclaimed,  // this node reclaimed the slot of a dead participant (`node`, `pid` are its)
  };
  Kind kind = Kind::kJoined;
  EndpointKind endpoint = EndpointKind::kPublisher;
  std::string topic;
  std::string node;
  std::int32_t pid = 0;
};

// Called in the thread that caused the event: the caller's for kJoined and kRefused, the node's
// reaper thread (or the joining thread) for kReclaimed. Must be quick and thread-safe.
using EventHook = std::function<void(const BusEvent&)>;

}  // namespace axle::bus
