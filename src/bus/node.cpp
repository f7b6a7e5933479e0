#include "axle/bus/node.hpp"

#include <unistd.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "axle/bus/introspect.hpp"
#include "endpoint.hpp"
#include "names.hpp"
#include "participants.hpp"
#include "segment.hpp"
#include "segment_check.hpp"

namespace axle::bus {

namespace detail {

// What a Node shares with its reaper thread: the topics it has mapped.
class NodeState {
 public:
  NodeState(std::string name, NodeOptions options)
      : name_(std::move(name)), options_(std::move(options)) {
    reaper_ = std::thread([this] { reap_loop(); });
  }
  ~NodeState() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    reaper_.join();
  }
  NodeState(const NodeState&) = delete;
  NodeState& operator=(const NodeState&) = delete;

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const NodeOptions& options() const noexcept { return options_; }

  void emit(BusEvent::Kind kind, EndpointKind endpoint, std::string_view topic,
            std::string_view node, std::int32_t pid) const {
    if (!options_.on_event) return;
    options_.on_event(BusEvent{kind, endpoint, std::string(topic), std::string(node), pid});
  }

  // Reaps one segment and reports each reclaimed participant.
  std::size_t reap(const Segment& segment) const {
    const std::vector<ReclaimedSlot> reclaimed = reap_dead(segment);
    for (const ReclaimedSlot& r : reclaimed) {
      emit(BusEvent::Kind::kReclaimed,
           r.publisher ? EndpointKind::kPublisher : EndpointKind::kSubscriber, segment.topic(),
           r.node, r.pid);
    }
    return reclaimed.size();
  }

  // Asks the authorizer, if any, and reports a refusal.
  Result<void> authorize(std::string_view topic, EndpointKind kind,
                         const TopicOptions& options) const {
    if (!options_.authorizer) return axle::ok();
    auto allowed = options_.authorizer(JoinRequest{name_, topic, kind, options.type_name});
    if (!allowed) emit(BusEvent::Kind::kRefused, kind, topic, name_, ::getpid());
    return allowed;
  }

  // The node's mapping of `topic`, locked for joining: reused while its file is still the
  // topic's, else (re)opened. The caller joins and then unlocks the file.
  Result<std::shared_ptr<Segment>> segment_for(std::string_view topic,
                                               const TopicOptions& options) {
    std::lock_guard lock(mutex_);
    auto it = topics_.find(std::string(topic));
    if (it != topics_.end()) {
      if (std::shared_ptr<Segment> seg = it->second.lock()) {
        AXLE_RETURN_IF_ERROR(seg->lock_file());
        if (!seg->unlinked()) {
          AXLE_TRY(const CheckedHeader header,
                   check_segment(&seg->header(), seg->mapped_size(), shm_path(topic)));
          auto matches = check_type(header, options, shm_path(topic));
          if (!matches) {
            seg->unlock_file();
            return std::move(matches).error();
          }
          return seg;
        }
        seg->unlock_file();
      }
    }
    AXLE_TRY(std::shared_ptr<Segment> seg, Segment::open(topic, options));
    topics_[std::string(topic)] = seg;
    return seg;
  }

  std::size_t reap_all() {
    std::vector<std::shared_ptr<Segment>> live;
    {
      std::lock_guard lock(mutex_);
      for (auto it = topics_.begin(); it != topics_.end();) {
        if (auto seg = it->second.lock()) {
          live.push_back(std::move(seg));
          ++it;
        } else {
          it = topics_.erase(it);
        }
      }
    }
    std::size_t n = 0;
    for (const auto& seg : live) n += reap(*seg);
    return n;
  }

 private:
  void reap_loop() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      wake_.wait_for(lock, options_.reap_interval);
      if (stop_) break;
      lock.unlock();
      reap_all();
      lock.lock();
    }
  }

  std::string name_;
  NodeOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::map<std::string, std::weak_ptr<Segment>> topics_;
  std::thread reaper_;
};

}  // namespace detail

namespace {

Result<void> validate_node_name(std::string_view name) {
  bool valid = !name.empty() && name.size() <= 63;
  for (char c : name) {
    valid = valid && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '.' || c == '-');
  }
  if (!valid) {
    return make_error(ErrorCode::kInvalidArgument,
                      "invalid node name: use 1-63 characters of [A-Za-z0-9_.-]");
  }
  return axle::ok();
}

// Unlocks a segment's file when the join is done, whatever its outcome.
struct FileUnlock {
  detail::Segment& segment;
  ~FileUnlock() { segment.unlock_file(); }
};

}  // namespace

Result<Node> Node::create(std::string_view name, const NodeOptions& options) {
  AXLE_RETURN_IF_ERROR(validate_node_name(name));
  if (options.reap_interval.count() <= 0) {
    return make_error(ErrorCode::kInvalidArgument, "the reap interval must be positive");
  }
  // Segments left by crashed processes are cleaned at start; a segment that cannot be judged
  // (corrupt, foreign) is left alone and reported when someone opens it.
  if (options.clean_stale_topics) (void)clean_stale_topics();
  return Node(std::make_shared<detail::NodeState>(std::string(name), options));
}

Node::Node(std::shared_ptr<detail::NodeState> state) : state_(std::move(state)) {}
Node::Node(Node&&) noexcept = default;
Node& Node::operator=(Node&&) noexcept = default;
Node::~Node() = default;

const std::string& Node::name() const noexcept { return state_->name(); }

Result<Publisher> Node::create_publisher(std::string_view topic, const TopicOptions& topic_options,
                                         PublisherOptions options) {
  AXLE_RETURN_IF_ERROR(state_->authorize(topic, EndpointKind::kPublisher, topic_options));
  AXLE_TRY(std::shared_ptr<detail::Segment> seg, state_->segment_for(topic, topic_options));
  std::shared_ptr<detail::Endpoint> endpoint;
  {
    FileUnlock unlock{*seg};
    state_->reap(*seg);  // what dead participants left is cleaned at start
    AXLE_TRY(const std::uint32_t slot, detail::join_as_publisher(*seg, state_->name()));
    endpoint = std::make_shared<detail::Endpoint>(seg, slot, detail::Endpoint::Kind::kPublisher);
  }
  state_->emit(BusEvent::Kind::kJoined, EndpointKind::kPublisher, topic, state_->name(),
               ::getpid());
  return Publisher(std::move(endpoint), options);
}

Result<Subscriber> Node::create_subscriber(std::string_view topic,
                                           const TopicOptions& topic_options,
                                           SubscriberOptions options) {
  AXLE_RETURN_IF_ERROR(state_->authorize(topic, EndpointKind::kSubscriber, topic_options));
  AXLE_TRY(std::shared_ptr<detail::Segment> seg, state_->segment_for(topic, topic_options));
  std::shared_ptr<detail::Endpoint> endpoint;
  {
    FileUnlock unlock{*seg};
    state_->reap(*seg);
    AXLE_TRY(const std::uint32_t slot, detail::join_as_subscriber(*seg, state_->name(), options));
    endpoint = std::make_shared<detail::Endpoint>(seg, slot, detail::Endpoint::Kind::kSubscriber);
  }
  state_->emit(BusEvent::Kind::kJoined, EndpointKind::kSubscriber, topic, state_->name(),
               ::getpid());
  return Subscriber(std::move(endpoint), options);
}

Result<std::size_t> Node::reap_now() { return state_->reap_all(); }

}  // namespace axle::bus
