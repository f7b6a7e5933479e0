#include "axle/identity/fingerprint.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "axle/core/clock.hpp"
#include "axle/core/files.hpp"
#include "axle/core/secret.hpp"
#include "axle/crypto/hash.hpp"
#include "axle/identity/sources.hpp"
#include "axle/identity/validation.hpp"
#include "tree.hpp"

namespace axle::identity {

namespace {

// A source's position is its id in the fusion records: new sources go at the end, so that the
// fingerprint of a device does not change when axle learns another source.
constexpr std::array<std::string_view, 13> kBuiltinNames = {
    "tpm_pcrs",  "tpm_ek",       "machine_id",     "dmi_product_uuid", "dmi_board_serial",
    "cpuid",     "root_disk",    "rdtsc_jitter",   "nic_macs",         "boot_id",
    "boot_time", "pcie_latency", "tpm_pcr_latency"};

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Identifier sources are fused; numeric sources (with a divergence threshold) and session
// sources are not.
bool is_identifier(const Source& s) {
  return s.tier() != Tier::kSession && s.jsd_threshold() <= 0.0;
}

std::string ms(std::int64_t ns) { return fmt::format("{:.1f} ms", static_cast<double>(ns) / 1e6); }

// One fixed-length record per identifier source (docs/identity.md, "Fusion"):
//   id (1) | tier (1) | present (1) | nominal weight in 1/1000 (2, big-endian) | SHA-256 (32)
// The digest is SHA-256("axle/fp/<name>@v1" 0x00 value), all zero when absent, so neither the
// length of a value nor of the whole input depends on what was read.
constexpr std::size_t kRecordSize = 37;

Result<std::array<std::uint8_t, kRecordSize>> fusion_record(std::size_t id, const Source& source,
                                                            const std::string* value) {
  std::array<std::uint8_t, kRecordSize> rec{};
  rec[0] = static_cast<std::uint8_t>(id);
  rec[1] = static_cast<std::uint8_t>(source.tier());
  rec[2] = value != nullptr ? 1 : 0;
  auto w = static_cast<std::uint16_t>(std::lround(source.weight() * 1000.0));
  rec[3] = static_cast<std::uint8_t>(w >> 8);
  rec[4] = static_cast<std::uint8_t>(w & 0xFF);
  if (value != nullptr) {
    std::string input = fmt::format("axle/fp/{}@v1", source.name());
    input += '\0';
    input += *value;
    AXLE_TRY(auto digest, crypto::sha256(bytes_of(input)));
    std::copy(digest.begin(), digest.end(), rec.begin() + 5);
  }
  return rec;
}

}  // namespace

std::string_view tier_name(Tier tier) noexcept {
  switch (tier) {
    case Tier::kHigh: return "high";
    case Tier::kMedium: return "medium";
    case Tier::kLow: return "low";
    case Tier::kSession: return "session";
  }
  return "unknown";
}

std::string_view verdict_name(Verdict v) noexcept {
  switch (v) {
    case Verdict::kOk: return "ok";
    case Verdict::kMissing: return "missing";
    case Verdict::kAnomalous: return "anomalous";
  }
  return "unknown";
}

std::string SourceReport::masked() const {
  if (!sensitive || display.empty()) return display;
  return fmt::format("<masked, {} chars; --show-sensitive shows it>", display.size());
}

std::string FingerprintReport::fingerprint_hex() const {
  return detail::to_hex(
      std::string_view(reinterpret_cast<const char*>(fingerprint.data()), fingerprint.size()));
}

SourceList builtin_sources() {
  SourceList s;
  s.push_back(make_tpm_pcr_source());
  s.push_back(make_tpm_ek_source());
  s.push_back(make_machine_id_source());
  s.push_back(make_dmi_product_uuid_source());
  s.push_back(make_dmi_board_serial_source());
  s.push_back(make_cpuid_source());
  s.push_back(make_root_disk_source());
  s.push_back(make_rdtsc_jitter_source());
  s.push_back(make_nic_mac_source());
  s.push_back(make_boot_id_source());
  s.push_back(make_boot_time_source());
  s.push_back(make_pcie_latency_source());
  s.push_back(make_tpm_pcr_latency_source());
  return s;
}

Result<std::filesystem::path> history_file(const StateDir& state) {
  AXLE_TRY(std::filesystem::path path, state.file(kHistoryFile));
  AXLE_RETURN_IF_ERROR(ensure_private_dir(path.parent_path()));
  return path;
}

std::span<const std::string_view> builtin_source_names() noexcept { return kBuiltinNames; }

Result<FingerprintReport> collect_fingerprint(const FingerprintOptions& options) {
  return collect_fingerprint(options, builtin_sources());
}

Result<FingerprintReport> collect_fingerprint(const FingerprintOptions& options,
                                              const SourceList& sources) {
  const bool use_history = !options.history_file.empty();
  SampleHistory history;
  if (use_history) {
    AXLE_TRY(history, SampleHistory::load(options.history_file));
  }

  FingerprintReport report;
  std::vector<std::string> values(sources.size());
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const Source& src = *sources[i];
    SourceReport& r = report.sources.emplace_back();
    r.name = std::string(src.name());
    r.tier = src.tier();
    r.nominal_weight = src.weight();
    r.time_limit_ns = options.time_limit_ns.value_or(src.time_limit_ns());
    r.sensitive = src.sensitive();
    if (std::find(options.disabled.begin(), options.disabled.end(), r.name) !=
        options.disabled.end()) {
      r.reasons.emplace_back("disabled by the caller");
      continue;
    }

    std::int64_t start = monotonic_ns();
    auto reading = src.collect(options.context);
    r.elapsed_ns = monotonic_ns() - start;
    if (!reading) {
      r.reasons.push_back(reading.error().message);
      continue;
    }
    r.verdict = Verdict::kOk;
    r.display = std::move(reading->display);
    r.notes = std::move(reading->notes);
    values[i] = std::move(reading->value);

    if (r.elapsed_ns > r.time_limit_ns) {
      r.verdict = Verdict::kAnomalous;
      r.reasons.push_back(fmt::format("collection took {}, over its limit of {}", ms(r.elapsed_ns),
                                      ms(r.time_limit_ns)));
    }
    const auto configured = options.jsd_thresholds.find(r.name);
    const double threshold =
        configured != options.jsd_thresholds.end() ? configured->second : src.jsd_threshold();
    if (src.jsd_threshold() > 0.0 && !reading->samples.empty()) {
      if (!use_history) {
        r.notes.emplace_back("divergence not checked: no history file");
      } else {
        auto hist = log_histogram(reading->samples);
        if (auto past = history.get(r.name)) {
          AXLE_TRY(double d, jensen_shannon_divergence(hist, *past));
          r.jsd = d;
          if (d > threshold) {
            r.verdict = Verdict::kAnomalous;
            r.reasons.push_back(fmt::format(
                "samples diverge from history: Jensen-Shannon {:.4f} > threshold {:.2f}", d,
                threshold));
          }
        } else {
          r.notes.emplace_back("no history yet: these samples become the baseline");
        }
        // An anomalous reading must not pull the history towards itself.
        if (r.verdict == Verdict::kOk && options.update_history) history.update(r.name, hist);
      }
    }
    r.weight = r.verdict == Verdict::kOk ? src.weight() : kAnomalousWeight;
  }

  // Fusion. Low-tier identifiers take part only when no high or medium identifier was read.
  bool strong_present = false;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const auto& r = report.sources[i];
    if (is_identifier(*sources[i]) && r.verdict != Verdict::kMissing &&
        (r.tier == Tier::kHigh || r.tier == Tier::kMedium)) {
      strong_present = true;
    }
    if (r.tier == Tier::kHigh && r.verdict != Verdict::kMissing) report.high_tier_present = true;
  }
  crypto::Sha256 hasher;
  std::string domain = "axle/fingerprint@v1";
  domain += '\0';
  AXLE_RETURN_IF_ERROR(hasher.update(bytes_of(domain)));
  double nominal = 0;
  double effective = 0;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const Source& src = *sources[i];
    SourceReport& r = report.sources[i];
    if (r.tier == Tier::kSession) continue;
    nominal += r.nominal_weight;
    if (!is_identifier(src)) {
      effective += r.weight;
      continue;
    }
    bool use = r.verdict != Verdict::kMissing && (r.tier != Tier::kLow || !strong_present);
    if (r.tier == Tier::kLow && r.verdict != Verdict::kMissing && strong_present) {
      r.notes.emplace_back("checked, not fused: stronger identifiers are present");
    }
    r.fused = use;
    if (use) effective += r.weight;
    AXLE_TRY(auto rec, fusion_record(i, src, use ? &values[i] : nullptr));
    AXLE_RETURN_IF_ERROR(hasher.update(rec));
  }
  AXLE_TRY(report.fingerprint, hasher.finish());
  report.confidence = nominal > 0 ? effective / nominal : 0.0;
  for (auto& v : values) secure_wipe(v.data(), v.size());

  if (!report.high_tier_present) {
    std::string why;
    for (const auto& r : report.sources) {
      if (r.tier == Tier::kHigh && !r.reasons.empty()) {
        why += (why.empty() ? "" : "; ") + r.name + ": " + r.reasons.front();
      }
    }
    report.notes.push_back("no TPM: the high tier is missing (" + why + ")");
  }
  if (!strong_present) {
    report.notes.emplace_back(
        "no high or medium identifier could be read: the fingerprint rests on NIC MACs alone");
  }
  if (use_history && options.update_history) {
    AXLE_RETURN_IF_ERROR(history.save(options.history_file));
  }
  return report;
}

}  // namespace axle::identity
