// The device fingerprint: collect every source, validate it, fuse the identifier sources into a
// 32-byte stable value.
//
// Validation: a source slower than its time limit, or whose samples diverge from its stored
// history by more than its Jensen–Shannon threshold, is anomalous and its weight drops to 0.05.
// Fusion (docs/identity.md, "Stability rules"): every identifier source of tier high or medium
// becomes a fixed-length record (source id, presence, nominal weight, SHA-256 of its value), and
// SHA-256 over all records in a fixed order is the fingerprint. Low-tier sources (MACs) take part
// only when no high or medium identifier is present; session and numeric sources never do. The
// fingerprint therefore does not change across reboots or with timing noise, and any change of
// a high-tier value (a PCR, the EK) changes it. Validation verdicts change the confidence score,
// not the fingerprint.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "axle/core/result.hpp"
#include "axle/core/state_dir.hpp"
#include "axle/identity/source.hpp"

namespace axle::identity {

using Fingerprint = std::array<std::uint8_t, 32>;

inline constexpr double kAnomalousWeight = 0.05;

enum class Verdict {
  kOk,         // collected and consistent
  kMissing,    // could not be read here; `reason` says why
  kAnomalous,  // collected, but over its time limit or divergent from history; down-weighted
};
std::string_view verdict_name(Verdict v) noexcept;  // "ok", "missing", "anomalous"

struct SourceReport {
  std::string name;
  Tier tier = Tier::kMedium;
  double nominal_weight = 0;
  double weight = 0;  // after validation: nominal, kAnomalousWeight, or 0 when missing
  std::int64_t elapsed_ns = 0;
  std::int64_t time_limit_ns = 0;
  Verdict verdict = Verdict::kMissing;
  std::vector<std::string> reasons;  // why missing or anomalous; never holds the value
  std::optional<double> jsd;         // divergence from history, when checked
  bool fused = false;                // whether its value went into the fingerprint
  bool sensitive = true;
  std::string display;  // the value for humans; mask it with masked() unless asked not to
  std::vector<std::string> notes;  // non-sensitive details from the source

  [[nodiscard]] std::string masked() const;
};

struct FingerprintReport {
  Fingerprint fingerprint{};
  std::vector<SourceReport> sources;
  bool high_tier_present = false;
  // Sum of validated weights of the fused sources over the sum of their nominal weights (0..1).
  double confidence = 0;
  std::vector<std::string> notes;  // e.g. "no TPM: high tier missing (...)"

  [[nodiscard]] std::string fingerprint_hex() const;
};

struct FingerprintOptions {
  SourceContext context;
  std::vector<std::string> disabled;  // source names to skip (treated as missing)
  // Replaces every source's time limit (tests, and the `identity.time_limit_ms` setting).
  std::optional<std::int64_t> time_limit_ns;
  // Jensen–Shannon thresholds by source name, replacing the sources' defaults (tpm_pcr_latency
  // 0.03, rdtsc_jitter 0.08, pcie_latency 0.06); only numeric sources are checked.
  std::map<std::string, double> jsd_thresholds;
  // Sample history for the divergence check; empty: no check, nothing stored.
  std::filesystem::path history_file;
  bool update_history = true;
};

// Collects, validates and fuses `sources` (builtin_sources() by default). Fails only when the
// history cannot be read or written; an unreadable source is a verdict, not an error.
[[nodiscard]] Result<FingerprintReport> collect_fingerprint(const FingerprintOptions& options);
[[nodiscard]] Result<FingerprintReport> collect_fingerprint(const FingerprintOptions& options,
                                                            const SourceList& sources);

// Where the sample history lives in the state directory; creates its private folder.
inline constexpr std::string_view kHistoryFile = "identity/history";
[[nodiscard]] Result<std::filesystem::path> history_file(const StateDir& state);

}  // namespace axle::identity
