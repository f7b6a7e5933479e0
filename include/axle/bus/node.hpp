// A Node is one participant process's handle on the bus: it names the participant in the topic
// registries and runs the reaper that reclaims what dead participants left in the topics this
// node has open (docs/bus.md, "Participants, liveness and reclaim"). Nothing central is involved.
//
//   AXLE_TRY(auto node, axle::bus::Node::create("lidar_driver"));
//   AXLE_TRY(auto pub, node.create_publisher("sensors/lidar", topic_options));
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "axle/bus/hooks.hpp"
#include "axle/bus/options.hpp"
#include "axle/bus/publisher.hpp"
#include "axle/bus/subscriber.hpp"
#include "axle/core/result.hpp"

namespace axle::bus {

namespace detail {
class NodeState;
}

struct NodeOptions {
  // How often the reaper scans open topics for dead participants; reclaim happens within this.
  std::chrono::milliseconds reap_interval = std::chrono::milliseconds(200);
  // Remove this user's segments that no live process uses, when the node starts.
  bool clean_stale_topics = true;
  // Optional: may this node join a topic? (see hooks.hpp)
  Authorizer authorizer;
  // Optional: events of record (joins, refusals, reclaimed dead participants).
  EventHook on_event;
};

class Node {
 public:
  // `name`: 1–63 characters of [A-Za-z0-9_.-], shown by `axle node list`.
  static Result<Node> create(std::string_view name, const NodeOptions& options = {});

  Node(Node&&) noexcept;
  Node& operator=(Node&&) noexcept;
  ~Node();

  [[nodiscard]] const std::string& name() const noexcept;

  // Opens (or creates) the topic and joins it; see TopicOptions for what must match.
  Result<Publisher> create_publisher(std::string_view topic, const TopicOptions& topic_options,
                                     PublisherOptions options = {});
  Result<Subscriber> create_subscriber(std::string_view topic, const TopicOptions& topic_options,
                                       SubscriberOptions options = {});

  // Runs one reaper scan now over the topics this node has open; returns the number of dead
  // participants reclaimed.
  Result<std::size_t> reap_now();

 private:
  explicit Node(std::shared_ptr<detail::NodeState> state);
  std::shared_ptr<detail::NodeState> state_;
};

}  // namespace axle::bus
