// CPU sources: CPUID identification and RDTSC jitter (x86 only; elsewhere kUnsupported).
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <x86intrin.h>
#define AXLE_IDENTITY_X86 1
#endif

#include "axle/identity/sources.hpp"
#include "tree.hpp"

namespace axle::identity {

namespace {

class CpuidSource final : public Source {
 public:
  std::string_view name() const noexcept override { return "cpuid"; }
  Tier tier() const noexcept override { return Tier::kMedium; }
  // Shared by every machine of one CPU model: it narrows, it does not identify.
  double weight() const noexcept override { return 0.2; }
  bool sensitive() const noexcept override { return false; }

  Result<Reading> collect(const SourceContext&) const override {
#ifdef AXLE_IDENTITY_X86
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid(0, &eax, &ebx, &ecx, &edx) == 0) {
      return make_error(ErrorCode::kUnsupported, "CPUID leaf 0 is not available");
    }
    // Intel SDM Vol. 2A, CPUID leaf 0: the vendor string is EBX, EDX, ECX.
    char vendor[13] = {};
    std::memcpy(vendor, &ebx, 4);
    std::memcpy(vendor + 4, &edx, 4);
    std::memcpy(vendor + 8, &ecx, 4);
    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) {
      return make_error(ErrorCode::kUnsupported, "CPUID leaf 1 is not available");
    }
    // Leaf 1 EAX: stepping [3:0], model [7:4], family [11:8], extended model [19:16],
    // extended family [27:20]; the display family/model combine them as the SDM specifies.
    unsigned stepping = eax & 0xFU;
    unsigned model = (eax >> 4) & 0xFU;
    unsigned family = (eax >> 8) & 0xFU;
    unsigned ext_model = (eax >> 16) & 0xFU;
    unsigned ext_family = (eax >> 20) & 0xFFU;
    unsigned display_family = family == 0xF ? family + ext_family : family;
    unsigned display_model = (family == 0x6 || family == 0xF) ? (ext_model << 4) + model : model;
    // The processor serial number (leaf 3) existed only on the Pentium III and is not read: no
    // current x86 CPU has a serial, and none is invented here.
    std::string value =
        fmt::format("vendor={};signature=0x{:08x};family={};model={};stepping={}", vendor,
                    eax & 0x0FFF3FFFU, display_family, display_model, stepping);
    return detail::identifier_reading(value);
#else
    return make_error(ErrorCode::kUnsupported, "CPUID exists on x86 only");
#endif
  }
};

class RdtscJitterSource final : public Source {
 public:
  static constexpr int kSamples = 1024;

  std::string_view name() const noexcept override { return "rdtsc_jitter"; }
  Tier tier() const noexcept override { return Tier::kMedium; }
  double weight() const noexcept override { return 0.3; }
  double jsd_threshold() const noexcept override { return 0.08; }
  bool sensitive() const noexcept override { return false; }

  Result<Reading> collect(const SourceContext&) const override {
#ifdef AXLE_IDENTITY_X86
    Reading r;
    r.samples.reserve(kSamples);
    volatile unsigned sink = 0;
    for (int i = 0; i < kSamples; ++i) {
      // LFENCE keeps RDTSC from running ahead of earlier instructions (Intel SDM, RDTSC).
      _mm_lfence();
      unsigned long long t0 = __rdtsc();
      for (unsigned k = 0; k < 16; ++k) sink = sink + k;
      _mm_lfence();
      unsigned long long t1 = __rdtsc();
      r.samples.push_back(static_cast<double>(t1 - t0));
    }
    std::vector<double> sorted = r.samples;
    std::nth_element(sorted.begin(), sorted.begin() + kSamples / 2, sorted.end());
    r.display = fmt::format("{} samples, median {} cycles", kSamples,
                            static_cast<long long>(sorted[kSamples / 2]));
    return r;
#else
    return make_error(ErrorCode::kUnsupported, "RDTSC exists on x86 only");
#endif
  }
};

}  // namespace

std::unique_ptr<Source> make_cpuid_source() { return std::make_unique<CpuidSource>(); }
std::unique_ptr<Source> make_rdtsc_jitter_source() { return std::make_unique<RdtscJitterSource>(); }

}  // namespace axle::identity
