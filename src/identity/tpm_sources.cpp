// High-tier sources over the TPM: PCR values and the endorsement key.
#include <fmt/format.h>

#include <algorithm>

#include "axle/identity/sources.hpp"
#include "axle/identity/tpm.hpp"
#include "tree.hpp"

namespace axle::identity {

namespace {

// The configured TCTI, or the resource manager device below the root.
std::string effective_tcti(const SourceContext& ctx) {
  if (!ctx.tpm.tcti.empty()) return ctx.tpm.tcti;
  return "device:" + detail::below(ctx.root, "/dev/tpmrm0").string();
}

class TpmPcrSource final : public Source {
 public:
  std::string_view name() const noexcept override { return "tpm_pcrs"; }
  Tier tier() const noexcept override { return Tier::kHigh; }
  double weight() const noexcept override { return 1.0; }
  // Includes opening the TPM; a TPM command takes milliseconds, a bus round trip more.
  std::int64_t time_limit_ns() const noexcept override { return 200'000'000; }
  // PCR values measure firmware, not one device; they are not personal.
  bool sensitive() const noexcept override { return false; }

  Result<Reading> collect(const SourceContext& ctx) const override {
    AXLE_TRY(auto pcrs, tpm_read_pcrs(effective_tcti(ctx), ctx.tpm.pcrs));
    Reading r;
    for (const auto& p : pcrs) {
      r.value += static_cast<char>(p.index);
      r.value.append(reinterpret_cast<const char*>(p.sha256.data()), p.sha256.size());
      std::string hex = detail::to_hex(
          std::string_view(reinterpret_cast<const char*>(p.sha256.data()), p.sha256.size()));
      r.display += fmt::format("{}pcr{}=sha256:{}", r.display.empty() ? "" : " ", p.index, hex);
    }
    return r;
  }
};

class TpmEkSource final : public Source {
 public:
  std::string_view name() const noexcept override { return "tpm_ek"; }
  Tier tier() const noexcept override { return Tier::kHigh; }
  double weight() const noexcept override { return 1.0; }
  // Creating the EK from its template is a key generation inside the TPM.
  std::int64_t time_limit_ns() const noexcept override { return 2'000'000'000; }

  Result<Reading> collect(const SourceContext& ctx) const override {
    AXLE_TRY(auto pub, tpm_ek_public(effective_tcti(ctx)));
    std::string value(reinterpret_cast<const char*>(pub.data()), pub.size());
    Reading r;
    r.display = "ecc-p256 " + detail::to_hex(value);
    r.value = std::move(value);
    return r;
  }
};

// The TPM's timing: the latency of repeated reads of one PCR (the first configured, PCR0 by
// default), compared with this device's history by Jensen–Shannon divergence (0.03: a TPM
// answers from firmware with a narrow latency profile; an emulator or a relay shifts it). Timing
// is not an identifier: never fused, only validated.
class TpmPcrLatencySource final : public Source {
 public:
  static constexpr int kReads = 32;

  std::string_view name() const noexcept override { return "tpm_pcr_latency"; }
  Tier tier() const noexcept override { return Tier::kHigh; }
  double weight() const noexcept override { return 0.3; }
  double jsd_threshold() const noexcept override { return 0.03; }
  // 33 TPM commands; a discrete TPM takes a few milliseconds for each.
  std::int64_t time_limit_ns() const noexcept override { return 1'000'000'000; }
  bool sensitive() const noexcept override { return false; }

  Result<Reading> collect(const SourceContext& ctx) const override {
    const unsigned pcr = ctx.tpm.pcrs.empty() ? 0 : ctx.tpm.pcrs.front();
    AXLE_TRY(auto us, tpm_pcr_read_latencies_us(effective_tcti(ctx), pcr, kReads));
    std::vector<double> sorted = us;
    std::sort(sorted.begin(), sorted.end());
    Reading r;
    r.display = fmt::format("{} reads of PCR {}, median {:.0f} µs, p90 {:.0f} µs", kReads, pcr,
                            sorted[sorted.size() / 2], sorted[sorted.size() * 9 / 10]);
    r.samples = std::move(us);
    return r;
  }
};

}  // namespace

std::unique_ptr<Source> make_tpm_pcr_latency_source() {
  return std::make_unique<TpmPcrLatencySource>();
}

std::unique_ptr<Source> make_tpm_pcr_source() { return std::make_unique<TpmPcrSource>(); }
std::unique_ptr<Source> make_tpm_ek_source() { return std::make_unique<TpmEkSource>(); }

}  // namespace axle::identity
