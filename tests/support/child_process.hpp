// A child process for multi-process tests: fork + exec of `argv` with its stdout on a pipe, read
// line by line with a deadline; killed (SIGKILL) and reaped when the object dies, so a failing
// test leaves no process behind.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace axle::test {

class ChildProcess {
 public:
  explicit ChildProcess(std::vector<std::string> argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  // The next line of output, or "" at `deadline_ns` (CLOCK_MONOTONIC) or at end of output.
  std::string read_line_until(std::int64_t deadline_ns);
  // Exit status (128 + signal when killed), or -1 if it has not ended by `deadline_ns`.
  int wait_exit_until(std::int64_t deadline_ns);
  void kill9();

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  bool reaped_ = false;
  std::string buffer_;
};

}  // namespace axle::test
