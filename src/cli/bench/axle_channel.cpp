#include "axle_channel.hpp"

#include <chrono>
#include <optional>

#include "axle/bus/node.hpp"

namespace axle::cli::bench {

namespace {

// Every worker of a case opens the topics with the same options, so whoever creates a segment
// sizes it for the case: deep queues for throughput, shallow ones for ping-pong.
bus::TopicOptions topic_options(const perf::WorkerSpec& spec) {
  bus::TopicOptions t;
  t.type_name = "axle.bench.Message";
  t.max_message_size = spec.size;
  const bool stream = spec.role == perf::Role::kPublisher || spec.role == perf::Role::kSubscriber;
  t.queue_depth = !stream ? 4 : (spec.size <= 4096 ? 256 : 8);
  t.max_subscribers = stream ? spec.subscribers : 1;
  t.max_publishers = 2;
  return t;
}

class AxleChannel final : public perf::Channel {
 public:
  AxleChannel(const perf::WorkerSpec& spec, bus::Node node) : spec_(spec), node_(std::move(node)) {}

  Result<void> open(const std::string& out_topic, const std::string& in_topic) {
    const bus::TopicOptions t = topic_options(spec_);
    if (!out_topic.empty()) {
      bus::PublisherOptions po;
      po.timeout = std::chrono::seconds(10);
      AXLE_TRY(auto pub, node_.create_publisher(out_topic, t, po));
      pub_.emplace(std::move(pub));
    }
    if (!in_topic.empty()) {
      bus::SubscriberOptions so;
      so.reliability = bus::Reliability::kReliable;
      so.spin = spec_.mode == perf::WaitMode::kBusyPoll ? std::chrono::hours(1)
                                                        : std::chrono::nanoseconds(0);
      AXLE_TRY(auto sub, node_.create_subscriber(in_topic, t, so));
      sub_.emplace(std::move(sub));
    }
    return axle::ok();
  }

  Result<void> send(std::uint64_t seq) override {
    AXLE_TRY(bus::Loan loan, pub_->loan());
    perf::write_payload(loan.data().data(), spec_.size, seq, spec_.touch);
    return pub_->publish(std::move(loan), spec_.size);
  }

  Result<std::optional<std::uint64_t>> receive(std::int64_t timeout_ns) override {
    auto sample = sub_->take(std::chrono::nanoseconds(timeout_ns));
    if (!sample) {
      if (sample.error().code == ErrorCode::kTimeout) return std::optional<std::uint64_t>();
      return sample.error();
    }
    return std::optional<std::uint64_t>(
        perf::read_payload(sample->data().data(), sample->data().size(), spec_.touch));
  }

 private:
  perf::WorkerSpec spec_;
  bus::Node node_;
  std::optional<bus::Publisher> pub_;
  std::optional<bus::Subscriber> sub_;
};

}  // namespace

Result<std::unique_ptr<perf::Channel>> open_axle_channel(const perf::WorkerSpec& spec,
                                                         const std::string& out_topic,
                                                         const std::string& in_topic) {
  bus::NodeOptions options;
  options.clean_stale_topics = false;  // the bench removes its own topics at the end
  const std::string name =
      "bench-" + std::string(perf::role_name(spec.role)) + "-" + std::to_string(spec.index);
  AXLE_TRY(auto node, bus::Node::create(name, options));
  auto channel = std::make_unique<AxleChannel>(spec, std::move(node));
  AXLE_RETURN_IF_ERROR(channel->open(out_topic, in_topic));
  return std::unique_ptr<perf::Channel>(std::move(channel));
}

}  // namespace axle::cli::bench
