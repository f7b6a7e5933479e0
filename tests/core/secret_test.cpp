#include "axle/core/secret.hpp"

#include <gtest/gtest.h>

#include <array>

namespace axle {
namespace {

TEST(SecretBytesTest, HoldsTheGivenBytes) {
  std::array<std::uint8_t, 4> raw{1, 2, 3, 4};
  SecretBytes s(raw);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s.view()[3], 4);
}

TEST(SecretBytesTest, WipeZeroesAndEmpties) {
  std::array<std::uint8_t, 4> raw{9, 9, 9, 9};
  SecretBytes s(raw);
  const std::uint8_t* data = s.view().data();
  s.wipe();
  EXPECT_TRUE(s.empty());
  // The storage is still owned by the (now empty) vector, so reading it is defined here.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(data[i], 0) << i;
}

TEST(SecretBytesTest, MovedFromIsEmpty) {
  std::array<std::uint8_t, 3> raw{5, 6, 7};
  SecretBytes a(raw);
  SecretBytes b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the contract under test
  EXPECT_EQ(b.size(), 3u);
}

TEST(SecretBytesTest, EqualityComparesContentAndLength) {
  std::array<std::uint8_t, 3> x{1, 2, 3};
  std::array<std::uint8_t, 3> y{1, 2, 4};
  std::array<std::uint8_t, 2> z{1, 2};
  EXPECT_TRUE(SecretBytes(x).equals(SecretBytes(x)));
  EXPECT_FALSE(SecretBytes(x).equals(SecretBytes(y)));
  EXPECT_FALSE(SecretBytes(x).equals(SecretBytes(z)));
}

TEST(SecureWipeTest, OverwritesBuffer) {
  std::array<std::uint8_t, 16> buf;
  buf.fill(0xAB);
  secure_wipe(buf.data(), buf.size());
  for (auto b : buf) EXPECT_EQ(b, 0);
}

// That formatting a SecretBytes does not compile is checked by the build itself:
// tests/core/secret_format_must_not_compile.cpp is compiled by a ctest that expects failure.

}  // namespace
}  // namespace axle
