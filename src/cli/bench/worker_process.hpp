// A benchmark worker started by `axle bench`: fork + exec without a shell, standard input and
// output on pipes (the protocol of axle/perf/worker.hpp), standard error passed through. Killed
// (SIGKILL) and reaped when the object dies, so an interrupted or failed case leaves no process.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "axle/core/result.hpp"

namespace axle::cli::bench {

class WorkerProcess {
 public:
  struct Options {
    std::vector<std::pair<std::string, std::string>> env;  // added to the inherited environment
    int cpu = -1;                                          // pin to this CPU (-1: no pinning)
  };

  static Result<WorkerProcess> start(const std::vector<std::string>& argv, const Options& options);
  WorkerProcess(WorkerProcess&& other) noexcept;
  WorkerProcess& operator=(WorkerProcess&&) = delete;
  WorkerProcess(const WorkerProcess&) = delete;
  ~WorkerProcess();

  // The next line of output; kTimeout at `deadline_ns` (CLOCK_MONOTONIC), kIo at end of output.
  Result<std::string> read_line(std::int64_t deadline_ns);
  Result<void> write_line(const std::string& line);
  // Exit status (128 + signal when killed); kTimeout if it is still running at `deadline_ns`.
  Result<int> wait(std::int64_t deadline_ns);
  // SIGTERM, then SIGKILL after `grace_ms`; reaps it.
  void terminate(int grace_ms) noexcept;
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] const std::string& name() const { return name_; }

 private:
  WorkerProcess() = default;
  void kill_and_reap() noexcept;
  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
  bool reaped_ = false;
  std::string buffer_;
  std::string name_;
};

}  // namespace axle::cli::bench
