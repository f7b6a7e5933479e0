#include "axle/crypto/random.hpp"

#include <algorithm>
#include <set>

#include "support/test_support.hpp"

namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(Random, BytesHaveTheAskedLengthAndDiffer) {
  std::set<Bytes> seen;
  for (int i = 0; i < 100; ++i) {
    auto r = axle::crypto::random_bytes(16);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 16u);
    seen.insert(*r);
  }
  EXPECT_EQ(seen.size(), 100u);  // a repeat among 100 draws of 128 bits means a broken DRBG
  auto none = axle::crypto::random_bytes(0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(Random, FillCoversTheWholeBuffer) {
  // Each byte stays zero with probability 1/256 per draw; four draws all zero at one position
  // happens with probability 2^-32 per position.
  Bytes ored(4096, 0);
  for (int i = 0; i < 4; ++i) {
    Bytes buf(4096, 0);
    ASSERT_TRUE(axle::crypto::random_fill(buf).ok());
    for (std::size_t j = 0; j < buf.size(); ++j) ored[j] |= buf[j];
  }
  EXPECT_EQ(std::count(ored.begin(), ored.end(), 0), 0);
}

TEST(Random, SecretComesFromThePrivateGenerator) {
  auto a = axle::crypto::random_secret(32);
  auto b = axle::crypto::random_secret(32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_FALSE(a->equals(*b));
}

TEST(ConstantTimeEqual, ComparesLengthAndContent) {
  const Bytes a = {1, 2, 3};
  const Bytes b = {1, 2, 3};
  const Bytes c = {1, 2, 4};
  const Bytes d = {1, 2};
  EXPECT_TRUE(axle::crypto::constant_time_equal(a, b));
  EXPECT_FALSE(axle::crypto::constant_time_equal(a, c));
  EXPECT_FALSE(axle::crypto::constant_time_equal(a, d));
  EXPECT_FALSE(axle::crypto::constant_time_equal(d, a));
  EXPECT_TRUE(axle::crypto::constant_time_equal({}, {}));
  EXPECT_FALSE(axle::crypto::constant_time_equal({}, a));
  const Bytes first_differs = {9, 2, 3};
  EXPECT_FALSE(axle::crypto::constant_time_equal(a, first_differs));
}

}  // namespace
