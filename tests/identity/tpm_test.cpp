// The TPM path against a real TPM 2.0 implementation (swtpm), cross-checked with tpm2-tools.
#include "axle/identity/tpm.hpp"

#include "axle/identity/edid.hpp"
#include "axle/identity/fingerprint.hpp"
#include "fixture.hpp"
#include "swtpm.hpp"

namespace {

using axle::identity::test::FixtureTree;
using axle::identity::test::Swtpm;
using axle::test::run_command;

#define START_SWTPM_OR_SKIP(var)                                                        \
  if (!Swtpm::available()) GTEST_SKIP() << "swtpm is not installed (scripts/setup.sh)"; \
  Swtpm var;                                                                            \
  ASSERT_TRUE(var.running()) << var.error()

std::string hex(std::span<const std::uint8_t> b) {
  return axle::test::to_hex(std::vector<std::uint8_t>(b.begin(), b.end()));
}

// tpm2_pcrread's binary output (-o) is the selected digests, concatenated.
std::vector<std::uint8_t> pcrread(const Swtpm& tpm, const std::string& selection) {
  axle::test::TempDir dir;
  auto out = dir.path() / "pcrs.bin";
  auto r = run_command({"tpm2_pcrread", "-T", tpm.tcti(), selection, "-o", out.string()}, {}, 30);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string data = axle::test::read_file(out);
  return {data.begin(), data.end()};
}

void pcrextend(const Swtpm& tpm, unsigned pcr, const std::string& digest_hex) {
  auto r = run_command(
      {"tpm2_pcrextend", "-T", tpm.tcti(), std::to_string(pcr) + ":sha256=" + digest_hex}, {}, 30);
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

const std::string kDigestA(64, 'a');

TEST(TpmPeer, PcrValuesMatchTpm2Pcrread) {
  START_SWTPM_OR_SKIP(tpm);
  pcrextend(tpm, 7, kDigestA);  // PCR 0 stays all zero on a simulator; PCR 7 now is not
  std::vector<unsigned> pcrs = {0, 7, 16};
  auto ours = axle::identity::tpm_read_pcrs(tpm.tcti(), pcrs);
  ASSERT_TRUE(ours.ok()) << ours.error().to_string();
  auto theirs = pcrread(tpm, "sha256:0,7,16");
  ASSERT_EQ(theirs.size(), 3u * 32);
  ASSERT_EQ(ours->size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*ours)[i].index, pcrs[i]);
    EXPECT_EQ(hex((*ours)[i].sha256), hex(std::span(theirs).subspan(i * 32, 32))) << pcrs[i];
  }
  EXPECT_NE(hex((*ours)[1].sha256), std::string(64, '0'));
}

TEST(TpmPeer, ReadsMoreThanEightPcrs) {
  START_SWTPM_OR_SKIP(tpm);
  pcrextend(tpm, 23, kDigestA);
  std::vector<unsigned> all;
  for (unsigned p = 0; p < 24; ++p) all.push_back(p);
  auto ours = axle::identity::tpm_read_pcrs(tpm.tcti(), all);
  ASSERT_TRUE(ours.ok()) << ours.error().to_string();
  auto theirs = pcrread(tpm, "sha256:all");
  ASSERT_EQ(theirs.size(), 24u * 32);
  for (unsigned p = 0; p < 24; ++p) {
    EXPECT_EQ(hex((*ours)[p].sha256), hex(std::span(theirs).subspan(p * 32, 32))) << p;
  }
}

TEST(TpmPeer, RefusesPcrOutOfRange) {
  std::vector<unsigned> bad = {24};
  auto r = axle::identity::tpm_read_pcrs("swtpm:host=127.0.0.1,port=1", bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, axle::ErrorCode::kInvalidArgument);
}

TEST(TpmPeer, EndorsementKeyMatchesTpm2CreateekAndIsStable) {
  START_SWTPM_OR_SKIP(tpm);
  auto first = axle::identity::tpm_ek_public(tpm.tcti());
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  auto second = axle::identity::tpm_ek_public(tpm.tcti());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);

  // tpm2_createek -G ecc uses the same TCG template; -u writes TPM2B_PUBLIC (2-byte size first).
  axle::test::TempDir dir;
  auto pub = dir.path() / "ek.pub";
  auto r = run_command({"tpm2_createek", "-T", tpm.tcti(), "-G", "ecc", "-c",
                        (dir.path() / "ek.ctx").string(), "-u", pub.string()},
                       {}, 60);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string theirs = axle::test::read_file(pub);
  ASSERT_GT(theirs.size(), 2u);
  EXPECT_EQ(hex(*first), hex(std::vector<std::uint8_t>(theirs.begin() + 2, theirs.end())));
}

TEST(TpmPeer, DifferentTpmsHaveDifferentEndorsementKeys) {
  START_SWTPM_OR_SKIP(a);
  START_SWTPM_OR_SKIP(b);
  auto ek_a = axle::identity::tpm_ek_public(a.tcti());
  auto ek_b = axle::identity::tpm_ek_public(b.tcti());
  ASSERT_TRUE(ek_a.ok() && ek_b.ok());
  EXPECT_NE(*ek_a, *ek_b);
}

TEST(TpmPeer, HighTierChangeChangesFingerprintSessionChangeDoesNot) {
  START_SWTPM_OR_SKIP(tpm);
  FixtureTree tree;
  auto options = tree.options();
  options.context.tpm.tcti = tpm.tcti();
  options.context.tpm.pcrs = {0, 7};
  auto before = axle::identity::collect_fingerprint(options);
  ASSERT_TRUE(before.ok()) << before.error().to_string();
  EXPECT_TRUE(before->high_tier_present);
  for (const auto& s : before->sources) {
    if (s.tier == axle::identity::Tier::kHigh) {
      EXPECT_NE(s.verdict, axle::identity::Verdict::kMissing) << s.name << ": " << s.reasons[0];
      EXPECT_TRUE(s.fused) << s.name;
    }
  }
  for (const auto& n : before->notes) EXPECT_EQ(n.find("no TPM"), std::string::npos) << n;

  tree.write("proc/sys/kernel/random/boot_id", "a1b2c3d4-0000-4000-8000-000000000001\n");
  auto same = axle::identity::collect_fingerprint(options);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(before->fingerprint, same->fingerprint);

  pcrextend(tpm, 0, kDigestA);  // a firmware measurement changed
  auto after = axle::identity::collect_fingerprint(options);
  ASSERT_TRUE(after.ok());
  EXPECT_NE(before->fingerprint, after->fingerprint);
}

TEST(TpmPeer, TpmSourceTimingIsMeasured) {
  START_SWTPM_OR_SKIP(tpm);
  FixtureTree tree;
  auto options = tree.options();
  options.context.tpm.tcti = tpm.tcti();
  options.time_limit_ns = 0;
  auto report = axle::identity::collect_fingerprint(options);
  ASSERT_TRUE(report.ok());
  for (const auto& s : report->sources) {
    if (s.name == "tpm_pcrs") {
      EXPECT_EQ(s.verdict, axle::identity::Verdict::kAnomalous);
      EXPECT_GT(s.elapsed_ns, 0);
      EXPECT_DOUBLE_EQ(s.weight, axle::identity::kAnomalousWeight);
    }
  }
}

TEST(TpmPeer, SecureBootHashIsPcr0WhenThereIsATpm) {
  START_SWTPM_OR_SKIP(tpm);
  pcrextend(tpm, 0, kDigestA);
  axle::identity::SourceContext ctx;
  ctx.tpm.tcti = tpm.tcti();
  axle::identity::Fingerprint fp{};
  auto h = axle::identity::secure_boot_hash(ctx, fp);
  ASSERT_TRUE(h.ok()) << h.error().to_string();
  EXPECT_TRUE(h->from_tpm);
  EXPECT_EQ(hex(h->value), hex(pcrread(tpm, "sha256:0")));
}

}  // namespace
