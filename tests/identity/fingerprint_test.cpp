#include "axle/identity/fingerprint.hpp"

#include <sys/stat.h>

#include "axle/crypto/hash.hpp"
#include "axle/identity/source.hpp"
#include "axle/identity/sources.hpp"
#include "axle/identity/validation.hpp"
#include "fixture.hpp"

namespace {

using axle::identity::FingerprintOptions;
using axle::identity::FingerprintReport;
using axle::identity::SourceReport;
using axle::identity::Tier;
using axle::identity::Verdict;
using axle::identity::test::FixtureTree;

FingerprintReport collect(const FingerprintOptions& options) {
  auto r = axle::identity::collect_fingerprint(options);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  return r.ok() ? *r : FingerprintReport{};
}

const SourceReport& source(const FingerprintReport& report, const std::string& name) {
  for (const auto& s : report.sources) {
    if (s.name == name) return s;
  }
  throw std::runtime_error("no source " + name);
}

std::span<const std::uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST(Fingerprint, SameTreeGivesSameFingerprint) {
  FixtureTree tree;
  auto a = collect(tree.options());
  auto b = collect(tree.options());
  EXPECT_EQ(a.fingerprint, b.fingerprint);
  EXPECT_EQ(a.fingerprint_hex().size(), 64u);
}

// The fusion of docs/identity.md, rebuilt here from the fixture's files by hand: the library must
// produce exactly this value.
TEST(Fingerprint, FusionMatchesDocumentedEncoding) {
  FixtureTree tree;
  auto options = tree.options();
  options.disabled = {"cpuid"};  // CPUID is the one identifier that depends on this machine
  auto report = collect(options);

  struct Rec {
    int id;
    Tier tier;
    int weight_milli;
    std::string name;
    std::optional<std::string> value;
  };
  const std::vector<Rec> records = {
      {0, Tier::kHigh, 1000, "tpm_pcrs", std::nullopt},
      {1, Tier::kHigh, 1000, "tpm_ek", std::nullopt},
      {2, Tier::kMedium, 600, "machine_id", "4c4c4544004a3510804cb7c04f4e4d32"},
      {3, Tier::kMedium, 700, "dmi_product_uuid", "4c4c4544-004a-3510-804c-b7c04f4e4d32"},
      {4, Tier::kMedium, 600, "dmi_board_serial", ".7J5MN42.CN7016358G01AB."},
      {5, Tier::kMedium, 200, "cpuid", std::nullopt},
      {6, Tier::kMedium, 500, "root_disk", "wwid:naa.5000c500a1b2c3d4"},
      {8, Tier::kLow, 200, "nic_macs", std::nullopt},  // present, but not fused
  };
  std::string input = std::string("axle/fingerprint@v1") + '\0';
  for (const auto& r : records) {
    input += static_cast<char>(r.id);
    input += static_cast<char>(r.tier);
    input += static_cast<char>(r.value ? 1 : 0);
    input += static_cast<char>(r.weight_milli >> 8);
    input += static_cast<char>(r.weight_milli & 0xff);
    if (r.value) {
      auto d = axle::crypto::sha256(bytes("axle/fp/" + r.name + "@v1" + '\0' + *r.value));
      ASSERT_TRUE(d.ok());
      input.append(reinterpret_cast<const char*>(d->data()), d->size());
    } else {
      input.append(32, '\0');
    }
  }
  auto expected = axle::crypto::sha256(bytes(input));
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(report.fingerprint, *expected);
}

TEST(Fingerprint, SessionSourcesDoNotChangeIt) {
  FixtureTree tree;
  auto before = collect(tree.options());
  tree.write("proc/sys/kernel/random/boot_id", "a1b2c3d4-0000-4000-8000-000000000001\n");
  tree.write("proc/stat", "cpu  1 2 3\nbtime 1799999999\n");
  auto after = collect(tree.options());
  EXPECT_EQ(before.fingerprint, after.fingerprint);
  EXPECT_EQ(source(after, "boot_id").verdict, Verdict::kOk);
  EXPECT_FALSE(source(after, "boot_id").fused);
  EXPECT_FALSE(source(after, "boot_time").fused);
}

TEST(Fingerprint, MediumTierChangeChangesIt) {
  FixtureTree tree;
  auto before = collect(tree.options());
  tree.write("sys/class/block/sda/device/wwid", "naa.5000c500ffffffff\n");
  auto after = collect(tree.options());
  EXPECT_NE(before.fingerprint, after.fingerprint);
}

TEST(Fingerprint, MissingSourceChangesIt) {
  FixtureTree tree;
  auto before = collect(tree.options());
  tree.remove("sys/class/dmi/id/board_serial");
  auto after = collect(tree.options());
  EXPECT_NE(before.fingerprint, after.fingerprint);
  EXPECT_EQ(source(after, "dmi_board_serial").verdict, Verdict::kMissing);
}

TEST(Fingerprint, MacsAreCheckedButNotFusedWhenStrongerSourcesExist) {
  FixtureTree tree;
  auto before = collect(tree.options());
  tree.write("sys/class/net/eno1/address", "3c:ec:ef:99:99:99\n");
  auto after = collect(tree.options());
  EXPECT_EQ(before.fingerprint, after.fingerprint);
  EXPECT_EQ(source(after, "nic_macs").verdict, Verdict::kOk);
  EXPECT_FALSE(source(after, "nic_macs").fused);
}

TEST(Fingerprint, MacsAloneIdentifyADeviceWithNothingBetter) {
  FixtureTree tree;
  auto options = tree.options();
  options.disabled = {"machine_id", "dmi_product_uuid", "dmi_board_serial", "cpuid", "root_disk"};
  auto before = collect(options);
  EXPECT_TRUE(source(before, "nic_macs").fused);
  ASSERT_FALSE(before.notes.empty());
  EXPECT_NE(before.notes.back().find("NIC MACs alone"), std::string::npos);
  tree.write("sys/class/net/eno1/address", "3c:ec:ef:99:99:99\n");
  auto after = collect(options);
  EXPECT_NE(before.fingerprint, after.fingerprint);
}

TEST(Fingerprint, NoTpmMeansHighTierMissingAndReportSaysSo) {
  FixtureTree tree;
  auto report = collect(tree.options());
  EXPECT_FALSE(report.high_tier_present);
  EXPECT_EQ(source(report, "tpm_pcrs").verdict, Verdict::kMissing);
  EXPECT_EQ(source(report, "tpm_ek").verdict, Verdict::kMissing);
  ASSERT_FALSE(report.notes.empty());
  EXPECT_EQ(report.notes.front().rfind("no TPM: the high tier is missing", 0), 0u);
  EXPECT_NE(report.notes.front().find("dev/tpmrm0 does not exist"), std::string::npos);
  EXPECT_LT(report.confidence, 1.0);
  EXPECT_GT(report.confidence, 0.0);
}

TEST(Fingerprint, SourceOverTimeLimitIsAnomalousAndDownWeighted) {
  FixtureTree tree;
  auto normal = collect(tree.options());
  auto options = tree.options();
  options.time_limit_ns = 0;  // every collection takes longer than 0 ns
  auto slow = collect(options);
  const auto& mid = source(slow, "machine_id");
  EXPECT_EQ(mid.verdict, Verdict::kAnomalous);
  EXPECT_DOUBLE_EQ(mid.weight, axle::identity::kAnomalousWeight);
  ASSERT_FALSE(mid.reasons.empty());
  EXPECT_NE(mid.reasons[0].find("over its limit"), std::string::npos);
  EXPECT_EQ(source(normal, "machine_id").verdict, Verdict::kOk);
  EXPECT_DOUBLE_EQ(source(normal, "machine_id").weight, 0.6);
  // Verdicts move the confidence, never the fingerprint.
  EXPECT_EQ(normal.fingerprint, slow.fingerprint);
  EXPECT_LT(slow.confidence, normal.confidence);
}

TEST(Fingerprint, SensitiveValuesAreMasked) {
  FixtureTree tree;
  auto report = collect(tree.options());
  const auto& serial = source(report, "dmi_board_serial");
  EXPECT_TRUE(serial.sensitive);
  EXPECT_EQ(serial.display, ".7J5MN42.CN7016358G01AB.");
  EXPECT_EQ(serial.masked().find("7J5MN42"), std::string::npos);
  EXPECT_NE(serial.masked().find("masked"), std::string::npos);
}

#if defined(__x86_64__) || defined(__i386__)
TEST(Fingerprint, JitterHistoryIsStoredPrivatelyAndCompared) {
  FixtureTree tree;
  auto options = tree.options();
  options.history_file = tree.state() / "history";
  std::filesystem::create_directories(tree.state());
  auto first = collect(options);
  const auto& j1 = source(first, "rdtsc_jitter");
  EXPECT_FALSE(j1.jsd.has_value());
  ASSERT_FALSE(j1.notes.empty());
  EXPECT_NE(j1.notes.back().find("baseline"), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat(options.history_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto second = collect(options);
  const auto& j2 = source(second, "rdtsc_jitter");
  ASSERT_TRUE(j2.jsd.has_value());
  EXPECT_GE(*j2.jsd, 0.0);
  EXPECT_LE(*j2.jsd, 1.0);
}

TEST(Fingerprint, JitterDivergingFromHistoryIsAnomalous) {
  FixtureTree tree;
  auto options = tree.options();
  options.history_file = tree.state() / "history";
  std::filesystem::create_directories(tree.state());
  // A history in which every sample took about 2^15 cycles: nothing like a real TSC read.
  axle::identity::SampleHistory history;
  std::vector<double> far(axle::identity::kHistogramBins, 0.0);
  far[60] = 1.0;
  history.set("rdtsc_jitter", far, 10);
  ASSERT_TRUE(history.save(options.history_file).ok());

  auto report = collect(options);
  const auto& j = source(report, "rdtsc_jitter");
  EXPECT_EQ(j.verdict, Verdict::kAnomalous);
  EXPECT_DOUBLE_EQ(j.weight, axle::identity::kAnomalousWeight);
  ASSERT_TRUE(j.jsd.has_value());
  EXPECT_GT(*j.jsd, 0.08);
  ASSERT_FALSE(j.reasons.empty());
  EXPECT_NE(j.reasons.back().find("Jensen-Shannon"), std::string::npos);
  // The anomalous reading did not pull the stored history towards itself.
  auto stored = axle::identity::SampleHistory::load(options.history_file);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored->get("rdtsc_jitter"), far);
}
#endif

}  // namespace
