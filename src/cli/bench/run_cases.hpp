// Runs one benchmark case of one system: starts its worker processes with the case's spec, waits
// for the protocol lines of axle/perf/worker.hpp, and collects the result. Every wait is bounded
// and every process is reaped, also when a case fails.
#pragma once

#include <string>
#include <vector>

#include "axle/perf/latency_stats.hpp"
#include "axle/perf/worker.hpp"
#include "worker_process.hpp"

namespace axle::cli::bench {

// How to start a worker of one system.
struct System {
  std::string name;                  // "axle", "iceoryx", "cyclonedds"
  std::vector<std::string> command;  // the worker's argv before the spec's arguments
  std::vector<std::pair<std::string, std::string>> env;
};

struct LatencyRecord {
  std::string system;
  std::uint64_t size = 0;
  perf::WaitMode mode = perf::WaitMode::kBlocking;
  perf::LatencySummary summary;
  perf::Histogram histogram;
  double msgs_per_s = 0;  // round trips per second x 2 (messages moved)
  std::string error;      // set when the case failed; the other fields are then empty
  // Every one-way sample, when the case ran with spec.samples_file (run_latency_case reads and
  // removes that file); empty otherwise.
  std::vector<std::int64_t> samples;
  unsigned rounds = 1;  // the runs whose samples make up the summary
};

struct ThroughputRecord {
  std::string system;
  std::uint64_t size = 0;
  std::uint32_t subscribers = 1;
  double msgs_per_s = 0;  // messages every subscriber received per second (the slowest)
  std::uint64_t sent = 0;
  std::uint64_t lost = 0;  // sent minus what the slowest subscriber received
  std::string error;
};

// `spec` gives size, mode, counts and topic; roles are set here. `pin`: ping on CPU 0, pong on 1.
// With spec.samples_file set, the record also carries the raw samples.
LatencyRecord run_latency_case(const System& system, perf::WorkerSpec spec, bool pin);
ThroughputRecord run_throughput_case(const System& system, perf::WorkerSpec spec);

}  // namespace axle::cli::bench
