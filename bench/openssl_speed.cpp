#include "openssl_speed.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <utility>

extern char** environ;

namespace axle::bench {

std::string pin_to_current_cpu() {
  const int cpu = ::sched_getcpu();
  cpu_set_t set;
  CPU_ZERO(&set);
  if (cpu >= 0) CPU_SET(static_cast<std::size_t>(cpu), &set);
  if (cpu < 0 || ::sched_setaffinity(0, sizeof(set), &set) != 0) {
    return fmt::format("cpu: not pinned ({}); axle and openssl may run on different CPUs",
                       std::strerror(errno));
  }
  return fmt::format("cpu: axle and openssl pinned to CPU {} of {}", cpu,
                     std::thread::hardware_concurrency());
}

namespace {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  [[nodiscard]] int get() const noexcept { return fd_; }
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// A spawned child that is killed and reaped if it is dropped before wait() reaped it.
class Child {
 public:
  explicit Child(pid_t pid) : pid_(pid) {}
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      reap();
    }
  }

  // The exit code, or -1 when a signal ended the child.
  int wait() {
    const int status = reap();
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  int reap() noexcept {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
  }

  pid_t pid_;
};

std::string errno_text(std::string_view what) {
  return std::string(what) + ": " + std::strerror(errno);
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end == std::string_view::npos ? s.npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::vector<std::string_view> lines_starting_with(std::string_view text, std::string_view prefix) {
  std::vector<std::string_view> found;
  for (std::string_view line : split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.substr(0, prefix.size()) == prefix) found.push_back(line);
  }
  return found;
}

template <typename T>
std::optional<T> parse_number(std::string_view field) {
  T value{};
  const char* end = field.data() + field.size();
  const auto [ptr, ec] = std::from_chars(field.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// The last lines of `output`, to quote in an error message.
std::string tail(std::string_view output) {
  constexpr std::size_t kMax = 400;
  if (output.size() > kMax) output = output.substr(output.size() - kMax);
  return std::string(output);
}

Error parse_error(std::string_view what, std::string_view output) {
  return Error{ErrorCode::kCorrupt, "cannot read `openssl speed -mr` output (" + std::string(what) +
                                        "); its output ended with: " + tail(output)};
}

}  // namespace

std::optional<std::string> find_openssl(std::string_view override_path) {
  const auto executable = [](const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
  };
  if (!override_path.empty()) {
    std::string path(override_path);
    return executable(path) ? std::optional<std::string>(path) : std::nullopt;
  }
  const char* path_env = std::getenv("PATH");
  if (path_env == nullptr) return std::nullopt;
  for (std::string_view dir : split(path_env, ':')) {
    std::string candidate = (dir.empty() ? std::string(".") : std::string(dir)) + "/openssl";
    if (executable(candidate)) return candidate;
  }
  return std::nullopt;
}

Result<ProcessOutput> run_process(const std::string& program, const std::vector<std::string>& args,
                                  std::chrono::seconds timeout) {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) return Error{ErrorCode::kIo, errno_text("pipe2")};
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);

  std::vector<std::string> argv_storage;
  argv_storage.reserve(args.size() + 1);
  argv_storage.push_back(program);
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  argv.reserve(argv_storage.size() + 1);
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  if (::posix_spawn_file_actions_init(&actions) != 0) {
    return Error{ErrorCode::kInternal, "posix_spawn_file_actions_init failed"};
  }
  // dup2 clears O_CLOEXEC on the copies; the originals close at exec.
  ::posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  ::posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDERR_FILENO);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return Error{ErrorCode::kIo, "cannot start " + program + ": " + std::strerror(rc)};
  }
  Child child(pid);
  write_end.reset();  // so that read() sees EOF when the child exits

  ProcessOutput result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::array<char, 4096> buf{};
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return Error{ErrorCode::kTimeout, program + " did not finish within " +
                                            std::to_string(timeout.count()) + " s; killed it"};
    }
    pollfd pfd{read_end.get(), POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0) {
      if (errno == EINTR) continue;
      return Error{ErrorCode::kIo, errno_text("poll on the child's output")};
    }
    if (ready == 0) continue;  // the deadline check above ends the wait
    const ssize_t n = ::read(read_end.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error{ErrorCode::kIo, errno_text("read from the child")};
    }
    if (n == 0) break;
    result.output.append(buf.data(), static_cast<std::size_t>(n));
  }
  result.exit_code = child.wait();
  return result;
}

Result<std::vector<std::pair<std::size_t, double>>> parse_symmetric(std::string_view mr_output) {
  const auto headers = lines_starting_with(mr_output, "+H:");
  const auto results = lines_starting_with(mr_output, "+F:");
  if (headers.size() != 1 || results.size() != 1) {
    return parse_error("expected one +H: and one +F: line", mr_output);
  }
  const auto sizes = split(headers[0], ':');   // "+H", size...
  const auto values = split(results[0], ':');  // "+F", index, name, B/s...
  const std::size_t n = sizes.size() - 1;
  if (n == 0 || values.size() < n + 3) return parse_error("+F: has too few fields", mr_output);
  std::vector<std::pair<std::size_t, double>> rates;
  for (std::size_t i = 0; i < n; ++i) {
    const auto size = parse_number<std::size_t>(sizes[i + 1]);
    // The rates are the last n fields; the algorithm name before them is not needed.
    const auto rate = parse_number<double>(values[values.size() - n + i]);
    if (!size || !rate) return parse_error("a field is not a number", mr_output);
    rates.emplace_back(*size, *rate);
  }
  return rates;
}

Result<SignatureSpeed> parse_signature(std::string_view mr_output) {
  std::vector<std::string_view> found;
  for (std::string_view line : lines_starting_with(mr_output, "+F")) {
    // +F2 (RSA), +F3 (DSA), +F4 (ECDSA), +F6 (EdDSA), ...: a digit follows "+F".
    if (line.size() > 2 && line[2] >= '0' && line[2] <= '9') found.push_back(line);
  }
  if (found.size() != 1) return parse_error("expected one +F<n>: line", mr_output);
  const auto fields = split(found[0], ':');
  if (fields.size() < 4) return parse_error("+F<n>: has too few fields", mr_output);
  const auto sign = parse_number<double>(fields[fields.size() - 2]);
  const auto verify = parse_number<double>(fields[fields.size() - 1]);
  if (!sign || !verify) return parse_error("a rate is not a number", mr_output);
  return SignatureSpeed{*sign, *verify};
}

Result<std::string> OpensslSpeed::speed(std::vector<std::string> args) const {
  std::vector<std::string> full = {"speed", "-mr", "-elapsed", "-seconds",
                                   std::to_string(seconds_)};
  full.insert(full.end(), args.begin(), args.end());
  // A signature run takes 2 x seconds (sign, then verify), plus key generation and start-up.
  const std::chrono::seconds timeout(4 * seconds_ + 60);
  AXLE_TRY(ProcessOutput out, run_process(binary_, full, timeout));
  if (out.exit_code != 0) {
    std::string command = binary_;
    for (const std::string& a : full) command += " " + a;
    return Error{ErrorCode::kInternal, "`" + command + "` exited with " +
                                           std::to_string(out.exit_code) +
                                           "; its output ended with: " + tail(out.output)};
  }
  return std::move(out.output);
}

Result<double> OpensslSpeed::symmetric(const std::vector<std::string>& selection,
                                       std::size_t block_size) const {
  std::vector<std::string> args = {"-bytes", std::to_string(block_size)};
  args.insert(args.end(), selection.begin(), selection.end());
  AXLE_TRY(std::string output, speed(std::move(args)));
  AXLE_TRY(auto rates, parse_symmetric(output));
  for (const auto& [size, rate] : rates) {
    if (size == block_size) return rate;
  }
  return parse_error("no rate for block size " + std::to_string(block_size), output);
}

Result<SignatureSpeed> OpensslSpeed::signature(const std::string& algorithm) const {
  AXLE_TRY(std::string output, speed({algorithm}));
  return parse_signature(output);
}

Result<std::string> OpensslSpeed::version() const {
  AXLE_TRY(ProcessOutput out, run_process(binary_, {"version"}, std::chrono::seconds(30)));
  if (out.exit_code != 0) {
    return Error{ErrorCode::kInternal,
                 binary_ + " version exited with " + std::to_string(out.exit_code)};
  }
  std::string_view first = out.output;
  first = first.substr(0, first.find('\n'));
  return std::string(first);
}

}  // namespace axle::bench
