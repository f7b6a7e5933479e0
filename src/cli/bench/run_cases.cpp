#include "run_cases.hpp"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "axle/core/clock.hpp"
#include "axle/perf/samples_file.hpp"

namespace axle::cli::bench {

namespace {

constexpr std::int64_t kSec = 1'000'000'000;

Result<WorkerProcess> start_worker(const System& system, const perf::WorkerSpec& spec, int cpu) {
  std::vector<std::string> argv = system.command;
  for (std::string& a : perf::worker_arguments(spec)) argv.push_back(std::move(a));
  WorkerProcess::Options options;
  options.env = system.env;
  options.cpu = cpu;
  return WorkerProcess::start(argv, options);
}

// Reads lines until `expected` (a protocol line); a JSON error line ends the wait early.
Result<void> expect_line(WorkerProcess& worker, const std::string& expected, std::int64_t deadline,
                         const char* who) {
  while (true) {
    auto line = worker.read_line(deadline);
    if (!line) {
      return make_error(line.error().code, std::string(who) + ": " + line.error().message);
    }
    if (*line == expected) return axle::ok();
    if (!line->empty() && line->front() == '{') {
      auto doc = nlohmann::json::parse(*line, nullptr, false);
      if (doc.is_object() && doc.contains("error")) {
        return make_error(ErrorCode::kFailedPrecondition,
                          std::string(who) + ": " + doc["error"].get<std::string>());
      }
    }
  }
}

// The worker's final JSON line; its {"error": ...} becomes an Error.
Result<nlohmann::json> result_line(WorkerProcess& worker, std::int64_t deadline, const char* who) {
  while (true) {
    auto line = worker.read_line(deadline);
    if (!line) {
      return make_error(line.error().code, std::string(who) + ": " + line.error().message);
    }
    if (line->empty() || line->front() != '{') continue;
    auto doc = nlohmann::json::parse(*line, nullptr, false);
    if (!doc.is_object()) continue;
    if (doc.contains("error")) {
      return make_error(ErrorCode::kFailedPrecondition,
                        std::string(who) + ": " + doc["error"].get<std::string>());
    }
    return doc;
  }
}

Result<void> latency(const System& system, perf::WorkerSpec spec, bool pin, LatencyRecord& rec) {
  perf::WorkerSpec pong_spec = spec;
  pong_spec.role = perf::Role::kPong;
  pong_spec.samples_file.clear();  // only ping times anything
  AXLE_TRY(auto pong, start_worker(system, pong_spec, pin ? 1 : -1));
  AXLE_RETURN_IF_ERROR(expect_line(pong, "ready", monotonic_ns() + 30 * kSec, "pong"));
  spec.role = perf::Role::kPing;
  AXLE_TRY(auto ping, start_worker(system, spec, pin ? 0 : -1));
  AXLE_RETURN_IF_ERROR(expect_line(ping, "ready", monotonic_ns() + 30 * kSec, "ping"));
  // Discovery (30 s at most), warm-up and measurement, and the 10 s limit of one round trip.
  const auto budget = static_cast<std::int64_t>(spec.seconds * 2 * 1e9) + 90 * kSec;
  AXLE_TRY(auto doc, result_line(ping, monotonic_ns() + budget, "ping"));
  AXLE_TRY(auto echoed, result_line(pong, monotonic_ns() + 15 * kSec, "pong"));
  (void)echoed;
  (void)ping.wait(monotonic_ns() + 10 * kSec);
  (void)pong.wait(monotonic_ns() + 10 * kSec);
  perf::LatencySummary& s = rec.summary;
  s.samples = doc.at("samples").get<std::uint64_t>();
  s.min_ns = doc.at("min_ns").get<std::int64_t>();
  s.p50_ns = doc.at("p50_ns").get<std::int64_t>();
  s.p99_ns = doc.at("p99_ns").get<std::int64_t>();
  s.p999_ns = doc.at("p999_ns").get<std::int64_t>();
  s.max_ns = doc.at("max_ns").get<std::int64_t>();
  s.mean_ns = doc.at("mean_ns").get<double>();
  for (const auto& b : doc.at("histogram")) {
    rec.histogram.emplace_back(b.at(0).get<std::int64_t>(), b.at(1).get<std::uint64_t>());
  }
  if (s.mean_ns > 0) rec.msgs_per_s = 1e9 / s.mean_ns;  // one message per one-way trip
  if (spec.samples_file.empty()) return axle::ok();
  auto read = perf::read_samples_file(spec.samples_file, rec.samples);
  std::error_code ec;
  std::filesystem::remove(spec.samples_file, ec);
  AXLE_RETURN_IF_ERROR(read);
  if (rec.samples.size() != s.samples) {
    return make_error(ErrorCode::kCorrupt, "ping wrote " + std::to_string(rec.samples.size()) +
                                               " samples but reported " +
                                               std::to_string(s.samples));
  }
  return axle::ok();
}

Result<void> throughput(const System& system, perf::WorkerSpec spec, ThroughputRecord& rec) {
  std::vector<WorkerProcess> subs;
  spec.role = perf::Role::kSubscriber;
  for (std::uint32_t i = 0; i < spec.subscribers; ++i) {
    spec.index = i;
    AXLE_TRY(auto sub, start_worker(system, spec, -1));
    subs.push_back(std::move(sub));
    AXLE_RETURN_IF_ERROR(expect_line(subs.back(), "ready", monotonic_ns() + 30 * kSec, "sub"));
  }
  spec.role = perf::Role::kPublisher;
  spec.index = 0;
  AXLE_TRY(auto pub, start_worker(system, spec, -1));
  AXLE_RETURN_IF_ERROR(expect_line(pub, "ready", monotonic_ns() + 30 * kSec, "pub"));
  for (WorkerProcess& sub : subs) {
    AXLE_RETURN_IF_ERROR(expect_line(sub, "matched", monotonic_ns() + 30 * kSec, "sub"));
  }
  AXLE_RETURN_IF_ERROR(pub.write_line("go"));
  const auto budget = static_cast<std::int64_t>(spec.seconds * 1e9) + 60 * kSec;
  AXLE_TRY(auto sent, result_line(pub, monotonic_ns() + budget, "pub"));
  rec.sent = sent.at("sent").get<std::uint64_t>();
  std::optional<double> slowest;
  std::uint64_t fewest = rec.sent;
  for (WorkerProcess& sub : subs) {
    AXLE_TRY(auto got, result_line(sub, monotonic_ns() + 70 * kSec, "sub"));
    const auto received = got.at("received").get<std::uint64_t>();
    const double seconds = got.at("seconds").get<double>();
    const double rate = seconds > 0 ? static_cast<double>(received) / seconds : 0;
    slowest = slowest ? std::min(*slowest, rate) : rate;
    fewest = std::min(fewest, received);
  }
  rec.msgs_per_s = slowest.value_or(0);
  rec.lost = rec.sent - fewest;
  (void)pub.wait(monotonic_ns() + 10 * kSec);
  for (WorkerProcess& sub : subs) (void)sub.wait(monotonic_ns() + 10 * kSec);
  return axle::ok();
}

}  // namespace

LatencyRecord run_latency_case(const System& system, perf::WorkerSpec spec, bool pin) {
  LatencyRecord rec;
  rec.system = system.name;
  rec.size = spec.size;
  rec.mode = spec.mode;
  try {
    if (auto r = latency(system, spec, pin, rec); !r) rec.error = r.error().message;
  } catch (const nlohmann::json::exception& e) {
    rec.error = std::string("malformed worker result: ") + e.what();
  }
  return rec;
}

ThroughputRecord run_throughput_case(const System& system, perf::WorkerSpec spec) {
  ThroughputRecord rec;
  rec.system = system.name;
  rec.size = spec.size;
  rec.subscribers = spec.subscribers;
  try {
    if (auto r = throughput(system, spec, rec); !r) rec.error = r.error().message;
  } catch (const nlohmann::json::exception& e) {
    rec.error = std::string("malformed worker result: ") + e.what();
  }
  return rec;
}

}  // namespace axle::cli::bench
