// PCIe device latency: how long reading a device's configuration header takes, sampled over the
// first devices of <root>/sys/bus/pci/devices. The distribution depends on the platform (root
// complex, bridges, hypervisor trapping), so a different distribution from the stored history
// hints at another machine or an emulated one; like RDTSC jitter it is checked by Jensen–Shannon
// divergence (threshold 0.06) and never fused (timing is not an identifier).
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "axle/core/clock.hpp"
#include "axle/identity/sources.hpp"
#include "tree.hpp"

namespace axle::identity {

namespace {

class PcieLatencySource final : public Source {
 public:
  static constexpr std::size_t kMaxDevices = 8;
  static constexpr int kRounds = 64;
  // Config reads trapped by a hypervisor take ~0.6 ms each here: sampling stops after this long,
  // well inside the source's 50 ms time limit.
  static constexpr std::int64_t kSamplingBudgetNs = 10'000'000;
  static constexpr std::size_t kHeaderBytes = 64;  // the standard configuration header

  std::string_view name() const noexcept override { return "pcie_latency"; }
  Tier tier() const noexcept override { return Tier::kMedium; }
  double weight() const noexcept override { return 0.2; }
  double jsd_threshold() const noexcept override { return 0.06; }
  bool sensitive() const noexcept override { return false; }

  Result<Reading> collect(const SourceContext& ctx) const override {
    const auto dir = detail::below(ctx.root, "/sys/bus/pci/devices");
    std::error_code ec;
    std::vector<std::filesystem::path> configs;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      configs.push_back(e.path() / "config");
    }
    if (ec) {
      return make_error(ErrorCode::kNotFound, dir.string() + " is not readable: no PCI bus here");
    }
    std::sort(configs.begin(), configs.end());  // the same devices every time
    std::vector<int> fds;
    for (const auto& c : configs) {
      if (fds.size() == kMaxDevices) break;
      const int fd = ::open(c.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd >= 0) fds.push_back(fd);
    }
    if (fds.empty()) {
      return make_error(ErrorCode::kPermissionDenied,
                        "no readable PCI configuration space below " + dir.string());
    }
    Reading r;
    r.samples.reserve(fds.size() * kRounds);
    std::array<char, kHeaderBytes> buf{};
    bool short_read = false;
    const std::int64_t start = monotonic_ns();
    for (int round = 0; round < kRounds && monotonic_ns() - start < kSamplingBudgetNs; ++round) {
      for (const int fd : fds) {
        const std::int64_t t0 = monotonic_ns();
        const ssize_t n = ::pread(fd, buf.data(), buf.size(), 0);
        const std::int64_t t1 = monotonic_ns();
        if (n <= 0) short_read = true;
        r.samples.push_back(static_cast<double>(std::max<std::int64_t>(t1 - t0, 1)));
      }
    }
    for (const int fd : fds) ::close(fd);
    if (short_read) {
      return make_error(ErrorCode::kPermissionDenied, "a PCI configuration read returned nothing");
    }
    std::vector<double> sorted = r.samples;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(sorted.size() / 2),
                     sorted.end());
    r.display = fmt::format("{} devices, {} reads, median {} ns", fds.size(), r.samples.size(),
                            static_cast<long long>(sorted[sorted.size() / 2]));
    return r;
  }
};

}  // namespace

std::unique_ptr<Source> make_pcie_latency_source() { return std::make_unique<PcieLatencySource>(); }

}  // namespace axle::identity
