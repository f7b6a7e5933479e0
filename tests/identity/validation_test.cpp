#include "axle/identity/validation.hpp"

#include <cmath>

#include "support/test_support.hpp"

namespace {

using axle::identity::jensen_shannon_divergence;
using axle::identity::SampleHistory;

TEST(JensenShannon, IdenticalDistributionsAreZero) {
  std::vector<double> p = {1, 2, 3, 4};
  std::vector<double> q = {2, 4, 6, 8};  // same after normalisation
  auto d = jensen_shannon_divergence(p, q);
  ASSERT_TRUE(d.ok());
  EXPECT_NEAR(*d, 0.0, 1e-12);
}

TEST(JensenShannon, DisjointDistributionsAreOne) {
  auto d = jensen_shannon_divergence(std::vector<double>{1, 0}, std::vector<double>{0, 1});
  ASSERT_TRUE(d.ok());
  EXPECT_NEAR(*d, 1.0, 1e-12);
}

TEST(JensenShannon, KnownValue) {
  // P = (1, 0), Q = (½, ½), M = (¾, ¼):
  // KL(P||M) = log2(4/3), KL(Q||M) = ½ log2(2/3) + ½ log2(2); JSD = ½ (KL(P||M) + KL(Q||M)).
  double expected = 0.5 * (std::log2(4.0 / 3.0) + 0.5 * std::log2(2.0 / 3.0) + 0.5);
  auto d = jensen_shannon_divergence(std::vector<double>{1, 0}, std::vector<double>{1, 1});
  ASSERT_TRUE(d.ok());
  EXPECT_NEAR(*d, expected, 1e-12);
  EXPECT_NEAR(*d, 0.3113, 1e-4);
}

TEST(JensenShannon, IsSymmetric) {
  std::vector<double> p = {5, 1, 0, 3};
  std::vector<double> q = {1, 1, 4, 0};
  EXPECT_DOUBLE_EQ(*jensen_shannon_divergence(p, q), *jensen_shannon_divergence(q, p));
}

TEST(JensenShannon, RefusesMismatchedOrEmptyInput) {
  EXPECT_FALSE(jensen_shannon_divergence(std::vector<double>{1}, std::vector<double>{1, 2}).ok());
  EXPECT_FALSE(
      jensen_shannon_divergence(std::vector<double>{0, 0}, std::vector<double>{1, 2}).ok());
}

TEST(LogHistogram, QuarterOctaveBins) {
  auto h = axle::identity::log_histogram(std::vector<double>{1, 2, 2, 32, 1e30, -5});
  ASSERT_EQ(h.size(), axle::identity::kHistogramBins);
  EXPECT_EQ(h[0], 1.0);   // log2(1) = 0
  EXPECT_EQ(h[4], 2.0);   // 4 * log2(2)
  EXPECT_EQ(h[20], 1.0);  // 4 * log2(32)
  EXPECT_EQ(h[63], 1.0);  // clamped
  double total = 0;
  for (double x : h) total += x;
  EXPECT_EQ(total, 5.0);  // the negative sample is ignored
}

TEST(SampleHistory, RoundTripsThroughItsFile) {
  axle::test::TempDir dir;
  auto file = dir.path() / "history";
  SampleHistory h;
  std::vector<double> a(axle::identity::kHistogramBins, 0.0);
  a[3] = 3;
  a[7] = 1;
  h.update("rdtsc_jitter", a);
  ASSERT_TRUE(h.save(file).ok());
  auto loaded = SampleHistory::load(file);
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  auto got = loaded->get("rdtsc_jitter");
  ASSERT_TRUE(got.has_value());
  EXPECT_DOUBLE_EQ((*got)[3], 0.75);
  EXPECT_DOUBLE_EQ((*got)[7], 0.25);
  EXPECT_FALSE(loaded->get("other").has_value());
}

TEST(SampleHistory, UpdateIsARunningMean) {
  SampleHistory h;
  std::vector<double> a(axle::identity::kHistogramBins, 0.0);
  std::vector<double> b(axle::identity::kHistogramBins, 0.0);
  a[0] = 1;
  b[1] = 1;
  h.update("s", a);
  h.update("s", b);
  auto got = *h.get("s");
  EXPECT_DOUBLE_EQ(got[0], 0.5);
  EXPECT_DOUBLE_EQ(got[1], 0.5);
}

TEST(SampleHistory, MissingFileIsEmptyAndMalformedIsCorrupt) {
  axle::test::TempDir dir;
  auto missing = SampleHistory::load(dir.path() / "none");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->get("rdtsc_jitter").has_value());
  axle::test::write_file(dir.path() / "bad", "axle-identity-history v1\nrdtsc_jitter 1 0.5 nan\n");
  auto bad = SampleHistory::load(dir.path() / "bad");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, axle::ErrorCode::kCorrupt);
}

}  // namespace
