// axle-bench-crypto: the throughput of axle's crypto primitives beside `openssl speed`, in one run.
//
// Every row measures one primitive at one size through axle (Google Benchmark, wall clock, one
// thread) and through `openssl speed -mr -elapsed` (a child process, one thread), in alternating
// rounds (axle then openssl, openssl then axle, ...) on the same pinned CPU, so that both see the
// same machine state; it prints each side's best round, their ratio, the spread of the per-round
// ratios, the CPU other processes used meanwhile, and whether the ratio meets the goal (>= 0.9).
// What each side does per operation is written in docs/benchmarks.md.
//
//   axle-bench-crypto [--quick] [--json] [--rounds=N] [--seconds=N] [--openssl=PATH]
//                     [benchmark flags]
//
// Exit status: 0 when every primitive ran (also when openssl is missing: ratios are then "n/a"),
// 1 when a primitive or an `openssl speed` run failed, 2 on a usage error.

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "axle/core/build_info.hpp"
#include "axle/crypto/aead.hpp"
#include "axle/crypto/hash.hpp"
#include "axle/crypto/keys.hpp"
#include "axle/crypto/mac.hpp"
#include "axle/crypto/provider.hpp"
#include "openssl_speed.hpp"

namespace axle::bench {
namespace {

constexpr double kGoalRatio = 0.9;
// apps/speed.c signs and verifies a 20-byte buffer (ECDSA: as the digest itself).
constexpr std::size_t kSignedMessageSize = 20;
// `openssl speed -aead`: a TLS-like 13-byte AAD before each message.
constexpr std::size_t kAadSize = 13;
constexpr std::size_t kHkdfOutputSize = 32;
constexpr std::size_t kMaxBlock = 16384;
// openssl speed's default block sizes.
constexpr std::array<std::size_t, 6> kAllBlockSizes = {16, 64, 256, 1024, 8192, 16384};
constexpr std::array<std::size_t, 2> kQuickBlockSizes = {16, 16384};

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct Options {
  bool quick = false;
  bool json = false;
  int rounds = 3;            // alternating axle/openssl rounds per row
  int seconds = 1;           // per round: openssl speed -seconds, and axle's measured time
  std::string openssl_path;  // empty: the first openssl on PATH
};

enum class Unit { kBytes, kOps };

struct Row {
  std::string primitive;
  std::size_t size = 0;  // bytes hashed/encrypted/signed, or HKDF output bytes
  Unit unit = Unit::kBytes;
  std::vector<double> axle;     // per round: bytes or operations per second
  std::vector<double> openssl;  // per round; empty without a peer
  std::string no_peer_reason;   // why `openssl` is empty
  std::optional<double> others_percent;

  // Each side's best round: the one least disturbed by anything else on the machine.
  [[nodiscard]] double axle_best() const { return *std::max_element(axle.begin(), axle.end()); }
  [[nodiscard]] std::optional<double> openssl_best() const {
    if (openssl.empty()) return std::nullopt;
    return *std::max_element(openssl.begin(), openssl.end());
  }
  [[nodiscard]] std::optional<double> ratio() const {
    const auto peer = openssl_best();
    if (!peer || *peer <= 0) return std::nullopt;
    return axle_best() / *peer;
  }
  // The lowest and highest ratio of one round's axle and openssl rates.
  [[nodiscard]] std::optional<std::pair<double, double>> round_ratio_range() const {
    if (openssl.size() != axle.size() || axle.size() < 2) return std::nullopt;
    std::pair<double, double> range{axle[0] / openssl[0], axle[0] / openssl[0]};
    for (std::size_t i = 1; i < axle.size(); ++i) {
      const double q = axle[i] / openssl[i];
      range = {std::min(range.first, q), std::max(range.second, q)};
    }
    return range;
  }
};

Row make_row(std::string primitive, std::size_t size, Unit unit) {
  Row row;
  row.primitive = std::move(primitive);
  row.size = size;
  row.unit = unit;
  return row;
}

using BenchBody = std::function<void(benchmark::State&)>;

// ---------------------------------------------------------------------------------------------
// The axle side

// A benchmark body that calls `op` (returning an axle::Result) once per iteration.
template <typename Op>
BenchBody loop(Op op) {
  return [op](benchmark::State& state) mutable {
    for (auto _ : state) {
      auto result = op();
      if (!result) {
        state.SkipWithError(result.error().to_string().c_str());
        break;
      }
      benchmark::DoNotOptimize(result);
    }
  };
}

// What one Google Benchmark run reported, kept instead of printed.
struct RunRecord {
  bool iteration_run = false;  // false for aggregates (mean, median, ...)
  bool error = false;
  std::string error_message;
  double iterations = 0;
  double real_seconds = 0;
};

class Collector final : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      records_.push_back(RunRecord{run.run_type == Run::RT_Iteration, run.error_occurred,
                                   run.error_message, static_cast<double>(run.iterations),
                                   run.real_accumulated_time});
    }
  }
  [[nodiscard]] const std::vector<RunRecord>& records() const noexcept { return records_; }

 private:
  std::vector<RunRecord> records_;
};

// --benchmark_filter applied to row names ("sha256/16", "ed25519-sign", ...) before anything runs,
// so that an excluded row runs neither side. Like Google Benchmark: empty or "all" selects every
// row, a leading '-' negates, the rest is a POSIX extended regex searched in the name.
class RowFilter {
 public:
  static std::optional<RowFilter> parse(std::string spec) {
    RowFilter filter;
    if (spec.empty() || spec == "all") return filter;
    if (spec.front() == '-') {
      filter.negate_ = true;
      spec.erase(0, 1);
    }
    try {
      filter.regex_ = std::regex(spec, std::regex::extended | std::regex::nosubs);
    } catch (const std::regex_error& e) {
      fmt::print(stderr, "error: --benchmark_filter '{}' is not a valid regex: {}\n", spec,
                 e.what());
      return std::nullopt;
    }
    return filter;
  }

  [[nodiscard]] bool selects(const std::string& name) const {
    if (!regex_) return true;
    return std::regex_search(name, *regex_) != negate_;
  }

 private:
  std::optional<std::regex> regex_;
  bool negate_ = false;
};

// How long Google Benchmark runs one measurement: calibrated to a minimum time (the first round),
// or a fixed iteration count (the later rounds, sized from the first to last about as long as
// openssl's -seconds).
struct Timing {
  double min_time_s = 0;
  benchmark::IterationCount iterations = 0;  // used when > 0
};

// Runs `body` as the only registered Google Benchmark and returns its operations per second of
// wall time (the median over --benchmark_repetitions).
Result<double> measure(const std::string& name, const BenchBody& body, Timing timing) {
  // The registry owns the benchmark until ClearRegisteredBenchmarks below.
  // NOLINTNEXTLINE(clang-analyzer-cplusplus.NewDeleteLeaks)
  benchmark::internal::Benchmark* b = benchmark::RegisterBenchmark(name.c_str(), body);
  if (timing.iterations > 0) {
    b->Iterations(timing.iterations);
  } else {
    b->MinTime(timing.min_time_s);
  }
  Collector collector;
  // The row filter already chose this row; "." keeps Google Benchmark from filtering again.
  benchmark::RunSpecifiedBenchmarks(&collector, ".");
  benchmark::ClearRegisteredBenchmarks();

  std::vector<double> rates;
  for (const RunRecord& run : collector.records()) {
    if (!run.iteration_run) continue;
    if (run.error) return Error{ErrorCode::kInternal, name + " failed: " + run.error_message};
    if (run.real_seconds > 0) rates.push_back(run.iterations / run.real_seconds);
  }
  if (rates.empty()) {
    return Error{ErrorCode::kInternal, name +
                                           " reported no timed run (is --benchmark_list_tests "
                                           "or --benchmark_dry_run set?)"};
  }
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}

// How much CPU other processes used while a row ran: the machine's busy time (/proc/stat) minus
// this process's and its reaped children's (getrusage). On a shared 2-vCPU machine a row measured
// beside a compiler is not comparable, and this makes that visible instead of silent. A row has
// phases (axle's measurement, openssl's); the worst phase counts, since load during only one side
// skews the ratio as much as load during both.
class LoadProbe {
 public:
  LoadProbe() : start_(sample()) {}

  // Ends the current phase and starts the next one.
  void next_phase() {
    worst_ = worse(worst_, phase_percent());
    start_ = sample();
  }

  // The highest percent of one CPU that others used in any phase so far, the current one
  // included; nullopt without /proc/stat.
  [[nodiscard]] std::optional<double> others_percent() const {
    return worse(worst_, phase_percent());
  }

 private:
 private:
  struct Sample {
    std::optional<double> machine_busy_s;
    double own_s = 0;
    std::chrono::steady_clock::time_point wall;
  };

  static Sample sample() {
    Sample s;
    s.wall = std::chrono::steady_clock::now();
    for (const int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
      rusage usage{};
      if (::getrusage(who, &usage) != 0) continue;
      for (const timeval& tv : {usage.ru_utime, usage.ru_stime}) {
        s.own_s += static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
      }
    }
    // "cpu  user nice system idle iowait irq softirq steal ...", in clock ticks (proc(5)).
    std::ifstream stat("/proc/stat");
    std::string label;
    std::array<double, 7> ticks{};
    if (stat >> label && label == "cpu") {
      for (double& t : ticks) stat >> t;
      const long hz = ::sysconf(_SC_CLK_TCK);
      if (stat && hz > 0) {
        const double busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6];
        s.machine_busy_s = busy / static_cast<double>(hz);
      }
    }
    return s;
  }

  static std::optional<double> worse(std::optional<double> a, std::optional<double> b) {
    if (!a) return b;
    if (!b) return a;
    return std::max(*a, *b);
  }

  [[nodiscard]] std::optional<double> phase_percent() const {
    const Sample end = sample();
    if (!start_.machine_busy_s || !end.machine_busy_s) return std::nullopt;
    const double wall = std::chrono::duration<double>(end.wall - start_.wall).count();
    if (wall <= 0) return std::nullopt;
    const double others =
        (*end.machine_busy_s - *start_.machine_busy_s) - (end.own_s - start_.own_s);
    // More than every CPU for the whole phase is a counter glitch (seen once on this VM), not a
    // measurement.
    const double cpus = std::max(1U, std::thread::hardware_concurrency());
    if (others > 1.1 * cpus * wall) return std::nullopt;
    return std::max(0.0, others) / wall * 100;
  }

  Sample start_;
  std::optional<double> worst_;
};

// Above this, a row is marked as measured on a busy machine. An idle machine reads up to ~10%
// (kernel threads, and /proc/stat counts in ticks where getrusage is exact); a compiler beside the
// run reads 50-100%.
constexpr double kBusyOthersPercent = 20;

struct Signer {
  crypto::PrivateKey key;
  crypto::PublicKey public_key;
  std::vector<std::uint8_t> signature;  // of the benchmark message; verifies
};

Result<Signer> make_signer(crypto::KeyType type, std::span<const std::uint8_t> message) {
  AXLE_TRY(crypto::PrivateKey key, crypto::PrivateKey::generate(type));
  AXLE_TRY(crypto::PublicKey public_key, key.public_key());
  AXLE_TRY(std::vector<std::uint8_t> signature, key.sign(message));
  // The verify rows must measure the acceptance of a valid signature.
  AXLE_RETURN_IF_ERROR(public_key.verify(message, signature));
  return Signer{std::move(key), std::move(public_key), std::move(signature)};
}

template <std::size_t N>
std::array<std::uint8_t, N> pattern(std::uint8_t seed) {
  std::array<std::uint8_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<std::uint8_t>(seed + 31 * i);
  return out;
}

// Inputs shared by all rows; keys are fixed patterns (their values do not change the cost).
struct Fixtures {
  std::array<std::uint8_t, kMaxBlock> payload = pattern<kMaxBlock>(1);
  std::array<std::uint8_t, 32> hmac_key = pattern<32>(2);
  std::array<std::uint8_t, 32> aes_key = pattern<32>(3);
  std::array<std::uint8_t, crypto::kAesGcmNonceSize> nonce = pattern<crypto::kAesGcmNonceSize>(4);
  std::array<std::uint8_t, kAadSize> aad = pattern<kAadSize>(5);
  std::array<std::uint8_t, 32> hkdf_salt = pattern<32>(6);
  std::array<std::uint8_t, 32> hkdf_ikm = pattern<32>(7);
  std::array<std::uint8_t, 16> hkdf_info = pattern<16>(8);
  std::array<std::uint8_t, kSignedMessageSize> message = pattern<kSignedMessageSize>(9);
};

enum class Symmetric { kSha256, kSha512, kHmacSha256, kAes256GcmSeal };

struct SymmetricSpec {
  Symmetric which;
  std::string_view name;
  std::vector<std::string> openssl_selection;  // what follows `openssl speed ... -bytes N`
};

const std::vector<SymmetricSpec>& symmetric_specs() {
  static const std::vector<SymmetricSpec> specs = {
      {Symmetric::kSha256, "sha256", {"-evp", "sha256"}},
      {Symmetric::kSha512, "sha512", {"-evp", "sha512"}},
      {Symmetric::kHmacSha256, "hmac-sha256", {"-hmac", "sha256"}},
      // -aead: a whole message per operation (IV, AAD, data, tag), as aes_gcm_seal does; plain
      // `-evp aes-256-gcm` would time one endless stream of EVP_EncryptUpdate calls instead.
      {Symmetric::kAes256GcmSeal, "aes-256-gcm-seal", {"-aead", "-evp", "aes-256-gcm"}},
  };
  return specs;
}

BenchBody symmetric_body(Symmetric which, const Fixtures& f, std::size_t size) {
  const std::span<const std::uint8_t> data(f.payload.data(), size);
  switch (which) {
    case Symmetric::kSha256: return loop([data] { return crypto::sha256(data); });
    case Symmetric::kSha512: return loop([data] { return crypto::sha512(data); });
    case Symmetric::kHmacSha256:
      return loop([&f, data] { return crypto::hmac_sha256(f.hmac_key, data); });
    case Symmetric::kAes256GcmSeal:
      // One nonce for every message, as openssl speed does: the output is thrown away, and the
      // cost of a seal does not depend on the nonce's value.
      return loop([&f, data] { return crypto::aes_gcm_seal(f.aes_key, f.nonce, f.aad, data); });
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Output

std::string format_rate(double per_s, Unit unit) {
  if (unit == Unit::kBytes) return fmt::format("{:.1f} MB/s", per_s / 1e6);
  return fmt::format("{:.0f} ops/s", per_s);
}

class Printer {
 public:
  explicit Printer(bool json) : json_(json) {}

  void header(const std::vector<std::string>& lines) const {
    if (json_) return;
    for (const std::string& line : lines) fmt::print("{}\n", line);
    fmt::print("\n{:<18} {:>8} {:>14} {:>14} {:>6} {:>11} {:>7}  {}\n", "primitive", "size", "axle",
               "openssl speed", "ratio", "round range", "others", "goal >= 0.90");
    std::fflush(stdout);
  }

  void row(const Row& r) const {
    const std::optional<double> q = r.ratio();
    const std::optional<double> peer = r.openssl_best();
    if (json_) {
      nlohmann::ordered_json j = {{"primitive", r.primitive},
                                  {"size", r.size},
                                  {"axle_per_s", r.axle_best()},
                                  {"openssl_per_s", nullptr},
                                  {"unit", r.unit == Unit::kBytes ? "bytes/s" : "ops/s"},
                                  {"ratio", nullptr}};
      if (peer) j["openssl_per_s"] = *peer;
      if (q) j["ratio"] = *q;
      fmt::print("{}\n", j.dump());
    } else {
      const auto range = r.round_ratio_range();
      const std::string verdict =
          q ? (*q >= kGoalRatio ? "PASS" : "BELOW") : "n/a: " + r.no_peer_reason;
      fmt::print("{:<18} {:>8} {:>14} {:>14} {:>6} {:>11} {:>7}  {}\n", r.primitive,
                 fmt::format("{} B", r.size), format_rate(r.axle_best(), r.unit),
                 peer ? format_rate(*peer, r.unit) : "-", q ? fmt::format("{:.2f}", *q) : "n/a",
                 range ? fmt::format("{:.2f}-{:.2f}", range->first, range->second) : "-",
                 r.others_percent ? fmt::format("{:.0f}%", *r.others_percent) : "-", verdict);
    }
    std::fflush(stdout);
  }

 private:
  bool json_;
};

// ---------------------------------------------------------------------------------------------
// The run

class CryptoBench {
 public:
  CryptoBench(const Options& options, RowFilter filter, std::optional<OpensslSpeed> peer,
              const Fixtures& fixtures, const Signer& ed25519, const Signer& ecdsa,
              const Printer& printer)
      : options_(options),
        filter_(std::move(filter)),
        peer_(std::move(peer)),
        f_(fixtures),
        ed25519_(ed25519),
        ecdsa_(ecdsa),
        printer_(printer) {}

  // Runs every row; false when a primitive or a peer run failed (reported on stderr).
  bool run_all() {
    const std::span<const std::size_t> sizes = options_.quick
                                                   ? std::span<const std::size_t>(kQuickBlockSizes)
                                                   : std::span<const std::size_t>(kAllBlockSizes);
    for (const SymmetricSpec& spec : symmetric_specs()) {
      for (const std::size_t size : sizes) run_symmetric(spec, size);
    }
    run_signature("ed25519", "ed25519", ed25519_);
    run_signature("ecdsa-p256", "ecdsap256", ecdsa_);
    run_hkdf();
    return ok_;
  }

  [[nodiscard]] int rows() const noexcept { return rows_; }
  // Rows during which other processes used more than kBusyOthersPercent of a CPU.
  [[nodiscard]] int busy_rows() const noexcept { return busy_rows_; }

 private:
  // The axle rate (per second) of `name` in round `round`, sized from round 0's rate.
  // nullopt when the primitive failed (then ok_ is false).
  std::optional<double> axle(const std::string& name, const BenchBody& body, int round,
                             std::optional<double> first_rate) {
    Timing timing{.min_time_s = options_.quick ? 0.05 : 0.5 * options_.seconds, .iterations = 0};
    if (round > 0 && first_rate) {
      timing.iterations = std::max<benchmark::IterationCount>(
          1, static_cast<benchmark::IterationCount>(*first_rate * options_.seconds));
    }
    auto rate = measure(name, body, timing);
    if (!rate) return fail(rate.error().message);
    return *rate;
  }

  std::optional<double> fail(const std::string& message) {
    fmt::print(stderr, "error: {}\n", message);
    ok_ = false;
    return std::nullopt;
  }

  void emit(Row row) {
    if (!peer_ && row.no_peer_reason.empty()) row.no_peer_reason = "openssl not found";
    if (row.others_percent && *row.others_percent > kBusyOthersPercent) ++busy_rows_;
    printer_.row(row);
    ++rows_;
  }

  // Runs `rounds` rounds of `axle_side` and `peer_side` (each returns false to stop), axle first
  // in even rounds and openssl first in odd ones; returns the worst load other processes caused.
  template <typename AxleSide, typename PeerSide>
  std::optional<double> alternate(AxleSide axle_side, PeerSide peer_side) {
    LoadProbe probe;
    for (int round = 0; round < options_.rounds; ++round) {
      const bool axle_first = round % 2 == 0;
      for (int half = 0; half < 2; ++half) {
        if (half > 0) probe.next_phase();
        const bool axle_turn = (half == 0) == axle_first;
        const bool ran = axle_turn ? axle_side(round) : peer_side();
        if (!ran) return probe.others_percent();
      }
      probe.next_phase();
    }
    return probe.others_percent();
  }

  void run_symmetric(const SymmetricSpec& spec, std::size_t size) {
    const std::string name = fmt::format("{}/{}", spec.name, size);
    if (!filter_.selects(name)) return;
    const BenchBody body = symmetric_body(spec.which, f_, size);
    Row row = make_row(std::string(spec.name), size, Unit::kBytes);
    bool axle_ok = true;
    bool peer_ok = peer_.has_value();
    row.others_percent = alternate(
        [&](int round) {
          const auto ops = axle(name, body, round, first_or_none(row.axle, size));
          if (ops) row.axle.push_back(*ops * static_cast<double>(size));
          axle_ok = ops.has_value();
          return axle_ok;
        },
        [&] {
          if (!peer_ok) return true;
          auto rate = peer_->symmetric(spec.openssl_selection, size);
          if (rate) {
            row.openssl.push_back(*rate);
          } else {
            fail(rate.error().message);
            peer_ok = false;
          }
          return true;
        });
    if (!axle_ok) return;
    if (peer_ && !peer_ok) {
      row.openssl.clear();
      row.no_peer_reason = "openssl speed failed";
    }
    emit(std::move(row));
  }

  // Round 0's axle rate in operations per second, from a row's per-second rate of `unit_size`
  // units (bytes, or 1 for operations).
  static std::optional<double> first_or_none(const std::vector<double>& rates,
                                             std::size_t unit_size) {
    if (rates.empty()) return std::nullopt;
    return rates.front() / static_cast<double>(unit_size);
  }

  // A round is: axle sign then verify, and openssl's sign and verify of the same algorithm.
  void run_signature(std::string_view name, const std::string& openssl_name, const Signer& signer) {
    const std::span<const std::uint8_t> message(f_.message);
    const std::string sign_name = fmt::format("{}-sign", name);
    const std::string verify_name = fmt::format("{}-verify", name);
    const bool do_sign = filter_.selects(sign_name);
    const bool do_verify = filter_.selects(verify_name);
    if (!do_sign && !do_verify) return;
    const BenchBody sign_body = loop([&signer, message] { return signer.key.sign(message); });
    const BenchBody verify_body =
        loop([&signer, message] { return signer.public_key.verify(message, signer.signature); });
    Row sign = make_row(sign_name, kSignedMessageSize, Unit::kOps);
    Row verify = make_row(verify_name, kSignedMessageSize, Unit::kOps);
    bool axle_ok = true;
    bool peer_ok = peer_.has_value();
    const auto others = alternate(
        [&](int round) {
          for (auto [wanted, row, body] : {std::tuple(do_sign, &sign, &sign_body),
                                           std::tuple(do_verify, &verify, &verify_body)}) {
            if (!wanted) continue;
            const auto ops = axle(row->primitive, *body, round, first_or_none(row->axle, 1));
            if (!ops) {
              axle_ok = false;
              return false;
            }
            row->axle.push_back(*ops);
          }
          return true;
        },
        [&] {
          if (!peer_ok) return true;
          auto rates = peer_->signature(openssl_name);
          if (rates) {
            sign.openssl.push_back(rates->sign_per_s);
            verify.openssl.push_back(rates->verify_per_s);
          } else {
            fail(rates.error().message);
            peer_ok = false;
          }
          return true;
        });
    if (!axle_ok) return;
    for (auto [wanted, row] : {std::pair(do_sign, &sign), std::pair(do_verify, &verify)}) {
      if (!wanted) continue;
      if (peer_ && !peer_ok) {
        row->openssl.clear();
        row->no_peer_reason = "openssl speed failed";
      }
      row->others_percent = others;
      emit(std::move(*row));
    }
  }

  void run_hkdf() {
    const std::string name = "hkdf-sha256";
    if (!filter_.selects(name)) return;
    const BenchBody body = loop([this] {
      return crypto::hkdf_sha256(f_.hkdf_salt, f_.hkdf_ikm, f_.hkdf_info, kHkdfOutputSize);
    });
    Row row = make_row(name, kHkdfOutputSize, Unit::kOps);
    row.no_peer_reason = "no openssl speed peer";
    bool axle_ok = true;
    row.others_percent = alternate(
        [&](int round) {
          const auto ops = axle(name, body, round, first_or_none(row.axle, 1));
          if (ops) row.axle.push_back(*ops);
          axle_ok = ops.has_value();
          return axle_ok;
        },
        [] { return true; });
    if (axle_ok) emit(std::move(row));
  }

  const Options& options_;
  RowFilter filter_;
  std::optional<OpensslSpeed> peer_;
  const Fixtures& f_;
  const Signer& ed25519_;
  const Signer& ecdsa_;
  const Printer& printer_;
  bool ok_ = true;
  int rows_ = 0;
  int busy_rows_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Command line

constexpr std::string_view kUsage =
    R"(usage: axle-bench-crypto [--quick] [--json] [--rounds=N] [--seconds=N] [--openssl=PATH]
                         [benchmark flags]

Measures SHA-256, SHA-512, HMAC-SHA256, AES-256-GCM seal (16 B .. 16 KiB), Ed25519 and ECDSA P-256
sign/verify and HKDF-SHA256 through axle, each next to `openssl speed` in the same run, and prints
rates and the ratio axle/openssl (goal >= 0.90).

  --quick          short run (< 20 s): block sizes 16 and 16384, one round, short axle runs
  --json           one JSON record per row on stdout (each side's best round):
                   {"primitive","size","axle_per_s","openssl_per_s","unit","ratio"}
  --rounds=N       alternating axle/openssl rounds per row; each side's best counts (default 3)
  --seconds=N      per round: openssl speed -seconds N, and about N s of axle (default 1)
  --openssl=PATH   the openssl binary (default: the first openssl on PATH)

Google Benchmark flags are accepted: --benchmark_filter=<regex> selects rows by name (sha256/16,
hmac-sha256/1024, aes-256-gcm-seal/8192, ed25519-sign, ecdsa-p256-verify, hkdf-sha256, ...; a
leading '-' negates). --seconds and --rounds set the time, not --benchmark_min_time.
)";

void print_usage() {
  fmt::print("{}\n", kUsage);
  benchmark::PrintDefaultHelp();
}

// The whole number 1..max after `prefix` in `arg`.
std::optional<int> parse_count(std::string_view arg, std::string_view prefix, int max) {
  const std::string_view value = arg.substr(prefix.size());
  int n = 0;
  const char* end = value.data() + value.size();
  const auto [ptr, ec] = std::from_chars(value.data(), end, n);
  if (ec != std::errc() || ptr != end || n < 1 || n > max) {
    fmt::print(stderr, "error: {} wants a whole number from 1 to {}, got '{}'\n",
               prefix.substr(0, prefix.size() - 1), max, value);
    return std::nullopt;
  }
  return n;
}

std::optional<Options> parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--quick") {
      options.quick = true;
    } else if (arg == "--json") {
      options.json = true;
    } else if (arg.starts_with("--openssl=")) {
      options.openssl_path = std::string(arg.substr(std::string_view("--openssl=").size()));
    } else if (arg.starts_with("--seconds=")) {
      const auto value = parse_count(arg, "--seconds=", 60);
      if (!value) return std::nullopt;
      options.seconds = *value;
    } else if (arg.starts_with("--rounds=")) {
      const auto value = parse_count(arg, "--rounds=", 20);
      if (!value) return std::nullopt;
      options.rounds = *value;
    } else {
      fmt::print(stderr, "error: unknown argument '{}'; see --help\n", arg);
      return std::nullopt;
    }
  }
  if (options.quick) {
    options.rounds = 1;
    options.seconds = 1;
  }
  return options;
}

int run(int argc, char** argv) {
  benchmark::Initialize(&argc, argv, print_usage);
  const std::optional<Options> options = parse_options(argc, argv);
  if (!options) return kExitUsage;
  std::optional<RowFilter> filter = RowFilter::parse(benchmark::GetBenchmarkFilter());
  if (!filter) return kExitUsage;
  const Printer printer(options->json);
  const std::string cpu_line = pin_to_current_cpu();

  std::optional<OpensslSpeed> peer;
  std::string peer_line;
  if (const auto binary = find_openssl(options->openssl_path)) {
    peer.emplace(*binary, options->seconds);
    auto version = peer->version();
    peer_line = fmt::format("peer: {} ({}), openssl speed -mr -elapsed -seconds {} per round",
                            *binary, version ? *version : "version unknown", options->seconds);
  } else {
    fmt::print(
        stderr,
        "warning: {} is not an executable openssl; reporting axle's numbers only, every "
        "ratio is n/a. Install openssl (apt-get install openssl) or pass --openssl=PATH.\n",
        options->openssl_path.empty() ? "no openssl on PATH, so there" : options->openssl_path);
    peer_line = "peer: none (openssl not found)";
  }

  const Fixtures fixtures;
  const std::span<const std::uint8_t> message(fixtures.message);
  auto ed25519 = make_signer(crypto::KeyType::kEd25519, message);
  auto ecdsa = make_signer(crypto::KeyType::kEcdsaP256, message);
  for (const auto* signer : {&ed25519, &ecdsa}) {
    if (!*signer) {
      fmt::print(stderr, "error: cannot prepare a signing key: {}\n", signer->error().to_string());
      return kExitFailure;
    }
  }

  const BuildInfo& build = build_info();
  printer.header({
      fmt::format("axle {} ({}, {}, {}), linked with {}", build.version, build.git_commit,
                  build.build_type, build.compiler, crypto::openssl_version()),
      peer_line,
      fmt::format("axle: Google Benchmark, about {} s per round; {} alternating round(s) per row, "
                  "each side's best shown; one thread, wall-clock rates; MB = 10^6 bytes",
                  options->quick ? 0.05 : options->seconds, options->rounds),
      cpu_line,
      "round range: lowest-highest ratio of one round's axle and openssl rates",
      "others: CPU used by other processes during the row, in % of one CPU (0% when idle)",
  });

  CryptoBench bench(*options, std::move(*filter), std::move(peer), fixtures, *ed25519, *ecdsa,
                    printer);
  const bool ok = bench.run_all();
  benchmark::Shutdown();
  if (bench.rows() == 0) {
    fmt::print(stderr, "error: no benchmark matched --benchmark_filter\n");
    return kExitFailure;
  }
  if (bench.busy_rows() > 0) {
    fmt::print(stderr,
               "warning: other processes used more than {:.0f}% of a CPU during {} of {} rows; "
               "those rows are not comparable: rerun on an idle machine\n",
               kBusyOthersPercent, bench.busy_rows(), bench.rows());
  }
  return ok ? 0 : kExitFailure;
}

}  // namespace
}  // namespace axle::bench

int main(int argc, char** argv) {
  // Only third-party code throws here (std::bad_alloc, fmt, nlohmann::json); report, do not abort.
  try {
    return axle::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
