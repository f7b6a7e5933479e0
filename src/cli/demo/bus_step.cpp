// `axle demo`, bus step: a simulated lidar (1 MiB point clouds at 10 Hz, raw bytes written in
// place in a loaned chunk) and an IMU (200 Hz, a POD struct through the typed API) publish to a
// subscriber, each in its own forked process, for a few seconds. The subscriber measures one-way
// latency (take time minus publish time, both CLOCK_MONOTONIC on this host) and sends a JSON line
// per second to the demo process, which prints it live.
//
// The demo process itself never joins the bus: it forks its three children before any bus thread
// exists, watches them with bounded waits, and in every outcome kills and reaps them and removes
// the two topics' segments. Each child also dies with the demo process (PR_SET_PDEATHSIG).
//
// Audit: the only bus operation in src/audit/data/audit_ops.json is bus.acl_change; the demo
// creates its topics with the default 0600 mode and changes no access, so it records nothing.
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "axle/bus/introspect.hpp"
#include "axle/bus/node.hpp"
#include "axle/bus/typed.hpp"
#include "axle/core/clock.hpp"
#include "demo/demo_io.hpp"

namespace axle::cli::demo {

namespace {

constexpr int kSeconds = 5;
constexpr int kLidarHz = 10;
constexpr int kImuHz = 200;
constexpr std::size_t kCloudBytes = 1 << 20;
constexpr std::uint64_t kCloudMagic = 0x44554f4c43444c41ULL;  // "ALDCLOUD"

// The first 64 bytes of a point cloud; the points (x, y, z, intensity as floats) follow.
struct CloudHeader {
  std::uint64_t magic;
  std::uint64_t index;
  std::uint64_t total;  // how many clouds this run publishes, so the subscriber can count losses
  std::uint64_t points;
  std::uint8_t reserved[32];
};
static_assert(sizeof(CloudHeader) == 64);
constexpr std::size_t kPoints = (kCloudBytes - sizeof(CloudHeader)) / 16;

struct ImuSample {
  std::int64_t stamp_ns;
  std::uint64_t index;
  std::uint64_t total;
  float accel[3];  // m/s²
  float gyro[3];   // rad/s
};

struct Topics {
  std::string lidar, imu;
};

bus::TopicOptions lidar_options() {
  bus::TopicOptions t;
  t.type_name = "axle.demo.PointCloud";
  t.max_message_size = kCloudBytes;
  t.queue_depth = 4;
  t.max_publishers = 2;
  t.max_subscribers = 4;
  return t;
}

bus::TopicOptions imu_options() {
  bus::TopicOptions base;
  base.queue_depth = 64;
  base.max_publishers = 2;
  base.max_subscribers = 4;
  return bus::typed_topic_options<ImuSample>("axle.demo.Imu", base);
}

// A child's only way out: no atexit handler or static destructor of the demo process runs twice.
[[noreturn]] void child_exit(int code) { ::_exit(code); }

void write_line(int fd, const std::string& line) {
  const std::string out = line + "\n";
  for (std::size_t done = 0; done < out.size();) {
    const ssize_t n = ::write(fd, out.data() + done, out.size() - done);
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

// Sleeps to the next tick of a fixed-rate loop; a late tick is not made up.
void wait_tick(std::int64_t start_ns, std::uint64_t i, std::int64_t period_ns) {
  const std::int64_t due = start_ns + static_cast<std::int64_t>(i) * period_ns;
  const std::int64_t left = due - monotonic_ns();
  if (left > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(left));
}

Result<void> lidar_role(const Topics& t) {
  AXLE_TRY(bus::Node node, bus::Node::create("demo-lidar"));
  AXLE_TRY(bus::Publisher pub, node.create_publisher(t.lidar, lidar_options()));
  const std::uint64_t total = kSeconds * kLidarHz;
  const std::int64_t start = monotonic_ns();
  for (std::uint64_t i = 0; i < total; ++i) {
    wait_tick(start, i, 1'000'000'000 / kLidarHz);
    AXLE_TRY(bus::Loan loan, pub.loan());
    CloudHeader h{kCloudMagic, i, total, kPoints, {}};
    std::memcpy(loan.data().data(), &h, sizeof(h));
    // 32 rings of 2048 points, a wall whose distance ripples as the scan turns.
    auto* p = reinterpret_cast<float*>(loan.data().data() + sizeof(h));
    for (std::size_t k = 0; k < kPoints; ++k) {
      const float az = 6.2831853f * static_cast<float>(k % 2048) / 2048.0f;
      const float range = 10.0f + 2.0f * std::sin(3.0f * az + 0.1f * static_cast<float>(i));
      p[4 * k] = range * std::cos(az);
      p[4 * k + 1] = range * std::sin(az);
      p[4 * k + 2] = 0.1f * (static_cast<float>(k / 2048) - 16.0f);
      p[4 * k + 3] = static_cast<float>(k % 256);
    }
    AXLE_RETURN_IF_ERROR(pub.publish(std::move(loan), kCloudBytes));
  }
  return ok();
}

Result<void> imu_role(const Topics& t) {
  AXLE_TRY(bus::Node node, bus::Node::create("demo-imu"));
  AXLE_TRY(auto pub, bus::TypedPublisher<ImuSample>::create(node, t.imu, imu_options()));
  const std::uint64_t total = kSeconds * kImuHz;
  const std::int64_t start = monotonic_ns();
  for (std::uint64_t i = 0; i < total; ++i) {
    wait_tick(start, i, 1'000'000'000 / kImuHz);
    AXLE_TRY(auto loan, pub.loan());
    const float s = static_cast<float>(i) / kImuHz;
    loan->stamp_ns = monotonic_ns();
    loan->index = i;
    loan->total = total;
    loan->accel[0] = 0.2f * std::sin(s);
    loan->accel[1] = 0.1f * std::cos(s);
    loan->accel[2] = 9.81f;
    loan->gyro[2] = 0.05f;
    AXLE_RETURN_IF_ERROR(pub.publish(std::move(loan)));
  }
  return ok();
}

// What the subscriber saw on one topic; filled by its receiving thread, read once a second.
struct Stream {
  std::mutex m;
  std::vector<std::int64_t> latency_ns;
  std::uint64_t total = 0;     // announced by the publisher
  std::uint64_t next = 0;      // highest index seen + 1
  std::uint64_t bad = 0;       // wrong size or header
  std::optional<Error> error;  // take() failed other than by a timeout; the stream stops
  std::atomic<bool> done{false};

  void add(std::int64_t latency, std::uint64_t index, std::uint64_t announced, bool valid) {
    std::lock_guard lock(m);
    latency_ns.push_back(latency);
    total = announced;
    next = std::max(next, index + 1);
    bad += valid ? 0 : 1;
    if (index + 1 >= announced) done = true;
  }

  void fail(Error e) {
    std::lock_guard lock(m);
    error = std::move(e);
    done = true;
  }

  // Lost: the gaps below the highest index seen, and at the end also the missing tail.
  nlohmann::ordered_json summary(bool final) {
    std::vector<std::int64_t> v;
    std::uint64_t expected = 0, invalid = 0;
    {
      std::lock_guard lock(m);
      v = latency_ns;
      expected = final ? std::max(total, next) : next;
      invalid = bad;
    }
    std::sort(v.begin(), v.end());
    // Nearest rank: the smallest value with at least q of the samples at or below it.
    auto pct = [&v](double q) -> std::int64_t {
      if (v.empty()) return 0;
      const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
      return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
    };
    const std::uint64_t count = v.size();
    return {{"count", count},
            {"lost", expected > count ? expected - count : 0},
            {"bad", invalid},
            {"p50_ns", pct(0.5)},
            {"p99_ns", pct(0.99)},
            {"p999_ns", pct(0.999)},
            {"max_ns", v.empty() ? 0 : v.back()}};
  }
};

Result<void> subscriber_role(const Topics& t, int report_fd) {
  AXLE_TRY(bus::Node node, bus::Node::create("demo-subscriber"));
  AXLE_TRY(bus::Subscriber lidar, node.create_subscriber(t.lidar, lidar_options()));
  AXLE_TRY(auto imu, bus::TypedSubscriber<ImuSample>::create(node, t.imu, imu_options()));
  write_line(report_fd, "ready");
  // Publishers run kSeconds; the rest is start-up and the last samples on a loaded machine.
  const std::int64_t end = monotonic_ns() + (kSeconds + 4) * std::int64_t{1'000'000'000};
  Stream lidar_stream, imu_stream;
  std::thread lidar_thread([&] {
    while (!lidar_stream.done && monotonic_ns() < end) {
      auto s = lidar.take(std::chrono::milliseconds(100));
      if (!s && s.error().code != ErrorCode::kTimeout) lidar_stream.fail(s.error());
      if (!s) continue;  // a timeout: check the end and wait again
      const std::int64_t latency = monotonic_ns() - s->publish_time_ns();
      CloudHeader h{};
      std::memcpy(&h, s->data().data(), std::min(sizeof(h), s->data().size()));
      const bool valid = s->data().size() == kCloudBytes && h.magic == kCloudMagic;
      // A sample that is not a cloud counts as bad; its header is not trusted for the counts.
      lidar_stream.add(latency, valid ? h.index : 0, valid ? h.total : kSeconds * kLidarHz, valid);
    }
  });
  std::thread imu_thread([&] {
    while (!imu_stream.done && monotonic_ns() < end) {
      auto s = imu.take(std::chrono::milliseconds(100));
      if (!s && s.error().code != ErrorCode::kTimeout) imu_stream.fail(s.error());
      if (!s) continue;
      const std::int64_t latency = monotonic_ns() - s->untyped().publish_time_ns();
      imu_stream.add(latency, (*s)->index, (*s)->total, true);
    }
  });
  for (int second = 1;; ++second) {
    // A report a second, and the final one as soon as both streams are complete.
    const std::int64_t next_report = monotonic_ns() + 1'000'000'000;
    while (!(lidar_stream.done && imu_stream.done) && monotonic_ns() < next_report) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const bool final = (lidar_stream.done && imu_stream.done) || monotonic_ns() >= end;
    nlohmann::ordered_json line = {{"second", second},
                                   {"final", final},
                                   {"lidar", lidar_stream.summary(final)},
                                   {"imu", imu_stream.summary(final)}};
    write_line(report_fd, line.dump());
    if (final) break;
  }
  lidar_thread.join();
  imu_thread.join();
  if (lidar_stream.error) return *lidar_stream.error;
  if (imu_stream.error) return *imu_stream.error;
  return ok();
}

// The three children of the step; whatever happens, they are killed and reaped and the topics'
// segments removed when this object dies.
class Children {
 public:
  explicit Children(Topics topics) : topics_(std::move(topics)) {}
  Children(const Children&) = delete;
  Children& operator=(const Children&) = delete;
  ~Children() {
    for (pid_t pid : pids_) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    (void)bus::remove_topic(topics_.lidar);
    (void)bus::remove_topic(topics_.imu);
  }

  // Forks a child that runs `role` and exits; `keep_fd` stays open in it, every other pipe end
  // of the parent is closed.
  template <typename Role>
  Result<void> start(const char* name, Role role) {
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0)
      return make_error(ErrorCode::kInternal,
                        "fork failed for the demo's bus " + std::string(name));
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) child_exit(1);
      const Result<void> r = role();
      if (!r) ::dprintf(STDERR_FILENO, "axle demo: %s: %s\n", name, r.error().to_string().c_str());
      child_exit(r ? 0 : 1);
    }
    pids_.push_back(pid);
    return ok();
  }

  // Waits up to the deadline for every child to exit; the names of those that failed.
  std::vector<std::string> wait_all(std::int64_t deadline_ns,
                                    const std::vector<std::string>& names) {
    std::vector<std::string> failed;
    for (std::size_t i = 0; i < pids_.size(); ++i) {
      int status = 0;
      pid_t r = 0;
      while ((r = ::waitpid(pids_[i], &status, WNOHANG)) == 0 && monotonic_ns() < deadline_ns) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      if (r == pids_[i]) {
        pids_[i] = -1;
        if (WIFSIGNALED(status)) {
          failed.push_back(fmt::format("{} (killed by signal {})", names[i], WTERMSIG(status)));
        } else if (WEXITSTATUS(status) != 0) {
          failed.push_back(
              fmt::format("{} (exit {}, its error is above)", names[i], WEXITSTATUS(status)));
        }
      } else {
        failed.push_back(names[i] + " (did not finish)");
      }
    }
    std::erase(pids_, -1);
    return failed;
  }

  [[nodiscard]] const Topics& topics() const { return topics_; }

 private:
  Topics topics_;
  std::vector<pid_t> pids_;
};

// Reads one line from `fd`, or "" at the deadline or the end of the stream.
std::string read_line(int fd, std::string& buffer, std::int64_t deadline_ns) {
  while (true) {
    const std::size_t nl = buffer.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer.substr(0, nl);
      buffer.erase(0, nl + 1);
      return line;
    }
    const std::int64_t left_ms = (deadline_ns - monotonic_ns()) / 1'000'000;
    pollfd p{fd, POLLIN, 0};
    if (left_ms <= 0 || ::poll(&p, 1, static_cast<int>(left_ms)) <= 0) return "";
    char chunk[1024];
    const ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n <= 0) return "";
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

std::string us(const nlohmann::ordered_json& j, const char* key) {
  return fmt::format("{:.0f}", j[key].get<double>() / 1000.0);
}

std::string stream_line(const char* name, const nlohmann::ordered_json& s) {
  return fmt::format("{} n={} lost={} p50={} p99={} p99.9={} max={} µs", name,
                     s["count"].get<std::uint64_t>(), s["lost"].get<std::uint64_t>(),
                     us(s, "p50_ns"), us(s, "p99_ns"), us(s, "p999_ns"), us(s, "max_ns"));
}

}  // namespace

Result<void> run_bus_step(DemoIo& io) {
  io.step("zero-copy bus: lidar and IMU publishers and a subscriber, three processes");
  const std::string prefix = fmt::format("axle-demo/p{}", ::getpid());
  Children children(Topics{prefix + "/lidar", prefix + "/imu"});
  const Topics& topics = children.topics();
  io.say(fmt::format("  lidar {} B at {} Hz on {}; IMU {} B at {} Hz on {}; {} s", kCloudBytes,
                     kLidarHz, topics.lidar, sizeof(ImuSample), kImuHz, topics.imu, kSeconds));

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return make_error(ErrorCode::kInternal, "pipe failed");
  std::cout << std::flush;  // nothing buffered may be written twice by a child
  const std::int64_t deadline = monotonic_ns() + (kSeconds + 15) * std::int64_t{1'000'000'000};
  AXLE_RETURN_IF_ERROR(children.start("subscriber", [&] {
    ::close(fds[0]);
    return subscriber_role(topics, fds[1]);
  }));
  ::close(fds[1]);
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } reader{fds[0]};
  std::string buffer;
  // The subscriber joins both topics first, so that the publishers' first samples reach it.
  if (read_line(fds[0], buffer, deadline) != "ready") {
    return make_error(ErrorCode::kInternal, "the demo's bus subscriber did not start");
  }
  AXLE_RETURN_IF_ERROR(children.start("lidar publisher", [&] { return lidar_role(topics); }));
  AXLE_RETURN_IF_ERROR(children.start("IMU publisher", [&] { return imu_role(topics); }));

  nlohmann::ordered_json last;
  while (true) {
    const std::string line = read_line(fds[0], buffer, deadline);
    if (line.empty() || !nlohmann::ordered_json::accept(line)) break;
    last = nlohmann::ordered_json::parse(line);
    const bool final = last["final"].get<bool>();
    io.say(fmt::format("  {:>6}  {} | {}",
                       final ? "final" : fmt::format("{}s", last["second"].get<int>()),
                       stream_line("lidar", last["lidar"]), stream_line("imu", last["imu"])));
    if (last["final"].get<bool>()) break;
  }
  const auto failed =
      children.wait_all(deadline, {"subscriber", "lidar publisher", "IMU publisher"});
  if (!failed.empty()) {
    std::string names;
    for (const auto& f : failed) names += (names.empty() ? "" : ", ") + f;
    return make_error(ErrorCode::kInternal, "the demo's bus processes failed: " + names);
  }
  if (last.empty() || !last["final"].get<bool>()) {
    return make_error(ErrorCode::kInternal, "the demo's bus subscriber sent no final report");
  }
  // All three exited; their segments go now, and none may be left.
  (void)bus::remove_topic(topics.lidar);
  (void)bus::remove_topic(topics.imu);
  std::size_t left = 0;
  if (auto list = bus::list_topics()) {
    for (const auto& name : *list) left += name.rfind(prefix + "/", 0) == 0 ? 1 : 0;
  }
  const bool received = last["lidar"]["count"].get<std::uint64_t>() > 0 &&
                        last["imu"]["count"].get<std::uint64_t>() > 0 &&
                        last["lidar"]["bad"].get<std::uint64_t>() == 0;
  io.say(fmt::format("  3 processes ended; segments left behind: {}; every stream delivered: {}",
                     left, DemoIo::yes_no(received)));
  io.report("bus") = {{"seconds", kSeconds},
                      {"processes", 3},
                      {"lidar",
                       {{"topic", topics.lidar},
                        {"bytes", kCloudBytes},
                        {"hz", kLidarHz},
                        {"latency", last["lidar"]}}},
                      {"imu",
                       {{"topic", topics.imu},
                        {"bytes", sizeof(ImuSample)},
                        {"hz", kImuHz},
                        {"latency", last["imu"]}}},
                      {"segments_left", left}};
  if (left != 0 || !received) {
    return make_error(ErrorCode::kInternal, "the demo's bus step did not deliver or clean up");
  }
  return ok();
}

}  // namespace axle::cli::demo
