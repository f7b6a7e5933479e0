// iceoryx 2.0.3's side of `axle bench` (axle/perf/worker.hpp): its zero-copy untyped API (loan,
// write the sequence in place, publish; take, read, release), a WaitSet for blocking waits, and
// lossless policies for throughput (the publisher waits for a full subscriber queue).
#include <unistd.h>

#include <iceoryx_posh/popo/untyped_publisher.hpp>
#include <iceoryx_posh/popo/untyped_subscriber.hpp>
#include <iceoryx_posh/popo/wait_set.hpp>
#include <iceoryx_posh/runtime/posh_runtime.hpp>
#include <memory>
#include <optional>
#include <string>

#include "axle/core/clock.hpp"
#include "axle/perf/worker.hpp"

namespace {

using axle::ErrorCode;
using axle::make_error;
using axle::Result;
namespace perf = axle::perf;

iox::capro::IdString_t id(const std::string& s) {
  return iox::capro::IdString_t(iox::cxx::TruncateToCapacity, s.c_str(), s.size());
}

// Topic "a/b/c" becomes service "axle_bench", instance "a_b", event "c".
iox::capro::ServiceDescription service_of(const std::string& topic) {
  const auto slash = topic.rfind('/');
  std::string instance = topic.substr(0, slash);
  for (char& c : instance) c = c == '/' ? '_' : c;
  return {id("axle_bench"), id(instance), id(topic.substr(slash + 1))};
}

class IceoryxChannel final : public perf::Channel {
 public:
  IceoryxChannel(const perf::WorkerSpec& spec, const std::string& out, const std::string& in)
      : spec_(spec) {
    const bool stream = spec.role == perf::Role::kPublisher || spec.role == perf::Role::kSubscriber;
    if (!out.empty()) {
      iox::popo::PublisherOptions po;
      po.subscriberTooSlowPolicy = iox::popo::ConsumerTooSlowPolicy::WAIT_FOR_CONSUMER;
      pub_.emplace(service_of(out), po);
    }
    if (!in.empty()) {
      iox::popo::SubscriberOptions so;
      so.queueCapacity = !stream ? 4 : (spec.size <= 4096 ? 256 : 8);
      so.queueFullPolicy = iox::popo::QueueFullPolicy::BLOCK_PRODUCER;
      sub_.emplace(service_of(in), so);
      if (spec.mode == perf::WaitMode::kBlocking) {
        waitset_.emplace();
        if (waitset_->attachState(*sub_, iox::popo::SubscriberState::HAS_DATA).has_error()) {
          failed_ = "cannot attach the subscriber to an iceoryx WaitSet";
        }
      }
    }
  }

  [[nodiscard]] const std::string& failed() const { return failed_; }

  Result<void> send(std::uint64_t seq) override {
    auto loan = pub_->loan(static_cast<std::uint32_t>(spec_.size), 8);
    if (loan.has_error()) {
      return make_error(ErrorCode::kTimeout, "iceoryx could not loan a chunk of " +
                                                 std::to_string(spec_.size) +
                                                 " bytes (mempools exhausted?)");
    }
    void* payload = loan.value();
    perf::write_payload(payload, spec_.size, seq, spec_.touch);
    pub_->publish(payload);
    return axle::ok();
  }

  Result<std::optional<std::uint64_t>> receive(std::int64_t timeout_ns) override {
    const std::int64_t deadline = axle::monotonic_ns() + timeout_ns;
    while (true) {
      auto taken = sub_->take();
      if (!taken.has_error()) {
        const void* payload = taken.value();
        const std::uint64_t seq = perf::read_payload(payload, spec_.size, spec_.touch);
        sub_->release(payload);
        return std::optional<std::uint64_t>(seq);
      }
      const std::int64_t left = deadline - axle::monotonic_ns();
      if (left <= 0) return std::optional<std::uint64_t>();
      if (waitset_) {
        (void)waitset_->timedWait(iox::units::Duration::fromNanoseconds(left));
      }
    }
  }

 private:
  perf::WorkerSpec spec_;
  std::optional<iox::popo::UntypedPublisher> pub_;
  std::optional<iox::popo::UntypedSubscriber> sub_;
  std::optional<iox::popo::WaitSet<>> waitset_;
  std::string failed_;
};

Result<std::unique_ptr<perf::Channel>> open_channel(const perf::WorkerSpec& spec,
                                                    const std::string& out, const std::string& in) {
  // Names must be unique among RouDi's clients: role, index and pid.
  const std::string name = "axle-bench-" + std::string(perf::role_name(spec.role)) + "-" +
                           std::to_string(spec.index) + "-" + std::to_string(::getpid());
  iox::runtime::PoshRuntime::initRuntime(id(name));
  auto channel = std::make_unique<IceoryxChannel>(spec, out, in);
  if (!channel->failed().empty()) return make_error(ErrorCode::kInternal, channel->failed());
  return std::unique_ptr<perf::Channel>(std::move(channel));
}

}  // namespace

int main(int argc, char** argv) { return perf::worker_main(argc, argv, open_channel); }
