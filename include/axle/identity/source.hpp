// Fingerprint sources: small plugins that each read one property of the device.
//
// A source has a tier (how hard the property is to forge or clone), a nominal weight, a time
// limit and, for numeric sources, a Jensen–Shannon divergence threshold against its history. It
// reads every path below SourceContext::root, so tests can feed fixed sysfs/procfs trees. A
// source that cannot read its property returns an Error whose message is the failure reason
// shown in the report (it never holds the value itself).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "axle/core/result.hpp"

namespace axle::identity {

enum class Tier {
  kHigh,     // TPM 2.0: PCRs and the endorsement key
  kMedium,   // machine-id, DMI, CPUID, root disk, RDTSC jitter
  kLow,      // physical NIC MACs: easy to spoof, used only when nothing better exists
  kSession,  // boot ID, boot time: change every boot, never part of the stable identity
};

std::string_view tier_name(Tier tier) noexcept;  // "high", "medium", "low", "session"

// What a source read.
struct Reading {
  // Canonical bytes that identify the device; fused into the fingerprint (identifier sources).
  std::string value;
  // Numeric samples (e.g. timing jitter) compared with the stored history; not fused.
  std::vector<double> samples;
  // Human-readable form for the report; masked unless the caller asks for sensitive values.
  std::string display;
  // Non-sensitive details for --explain (e.g. which NICs were excluded and why).
  std::vector<std::string> notes;
};

struct TpmOptions {
  // TCTI configuration for Tss2_TctiLdr_Initialize, e.g. "device:/dev/tpmrm0" or
  // "swtpm:host=127.0.0.1,port=2321". Empty: "device:<root>/dev/tpmrm0".
  std::string tcti;
  std::vector<unsigned> pcrs = {0};  // SHA-256 bank; PCR0 measures firmware and secure boot
};

// Where and how sources read.
struct SourceContext {
  std::filesystem::path root = "/";
  TpmOptions tpm;
};

class Source {
 public:
  virtual ~Source() = default;

  [[nodiscard]] virtual std::string_view name() const noexcept = 0;  // stable, e.g. "machine_id"
  [[nodiscard]] virtual Tier tier() const noexcept = 0;
  [[nodiscard]] virtual double weight() const noexcept = 0;  // nominal, 0..1
  // Collections slower than this are anomalous (default 50 ms).
  [[nodiscard]] virtual std::int64_t time_limit_ns() const noexcept { return 50'000'000; }
  // Jensen–Shannon divergence threshold for numeric sources; 0: not checked.
  [[nodiscard]] virtual double jsd_threshold() const noexcept { return 0.0; }
  // Whether the value identifies hardware or a person (serials, MACs): masked in reports.
  [[nodiscard]] virtual bool sensitive() const noexcept { return true; }

  [[nodiscard]] virtual Result<Reading> collect(const SourceContext& ctx) const = 0;
};

using SourceList = std::vector<std::unique_ptr<Source>>;

}  // namespace axle::identity
