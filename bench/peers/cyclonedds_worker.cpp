// Cyclone DDS 0.10.2's side of `axle bench` (axle/perf/worker.hpp), through its C API: reliable
// QoS, keep-last for ping-pong and keep-all for lossless throughput, a waitset on a read condition
// for blocking waits and dds_take in a loop for busy-polling. Cyclone serialises the payload and
// sends it over loopback UDP (its default transport; its shared-memory path is off by default and
// only serves fixed-size types, ../shared/peers.md), so the whole payload always moves.
#include <dds/dds.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "axle/core/clock.hpp"
#include "axle/perf/worker.hpp"
#include "axle_bench_message.h"

namespace {

using axle::ErrorCode;
using axle::make_error;
using axle::Result;
namespace perf = axle::perf;

Result<void> check(dds_return_t rc, const char* what) {
  if (rc < 0) {
    return make_error(ErrorCode::kInternal,
                      std::string("Cyclone DDS: ") + what + ": " + dds_strretcode(rc));
  }
  return axle::ok();
}

class CycloneChannel final : public perf::Channel {
 public:
  explicit CycloneChannel(const perf::WorkerSpec& spec) : spec_(spec), buffer_(spec.size - 8) {}
  ~CycloneChannel() override {
    if (participant_ > 0) dds_delete(participant_);  // deletes every child entity too
  }

  Result<void> open(const std::string& out, const std::string& in) {
    const char* domain_env = std::getenv("AXLE_BENCH_DDS_DOMAIN");
    const auto domain = static_cast<dds_domainid_t>(domain_env ? std::atoi(domain_env) : 0);
    participant_ = dds_create_participant(domain, nullptr, nullptr);
    AXLE_RETURN_IF_ERROR(check(participant_, "create participant"));
    const bool stream =
        spec_.role == perf::Role::kPublisher || spec_.role == perf::Role::kSubscriber;
    dds_qos_t* qos = dds_create_qos();
    dds_qset_reliability(qos, DDS_RELIABILITY_RELIABLE, DDS_SECS(10));
    if (stream) {
      dds_qset_history(qos, DDS_HISTORY_KEEP_ALL, 0);
      dds_qset_resource_limits(qos, spec_.size <= 4096 ? 256 : 8, DDS_LENGTH_UNLIMITED,
                               DDS_LENGTH_UNLIMITED);
    } else {
      dds_qset_history(qos, DDS_HISTORY_KEEP_LAST, 4);
    }
    Result<void> result = axle::ok();
    if (!out.empty()) {
      const dds_entity_t topic =
          dds_create_topic(participant_, &axle_bench_Message_desc, out.c_str(), qos, nullptr);
      result = check(topic, "create topic");
      if (result) {
        writer_ = dds_create_writer(participant_, topic, qos, nullptr);
        result = check(writer_, "create writer");
      }
    }
    if (result && !in.empty()) {
      const dds_entity_t topic =
          dds_create_topic(participant_, &axle_bench_Message_desc, in.c_str(), qos, nullptr);
      result = check(topic, "create topic");
      if (result) {
        reader_ = dds_create_reader(participant_, topic, qos, nullptr);
        result = check(reader_, "create reader");
      }
      if (result && spec_.mode == perf::WaitMode::kBlocking) {
        waitset_ = dds_create_waitset(participant_);
        const dds_entity_t cond = dds_create_readcondition(reader_, DDS_ANY_STATE);
        result = check(dds_waitset_attach(waitset_, cond, 0), "attach read condition");
      }
    }
    dds_delete_qos(qos);
    return result;
  }

  Result<void> send(std::uint64_t seq) override {
    axle_bench_Message msg{};
    msg.seq = seq;
    if (spec_.touch) std::memset(buffer_.data(), static_cast<int>(seq & 0xff), buffer_.size());
    msg.payload._buffer = buffer_.data();
    msg.payload._length = static_cast<std::uint32_t>(buffer_.size());
    msg.payload._maximum = msg.payload._length;
    msg.payload._release = false;
    return check(dds_write(writer_, &msg), "write");
  }

  Result<std::optional<std::uint64_t>> receive(std::int64_t timeout_ns) override {
    const std::int64_t deadline = axle::monotonic_ns() + timeout_ns;
    while (true) {
      void* samples[1] = {nullptr};
      dds_sample_info_t info[1];
      const dds_return_t n = dds_take(reader_, samples, info, 1, 1);  // loaned, no copy
      AXLE_RETURN_IF_ERROR(check(n, "take"));
      if (n > 0) {
        std::optional<std::uint64_t> seq;
        if (info[0].valid_data) {
          const auto* msg = static_cast<const axle_bench_Message*>(samples[0]);
          seq = msg->seq;
          if (spec_.touch) {
            (void)perf::read_payload(msg->payload._buffer, msg->payload._length, true);
          }
        }
        (void)dds_return_loan(reader_, samples, n);
        if (seq) return seq;
        continue;  // a state change (e.g. a writer left), not a message
      }
      const std::int64_t left = deadline - axle::monotonic_ns();
      if (left <= 0) return std::optional<std::uint64_t>();
      if (waitset_ > 0) (void)dds_waitset_wait(waitset_, nullptr, 0, left);
    }
  }

 private:
  perf::WorkerSpec spec_;
  std::vector<unsigned char> buffer_;
  dds_entity_t participant_ = 0;
  dds_entity_t writer_ = 0;
  dds_entity_t reader_ = 0;
  dds_entity_t waitset_ = 0;
};

Result<std::unique_ptr<perf::Channel>> open_channel(const perf::WorkerSpec& spec,
                                                    const std::string& out, const std::string& in) {
  auto channel = std::make_unique<CycloneChannel>(spec);
  AXLE_RETURN_IF_ERROR(channel->open(out, in));
  return std::unique_ptr<perf::Channel>(std::move(channel));
}

}  // namespace

int main(int argc, char** argv) { return perf::worker_main(argc, argv, open_channel); }
