#include "axle/perf/worker.hpp"

#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "axle/core/clock.hpp"
#include "axle/perf/latency_stats.hpp"
#include "axle/perf/samples_file.hpp"

namespace axle::perf {

namespace {

constexpr std::int64_t kMs = 1'000'000;

// Where touch mode's reads go, so that the compiler keeps them.
volatile std::uint64_t g_touch_sink = 0;
constexpr std::int64_t kSec = 1'000'000'000;
constexpr std::int64_t kDiscoveryLimitNs = 30 * kSec;  // peers' discovery can take seconds
constexpr std::int64_t kEchoLimitNs = 10 * kSec;       // one round trip, even of 8 MiB over UDP
constexpr std::int64_t kIdleLimitNs = 60 * kSec;       // a receiver gives up after this silence

void say(const char* line) {
  std::fputs(line, stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

// Sends probes until one comes back, then drains the late echoes of earlier probes.
Result<void> handshake(Channel& channel) {
  const std::int64_t deadline = monotonic_ns() + kDiscoveryLimitNs;
  while (true) {
    AXLE_RETURN_IF_ERROR(channel.send(kProbeSeq));
    AXLE_TRY(auto echo, channel.receive(50 * kMs));
    if (echo && *echo == kProbeSeq) break;
    if (monotonic_ns() > deadline) {
      return make_error(ErrorCode::kTimeout, "the pong side did not answer within 30 s");
    }
  }
  while (true) {
    AXLE_TRY(auto late, channel.receive(20 * kMs));
    if (!late) return axle::ok();
  }
}

Result<std::string> run_ping(const WorkerSpec& spec, Channel& channel) {
  AXLE_RETURN_IF_ERROR(handshake(channel));
  std::vector<std::int64_t> samples;
  samples.reserve(static_cast<std::size_t>(spec.count));
  const auto budget_ns = static_cast<std::int64_t>(spec.seconds * 1e9);
  // Warm-up ends after spec.warmup round trips or a third of the budget, whichever comes first,
  // so that a system taking 100 ms per round trip still gets measured within its budget.
  const std::int64_t warmup_end = monotonic_ns() + budget_ns / 3;
  bool measuring = spec.warmup == 0;
  std::int64_t measure_start = monotonic_ns();
  for (std::uint64_t seq = 1; samples.size() < spec.count; ++seq) {
    const std::int64_t t0 = monotonic_ns();
    if (!measuring && (seq > spec.warmup || t0 >= warmup_end)) {
      measuring = true;
      measure_start = t0;
    }
    AXLE_RETURN_IF_ERROR(channel.send(seq));
    while (true) {
      AXLE_TRY(auto echo, channel.receive(kEchoLimitNs));
      if (!echo) {
        return make_error(ErrorCode::kTimeout,
                          "no echo of message " + std::to_string(seq) + " within 10 s");
      }
      if (*echo == seq) break;  // anything else is a stale probe echo
    }
    const std::int64_t t1 = monotonic_ns();
    if (measuring) {
      samples.push_back((t1 - t0) / 2);
      if (t1 - measure_start > budget_ns) break;
    }
  }
  AXLE_RETURN_IF_ERROR(channel.send(kStopSeq));
  if (!spec.samples_file.empty()) {
    AXLE_RETURN_IF_ERROR(write_samples_file(spec.samples_file, samples));
  }
  const Histogram histogram = log_histogram(samples);
  const LatencySummary s = summarize(samples);
  nlohmann::json hist = nlohmann::json::array();
  for (const auto& [floor, n] : histogram) hist.push_back({floor, n});
  return nlohmann::json{{"samples", s.samples}, {"min_ns", s.min_ns},   {"p50_ns", s.p50_ns},
                        {"p99_ns", s.p99_ns},   {"p999_ns", s.p999_ns}, {"max_ns", s.max_ns},
                        {"mean_ns", s.mean_ns}, {"histogram", hist}}
      .dump();
}

Result<std::string> run_pong(Channel& channel) {
  std::uint64_t echoed = 0;
  while (true) {
    AXLE_TRY(auto seq, channel.receive(kIdleLimitNs));
    if (!seq) return make_error(ErrorCode::kTimeout, "pong: no message for 60 s");
    if (*seq == kStopSeq) break;
    AXLE_RETURN_IF_ERROR(channel.send(*seq));
    ++echoed;
  }
  return nlohmann::json{{"echoed", echoed}}.dump();
}

// True once "go" arrives on standard input (checked for up to `wait_ms`).
bool go_received(int wait_ms) {
  pollfd p{STDIN_FILENO, POLLIN, 0};
  if (::poll(&p, 1, wait_ms) <= 0) return false;
  char buf[64];
  const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
  return n > 0 && ::memmem(buf, static_cast<std::size_t>(n), "go", 2) != nullptr;
}

Result<std::string> run_publisher(const WorkerSpec& spec, Channel& channel) {
  const std::int64_t deadline = monotonic_ns() + kDiscoveryLimitNs;
  while (!go_received(5)) {  // probes let the subscribers see that they are matched
    AXLE_RETURN_IF_ERROR(channel.send(kProbeSeq));
    if (monotonic_ns() > deadline) {
      return make_error(ErrorCode::kTimeout, "publisher: no 'go' within 30 s");
    }
  }
  const auto budget_ns = static_cast<std::int64_t>(spec.seconds * 1e9);
  const std::int64_t t0 = monotonic_ns();
  std::int64_t t1 = t0;
  std::uint64_t seq = 1;
  for (;; ++seq) {
    AXLE_RETURN_IF_ERROR(channel.send(seq));
    if ((seq & 63) == 0 && (t1 = monotonic_ns()) - t0 >= budget_ns) break;
  }
  AXLE_RETURN_IF_ERROR(channel.send(kStopSeq));
  return nlohmann::json{{"sent", seq}, {"seconds", static_cast<double>(t1 - t0) / 1e9}}.dump();
}

Result<std::string> run_subscriber(Channel& channel) {
  bool matched = false;
  std::uint64_t received = 0;
  std::int64_t first = 0;
  while (true) {
    AXLE_TRY(auto seq, channel.receive(kIdleLimitNs));
    if (!seq) return make_error(ErrorCode::kTimeout, "subscriber: no message for 60 s");
    if (*seq == kProbeSeq) {
      if (!matched) say("matched");
      matched = true;
      continue;
    }
    if (*seq == kStopSeq) break;
    if (received++ == 0) first = monotonic_ns();
  }
  const std::int64_t last = monotonic_ns();
  return nlohmann::json{{"received", received},
                        {"seconds", static_cast<double>(last - first) / 1e9}}
      .dump();
}

}  // namespace

Result<std::string> run_worker(const WorkerSpec& spec, const ChannelFactory& open) {
  const std::string base = spec.topic;
  std::string out;
  std::string in;
  switch (spec.role) {
    case Role::kPing:
      out = base + "/ping";
      in = base + "/pong";
      break;
    case Role::kPong:
      out = base + "/pong";
      in = base + "/ping";
      break;
    case Role::kPublisher: out = base + "/data"; break;
    case Role::kSubscriber: in = base + "/data"; break;
  }
  AXLE_TRY(auto channel, open(spec, out, in));
  say("ready");
  switch (spec.role) {
    case Role::kPing: return run_ping(spec, *channel);
    case Role::kPong: return run_pong(*channel);
    case Role::kPublisher: return run_publisher(spec, *channel);
    case Role::kSubscriber: return run_subscriber(*channel);
  }
  return make_error(ErrorCode::kInternal, "unknown role");
}

int worker_main(int argc, char** argv, const ChannelFactory& open) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto spec = parse_worker_arguments(args);
  Result<std::string> result = spec ? run_worker(*spec, open) : Result<std::string>(spec.error());
  if (!result) {
    std::string line = nlohmann::json{{"error", result.error().message}}.dump();
    say(line.c_str());
    return 1;
  }
  say(result->c_str());
  return 0;
}

void write_payload(void* payload, std::uint64_t size, std::uint64_t seq, bool touch) noexcept {
  auto* bytes = static_cast<unsigned char*>(payload);
  if (touch && size > 8) std::memset(bytes + 8, static_cast<int>(seq & 0xff), size - 8);
  std::memcpy(bytes, &seq, sizeof seq);
}

std::uint64_t read_payload(const void* payload, std::uint64_t size, bool touch) noexcept {
  const auto* bytes = static_cast<const unsigned char*>(payload);
  std::uint64_t seq = 0;
  std::memcpy(&seq, bytes, sizeof seq);
  if (touch) {
    // Read every cache line; the sum goes to a volatile so the reads stay.
    std::uint64_t sum = 0;
    for (std::uint64_t i = 8; i < size; i += 64) sum += bytes[i];
    g_touch_sink = sum;
  }
  return seq;
}

}  // namespace axle::perf
