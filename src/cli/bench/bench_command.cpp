// `axle bench latency|throughput`: axle's bus beside iceoryx and Cyclone DDS, measured by the same
// worker code in the same run (docs/benchmarks.md, "Bus"), one system at a time.
#include <fmt/format.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <iostream>

#include "axle/bus/introspect.hpp"
#include "axle/core/files.hpp"
#include "axle/perf/floors.hpp"
#include "axle_channel.hpp"
#include "context.hpp"
#include "report.hpp"
#include "systems.hpp"

namespace axle::cli {

namespace {

using bench::LatencyRecord;
using bench::ThroughputRecord;

struct BenchOptions {
  std::string sizes;
  std::string modes = "busy-poll,blocking";
  std::string peers;
  std::string subscribers = "1,4";
  std::uint64_t count = 50'000;  // blocking cases then end on --seconds: ~45,000 samples here
  std::uint64_t warmup = 1'000;
  double seconds = 3.0;
  unsigned rounds = 3;  // latency: each case's round trips are split over this many rounds
  std::string svg;
  bool pin = true;  // ping on CPU 0, pong on CPU 1, where the floors are measured
  bool touch = false;
  bool quick = false;
};

Result<std::uint64_t> parse_size(const std::string& text) {
  std::uint64_t v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || v == 0) {
    return make_error(ErrorCode::kInvalidArgument, "bad size '" + text + "' (e.g. 64, 4K, 1M)");
  }
  const std::string unit(p, end);
  if (unit == "K" || unit == "KiB" || unit == "k")
    v <<= 10;
  else if (unit == "M" || unit == "MiB")
    v <<= 20;
  else if (!unit.empty() && unit != "B")
    return make_error(ErrorCode::kInvalidArgument, "bad size unit in '" + text + "' (B, K, M)");
  if (v < 8 || v > (256u << 20)) {
    return make_error(ErrorCode::kInvalidArgument, "size '" + text + "' is outside 8 B .. 256 MiB");
  }
  return v;
}

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < list.size()) {
    std::size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    if (comma > start) out.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// A list option that names a value twice would measure it twice: `values` are the parsed items
// (so that 1M and 1024K are the same size), `items` their texts.
template <typename T>
Result<void> refuse_repeats(const std::string& option, const std::vector<T>& values,
                            const std::vector<std::string>& items) {
  for (std::size_t i = 1; i < values.size(); ++i) {
    if (std::find(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(i), values[i]) !=
        values.begin() + static_cast<std::ptrdiff_t>(i)) {
      return make_error(ErrorCode::kInvalidArgument,
                        option + " names " + items[i] + " twice; each is measured once");
    }
  }
  return axle::ok();
}

Result<std::vector<std::uint64_t>> parse_sizes(const std::string& list) {
  std::vector<std::uint64_t> sizes;
  const std::vector<std::string> items = split(list);
  for (const std::string& s : items) {
    AXLE_TRY(auto v, parse_size(s));
    sizes.push_back(v);
  }
  AXLE_RETURN_IF_ERROR(refuse_repeats("--sizes", sizes, items));
  if (sizes.empty()) return make_error(ErrorCode::kInvalidArgument, "--sizes is empty");
  return sizes;
}

// The chart is written after minutes of measuring: find out now whether it can be, so that a
// typo in the path does not cost the run.
Result<void> check_writable_destination(const std::string& file) {
  const std::filesystem::path path(file);
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "cannot write " + file + ": " + dir.string() + " is not a directory");
  }
  if (std::filesystem::is_directory(path, ec)) {
    return make_error(ErrorCode::kInvalidArgument, "cannot write " + file + ": it is a directory");
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "cannot write " + file + ": " + dir.string() + " is not writable");
  }
  return axle::ok();
}

// A private directory for generated configuration, removed when the run ends.
class WorkDir {
 public:
  WorkDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "axle-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~WorkDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

perf::WorkerSpec case_spec(const BenchOptions& o, const std::string& topic, std::uint64_t size) {
  perf::WorkerSpec spec;
  spec.topic = topic;
  spec.size = size;
  spec.count = o.count;
  spec.warmup = o.warmup;
  spec.seconds = o.seconds;
  spec.touch = o.touch;
  return spec;
}

void progress(const std::string& line) { std::cerr << line << std::endl; }

// axle's topics of one case are removed after it, so a run leaves nothing in /dev/shm.
void remove_case_topics(const std::string& topic) {
  for (const char* suffix : {"/ping", "/pong", "/data"}) (void)bus::remove_topic(topic + suffix);
}

std::string leftover_report(const std::string& system, const std::vector<std::string>& left) {
  if (left.empty()) return "";
  std::string s = system + " left behind:";
  for (const auto& l : left) s += " " + l;
  return s;
}

struct Plan {
  std::vector<std::string> systems;
  std::vector<std::uint64_t> sizes;
  WorkDir dir;
  std::string prefix = "axle_bench/" + std::to_string(::getpid());
  std::vector<std::string> leftovers;
  int failures = 0;
  int case_no = 0;  // numbers the cases' topics: no two cases of a run share one
};

Result<void> make_plan(const BenchOptions& o, const std::string& default_sizes, Plan& plan) {
  AXLE_TRY(plan.sizes, parse_sizes(o.sizes.empty() ? default_sizes : o.sizes));
  AXLE_TRY(auto peers, bench::parse_peers(o.peers));
  AXLE_RETURN_IF_ERROR(refuse_repeats("--peers", peers, peers));
  plan.systems = {"axle"};
  plan.systems.insert(plan.systems.end(), peers.begin(), peers.end());
  if (plan.dir.path().empty()) {
    return make_error(ErrorCode::kIo, "cannot create a temporary directory for the bench");
  }
  return axle::ok();
}

std::string next_case_topic(Plan& plan) {
  return plan.prefix + "/c" + std::to_string(plan.case_no++);
}

// Ends a system's session (iceoryx: stops RouDi) and checks what the system left behind.
void end_system(Plan& plan, const std::string& name, Result<bench::PreparedSystem>& prepared) {
  if (prepared) prepared->session.reset();
  auto left = bench::leftovers_of(name, plan.prefix);
  if (name == "axle") {
    for (const auto& t : left) (void)bus::remove_topic(t);
  }
  if (!left.empty()) plan.leftovers.push_back(leftover_report(name, left));
}

// Runs `each(system index, prepared system)` for every system, with each system's session
// around its cases only.
template <typename Each>
void for_each_system(Plan& plan, Each each) {
  for (std::size_t i = 0; i < plan.systems.size(); ++i) {
    auto prepared = bench::prepare_system(plan.systems[i], plan.dir.path(), plan.sizes);
    each(i, prepared);
    end_system(plan, plan.systems[i], prepared);
  }
}

// The systems in turn, starting with system `first` (modulo their number): rotating the start
// gives every system each place in the sequence equally often.
std::vector<std::size_t> rotated_systems(const Plan& plan, std::size_t first) {
  std::vector<std::size_t> order;
  for (std::size_t k = 0; k < plan.systems.size(); ++k) {
    order.push_back((first + k) % plan.systems.size());
  }
  return order;
}

// The latency cases in table order (system, mode, size), without samples yet.
std::vector<LatencyRecord> latency_cases(const Plan& plan,
                                         const std::vector<perf::WaitMode>& modes) {
  std::vector<LatencyRecord> cases;
  for (const std::string& name : plan.systems) {
    for (perf::WaitMode mode : modes) {
      for (std::uint64_t size : plan.sizes) {
        LatencyRecord& c = cases.emplace_back();
        c.system = name;
        c.mode = mode;
        c.size = size;
      }
    }
  }
  return cases;
}

// Round `round` of o.rounds: every case once, run by every system in turn before the next case
// starts, so that the systems measure one case seconds apart; the start rotates with the case and
// the round. Each system's session (RouDi) lasts the whole round. A case's samples are added to
// its record; a case that failed once is not run again.
void measure_latency_round(const BenchOptions& o, Plan& plan, std::size_t modes, unsigned round,
                           std::vector<LatencyRecord>& cases, std::size_t& done) {
  const std::string samples_file = plan.dir.path() + "/samples";
  std::vector<Result<bench::PreparedSystem>> prepared;
  for (const std::string& name : plan.systems) {
    prepared.push_back(bench::prepare_system(name, plan.dir.path(), plan.sizes));
  }
  const std::size_t per_system = modes * plan.sizes.size();
  for (std::size_t k = 0; k < per_system; ++k) {
    for (const std::size_t system : rotated_systems(plan, round + k)) {
      LatencyRecord& c = cases[system * per_system + k];
      std::string outcome;
      if (!c.error.empty()) {
        outcome = "skipped (failed in an earlier round)";
      } else if (!prepared[system]) {
        c.error = prepared[system].error().message;
      } else {
        const std::string topic = next_case_topic(plan);
        perf::WorkerSpec spec = case_spec(o, topic, c.size);
        spec.mode = c.mode;
        spec.count = o.count / o.rounds + (round < o.count % o.rounds ? 1 : 0);
        spec.seconds = o.seconds / o.rounds;
        spec.samples_file = samples_file;
        LatencyRecord rec = bench::run_latency_case(prepared[system]->system, spec, o.pin);
        remove_case_topics(topic);
        if (rec.error.empty()) {
          c.samples.insert(c.samples.end(), rec.samples.begin(), rec.samples.end());
          outcome = fmt::format("p50 {} ns, p99 {} ns", rec.summary.p50_ns, rec.summary.p99_ns);
        } else {
          c.error = rec.error;
        }
      }
      if (outcome.empty()) outcome = "failed: " + c.error;
      progress(fmt::format("[{}/{}] round {}/{}: {} {} {}: {}", ++done, cases.size() * o.rounds,
                           round + 1, o.rounds, c.system, bench::size_label(c.size),
                           perf::mode_name(c.mode), outcome));
    }
  }
  for (std::size_t i = 0; i < plan.systems.size(); ++i) {
    end_system(plan, plan.systems[i], prepared[i]);
  }
}

// Percentiles and histogram of each case from the samples of all rounds.
void summarize_cases(const BenchOptions& o, std::vector<LatencyRecord>& cases) {
  for (LatencyRecord& c : cases) {
    if (c.error.empty()) {
      c.summary = perf::summarize(c.samples);
      c.histogram = perf::log_histogram(c.samples);
      if (c.summary.mean_ns > 0) c.msgs_per_s = 1e9 / c.summary.mean_ns;
      c.rounds = o.rounds;
    }
    c.samples = {};
  }
}

int run_latency(Context& ctx, BenchOptions o) {
  if (o.quick) {
    o.count = std::min<std::uint64_t>(o.count, 500);
    o.warmup = std::min<std::uint64_t>(o.warmup, 50);
    o.seconds = std::min(o.seconds, 0.5);
    o.rounds = std::min(o.rounds, 2U);
  }
  o.rounds = static_cast<unsigned>(std::min<std::uint64_t>(o.rounds, o.count));
  Plan plan;
  if (auto r = make_plan(o, o.quick ? "64,64K,1M" : "64,4K,64K,1M,4M,8M", plan); !r) {
    return ctx.fail(r.error(), kExitUsage);
  }
  std::vector<perf::WaitMode> modes;
  const std::vector<std::string> mode_items = split(o.modes);
  for (const std::string& m : mode_items) {
    auto mode = perf::parse_mode(m);
    if (!mode) return ctx.fail(mode.error(), kExitUsage);
    modes.push_back(*mode);
  }
  if (auto r = refuse_repeats("--modes", modes, mode_items); !r) {
    return ctx.fail(r.error(), kExitUsage);
  }
  if (modes.empty())
    return ctx.fail(make_error(ErrorCode::kInvalidArgument, "--modes is empty"), kExitUsage);
  if (!o.svg.empty()) {
    if (auto r = check_writable_destination(o.svg); !r) return ctx.fail(r.error(), kExitUsage);
  }
  std::vector<LatencyRecord> cases = latency_cases(plan, modes);
  progress(fmt::format(
      "axle bench latency: {} cases ({} systems x {} modes x {} sizes), up to {} round trips or "
      "{:.1f} s each, {}, {}; measuring the floors first",
      cases.size(), plan.systems.size(), modes.size(), plan.sizes.size(), o.count, o.seconds,
      o.rounds == 1 ? std::string("in one round")
                    : fmt::format("in {} rounds that alternate the systems", o.rounds),
      o.pin ? "ping on CPU 0 and pong on CPU 1" : "unpinned (--no-pin)"));
  std::vector<LatencyRecord> records = bench::floor_records(perf::measure_floors(), "before");
  // A machine's noise comes in bursts. Measuring each case a share of the time in every round,
  // every system right after the other, spreads those bursts over all systems instead of charging
  // them to whichever ran during one.
  std::size_t done = 0;
  for (unsigned round = 0; round < o.rounds; ++round) {
    measure_latency_round(o, plan, modes.size(), round, cases, done);
  }
  summarize_cases(o, cases);
  for (LatencyRecord& c : cases) {
    if (!c.error.empty()) ++plan.failures;
    records.push_back(std::move(c));
  }
  for (auto& r : bench::floor_records(perf::measure_floors(), "after")) records.push_back(r);
  if (ctx.options.json) {
    for (const auto& r : records) std::cout << bench::latency_json(r).dump() << '\n';
  } else {
    std::cout << bench::latency_table(records);
    std::cout << "\nOne-way latency = round trip / 2"
              << (o.rounds == 1 ? std::string()
                                : fmt::format(", over the samples of all {} rounds", o.rounds))
              << ". Floors: busy-poll = cache-line hand-off, blocking = futex wake, between two "
                 "threads.\n";
    std::cout << (plan.leftovers.empty() ? "Nothing left behind in /dev/shm or /tmp.\n" : "");
  }
  for (const auto& l : plan.leftovers) std::cerr << "axle bench: " << l << '\n';
  // After the results are out: a chart that cannot be written loses nothing measured.
  if (!o.svg.empty()) {
    if (auto w = write_file_atomic(o.svg, bench::latency_chart(records), 0644); !w) {
      return ctx.fail(w.error());
    }
    progress("histogram chart written to " + o.svg);
  }
  return plan.failures == 0 && plan.leftovers.empty() ? kExitOk : kExitFailure;
}

int run_throughput(Context& ctx, BenchOptions o) {
  if (o.quick) o.seconds = std::min(o.seconds, 0.5);
  Plan plan;
  if (auto r = make_plan(o, "64,1M", plan); !r) return ctx.fail(r.error(), kExitUsage);
  std::vector<std::uint32_t> subs;
  const std::vector<std::string> sub_items = split(o.subscribers);
  for (const std::string& s : sub_items) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v == 0 || v > 16) {
      return ctx.fail(make_error(ErrorCode::kInvalidArgument,
                                 "--subscribers takes numbers from 1 to 16, not '" + s + "'"),
                      kExitUsage);
    }
    subs.push_back(v);
  }
  if (auto r = refuse_repeats("--subscribers", subs, sub_items); !r) {
    return ctx.fail(r.error(), kExitUsage);
  }
  const std::size_t total = plan.systems.size() * plan.sizes.size() * subs.size();
  progress(fmt::format("axle bench throughput: {} cases, {:.1f} s of publishing each", total,
                       o.seconds));
  std::vector<ThroughputRecord> records;
  std::size_t done = 0;
  for_each_system(plan, [&](std::size_t system, Result<bench::PreparedSystem>& prepared) {
    const std::string& name = plan.systems[system];
    for (std::uint64_t size : plan.sizes) {
      for (std::uint32_t n : subs) {
        const std::string topic = next_case_topic(plan);
        ThroughputRecord rec;
        if (!prepared) {
          rec.system = name;
          rec.error = prepared.error().message;
        } else {
          perf::WorkerSpec spec = case_spec(o, topic, size);
          spec.mode = perf::WaitMode::kBlocking;
          spec.subscribers = n;
          rec = bench::run_throughput_case(prepared->system, spec);
          remove_case_topics(topic);
        }
        rec.size = size;
        rec.subscribers = n;
        if (!rec.error.empty()) ++plan.failures;
        progress(fmt::format("[{}/{}] {} {} x{}: {}", ++done, total, rec.system,
                             bench::size_label(size), n,
                             rec.error.empty() ? fmt::format("{:.0f} msgs/s", rec.msgs_per_s)
                                               : "failed: " + rec.error));
        records.push_back(std::move(rec));
      }
    }
  });
  if (ctx.options.json) {
    for (const auto& r : records) std::cout << bench::throughput_json(r).dump() << '\n';
  } else {
    std::cout << bench::throughput_table(records);
    std::cout << "\nmsgs/s: what the slowest subscriber received per second; lossless (reliable, "
                 "publisher blocks) in every system.\n";
  }
  for (const auto& l : plan.leftovers) std::cerr << "axle bench: " << l << '\n';
  return plan.failures == 0 && plan.leftovers.empty() ? kExitOk : kExitFailure;
}

void add_common_options(CLI::App& cmd, BenchOptions& o) {
  cmd.add_option("--peers", o.peers,
                 "Also measure these systems, comma-separated: iceoryx (2.0.3, zero-copy API, "
                 "RouDi started and stopped by the bench), cyclonedds (0.10.2, default "
                 "transport over loopback)");
  cmd.add_option("--sizes", o.sizes, "Payload sizes, comma-separated (64, 4K, 1M, ...)");
  cmd.add_option("--seconds", o.seconds,
                 "Time limit of one case's measurement (latency: over all its rounds)")
      ->check(CLI::Range(0.05, 600.0));
  cmd.add_flag("--touch", o.touch,
               "Write and read the whole payload (default: only its first 8 bytes, zero-copy)");
  cmd.add_flag("--quick", o.quick, "A short run that checks that everything works");
}

}  // namespace

void register_bench_command(CLI::App& app, Context& ctx) {
  CLI::App* bench = app.add_subcommand(
      "bench", "Measure the bus beside iceoryx and Cyclone DDS (latency, throughput)");
  bench->require_subcommand(1);
  set_example(*bench, "axle bench latency --peers iceoryx,cyclonedds --svg latency.svg");
  auto options = std::make_shared<BenchOptions>();

  CLI::App* latency = bench->add_subcommand(
      "latency",
      "Two-process ping-pong: one-way latency p50/p99/p99.9/max per size, busy-poll and "
      "blocking, with this machine's floors measured before and after");
  add_common_options(*latency, *options);
  latency->add_option("--modes", options->modes, "busy-poll, blocking, or both (default)");
  latency
      ->add_option("--count", options->count,
                   "Measured round trips per case at most, over all rounds (default 50,000)")
      ->check(CLI::Range(1, 100'000'000));
  latency->add_option("--warmup", options->warmup, "Round trips before measuring");
  latency
      ->add_option("--rounds", options->rounds,
                   "Split each case's round trips and time over this many rounds, in each of which "
                   "every system runs the case in turn, and merge their samples (default 3; "
                   "--quick: at most 2)")
      ->check(CLI::Range(1, 100));
  latency->add_option("--svg", options->svg, "Write the latency histogram chart (SVG) here");
  latency->add_flag("--pin,!--no-pin", options->pin,
                    "Pin ping to CPU 0 and pong to CPU 1, where the floors are measured "
                    "(default); --no-pin leaves the placement to the scheduler, which may put "
                    "both on one CPU");
  set_example(*latency, "axle bench latency --peers iceoryx --sizes 64,1M --modes busy-poll");
  latency->callback([&ctx, options] { ctx.exit_code = run_latency(ctx, *options); });

  CLI::App* throughput = bench->add_subcommand(
      "throughput",
      "One publisher, N subscribers, each in its own process: messages/s and GB/s without loss");
  add_common_options(*throughput, *options);
  throughput->add_option("--subscribers", options->subscribers,
                         "Subscriber counts, comma-separated (default 1,4)");
  set_example(*throughput, "axle bench throughput --peers iceoryx,cyclonedds --json");
  throughput->callback([&ctx, options] { ctx.exit_code = run_throughput(ctx, *options); });

  // The worker side of axle's cases, started by the two commands above (not for users).
  CLI::App* worker = bench->add_subcommand("worker", "");
  worker->group("");
  worker->allow_extras();
  worker->prefix_command();
  worker->fallthrough(false);
  worker->callback([&ctx, worker] {
    auto spec = perf::parse_worker_arguments(worker->remaining());
    if (!spec) {
      ctx.exit_code = ctx.fail(spec.error(), kExitUsage);
      return;
    }
    auto result = perf::run_worker(*spec, bench::open_axle_channel);
    if (!result) {
      std::cout << nlohmann::json{{"error", result.error().message}}.dump() << std::endl;
      ctx.exit_code = kExitFailure;
      return;
    }
    std::cout << *result << std::endl;
  });
}

}  // namespace axle::cli
