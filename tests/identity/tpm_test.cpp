// The TPM path against a real TPM 2.0 implementation (swtpm), cross-checked with tpm2-tools.
#include "axle/identity/tpm.hpp"

#include <sys/stat.h>

#include "axle/core/state_dir.hpp"
#include "axle/crypto/random.hpp"
#include "axle/identity/derived_keys.hpp"
#include "axle/identity/edid.hpp"
#include "axle/identity/fingerprint.hpp"
#include "axle/identity/validation.hpp"
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
      // PCR values and the EK are fused; the PCR read latency is only validated.
      EXPECT_EQ(s.fused, s.name != "tpm_pcr_latency") << s.name;
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

TEST(TpmPeer, PcrReadLatencyIsSampled) {
  START_SWTPM_OR_SKIP(tpm);
  auto us = axle::identity::tpm_pcr_read_latencies_us(tpm.tcti(), 0, 32);
  ASSERT_TRUE(us.ok()) << us.error().to_string();
  ASSERT_EQ(us->size(), 32u);
  for (double x : *us) EXPECT_GT(x, 0.0);
  EXPECT_FALSE(axle::identity::tpm_pcr_read_latencies_us(tpm.tcti(), 24, 32).ok());
  EXPECT_FALSE(
      axle::identity::tpm_pcr_read_latencies_us("swtpm:host=127.0.0.1,port=1", 0, 32).ok());
}

const axle::identity::SourceReport* find_source(const axle::identity::FingerprintReport& r,
                                                std::string_view name) {
  for (const auto& s : r.sources) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

// The PCR read latency is compared with its history (Jensen–Shannon, default 0.03); a profile
// unlike the stored one makes it anomalous, but it never moves the fingerprint.
TEST(TpmPeer, PcrLatencyDivergenceIsCheckedAgainstHistoryAndNeverFused) {
  START_SWTPM_OR_SKIP(tpm);
  FixtureTree tree;
  axle::test::TempDir state;
  auto options = tree.options();
  options.context.tpm.tcti = tpm.tcti();
  options.history_file = state.path() / "history";

  auto first = axle::identity::collect_fingerprint(options);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  const auto* baseline = find_source(*first, "tpm_pcr_latency");
  ASSERT_NE(baseline, nullptr);
  ASSERT_NE(baseline->verdict, axle::identity::Verdict::kMissing) << baseline->reasons[0];
  EXPECT_FALSE(baseline->fused);
  EXPECT_FALSE(baseline->jsd.has_value());  // no history yet: this run is the baseline
  auto history = axle::identity::SampleHistory::load(options.history_file);
  ASSERT_TRUE(history.ok());
  ASSERT_TRUE(history->get("tpm_pcr_latency").has_value());

  auto second = axle::identity::collect_fingerprint(options);
  ASSERT_TRUE(second.ok());
  const auto* compared = find_source(*second, "tpm_pcr_latency");
  ASSERT_NE(compared, nullptr);
  ASSERT_TRUE(compared->jsd.has_value());  // compared with the history now
  EXPECT_EQ(first->fingerprint, second->fingerprint);

  // A stored profile of a very different TPM (every read in the lowest bin): anomalous at the
  // default threshold, with the reason; the fingerprint does not change.
  std::vector<double> other(axle::identity::kHistogramBins, 0.0);
  other[0] = 1.0;
  history->set("tpm_pcr_latency", other, 10);
  ASSERT_TRUE(history->save(options.history_file).ok());
  auto diverged = axle::identity::collect_fingerprint(options);
  ASSERT_TRUE(diverged.ok());
  const auto* anomalous = find_source(*diverged, "tpm_pcr_latency");
  ASSERT_NE(anomalous, nullptr);
  EXPECT_EQ(anomalous->verdict, axle::identity::Verdict::kAnomalous);
  ASSERT_FALSE(anomalous->reasons.empty());
  EXPECT_NE(anomalous->reasons.back().find("threshold 0.03"), std::string::npos)
      << anomalous->reasons.back();
  EXPECT_DOUBLE_EQ(anomalous->weight, axle::identity::kAnomalousWeight);
  EXPECT_EQ(diverged->fingerprint, first->fingerprint);

  // The threshold is configurable: at 1 (the divergence's maximum) nothing is anomalous.
  options.jsd_thresholds["tpm_pcr_latency"] = 1.0;
  auto lenient = axle::identity::collect_fingerprint(options);
  ASSERT_TRUE(lenient.ok());
  const auto* accepted = find_source(*lenient, "tpm_pcr_latency");
  ASSERT_NE(accepted, nullptr);
  ASSERT_TRUE(accepted->jsd.has_value());
  EXPECT_GT(*accepted->jsd, 0.03);
  EXPECT_EQ(accepted->verdict, axle::identity::Verdict::kOk);
}

TEST(TpmPeer, SealUnsealRoundTripAndForeignTpmRefuses) {
  START_SWTPM_OR_SKIP(tpm);
  START_SWTPM_OR_SKIP(other);
  auto secret = *axle::crypto::random_secret(32);
  auto blob = axle::identity::tpm_seal(tpm.tcti(), secret);
  ASSERT_TRUE(blob.ok()) << blob.error().to_string();
  // The blob does not contain the secret in clear.
  std::string blob_hex = hex(*blob);
  EXPECT_EQ(blob_hex.find(hex(secret.view())), std::string::npos);
  auto back = axle::identity::tpm_unseal(tpm.tcti(), *blob);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(hex(back->view()), hex(secret.view()));
  // The same blob on another TPM: refused, and the message says why.
  auto foreign = axle::identity::tpm_unseal(other.tcti(), *blob);
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, axle::ErrorCode::kPermissionDenied);
  EXPECT_NE(foreign.error().message.find("another TPM"), std::string::npos)
      << foreign.error().message;
  // The blob pins the storage key's name (TPM2B_NAME of a SHA-256 name: 2 + 2 + 32 bytes at
  // the end): a different name is refused before any session is salted with the key.
  constexpr std::size_t kNameBytes = 36;
  auto repinned = *blob;
  repinned.back() ^= 0x01;
  auto mismatch = axle::identity::tpm_unseal(tpm.tcti(), repinned);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code, axle::ErrorCode::kPermissionDenied);
  EXPECT_NE(mismatch.error().message.find("storage key is not the one"), std::string::npos)
      << mismatch.error().message;
  // A blob sealed before the pin existed (public and private only) still unseals.
  auto unpinned = *blob;
  unpinned.resize(unpinned.size() - kNameBytes);
  auto legacy = axle::identity::tpm_unseal(tpm.tcti(), unpinned);
  ASSERT_TRUE(legacy.ok()) << legacy.error().to_string();
  EXPECT_EQ(hex(legacy->view()), hex(secret.view()));
  // A damaged private part is refused by the TPM.
  auto damaged = unpinned;
  damaged.back() ^= 0x01;
  EXPECT_FALSE(axle::identity::tpm_unseal(tpm.tcti(), damaged).ok());
  EXPECT_FALSE(axle::identity::tpm_unseal(tpm.tcti(), std::vector<std::uint8_t>{1, 2, 3}).ok());
}

// A plain device secret is sealed to the TPM on first use with one, and the plain file erased;
// the sealed secret then serves a new process (`axle id keys`) with the same derived keys; the
// blob alone, without its TPM, gives nothing.
TEST(TpmPeer, DeviceSecretIsSealedMigratedAndBoundToItsTpm) {
  START_SWTPM_OR_SKIP(tpm);
  START_SWTPM_OR_SKIP(other);
  FixtureTree tree;
  auto state = axle::StateDir::open(tree.state());
  ASSERT_TRUE(state.ok());
  axle::identity::SourceContext no_tpm;
  no_tpm.root = tree.root();  // the fixture tree has no /dev/tpmrm0
  auto plain = axle::identity::open_device_secret(*state, no_tpm);
  ASSERT_TRUE(plain.ok()) << plain.error().to_string();
  EXPECT_EQ(plain->storage, axle::identity::SecretStorage::kFile);
  ASSERT_TRUE(state->exists(axle::identity::kDeviceSecretFile));

  axle::identity::SourceContext with_tpm = no_tpm;
  with_tpm.tpm.tcti = tpm.tcti();
  auto sealed = axle::identity::open_device_secret(*state, with_tpm);
  ASSERT_TRUE(sealed.ok()) << sealed.error().to_string();
  EXPECT_EQ(sealed->storage, axle::identity::SecretStorage::kTpmSealed);
  EXPECT_EQ(hex(sealed->secret.view()), hex(plain->secret.view()));  // migrated, not replaced
  EXPECT_FALSE(state->exists(axle::identity::kDeviceSecretFile));
  struct stat st {};
  ASSERT_EQ(::stat((tree.state() / axle::identity::kSealedDeviceSecretFile).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string blob = axle::test::read_file(tree.state() / axle::identity::kSealedDeviceSecretFile);
  EXPECT_EQ(axle::test::to_hex({blob.begin(), blob.end()}).find(hex(plain->secret.view())),
            std::string::npos);

  // A new process unseals it (`axle id keys` fails when the sealed secret cannot be unsealed),
  // and it is still the migrated secret.
  auto keys = run_command({axle::test::axle_binary(), "--state-dir", tree.state().string(), "id",
                           "keys", "--json", "--root", tree.root().string(), "--tcti", tpm.tcti()},
                          {}, 60);
  ASSERT_EQ(keys.exit_code, 0) << keys.err;
  auto doc = nlohmann::json::parse(keys.out);
  EXPECT_EQ(doc["device_secret"], "sealed to TPM");
  auto again = axle::identity::open_device_secret(*state, with_tpm);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(hex(again->secret.view()), hex(plain->secret.view()));

  // The blob without its TPM: another TPM refuses it; no TPM at all is an error too, never a
  // new secret.
  axle::identity::SourceContext foreign = no_tpm;
  foreign.tpm.tcti = other.tcti();
  auto refused = axle::identity::open_device_secret(*state, foreign);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("sealed to a TPM"), std::string::npos);
  EXPECT_NE(refused.error().message.find("another TPM"), std::string::npos)
      << refused.error().message;
  auto missing = axle::identity::open_device_secret(*state, no_tpm);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, axle::ErrorCode::kNotFound);
  EXPECT_FALSE(state->exists(axle::identity::kDeviceSecretFile));
}

// The secret crosses the TPM bus encrypted: tpm2-tss's TCTI trace of a migration (TPM2_Create,
// then TPM2_Unseal to check) shows every byte sent and received, and never the secret.
TEST(TpmPeer, SealedSecretNeverCrossesTheBusInClear) {
  START_SWTPM_OR_SKIP(tpm);
  FixtureTree tree;
  const std::string secret(32, '\xAB');
  std::filesystem::create_directories(tree.state() / "identity");
  axle::test::write_file(tree.state() / axle::identity::kDeviceSecretFile, secret);
  ::chmod((tree.state() / axle::identity::kDeviceSecretFile).c_str(), 0600);
  auto r = run_command({axle::test::axle_binary(), "--state-dir", tree.state().string(), "id",
                        "keys", "--json", "--root", tree.root().string(), "--tcti", tpm.tcti()},
                       {"TSS2_LOG=tcti+trace"}, 60);
  ASSERT_EQ(r.exit_code, 0) << r.err.substr(0, 2000);
  EXPECT_EQ(nlohmann::json::parse(r.out)["device_secret"], "sealed to TPM");
  ASSERT_NE(r.err.find("Writing"), std::string::npos);  // the trace is there
  // The trace prints 16 bytes per row in hex: half the secret would be one row of "ab"s.
  EXPECT_EQ(r.err.find("abababababababababababababababab"), std::string::npos);
}

TEST(TpmPeer, NewDeviceSecretIsSealedFromTheStart) {
  START_SWTPM_OR_SKIP(tpm);
  FixtureTree tree;
  auto state = axle::StateDir::open(tree.state());
  ASSERT_TRUE(state.ok());
  axle::identity::SourceContext ctx;
  ctx.root = tree.root();
  ctx.tpm.tcti = tpm.tcti();
  auto first = axle::identity::open_device_secret(*state, ctx);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(first->storage, axle::identity::SecretStorage::kTpmSealed);
  EXPECT_FALSE(state->exists(axle::identity::kDeviceSecretFile));  // never written in clear
  auto second = axle::identity::open_device_secret(*state, ctx);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(hex(second->secret.view()), hex(first->secret.view()));
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
