#include "worker_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "axle/core/clock.hpp"

namespace axle::cli::bench {

namespace {

Error io_error(const std::string& what) {
  return make_error(ErrorCode::kIo, what + ": " + std::strerror(errno));
}

int exit_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

Result<WorkerProcess> WorkerProcess::start(const std::vector<std::string>& argv,
                                           const Options& options) {
  if (argv.empty()) return make_error(ErrorCode::kInvalidArgument, "no program to start");
  int to_child[2];
  int from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0) return io_error("pipe");
  if (::pipe2(from_child, O_CLOEXEC) != 0) {
    ::close(to_child[0]);
    ::close(to_child[1]);
    return io_error("pipe");
  }
  // Arguments and environment are built before fork(): the bench may run threads (RouDi's log
  // reader), so the child must not allocate before exec.
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry = *e;
    bool overridden = false;
    for (const auto& kv : options.env) {
      overridden = overridden ||
                   (entry.size() > kv.first.size() &&
                    entry.substr(0, kv.first.size()) == kv.first && entry[kv.first.size()] == '=');
    }
    if (!overridden) environment.emplace_back(entry);
  }
  for (const auto& [k, v] : options.env) environment.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) return io_error("fork");
  if (pid == 0) {
    ::dup2(to_child[0], STDIN_FILENO);
    ::dup2(from_child[1], STDOUT_FILENO);
    if (options.cpu >= 0) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(options.cpu, &set);
      (void)::sched_setaffinity(0, sizeof set, &set);
    }
    ::execve(args[0], args.data(), envp.data());
    const char* msg = "axle bench: cannot start a worker program\n";
    (void)!::write(STDERR_FILENO, msg, std::strlen(msg));
    ::_exit(127);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  WorkerProcess p;
  p.pid_ = pid;
  p.in_ = to_child[1];
  p.out_ = from_child[0];
  p.name_ = argv[0];
  return p;
}

WorkerProcess::WorkerProcess(WorkerProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      in_(std::exchange(other.in_, -1)),
      out_(std::exchange(other.out_, -1)),
      reaped_(other.reaped_),
      buffer_(std::move(other.buffer_)),
      name_(std::move(other.name_)) {}

WorkerProcess::~WorkerProcess() { kill_and_reap(); }

void WorkerProcess::kill_and_reap() noexcept {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
  }
  if (in_ >= 0) ::close(in_);
  if (out_ >= 0) ::close(out_);
  in_ = out_ = -1;
}

Result<std::string> WorkerProcess::read_line(std::int64_t deadline_ns) {
  while (true) {
    const auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    const std::int64_t left_ms = (deadline_ns - monotonic_ns()) / 1'000'000;
    if (left_ms <= 0)
      return make_error(ErrorCode::kTimeout, "no answer from " + name_ + " in time");
    pollfd p{out_, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left_ms, 1000)));
    if (r < 0 && errno != EINTR) return io_error("poll");
    if (r <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(out_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error(ErrorCode::kIo, name_ + " ended without an answer");
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
}

Result<void> WorkerProcess::write_line(const std::string& line) {
  const std::string text = line + "\n";
  if (::write(in_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return io_error("writing to " + name_);
  }
  return axle::ok();
}

Result<int> WorkerProcess::wait(std::int64_t deadline_ns) {
  while (true) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      return exit_status(status);
    }
    if (r < 0 && errno != EINTR) return io_error("waitpid");
    if (monotonic_ns() >= deadline_ns) {
      return make_error(ErrorCode::kTimeout, name_ + " did not end in time");
    }
    ::usleep(2000);  // reaping only, never on a measured path
  }
}

void WorkerProcess::terminate(int grace_ms) noexcept {
  if (pid_ <= 0 || reaped_) return;
  ::kill(pid_, SIGTERM);
  const std::int64_t deadline = monotonic_ns() + std::int64_t{grace_ms} * 1'000'000;
  int status = 0;
  while (monotonic_ns() < deadline) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
      return;
    }
    ::usleep(5000);
  }
  kill_and_reap();
}

}  // namespace axle::cli::bench
