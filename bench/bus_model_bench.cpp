// axle-bench-bus-model: what each step of the bus's hand-off costs on this machine. Two threads,
// pinned to two CPUs, ping-pong a message through a model of the bus protocol (docs/bus.md,
// "Per-subscriber queues"), one step added per row, and then through the bus itself in the same
// process: the distance from the floor (a cell written by one core and polled by the other) to
// the bus, and which steps make it up (docs/benchmarks.md, "Bus").
//
//   axle-bench-bus-model [--quick] [--json] [--cpus=A,B] [--batches=N] [--batch=N] [--slots=N]
//
// One-way latency = round trip / 2, as in `axle bench latency`; each row is timed in batches of
// round trips (no clock read per message, which would cost as much as a step) and shows the
// median and the 99th percentile of the batch means.
#include <fmt/format.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "axle/bus/introspect.hpp"
#include "axle/bus/node.hpp"
#include "axle/core/build_info.hpp"
#include "axle/core/clock.hpp"

namespace axle::bench {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct Options {
  bool quick = false;
  bool json = false;
  int cpu_a = 0;
  int cpu_b = 1;
  int batches = 500;
  int batch = 2000;  // round trips per batch
  int slots = 1;     // the bus rows' topics' max_subscribers (one subscriber joins)
};

bool pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

inline void prefetch_for_write(const void* p) {
#if defined(__x86_64__)
  asm volatile("prefetchw %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p, 1, 3);
#endif
}

// The model: one direction's shared lines, as the bus lays them out (each on a line of its own).
constexpr int kCells = 4;   // the bench's queue depth
constexpr int kChunks = 6;  // chunks rotate as the bus's cursor makes them
struct alignas(64) Line {
  std::atomic<std::uint64_t> v{0};
  std::atomic<std::uint64_t> second{0};  // the payload's first bytes when the holder shares a line
};
// The release-log variant: the taker appends each released chunk to lines of its own, and the
// sender reads a whole line once per kLogBatch messages, after a send, to clear the taker's bits.
constexpr int kLogBatch = 4;  // with kChunks = 6, a chunk is always cleared before its next claim
constexpr int kLogLines = 4;
struct alignas(64) LogLine {
  std::atomic<std::uint64_t> entry[kLogBatch];
};
struct Direction {
  Line cell[kCells];
  Line payload[kChunks];
  Line holder[kChunks];
  Line mutex;  // the pushers' lock: only this direction's sender touches it
  Line head;   // the taker's own line
  LogLine log[kLogLines];
};

// Steps, cumulative: each row does everything the rows above it do.
enum Step : int {
  kCell = 1,    // the sender stores the cell; the taker polls it (the hand-off floor)
  kPayload,     // + the payload on its own line: written before the cell, read after it
  kTakerCas,    // + the taker claims the cell with a CAS instead of reading it
  kHolder,      // + the chunk's holder word: claimed by the sender, released by the taker
  kLockFences,  // + the sender's lock around the push and the fence before its wake check;
                //   the taker's head CAS and its fence
  kPrefetches,  // + the bus's prefetch hints (holder and payload at take, next holder at send)
  kColocated,   // a variant of the above, not the bus: the holder on the payload's first line
  kReleaseLog,  // a variant of kPrefetches, not the bus: the taker never writes the holder word;
                // it logs its releases on its own lines, which the sender reads in batches
};
constexpr Step kLastStep = kReleaseLog;
constexpr std::uint64_t kModelLoanBit = 1ULL << 49;

const char* step_name(int step) {
  switch (step) {
    case kCell: return "cell only (hand-off floor)";
    case kPayload: return "+ payload line";
    case kTakerCas: return "+ taker's CAS on the cell";
    case kHolder: return "+ chunk holder claim/release";
    case kLockFences: return "+ push lock, head CAS, fences";
    case kPrefetches: return "+ prefetch hints (= the protocol)";
    case kColocated: return "variant: holder on the payload line";
    case kReleaseLog: return "variant: releases logged by the taker";
    default: return "?";
  }
}

void model_send(Direction& d, std::uint64_t i, int step) {
  const int k = static_cast<int>(i % kChunks);
  const int c = static_cast<int>(i % kCells);
  Line* const holder = step == kColocated ? d.payload : d.holder;
  if (step >= kHolder) {
    std::uint64_t expected = 0;
    while (!holder[k].v.compare_exchange_strong(expected, kModelLoanBit)) expected = 0;
  }
  if (step == kColocated) {
    d.payload[k].second.store(i, std::memory_order_relaxed);
  } else if (step >= kPayload) {
    d.payload[k].v.store(i, std::memory_order_relaxed);
  }
  if (step >= kLockFences) {
    std::uint64_t unlocked = 0;
    d.mutex.v.compare_exchange_strong(unlocked, 1);
  }
  if (step >= kHolder) holder[k].v.fetch_or(1);
  d.cell[c].v.store(i, std::memory_order_release);
  if (step >= kLockFences) {
    d.mutex.v.exchange(0);
    std::atomic_thread_fence(std::memory_order_seq_cst);
  }
  if (step == kReleaseLog) {
    holder[k].v.fetch_and(~kModelLoanBit);  // the loan ends with the push, as in the bus
    if (i > kLogBatch && (i - 1) % kLogBatch == 0) {
      // After the commit, while the taker works: messages i - kLogBatch .. i - 1 were echoed, so
      // released; clear their bits. Only the sender writes the holder words, which therefore
      // stay in its cache.
      const LogLine& line = d.log[((i - 1) / kLogBatch - 1) % kLogLines];
      for (const auto& e : line.entry) {
        holder[e.load(std::memory_order_relaxed)].v.fetch_and(~1ULL);
      }
    }
  } else if (step >= kPrefetches) {
    prefetch_for_write(&holder[(i + 1) % kChunks]);
  }
}

std::uint64_t model_take(Direction& d, std::uint64_t i, int step) {
  const int k = static_cast<int>(i % kChunks);
  const int c = static_cast<int>(i % kCells);
  Line* const holder = step == kColocated ? d.payload : d.holder;
  while (d.cell[c].v.load(std::memory_order_acquire) != i) {
  }
  if (step >= kPrefetches) {
    if (step != kReleaseLog) prefetch_for_write(&holder[k]);
    if (step != kColocated) __builtin_prefetch(&d.payload[k]);
  }
  if (step >= kTakerCas) {
    std::uint64_t full = i;
    d.cell[c].v.compare_exchange_strong(full, i | (1ULL << 63));
  }
  if (step >= kLockFences) {
    std::uint64_t h = d.head.v.load(std::memory_order_relaxed);
    d.head.v.compare_exchange_strong(h, h + 1);
    std::atomic_thread_fence(std::memory_order_seq_cst);
  }
  std::uint64_t got = i;
  if (step == kColocated) {
    got = d.payload[k].second.load(std::memory_order_relaxed);
  } else if (step >= kPayload) {
    got = d.payload[k].v.load(std::memory_order_relaxed);
  }
  if (step == kReleaseLog) {
    d.log[((i - 1) / kLogBatch) % kLogLines].entry[(i - 1) % kLogBatch].store(
        static_cast<std::uint64_t>(k), std::memory_order_relaxed);
  } else if (step >= kHolder) {
    holder[k].v.fetch_and(~(kModelLoanBit | 1));
  }
  return got;
}

// A ping-pong: `ping(i)` sends i and waits for its echo; `pong(i)` waits for i and echoes it.
// Returns the one-way nanoseconds of each batch.
std::optional<std::vector<double>> ping_pong(const Options& opt,
                                             const std::function<bool(std::uint64_t)>& ping,
                                             const std::function<bool(std::uint64_t)>& pong) {
  const std::uint64_t total = static_cast<std::uint64_t>(opt.batches) * opt.batch;
  std::atomic<bool> pong_ok{true};
  std::thread echo([&] {
    if (!pin_to(opt.cpu_b)) pong_ok = false;
    for (std::uint64_t i = 1; i <= total && pong_ok; ++i) {
      if (!pong(i)) pong_ok = false;
    }
  });
  std::vector<double> batches;
  bool ok = pin_to(opt.cpu_a);
  for (std::uint64_t i = 1; ok && i <= total;) {
    const std::int64_t start = monotonic_ns();
    for (int n = 0; n < opt.batch && ok; ++n, ++i) ok = ping(i);
    batches.push_back(static_cast<double>(monotonic_ns() - start) / 2.0 / opt.batch);
  }
  echo.join();
  if (!ok || !pong_ok) return std::nullopt;
  return batches;
}

struct Row {
  std::string name;
  double p50_ns = 0;
  double p99_ns = 0;
};

Row summarize(std::string name, std::vector<double> batches) {
  std::sort(batches.begin(), batches.end());
  // The first batches warm up caches and the CPU's clock: the percentiles count them anyway,
  // as they are a small part.
  Row r{std::move(name)};
  r.p50_ns = batches[batches.size() / 2];
  r.p99_ns = batches[std::min(batches.size() - 1, batches.size() * 99 / 100)];
  return r;
}

std::optional<Row> measure_model(const Options& opt, int step) {
  auto a = std::make_unique<Direction>();
  auto b = std::make_unique<Direction>();
  auto batches = ping_pong(
      opt,
      [&](std::uint64_t i) {
        model_send(*a, i, step);
        return model_take(*b, i, step) == i;
      },
      [&](std::uint64_t i) {
        const std::uint64_t got = model_take(*a, i, step);
        model_send(*b, got, step);
        return got == i;
      });
  if (!batches) return std::nullopt;
  return summarize(step_name(step), std::move(*batches));
}

// Runs `op` in batches of opt.batch calls on this thread and returns each batch's nanoseconds
// per call; stops at the first call that returns false (nullopt).
template <typename Op>
std::optional<std::vector<double>> time_per_call(const Options& opt, Op&& op) {
  std::vector<double> batches;
  for (int b = 0; b < opt.batches; ++b) {
    const std::int64_t start = monotonic_ns();
    for (int n = 0; n < opt.batch; ++n) {
      if (!op()) return std::nullopt;
    }
    batches.push_back(static_cast<double>(monotonic_ns() - start) / opt.batch);
  }
  return batches;
}

// The unit of the one-core row: one atomic add (a locked instruction on x86) on a line no other
// core touches, as the bus's calls make about seventeen per message (reference counts of the
// Loan and Sample handles, the robust mutex, claims, releases, counters, the push's fence).
Row measure_locked_add(const Options& opt) {
  alignas(64) std::atomic<std::uint64_t> word{0};
  auto batches = time_per_call(opt, [&word] {
    word.fetch_add(1, std::memory_order_relaxed);
    return true;
  });
  return summarize("one locked add on one core", std::move(*batches));
}

// The same ping-pong through the bus, two topics in one process (what `axle bench latency`
// measures between two processes, with its 64-byte messages and busy-polling takes); then the
// same calls on one core, which is what the bus's code costs apart from moving lines.
Result<std::vector<Row>> measure_bus(const Options& opt) {
  const std::string base = "axle_bench_model/" + std::to_string(::getpid());
  bus::NodeOptions node_options;
  node_options.clean_stale_topics = false;
  AXLE_TRY(auto ping_node, bus::Node::create("bench-model-ping", node_options));
  AXLE_TRY(auto pong_node, bus::Node::create("bench-model-pong", node_options));
  bus::TopicOptions topic;
  topic.type_name = "axle.bench.Message";
  topic.max_message_size = 64;
  topic.queue_depth = kCells;
  topic.max_subscribers = static_cast<std::uint32_t>(opt.slots);
  topic.max_publishers = 2;
  bus::SubscriberOptions sub;
  sub.reliability = bus::Reliability::kReliable;
  sub.spin = std::chrono::hours(1);
  auto send = [](bus::Publisher& pub, std::uint64_t seq) {
    auto loan = pub.loan();
    if (!loan) return false;
    std::memcpy(loan->data().data(), &seq, sizeof seq);
    return pub.publish(std::move(*loan), 64).ok();
  };
  auto take = [](bus::Subscriber& sub_, std::uint64_t& seq) {
    auto sample = sub_.take(std::chrono::seconds(5));
    if (!sample) return false;
    std::memcpy(&seq, sample->data().data(), sizeof seq);
    return true;
  };
  auto run = [&]() -> Result<Row> {
    AXLE_TRY(auto ping_pub, ping_node.create_publisher(base + "/ping", topic));
    AXLE_TRY(auto pong_sub, pong_node.create_subscriber(base + "/ping", topic, sub));
    AXLE_TRY(auto pong_pub, pong_node.create_publisher(base + "/pong", topic));
    AXLE_TRY(auto ping_sub, ping_node.create_subscriber(base + "/pong", topic, sub));
    auto batches = ping_pong(
        opt,
        [&](std::uint64_t i) {
          std::uint64_t seq = 0;
          return send(ping_pub, i) && take(ping_sub, seq) && seq == i;
        },
        [&](std::uint64_t i) {
          std::uint64_t seq = 0;
          return take(pong_sub, seq) && seq == i && send(pong_pub, seq);
        });
    if (!batches) return make_error(ErrorCode::kInternal, "the bus ping-pong lost a message");
    return summarize("axle bus (Publisher/Subscriber)", std::move(*batches));
  };
  // The bus's own instructions: the same calls in one thread on one core, where every line stays
  // in that core's cache, so no transfer is counted. Each round trip of the ping-pong above runs
  // these calls twice, one after the other, on top of the transfers.
  auto run_one_core = [&]() -> Result<Row> {
    AXLE_TRY(auto pub, ping_node.create_publisher(base + "/local", topic));
    AXLE_TRY(auto sub_, pong_node.create_subscriber(base + "/local", topic, sub));
    if (!pin_to(opt.cpu_a)) return make_error(ErrorCode::kInternal, "cannot pin to a CPU");
    std::uint64_t seq = 0;
    auto batches = time_per_call(opt, [&] {
      std::uint64_t got = 0;
      ++seq;
      return send(pub, seq) && take(sub_, got) && got == seq;
    });
    if (!batches) return make_error(ErrorCode::kInternal, "the bus lost a message on one core");
    return summarize("bus calls on one core (no transfer)", std::move(*batches));
  };
  std::vector<Row> rows;
  auto row = run();
  if (row) rows.push_back(*row);
  auto local = row ? run_one_core() : Result<Row>(row.error());
  if (local) {
    rows.push_back(*local);
    rows.push_back(measure_locked_add(opt));
  }
  (void)bus::remove_topic(base + "/ping");
  (void)bus::remove_topic(base + "/pong");
  (void)bus::remove_topic(base + "/local");
  if (!local) return local.error();
  return rows;
}

bool parse_int(std::string_view text, int& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::optional<Options> parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--quick") {
      o.quick = true;
      o.batches = 20;
      o.batch = 500;
    } else if (a == "--json") {
      o.json = true;
    } else if (a.rfind("--cpus=", 0) == 0) {
      const std::string_view v = a.substr(7);
      const auto comma = v.find(',');
      if (comma == std::string_view::npos || !parse_int(v.substr(0, comma), o.cpu_a) ||
          !parse_int(v.substr(comma + 1), o.cpu_b) || o.cpu_a == o.cpu_b) {
        std::fprintf(stderr, "axle-bench-bus-model: --cpus wants two different CPUs, like 0,1\n");
        return std::nullopt;
      }
    } else if (a.rfind("--batches=", 0) == 0) {
      if (!parse_int(a.substr(10), o.batches) || o.batches < 1) {
        std::fprintf(stderr, "axle-bench-bus-model: --batches wants a count >= 1\n");
        return std::nullopt;
      }
    } else if (a.rfind("--batch=", 0) == 0) {
      if (!parse_int(a.substr(8), o.batch) || o.batch < 1) {
        std::fprintf(stderr, "axle-bench-bus-model: --batch wants a count >= 1\n");
        return std::nullopt;
      }
    } else if (a.rfind("--slots=", 0) == 0) {
      if (!parse_int(a.substr(8), o.slots) || o.slots < 1 ||
          o.slots > static_cast<int>(bus::kMaxSubscribersPerTopic)) {
        std::fprintf(stderr, "axle-bench-bus-model: --slots wants a count of 1..%u\n",
                     bus::kMaxSubscribersPerTopic);
        return std::nullopt;
      }
    } else if (a == "--help" || a == "-h") {
      std::printf(
          "axle-bench-bus-model [--quick] [--json] [--cpus=A,B] [--batches=N] [--batch=N] "
          "[--slots=N]\n"
          "Two threads pinned to CPUs A and B (default 0,1) ping-pong through a model of the\n"
          "bus protocol, one step added per row, then through the bus itself: one-way latency,\n"
          "median and p99 of the means of N batches (default 500) of round trips (default "
          "2000).\nLast rows: the same bus calls in one thread on CPU A, per message (the code's "
          "cost, no cross-core transfer), and one atomic add there, its unit. --slots: the bus "
          "rows' topics have N subscriber slots (default 1), one of them used.\n");
      std::exit(0);
    } else {
      std::fprintf(stderr, "axle-bench-bus-model: unknown option %s (see --help)\n", argv[i]);
      return std::nullopt;
    }
  }
  return o;
}

int run(int argc, char** argv) {
  const auto opt = parse(argc, argv);
  if (!opt) return kExitUsage;
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (std::max(opt->cpu_a, opt->cpu_b) >= cpus) {
    std::fprintf(stderr, "axle-bench-bus-model: this machine has %ld CPU(s); give --cpus=A,B\n",
                 cpus);
    return kExitUsage;
  }
  if (!opt->json) {
    const BuildInfo& build = build_info();
    std::printf("%s\n", fmt::format("axle {} ({}, {}) — bus protocol model, threads on CPUs {} "
                                    "and {}, {} batches of {} round trips{}",
                                    build.version, build.git_commit, build.build_type, opt->cpu_a,
                                    opt->cpu_b, opt->batches, opt->batch,
                                    opt->slots == 1 ? std::string()
                                                    : fmt::format(", bus topics of {} subscriber "
                                                                  "slots",
                                                                  opt->slots))
                            .c_str());
  }
  std::vector<Row> rows;
  for (int step = kCell; step <= kLastStep; ++step) {
    auto row = measure_model(*opt, step);
    if (!row) {
      std::fprintf(stderr, "axle-bench-bus-model: cannot pin the threads to CPUs %d and %d\n",
                   opt->cpu_a, opt->cpu_b);
      return kExitFailure;
    }
    rows.push_back(*row);
  }
  auto bus_rows = measure_bus(*opt);
  if (!bus_rows) {
    std::fprintf(stderr, "axle-bench-bus-model: %s\n", bus_rows.error().message.c_str());
    return kExitFailure;
  }
  rows.insert(rows.end(), bus_rows->begin(), bus_rows->end());
  const double floor = rows.front().p50_ns;
  if (opt->json) {
    nlohmann::json out = nlohmann::json::array();
    for (const Row& r : rows) {
      out.push_back({{"step", r.name},
                     {"p50_ns", r.p50_ns},
                     {"p99_ns", r.p99_ns},
                     {"x_floor", r.p50_ns / floor}});
    }
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  std::printf("\n%-38s %10s %10s %9s\n", "step (one-way, batch means)", "p50", "p99", "x floor");
  for (const Row& r : rows) {
    std::printf("%-38s %7.1f ns %7.1f ns %8.2fx\n", r.name.c_str(), r.p50_ns, r.p99_ns,
                r.p50_ns / floor);
  }
  return 0;
}

}  // namespace
}  // namespace axle::bench

int main(int argc, char** argv) { return axle::bench::run(argc, argv); }
