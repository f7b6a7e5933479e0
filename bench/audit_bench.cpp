// axle-bench-audit: the audit log's durable append rate and time to acknowledgement, proofs
// generated and verified per second, and full verification time, each beside `openssl speed
// sha256` measured in the same run and the disk's append+fdatasync floor (docs/benchmarks.md).
//
//   axle-bench-audit [--quick] [--json] [--events=N] [--window=N] [--no-preallocate]
//                    [--dir=PATH] [--openssl=PATH]
//
// The log is built in a fresh directory under --dir (default: $TMPDIR or /tmp) and removed at
// the end. Every event is 300 bytes. Appends use the pipelined API (AuditLog::submit and
// wait_durable) in a closed loop: one thread keeps at most --window entries submitted and not yet
// acknowledged, and records for every entry the time from its submit() to its acknowledgement
// (run_pipelined_appends).
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "axle/audit/log.hpp"
#include "axle/audit/log_verify.hpp"
#include "axle/audit/merkle_hash.hpp"
#include "axle/audit/proof_verify.hpp"
#include "axle/core/build_info.hpp"
#include "axle/core/clock.hpp"
#include "bench_temp_dir.hpp"
#include "openssl_speed.hpp"

namespace axle::bench {
namespace {

namespace fs = std::filesystem;

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr std::size_t kEventBytes = 300;
constexpr double kGoalEventsPerS = 500'000;
constexpr double kGoalAckP99Ms = 5;

struct Options {
  bool quick = false;
  bool json = false;
  std::uint64_t events = 10'000'000;
  std::uint64_t window = 1024;  // events submitted and not yet acknowledged, at most
  bool preallocate = true;      // LogOptions::preallocate
  std::string dir;
  std::string openssl;
};

std::optional<Options> parse_options(int argc, char** argv) {
  Options o;
  bool events_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&](std::string_view name) -> std::optional<std::string_view> {
      if (a.rfind(name, 0) == 0 && a.size() > name.size() && a[name.size()] == '=') {
        return a.substr(name.size() + 1);
      }
      return std::nullopt;
    };
    if (a == "--quick") {
      o.quick = true;
    } else if (a == "--json") {
      o.json = true;
    } else if (auto events = value("--events")) {
      auto [p, ec] = std::from_chars(events->data(), events->data() + events->size(), o.events);
      if (ec != std::errc() || p != events->data() + events->size() || o.events < 1000) {
        fmt::print(stderr, "error: --events wants a number >= 1000, not '{}'\n", *events);
        return std::nullopt;
      }
      events_given = true;
    } else if (a == "--no-preallocate") {
      o.preallocate = false;
    } else if (auto window = value("--window")) {
      auto [p, ec] = std::from_chars(window->data(), window->data() + window->size(), o.window);
      if (ec != std::errc() || p != window->data() + window->size() || o.window < 1 ||
          o.window > 1'000'000) {
        fmt::print(stderr, "error: --window wants a number from 1 to 1000000, not '{}'\n", *window);
        return std::nullopt;
      }
    } else if (auto dir = value("--dir")) {
      o.dir = std::string(*dir);
    } else if (auto openssl = value("--openssl")) {
      o.openssl = std::string(*openssl);
    } else if (a == "--help" || a == "-h") {
      fmt::print(
          "axle-bench-audit: durable appends/s and time to acknowledgement, proofs/s and full\n"
          "verification time of axle's audit log, beside `openssl speed sha256` in the same "
          "run.\n\n"
          "  --quick        small log (100,000 events) and short peer runs, for a smoke test\n"
          "  --json         one JSON document on stdout instead of the table\n"
          "  --events=N     events in the log (default 10,000,000: about 3.5 GB on disk)\n"
          "  --window=N     events in flight (submitted, not yet acknowledged) at most (1024)\n"
          "  --no-preallocate  segments grow with each append (LogOptions::preallocate off)\n"
          "  --dir=PATH     where the temporary log goes (default $TMPDIR or /tmp)\n"
          "  --openssl=PATH the openssl binary (default: the first on PATH)\n\n"
          "Example: axle-bench-audit --json > audit.json\n");
      std::exit(0);
    } else {
      fmt::print(stderr, "error: unknown option '{}' (see --help)\n", a);
      return std::nullopt;
    }
  }
  if (o.quick && !events_given) o.events = 100'000;
  if (o.dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    o.dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  return o;
}

struct Percentiles {
  double p50 = 0, p99 = 0, p999 = 0, max = 0;
};

Percentiles percentiles(std::vector<std::int64_t> v, double scale) {
  Percentiles p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    const auto i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
    return static_cast<double>(v[i]) / scale;
  };
  p.p50 = at(0.50);
  p.p99 = at(0.99);
  p.p999 = at(0.999);
  p.max = static_cast<double>(v.back()) / scale;
  return p;
}

nlohmann::ordered_json to_json(const Percentiles& p, std::string_view unit) {
  return {{fmt::format("p50_{}", unit), p.p50},
          {fmt::format("p99_{}", unit), p.p99},
          {fmt::format("p999_{}", unit), p.p999},
          {fmt::format("max_{}", unit), p.max}};
}

// The hardware floor of one durable write here: 4 KiB appended and fdatasync'd, in the same
// directory as the log (docs/benchmarks.md shows it beside the results).
Result<Percentiles> measure_sync_floor(const fs::path& dir, int rounds) {
  const fs::path path = dir / "floor.tmp";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(ErrorCode::kIo, "cannot create " + path.string());
  std::vector<std::uint8_t> block(4096, 0xA5);
  std::vector<std::int64_t> ns;
  for (int i = 0; i < rounds; ++i) {
    const std::int64_t t0 = monotonic_ns();
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size()) ||
        ::fdatasync(fd) != 0) {
      ::close(fd);
      return make_error(ErrorCode::kIo, "write or fdatasync failed in " + dir.string());
    }
    ns.push_back(monotonic_ns() - t0);
  }
  ::close(fd);
  fs::remove(path);
  return percentiles(std::move(ns), 1e3);
}

// 300-byte RFC 5424 audit events that differ in every entry: a template whose target field gets
// the entry's number, so that making an event costs the benchmark almost nothing.
class EventMaker {
 public:
  EventMaker() {
    text_ =
        "<110>1 2026-11-25T10:00:00.000Z gw-1 axle - key.rotate [audit@32473 op=\"key.rotate\" "
        "target=\"key-0000000000\" outcome=\"success\" level=\"HIGH\" "
        "second_confirmation=\"false\"] ";
    digits_ = text_.find("key-0000000000") + 4;
    text_.resize(kEventBytes, 'x');
  }
  std::string_view make(std::uint64_t i) {
    for (std::size_t k = 0; k < 10; ++k) {
      text_[digits_ + 9 - k] = static_cast<char>('0' + i % 10);
      i /= 10;
    }
    return text_;
  }

 private:
  std::string text_;
  std::size_t digits_ = 0;
};

struct AppendResult {
  std::uint64_t events = 0;
  double seconds = 0;
  Percentiles ack_ms;
};

// A closed loop, as a service with a bounded number of requests in flight behaves: one thread
// submits entries and never has more than `window` of them not yet acknowledged; when the window
// is full it blocks in wait_durable() on the oldest. Every entry's time to acknowledgement runs
// from just before its submit() to the moment this thread saw it durable: at a full window, on
// return from wait_durable(); otherwise by polling AuditLog::size() every kPollEvery submits
// (which can only overstate the latency, by at most that many submit() calls). By Little's law
// the mean latency is about window / rate, so the window bounds it; the log's own queue is
// larger than the window and never pushes back.
Result<AppendResult> run_pipelined_appends(audit::AuditLog& log, std::uint64_t events,
                                           std::uint64_t window, bool progress) {
  constexpr std::uint64_t kPollEvery = 32;
  std::vector<std::int64_t> submitted(events, 0);
  std::vector<std::int64_t> latency(events, 0);
  const std::uint64_t base = log.size();
  std::uint64_t acked = 0;  // entries [0, acked) have their latency recorded
  const std::int64_t start = monotonic_ns();
  std::int64_t last_progress = start;
  auto stamp = [&](std::uint64_t durable_end) {
    if (durable_end <= acked) return;
    const std::int64_t now = monotonic_ns();
    for (; acked < durable_end; ++acked) latency[acked] = now - submitted[acked];
    if (progress && now - last_progress > 2'000'000'000) {
      fmt::print(stderr, "  {} of {} events durable\n", acked, events);
      last_progress = now;
    }
  };
  // Blocks until entry `index` is durable, then records every entry durable by then.
  auto wait_for = [&](std::uint64_t index, std::uint64_t submitted_end) -> Result<void> {
    AXLE_RETURN_IF_ERROR(log.wait_durable(base + index, std::chrono::seconds(60)));
    stamp(std::min(log.size() - base, submitted_end));
    return ok();
  };
  EventMaker maker;
  for (std::uint64_t i = 0; i < events; ++i) {
    if (i - acked >= window) AXLE_RETURN_IF_ERROR(wait_for(acked, i));
    const std::string_view text = maker.make(i);
    submitted[i] = monotonic_ns();
    AXLE_RETURN_IF_ERROR(log.submit(text));
    if ((i + 1) % kPollEvery == 0) stamp(std::min(log.size() - base, i + 1));
  }
  if (events > 0) AXLE_RETURN_IF_ERROR(wait_for(events - 1, events));
  AppendResult r;
  r.events = events;
  r.seconds = static_cast<double>(monotonic_ns() - start) / 1e9;
  r.ack_ms = percentiles(std::move(latency), 1e6);
  return r;
}

// The synchronous append(): every caller waits for its own entry, so the group size is the
// number of threads. Shown to explain why the pipelined API exists.
Result<AppendResult> run_synchronous_appends(audit::AuditLog& log, int threads,
                                             std::uint64_t per_thread) {
  std::vector<std::vector<std::int64_t>> latency(static_cast<std::size_t>(threads));
  std::atomic<bool> failed{false};
  const std::int64_t start = monotonic_ns();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      auto& mine = latency[static_cast<std::size_t>(t)];
      EventMaker maker;
      for (std::uint64_t i = 0; i < per_thread && !failed; ++i) {
        const std::string_view text = maker.make(i * 1000 + static_cast<std::uint64_t>(t));
        const std::int64_t t0 = monotonic_ns();
        if (!log.append(text)) failed = true;
        mine.push_back(monotonic_ns() - t0);
      }
    });
  }
  for (auto& th : pool) th.join();
  if (failed) return make_error(ErrorCode::kIo, "a synchronous append failed");
  std::vector<std::int64_t> all;
  for (auto& v : latency) all.insert(all.end(), v.begin(), v.end());
  AppendResult r;
  r.events = all.size();
  r.seconds = static_cast<double>(monotonic_ns() - start) / 1e9;
  r.ack_ms = percentiles(std::move(all), 1e6);
  return r;
}

struct ProofRates {
  double inclusion_built_per_s = 0;
  double inclusion_verified_per_s = 0;
  double consistency_built_per_s = 0;
  double consistency_verified_per_s = 0;
  std::size_t samples = 0;
};

audit::ByteString bytes(const audit::Hash& h) { return {h.begin(), h.end()}; }

// Proofs at random positions of the whole log: built from the durable hash store (O(log n)
// reads each) and checked by the independent verifier module.
Result<ProofRates> run_proofs(const audit::AuditLog& log, std::size_t samples) {
  const std::uint64_t size = log.size();
  AXLE_TRY(const audit::Hash root, log.root(size));
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<std::uint64_t> pick(0, size - 1);
  std::uniform_int_distribution<std::uint64_t> pick_old(1, size - 1);

  struct Inclusion {
    std::uint64_t index;
    audit::Hash leaf;
    std::vector<audit::ByteString> proof;
  };
  std::vector<Inclusion> inclusions;
  inclusions.reserve(samples);
  std::int64_t t0 = monotonic_ns();
  for (std::size_t i = 0; i < samples; ++i) {
    const std::uint64_t index = pick(rng);
    AXLE_TRY(auto proof, log.inclusion_proof(index, size));
    AXLE_TRY(auto leaf, log.leaf_hash_at(index));
    Inclusion inc{index, leaf, {}};
    for (const auto& h : proof) inc.proof.push_back(bytes(h));
    inclusions.push_back(std::move(inc));
  }
  ProofRates r;
  r.samples = samples;
  r.inclusion_built_per_s =
      static_cast<double>(samples) / (static_cast<double>(monotonic_ns() - t0) / 1e9);
  t0 = monotonic_ns();
  for (const Inclusion& inc : inclusions) {
    AXLE_RETURN_IF_ERROR(audit::verify_inclusion(inc.index, size, inc.leaf, inc.proof, root));
  }
  r.inclusion_verified_per_s =
      static_cast<double>(samples) / (static_cast<double>(monotonic_ns() - t0) / 1e9);

  struct Consistency {
    std::uint64_t old_size;
    audit::Hash old_root;
    std::vector<audit::ByteString> proof;
  };
  std::vector<Consistency> consistencies;
  t0 = monotonic_ns();
  for (std::size_t i = 0; i < samples; ++i) {
    const std::uint64_t old_size = pick_old(rng);
    AXLE_TRY(auto proof, log.consistency_proof(old_size, size));
    AXLE_TRY(auto old_root, log.root(old_size));
    Consistency c{old_size, old_root, {}};
    for (const auto& h : proof) c.proof.push_back(bytes(h));
    consistencies.push_back(std::move(c));
  }
  r.consistency_built_per_s =
      static_cast<double>(samples) / (static_cast<double>(monotonic_ns() - t0) / 1e9);
  t0 = monotonic_ns();
  for (const Consistency& c : consistencies) {
    AXLE_RETURN_IF_ERROR(audit::verify_consistency(c.old_size, size, c.old_root, root, c.proof));
  }
  r.consistency_verified_per_s =
      static_cast<double>(samples) / (static_cast<double>(monotonic_ns() - t0) / 1e9);
  return r;
}

// Bytes SHA-256 processes per 300-byte event: the leaf (0x00, the 41-byte watermark header and
// the event) plus, on average, one interior node (0x01 and two hashes).
constexpr double kHashedBytesPerEvent = 1 + 41 + kEventBytes + 65;

std::string verdict(bool pass) { return pass ? "PASS" : "BELOW"; }

int run(int argc, char** argv) {
  const auto options = parse_options(argc, argv);
  if (!options) return kExitUsage;
  BenchTempDir dir(options->dir, "axle-bench-audit");
  if (dir.path().empty()) {
    fmt::print(stderr, "error: cannot create a temporary directory in {}\n", options->dir);
    return kExitFailure;
  }
  auto fail = [](const Error& e) {
    fmt::print(stderr, "error: {}\n", e.to_string());
    return kExitFailure;
  };
  const bool progress = !options->quick;
  nlohmann::ordered_json doc;
  const BuildInfo& build = build_info();
  doc["axle"] = fmt::format("{} ({}, {})", build.version, build.git_commit, build.build_type);
  doc["event_bytes"] = kEventBytes;
  doc["events"] = options->events;
  doc["window"] = options->window;
  doc["preallocate"] = options->preallocate;
  doc["dir"] = options->dir;

  // Peer: openssl speed sha256 on 256- and 1024-byte blocks (an event's leaf is 342 bytes).
  std::optional<double> openssl_bps;
  if (const auto binary = find_openssl(options->openssl)) {
    OpensslSpeed speed(*binary, options->quick ? 1 : 3);
    auto b256 = speed.symmetric({"-evp", "sha256"}, 256);
    auto b1024 = speed.symmetric({"-evp", "sha256"}, 1024);
    if (b256 && b1024) {
      // Linear between the two block sizes, at the bytes one event hashes.
      const double per_block_256 = 256 / *b256;
      const double per_block_1024 = 1024 / *b1024;
      const double seconds_per_event =
          per_block_256 + (per_block_1024 - per_block_256) * (kHashedBytesPerEvent - 256) / 768;
      openssl_bps = kHashedBytesPerEvent / seconds_per_event;
      doc["openssl_sha256"] = {
          {"binary", *binary}, {"bytes_per_s_256", *b256}, {"bytes_per_s_1024", *b1024}};
    } else {
      fmt::print(stderr, "warning: openssl speed failed: {}\n",
                 (!b256 ? b256.error() : b1024.error()).to_string());
    }
  } else {
    fmt::print(stderr, "warning: no openssl found; the peer column is n/a\n");
  }
  const std::optional<double> hash_bound_events =
      openssl_bps ? std::optional(*openssl_bps / kHashedBytesPerEvent) : std::nullopt;

  if (progress) fmt::print(stderr, "measuring the append + fdatasync floor in {}\n", options->dir);
  auto floor_before = measure_sync_floor(dir.path(), options->quick ? 20 : 200);
  if (!floor_before) return fail(floor_before.error());

  audit::LogOptions log_options;
  log_options.dir = dir.path() / "log";
  // The window, not the log's queue, bounds what is in flight (run_pipelined_appends).
  log_options.queue_capacity = options->window;
  log_options.max_batch = 256;
  log_options.preallocate = options->preallocate;
  auto log = audit::AuditLog::open(log_options);
  if (!log) return fail(log.error());
  if (progress)
    fmt::print(stderr, "appending {} events of {} bytes\n", options->events, kEventBytes);
  auto appended = run_pipelined_appends(**log, options->events, options->window, progress);
  if (!appended) return fail(appended.error());
  const double events_per_s = static_cast<double>(appended->events) / appended->seconds;

  if (progress) fmt::print(stderr, "synchronous append(), 8 threads\n");
  auto sync_dir = audit::LogOptions{};
  sync_dir.dir = dir.path() / "sync-log";
  auto sync_log = audit::AuditLog::open(sync_dir);
  if (!sync_log) return fail(sync_log.error());
  auto synchronous = run_synchronous_appends(**sync_log, 8, options->quick ? 200 : 2000);
  if (!synchronous) return fail(synchronous.error());
  sync_log->reset();

  if (progress) fmt::print(stderr, "proofs on the log of {} entries\n", (*log)->size());
  auto proofs = run_proofs(**log, options->quick ? 2000 : 20000);
  if (!proofs) return fail(proofs.error());
  log->reset();  // closes the log: verification reads it as an auditor would

  if (progress) fmt::print(stderr, "verifying the whole log\n");
  const std::int64_t v0 = monotonic_ns();
  auto report = audit::verify_log(log_options.dir);
  const double verify_s = static_cast<double>(monotonic_ns() - v0) / 1e9;
  if (!report) return fail(report.error());
  if (!report->ok() || report->entries != options->events) {
    fmt::print(stderr, "error: the benchmark's log does not verify ({} findings)\n",
               report->findings.size());
    return kExitFailure;
  }
  const double verify_s_per_million = verify_s / (static_cast<double>(options->events) / 1e6);
  auto floor_after = measure_sync_floor(dir.path(), options->quick ? 20 : 200);
  if (!floor_after) return fail(floor_after.error());

  const bool rate_ok = events_per_s >= kGoalEventsPerS;
  const bool ack_ok = appended->ack_ms.p99 < kGoalAckP99Ms;
  doc["floor_fdatasync_4k_us"] = {{"before", to_json(*floor_before, "us")},
                                  {"after", to_json(*floor_after, "us")}};
  doc["pipelined_appends"] = {
      {"events_per_s", events_per_s},           {"mb_per_s", events_per_s * kEventBytes / 1e6},
      {"ack", to_json(appended->ack_ms, "ms")}, {"goal_events_per_s", kGoalEventsPerS},
      {"goal_ack_p99_ms", kGoalAckP99Ms},       {"meets_goal", rate_ok && ack_ok}};
  if (hash_bound_events) {
    doc["pipelined_appends"]["openssl_sha256_bound_events_per_s"] = *hash_bound_events;
    doc["pipelined_appends"]["ratio_to_openssl_bound"] = events_per_s / *hash_bound_events;
  }
  doc["synchronous_appends_8_threads"] = {
      {"events_per_s", static_cast<double>(synchronous->events) / synchronous->seconds},
      {"ack", to_json(synchronous->ack_ms, "ms")}};
  doc["proofs"] = {{"log_size", options->events},
                   {"samples", proofs->samples},
                   {"inclusion_built_per_s", proofs->inclusion_built_per_s},
                   {"inclusion_verified_per_s", proofs->inclusion_verified_per_s},
                   {"consistency_built_per_s", proofs->consistency_built_per_s},
                   {"consistency_verified_per_s", proofs->consistency_verified_per_s}};
  const double verify_entries_per_s = static_cast<double>(options->events) / verify_s;
  doc["full_verification"] = {{"entries", report->entries},
                              {"seconds", verify_s},
                              {"seconds_per_million", verify_s_per_million},
                              {"entries_per_s", verify_entries_per_s}};
  if (hash_bound_events) {
    doc["full_verification"]["ratio_to_openssl_bound"] = verify_entries_per_s / *hash_bound_events;
  }

  if (options->json) {
    fmt::print("{}\n", doc.dump(2));
    return 0;
  }
  auto ratio = [&](double rate) {
    return hash_bound_events ? fmt::format("{:.2f}", rate / *hash_bound_events) : "n/a";
  };
  fmt::print("axle {} — audit log benchmark, {} events of {} bytes in {}\n",
             doc["axle"].get<std::string>(), options->events, kEventBytes, options->dir);
  fmt::print(
      "floor: 4 KiB append + fdatasync here: p50 {:.0f} µs, p99 {:.0f} µs before; p50 "
      "{:.0f} µs, p99 {:.0f} µs after\n",
      floor_before->p50, floor_before->p99, floor_after->p50, floor_after->p99);
  if (hash_bound_events) {
    fmt::print(
        "peer: openssl speed sha256: {:.0f} MB/s at 256 B, {:.0f} MB/s at 1 KiB; one event "
        "hashes {:.0f} bytes, so one core hashes at most {:.0f} events/s (the 'bound')\n",
        doc["openssl_sha256"]["bytes_per_s_256"].get<double>() / 1e6,
        doc["openssl_sha256"]["bytes_per_s_1024"].get<double>() / 1e6, kHashedBytesPerEvent,
        *hash_bound_events);
  }
  fmt::print("\n{:<44} {:>14} {:>9} {:>9} {:>9} {:>9} {:>9}  {}\n", "measure", "rate", "p50 ms",
             "p99 ms", "p99.9 ms", "max ms", "/bound", "goal");
  fmt::print(
      "{:<44} {:>10.0f} ev/s {:>9.2f} {:>9.2f} {:>9.2f} {:>9.2f} {:>9}  {} (>= 500k/s, "
      "p99 < 5 ms)\n",
      fmt::format("durable appends, window {}{}", options->window,
                  options->preallocate ? "" : ", no prealloc"),
      events_per_s, appended->ack_ms.p50, appended->ack_ms.p99, appended->ack_ms.p999,
      appended->ack_ms.max, ratio(events_per_s), verdict(rate_ok && ack_ok));
  fmt::print("{:<44} {:>10.0f} ev/s {:>9.2f} {:>9.2f} {:>9.2f} {:>9.2f} {:>9}  -\n",
             "durable appends, append() x 8 threads",
             doc["synchronous_appends_8_threads"]["events_per_s"].get<double>(),
             synchronous->ack_ms.p50, synchronous->ack_ms.p99, synchronous->ack_ms.p999,
             synchronous->ack_ms.max, "");
  fmt::print("{:<44} {:>10.0f} /s\n", "inclusion proofs built (random leaf)",
             proofs->inclusion_built_per_s);
  fmt::print("{:<44} {:>10.0f} /s\n", "inclusion proofs verified",
             proofs->inclusion_verified_per_s);
  fmt::print("{:<44} {:>10.0f} /s\n", "consistency proofs built (random old size)",
             proofs->consistency_built_per_s);
  fmt::print("{:<44} {:>10.0f} /s\n", "consistency proofs verified",
             proofs->consistency_verified_per_s);
  fmt::print("{:<44} {:>10.2f} s/M  ({:.0f} entries/s) {:>17}\n",
             "full verification (read, CRC, hashes, tree)", verify_s_per_million,
             verify_entries_per_s, ratio(verify_entries_per_s));
  return 0;
}

}  // namespace
}  // namespace axle::bench

int main(int argc, char** argv) { return axle::bench::run(argc, argv); }
