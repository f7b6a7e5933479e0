// axle-bench-identity: identity documents generated-and-signed and verified per second on one
// core, beside `openssl speed ed25519` (the documents' signature algorithm) measured in the same
// run; and the cold collection time of this device's fingerprint without a TPM, each collection in
// a freshly started process (docs/benchmarks.md).
//
//   axle-bench-identity [--quick] [--json] [--seconds=N] [--rounds=N] [--cold-runs=N]
//                       [--openssl=PATH]
//
// axle and openssl run in alternating rounds on one pinned CPU and each side's best round counts,
// so that a noisy neighbour on the host slows both sides alike instead of one.
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "axle/core/build_info.hpp"
#include "axle/core/clock.hpp"
#include "axle/core/state_dir.hpp"
#include "axle/crypto/keys.hpp"
#include "axle/identity/document.hpp"
#include "axle/identity/edid.hpp"
#include "axle/identity/fingerprint.hpp"
#include "axle/identity/signer.hpp"
#include "axle/identity/vendor_ca.hpp"
#include "axle/identity/verifier.hpp"
#include "bench_temp_dir.hpp"
#include "openssl_speed.hpp"

namespace axle::bench {
namespace {

namespace fs = std::filesystem;

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr double kGoalRatio = 0.8;
constexpr double kGoalColdMs = 50;
constexpr std::string_view kChildFlag = "--cold-fingerprint-child";
constexpr int kDevices = 8;
// Documents kept for the verify measurements: the last ones generated, in a ring. Keeping every
// document (hundreds of MB) made generate+sign pay for page faults a device never has.
constexpr std::size_t kKeptDocuments = 8192;

struct Options {
  bool quick = false;
  bool json = false;
  double seconds = 1;  // per round, for each of generate+sign and verify
  int rounds = 3;      // alternating axle/openssl rounds; each side's best counts
  int cold_runs = 50;
  std::string openssl;
};

std::optional<Options> parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto number = [&](std::string_view name, auto& out) -> std::optional<bool> {
      if (a.rfind(name, 0) != 0 || a.size() <= name.size() || a[name.size()] != '=') {
        return std::nullopt;
      }
      const std::string_view v = a.substr(name.size() + 1);
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
      return ec == std::errc() && p == v.data() + v.size() && out > 0;
    };
    if (a == "--quick") {
      o.quick = true;
      o.seconds = 0.3;
      o.rounds = 1;
      o.cold_runs = 5;
    } else if (a == "--json") {
      o.json = true;
    } else if (auto s = number("--seconds", o.seconds)) {
      if (!*s) return std::nullopt;
    } else if (auto r = number("--rounds", o.rounds)) {
      if (!*r) return std::nullopt;
    } else if (auto c = number("--cold-runs", o.cold_runs)) {
      if (!*c) return std::nullopt;
    } else if (a.rfind("--openssl=", 0) == 0) {
      o.openssl = std::string(a.substr(10));
    } else if (a == "--help" || a == "-h") {
      fmt::print(
          "axle-bench-identity: identity documents generated+signed and verified per second,\n"
          "beside openssl speed ed25519 in the same run; cold fingerprint collection time.\n\n"
          "  --quick          short runs, for a smoke test\n"
          "  --json           one JSON document on stdout\n"
          "  --seconds=N      seconds per measurement and round (default 1)\n"
          "  --rounds=N       rounds of axle and openssl speed, alternating which goes first;\n"
          "                   each side's best round counts (default 3)\n"
          "  --cold-runs=N    fresh processes that each collect the fingerprint once (default 50)\n"
          "  --openssl=PATH   the openssl binary (default: the first on PATH)\n\n"
          "Example: axle-bench-identity --json > identity.json\n");
      std::exit(0);
    } else {
      fmt::print(stderr, "error: bad option '{}' (see --help)\n", a);
      return std::nullopt;
    }
  }
  return o;
}

// The child: collects the fingerprint once, cold (this process has done nothing before), with
// the TPM sources disabled, and prints the wall time in nanoseconds.
int cold_fingerprint_child() {
  identity::FingerprintOptions options;
  options.disabled = {"tpm_pcrs", "tpm_ek", "tpm_pcr_latency"};
  const std::int64_t t0 = monotonic_ns();
  auto report = identity::collect_fingerprint(options);
  const std::int64_t elapsed = monotonic_ns() - t0;
  if (!report) {
    fmt::print(stderr, "fingerprint failed: {}\n", report.error().to_string());
    return kExitFailure;
  }
  fmt::print("{}\n", elapsed);
  return 0;
}

Result<std::vector<double>> cold_fingerprints(int runs) {
  std::vector<double> ms;
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  for (int i = 0; i < runs; ++i) {
    int fds[2];
    if (::pipe(fds) != 0) return make_error(ErrorCode::kIo, "pipe failed");
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::close(fds[0]);
      ::execl(self.c_str(), self.c_str(), std::string(kChildFlag).c_str(), nullptr);
      ::_exit(127);
    }
    ::close(fds[1]);
    std::string out;
    char buf[64];
    ssize_t n = 0;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    std::int64_t ns = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        std::from_chars(out.data(), out.data() + out.size(), ns).ec != std::errc()) {
      return make_error(ErrorCode::kInternal, "a cold fingerprint child failed");
    }
    ms.push_back(static_cast<double>(ns) / 1e6);
  }
  std::sort(ms.begin(), ms.end());
  return ms;
}

enum class Step { kNext, kStop, kFail };

// Runs `op` repeatedly for about `seconds` (or until it says kStop); returns operations per
// second, or nullopt when an operation failed or none ran.
template <typename Op>
std::optional<double> rate(double seconds, Op op) {
  const std::int64_t t0 = monotonic_ns();
  const auto limit = static_cast<std::int64_t>(seconds * 1e9);
  std::uint64_t n = 0;
  bool stop = false;
  while (!stop && monotonic_ns() - t0 < limit) {
    for (int k = 0; k < 16; ++k) {
      const Step step = op(n);
      if (step == Step::kFail) return std::nullopt;
      if (step == Step::kStop) {
        stop = true;
        break;
      }
      ++n;
    }
  }
  if (n == 0) return std::nullopt;
  return static_cast<double>(n) / (static_cast<double>(monotonic_ns() - t0) / 1e9);
}

int run(int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]) == kChildFlag) return cold_fingerprint_child();
  const auto options = parse_options(argc, argv);
  if (!options) return kExitUsage;
  auto fail = [](const Error& e) {
    fmt::print(stderr, "error: {}\n", e.to_string());
    return kExitFailure;
  };

  // A vendor CA and a small fleet of devices (keys and certificates), as `axle vendor-ca
  // init|issue` make them: a relying party sees several device certificates, not one.
  BenchTempDir tmp(fs::temp_directory_path(), "axle-bench-identity");
  auto state = StateDir::open(tmp.path() / "state");
  if (!state) return fail(state.error());
  auto ca = identity::VendorCa::init(*state, {});
  if (!ca) return fail(ca.error());
  auto mid = ca->manufacturer_id({0x00, 0x1B, 0x21});
  if (!mid) return fail(mid.error());
  std::vector<crypto::PrivateKey> keys;
  std::vector<identity::DocumentSigner> signers;
  keys.reserve(kDevices);
  for (int d = 0; d < kDevices; ++d) {
    auto key = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
    if (!key) return fail(key.error());
    keys.push_back(std::move(*key));
    auto pub = keys.back().public_key();
    if (!pub) return fail(pub.error());
    auto cert = ca->issue(*pub, fmt::format("axle-bench-device-{}", d), 365);
    if (!cert) return fail(cert.error());
    identity::GenerateInputs in;
    in.manufacturer_id = *mid;
    in.secure_boot.value.fill(0x5A);
    in.device_key = &keys.back();
    in.certificate_pem = *cert;
    auto signer = identity::DocumentSigner::create(in);
    if (!signer) return fail(signer.error());
    signers.push_back(std::move(*signer));
  }

  // generate+sign, as a device does it: timestamp, nonce, EDID, canonical JSON, Ed25519
  // signature, the JSON text to send.
  std::vector<std::string> documents;
  documents.reserve(kKeptDocuments);
  std::uint64_t generated = 0;
  auto generate_once = [&](std::uint64_t) {
    auto doc = signers[generated % signers.size()].sign();
    if (!doc) return Step::kFail;
    if (documents.size() < kKeptDocuments) {
      documents.push_back(std::move(doc->json));
    } else {
      documents[generated % kKeptDocuments] = std::move(doc->json);
    }
    ++generated;
    return Step::kNext;
  };

  // verify, as a relying party does it: one DocumentVerifier for all documents (trust anchors
  // parsed once, device certificates and their chain verdicts cached), and per document the
  // strict parse, the Ed25519 signature, the EDID, the revocation list, the timestamp window and
  // the nonce replay check. Each nonce is accepted once, so a verifier that has seen every
  // document is replaced by a fresh one (its first documents pay the full chain check again).
  identity::VerifyPolicy policy;
  policy.trusted_roots_pem.push_back(ca->root_pem());
  policy.window_ms = 24LL * 3600 * 1000;
  policy.revocation_list = tmp.path() / "revoked";
  int nonce_files = 0;  // every verifier gets its own nonce cache file
  auto measure_verify = [&](identity::VerifyPolicy p, double seconds,
                            std::size_t limit) -> std::optional<double> {
    std::optional<identity::DocumentVerifier> verifier;
    std::size_t next = documents.size();
    return rate(seconds, [&](std::uint64_t i) {
      if (i >= limit) return Step::kStop;
      if (next == documents.size()) {
        if (!p.nonce_cache.empty()) {
          p.nonce_cache.replace_filename(fmt::format("nonces-{}", ++nonce_files));
        }
        verifier.emplace(p);
        next = 0;
      }
      auto verdict = verifier->verify(documents[next++]);
      if (!verdict.ok())
        fmt::print(stderr, "a generated document was refused: {}\n", verdict.message);
      return verdict.ok() ? Step::kNext : Step::kFail;
    });
  };
  identity::VerifyPolicy in_memory = policy;
  in_memory.memory_nonce_cache = true;

  // Peer: openssl speed ed25519, the same signature algorithm, in alternating rounds with axle's
  // generate+sign and verify; each side's best round counts.
  const std::string cpu_line = pin_to_current_cpu();
  std::optional<OpensslSpeed> speed;
  std::string peer_name = "none (openssl not found)";
  if (const auto binary = find_openssl(options->openssl)) {
    speed.emplace(*binary, std::max(1, static_cast<int>(std::lround(options->seconds))));
    peer_name = *binary;
  }
  double generate_rate = 0;
  double verify_rate = 0;
  std::optional<SignatureSpeed> peer;
  auto axle_round = [&]() -> bool {
    const auto g = rate(options->seconds, generate_once);
    if (!g || documents.empty()) return false;
    const auto v = measure_verify(in_memory, options->seconds, SIZE_MAX);
    if (!v) return false;
    generate_rate = std::max(generate_rate, *g);
    verify_rate = std::max(verify_rate, *v);
    return true;
  };
  auto peer_round = [&] {
    if (!speed) return;
    auto s = speed->signature("ed25519");
    if (!s) {
      fmt::print(stderr, "warning: openssl speed ed25519 failed: {}\n", s.error().to_string());
      speed.reset();
      peer.reset();
      peer_name = "none (openssl speed failed)";
      return;
    }
    if (!peer) peer = SignatureSpeed{};
    peer->sign_per_s = std::max(peer->sign_per_s, s->sign_per_s);
    peer->verify_per_s = std::max(peer->verify_per_s, s->verify_per_s);
  };
  for (int round = 0; round < options->rounds; ++round) {
    if (round % 2 == 1) peer_round();
    if (!axle_round()) return fail(Error{ErrorCode::kInternal, "generate or verify failed"});
    if (round % 2 == 0) peer_round();
  }

  identity::VerifyPolicy on_file = policy;
  on_file.nonce_cache = tmp.path() / "nonces";
  on_file.sync_nonce_cache = false;
  auto verify_file_rate = measure_verify(on_file, options->seconds / 2, SIZE_MAX);
  on_file.sync_nonce_cache = true;
  auto verify_fsync_rate =
      measure_verify(on_file, options->seconds / 2, options->quick ? 32 : 2000);
  // One document, one verifier: what `axle id verify` does per process (the roots, the
  // certificate's chain and the nonce cache file are all new to it).
  on_file.nonce_cache = tmp.path() / "nonces-single";
  std::size_t single_next = 0;
  auto verify_single_rate = rate(options->seconds / 2, [&](std::uint64_t) {
    if (single_next >= documents.size()) return Step::kStop;
    auto verdict = identity::verify_document(documents[single_next++], on_file);
    if (!verdict.ok())
      fmt::print(stderr, "a generated document was refused: {}\n", verdict.message);
    return verdict.ok() ? Step::kNext : Step::kFail;
  });
  if (!verify_file_rate || !verify_fsync_rate || !verify_single_rate) {
    return fail(Error{ErrorCode::kInternal, "a generated document did not verify"});
  }

  auto cold = cold_fingerprints(options->cold_runs);
  if (!cold) return fail(cold.error());
  auto pct = [&](double q) {
    return (*cold)[static_cast<std::size_t>(q * static_cast<double>(cold->size() - 1))];
  };
  const double cold_p50 = pct(0.5);
  const double cold_p99 = pct(0.99);
  const double cold_max = cold->back();

  const std::optional<double> sign_ratio =
      peer ? std::optional(generate_rate / peer->sign_per_s) : std::nullopt;
  const std::optional<double> verify_ratio =
      peer ? std::optional(verify_rate / peer->verify_per_s) : std::nullopt;
  nlohmann::ordered_json doc;
  const BuildInfo& build = build_info();
  doc["axle"] = fmt::format("{} ({}, {})", build.version, build.git_commit, build.build_type);
  doc["peer"] = peer_name;
  doc["cpu"] = cpu_line;
  doc["rounds"] = options->rounds;
  doc["generate_and_sign_per_s"] = generate_rate;
  doc["verify_per_s"] = verify_rate;
  doc["verify_nonce_file_per_s"] = *verify_file_rate;
  doc["verify_nonce_file_fsync_per_s"] = *verify_fsync_rate;
  doc["verify_single_document_per_s"] = *verify_single_rate;
  if (peer) {
    doc["openssl_ed25519_sign_per_s"] = peer->sign_per_s;
    doc["openssl_ed25519_verify_per_s"] = peer->verify_per_s;
    doc["sign_ratio"] = *sign_ratio;
    doc["verify_ratio"] = *verify_ratio;
  }
  doc["cold_fingerprint_ms"] = {{"runs", cold->size()},
                                {"p50", cold_p50},
                                {"p99", cold_p99},
                                {"max", cold_max},
                                {"goal_max_ms", kGoalColdMs}};
  if (options->json) {
    fmt::print("{}\n", doc.dump(2));
    return 0;
  }
  auto verdict = [](std::optional<double> r) {
    return !r ? std::string("n/a") : *r >= kGoalRatio ? "PASS" : "BELOW";
  };
  auto ratio = [](std::optional<double> r) { return r ? fmt::format("{:.2f}", *r) : "n/a"; };
  fmt::print(
      "axle {} — identity benchmark, one core; peer: openssl speed ed25519 ({})\n{}; "
      "best of {} alternating round(s)\n\n",
      doc["axle"].get<std::string>(), peer_name, cpu_line, options->rounds);
  fmt::print("{:<52} {:>10} {:>12} {:>6}  {}\n", "measure", "axle /s", "openssl /s", "ratio",
             "goal >= 0.8");
  fmt::print("{:<52} {:>10.0f} {:>12.0f} {:>6}  {}\n",
             "generate + sign an identity document (vs sign)", generate_rate,
             peer ? peer->sign_per_s : 0.0, ratio(sign_ratio), verdict(sign_ratio));
  fmt::print("{:<52} {:>10.0f} {:>12.0f} {:>6}  {}\n",
             "verify a document (relying party; vs verify)", verify_rate,
             peer ? peer->verify_per_s : 0.0, ratio(verify_ratio), verdict(verify_ratio));
  fmt::print("{:<52} {:>10.0f}\n", "verify, seen nonces in a shared file (no fsync)",
             *verify_file_rate);
  fmt::print("{:<52} {:>10.0f}\n", "verify, seen nonces in a file, fsync per document",
             *verify_fsync_rate);
  fmt::print("{:<52} {:>10.0f}\n", "verify one document with a new verifier (CLI path)",
             *verify_single_rate);
  fmt::print(
      "\ncold fingerprint collection without TPM, {} fresh processes: p50 {:.2f} ms, "
      "p99 {:.2f} ms, max {:.2f} ms (goal < {:.0f} ms: {})\n",
      cold->size(), cold_p50, cold_p99, cold_max, kGoalColdMs,
      cold_max < kGoalColdMs ? "PASS" : "BELOW");
  return 0;
}

}  // namespace
}  // namespace axle::bench

int main(int argc, char** argv) { return axle::bench::run(argc, argv); }
