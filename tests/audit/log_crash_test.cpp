// Crash safety: a child process appends from several threads and reports each acknowledged
// sequence number through a pipe; the parent kills it with SIGKILL at a random moment, reopens the
// log and checks that every acknowledged entry is there and the log verifies. Repeated in a loop.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "axle/audit/log.hpp"
#include "axle/audit/log_verify.hpp"
#include "axle/core/clock.hpp"
#include "support/test_support.hpp"

namespace axle::audit {
namespace {

std::string message_for(std::uint64_t thread, std::uint64_t i) {
  return "<110>1 - - crash - - - t" + std::to_string(thread) + " i" + std::to_string(i);
}

// Runs in the forked child: never returns.
[[noreturn]] void child_append_forever(const std::filesystem::path& dir, int report_fd) {
  LogOptions opts;
  opts.dir = dir;
  opts.segment_bytes = 4096;  // rotate often, so crashes also hit segment creation
  auto log = AuditLog::open(opts);
  if (!log) _exit(3);
  std::vector<std::thread> threads;
  for (std::uint64_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      if (t == 3) {
        // The pipelined path: 64 entries in flight, acknowledged once the last is durable.
        for (std::uint64_t i = 0;; i += 64) {
          std::vector<std::uint64_t> seqs;
          for (std::uint64_t k = 0; k < 64; ++k) {
            auto seq = (*log)->submit(message_for(t, i + k));
            if (!seq) _exit(4);
            seqs.push_back(*seq);
          }
          if (!(*log)->wait_durable(seqs.back(), std::chrono::seconds(30))) _exit(6);
          for (std::uint64_t v : seqs) {
            if (::write(report_fd, &v, sizeof v) != sizeof v) _exit(5);
          }
        }
      }
      for (std::uint64_t i = 0;; ++i) {
        auto seq = (*log)->append(message_for(t, i));
        if (!seq) _exit(4);
        const std::uint64_t v = *seq;
        if (::write(report_fd, &v, sizeof v) != sizeof v) _exit(5);
      }
    });
  }
  for (auto& th : threads) th.join();
  _exit(0);
}

// Reads acknowledged sequence numbers until `deadline_ns` or EOF.
void collect(int fd, std::int64_t deadline_ns, std::set<std::uint64_t>& acked) {
  std::uint64_t v = 0;
  std::size_t have = 0;
  auto* bytes = reinterpret_cast<std::uint8_t*>(&v);
  while (true) {
    const std::int64_t left_ms = (deadline_ns - monotonic_ns()) / 1000000;
    if (deadline_ns != 0 && left_ms <= 0) return;
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, deadline_ns == 0 ? 2000 : static_cast<int>(left_ms));
    if (r <= 0) return;  // timeout (bounded wait) or error
    const ssize_t n = ::read(fd, bytes + have, sizeof v - have);
    if (n <= 0) return;  // EOF: the child is gone and the pipe drained
    have += static_cast<std::size_t>(n);
    if (have == sizeof v) {
      acked.insert(v);
      have = 0;
    }
  }
}

TEST(AuditLogCrash, KillNineDuringAppends_LosesNoAcknowledgedEntry) {
  test::TempDir tmp;
  const auto dir = tmp.path() / "log";
  std::mt19937 rng(12345);
  std::set<std::uint64_t> acked;
  constexpr int kRounds = 12;
  for (int round = 0; round < kRounds; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      child_append_forever(dir, fds[1]);
    }
    ::close(fds[1]);
    const std::int64_t run_ms = std::uniform_int_distribution<int>(20, 250)(rng);
    collect(fds[0], monotonic_ns() + run_ms * 1000000, acked);
    ::kill(pid, SIGKILL);
    collect(fds[0], 0, acked);  // what the child acknowledged before it died
    ::close(fds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited on its own with " << WEXITSTATUS(status);

    LogOptions opts;
    opts.dir = dir;
    opts.segment_bytes = 4096;
    auto log = AuditLog::open(opts);
    ASSERT_TRUE(log.ok()) << "round " << round << ": " << log.error().message;
    const std::uint64_t size = (*log)->size();
    ASSERT_FALSE(acked.empty());
    ASSERT_GT(size, *acked.rbegin()) << "round " << round << ": acknowledged entry lost";
    auto entries = (*log)->read(0, size);
    ASSERT_TRUE(entries.ok()) << entries.error().message;
    for (std::uint64_t seq : acked) {
      ASSERT_EQ((*entries)[seq].seq, seq);
      ASSERT_EQ((*entries)[seq].message.rfind("<110>1 - - crash - - - t", 0), 0U);
    }
    log->reset();
    auto report = verify_log(dir);
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->ok()) << "round " << round << ": " << report->findings[0].kind << ": "
                              << report->findings[0].detail;
  }
  std::cout << "crash rounds: " << kRounds << ", acknowledged entries checked: " << acked.size()
            << "\n";
}

}  // namespace
}  // namespace axle::audit
