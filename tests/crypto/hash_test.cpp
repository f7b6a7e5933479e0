#include "axle/crypto/hash.hpp"

#include <algorithm>
#include <atomic>
#include <string>
#include <string_view>
#include <thread>

#include "support/test_support.hpp"

namespace {

using axle::test::from_hex;

std::span<const std::uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

template <std::size_t N>
std::vector<std::uint8_t> vec(const std::array<std::uint8_t, N>& a) {
  return {a.begin(), a.end()};
}

// FIPS 180-2 Appendix B / C examples.
constexpr std::string_view kSha256Empty =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr std::string_view kSha256Abc =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr std::string_view kSha256MillionA =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
constexpr std::string_view kSha512Empty =
    "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
    "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";
constexpr std::string_view kSha512Abc =
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
constexpr std::string_view kSha512MillionA =
    "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
    "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b";

TEST(Sha256, KnownAnswers) {
  auto empty = axle::crypto::sha256({});
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_EQ(vec(*empty), from_hex(kSha256Empty));
  auto abc = axle::crypto::sha256(bytes("abc"));
  ASSERT_TRUE(abc.ok());
  EXPECT_EQ(vec(*abc), from_hex(kSha256Abc));
}

TEST(Sha256, MillionAOneShotAndIncrementalAgree) {
  const std::string million(1'000'000, 'a');
  auto one_shot = axle::crypto::sha256(bytes(million));
  ASSERT_TRUE(one_shot.ok());
  EXPECT_EQ(vec(*one_shot), from_hex(kSha256MillionA));

  axle::crypto::Sha256 h;
  // Uneven pieces cross block boundaries in every way.
  std::size_t offset = 0;
  for (std::size_t piece = 1; offset < million.size(); piece = piece * 3 % 1000 + 1) {
    const std::size_t n = std::min(piece, million.size() - offset);
    ASSERT_TRUE(h.update(bytes(std::string_view(million).substr(offset, n))).ok());
    offset += n;
  }
  auto incremental = h.finish();
  ASSERT_TRUE(incremental.ok());
  EXPECT_EQ(vec(*incremental), from_hex(kSha256MillionA));
}

TEST(Sha256, FinishResetsForTheNextMessage) {
  axle::crypto::Sha256 h;
  ASSERT_TRUE(h.update(bytes("garbage from an earlier message")).ok());
  ASSERT_TRUE(h.finish().ok());
  ASSERT_TRUE(h.update(bytes("a")).ok());
  ASSERT_TRUE(h.update(bytes("bc")).ok());
  auto abc = h.finish();
  ASSERT_TRUE(abc.ok());
  EXPECT_EQ(vec(*abc), from_hex(kSha256Abc));
  auto empty = h.finish();
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(vec(*empty), from_hex(kSha256Empty));
}

TEST(Sha256, MovedFromObjectReportsMisuse) {
  axle::crypto::Sha256 a;
  ASSERT_TRUE(a.update(bytes("ab")).ok());
  axle::crypto::Sha256 b(std::move(a));
  ASSERT_TRUE(b.update(bytes("c")).ok());
  auto abc = b.finish();
  ASSERT_TRUE(abc.ok());
  EXPECT_EQ(vec(*abc), from_hex(kSha256Abc));
  auto misuse = a.update(bytes("x"));  // NOLINT: use after move is the behaviour tested
  ASSERT_FALSE(misuse.ok());
  EXPECT_EQ(misuse.error().code, axle::ErrorCode::kFailedPrecondition);
}

TEST(Sha256, ThreadsGetIndependentContexts) {
  std::vector<std::thread> threads;
  threads.reserve(4);
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&wrong, t] {
      for (int i = 0; i < 2000; ++i) {
        auto d = (t % 2 == 0) ? axle::crypto::sha256(bytes("abc")) : axle::crypto::sha256({});
        if (!d.ok() || vec(*d) != from_hex(t % 2 == 0 ? kSha256Abc : kSha256Empty)) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(Sha512, KnownAnswers) {
  auto empty = axle::crypto::sha512({});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(vec(*empty), from_hex(kSha512Empty));
  auto abc = axle::crypto::sha512(bytes("abc"));
  ASSERT_TRUE(abc.ok());
  EXPECT_EQ(vec(*abc), from_hex(kSha512Abc));
  const std::string million(1'000'000, 'a');
  auto m = axle::crypto::sha512(bytes(million));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(vec(*m), from_hex(kSha512MillionA));
}

}  // namespace
