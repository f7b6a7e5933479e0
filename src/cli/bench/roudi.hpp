// iceoryx 2.0.3's RouDi daemon, started and stopped by `axle bench --peers iceoryx`: every
// iceoryx data exchange needs it. Started with process monitoring off (a client spinning on one
// of two cores misses heartbeats and would be killed; the data path is the same) and with
// mempools sized for the benchmark's payloads (../shared/peers.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "axle/core/result.hpp"
#include "worker_process.hpp"

namespace axle::cli::bench {

class RouDi {
 public:
  // Refuses when another RouDi runs (iceoryx allows one per host) instead of disturbing it.
  // `dir` holds the generated configuration.
  static Result<std::unique_ptr<RouDi>> start(const std::string& dir,
                                              const std::vector<std::uint64_t>& sizes);
  RouDi(const RouDi&) = delete;
  RouDi& operator=(const RouDi&) = delete;
  ~RouDi();  // SIGTERM, then SIGKILL after 5 s

  // What an unclean stop would leave behind (/dev/shm and /tmp entries of iceoryx); empty
  // after a clean stop. Call after the object is gone.
  static std::vector<std::string> leftovers();

 private:
  explicit RouDi(WorkerProcess process);
  WorkerProcess process_;
  std::thread drain_;  // reads RouDi's log so that a full pipe never blocks it
};

}  // namespace axle::cli::bench
