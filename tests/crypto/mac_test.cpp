#include "axle/crypto/mac.hpp"

#include <string_view>
#include <thread>

#include "support/test_support.hpp"

namespace {

using axle::ErrorCode;
using axle::test::from_hex;

std::span<const std::uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::vector<std::uint8_t> vec(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }

// RFC 4231 §4.3, test case 2: a key shorter than the block size.
TEST(HmacSha256, Rfc4231KnownAnswer) {
  auto tag = axle::crypto::hmac_sha256(bytes("Jefe"), bytes("what do ya want for nothing?"));
  ASSERT_TRUE(tag.ok()) << tag.error().message;
  EXPECT_EQ(vec(*tag),
            from_hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
}

// RFC 4231 §4.7, test case 6: a key longer than the block size is hashed first.
TEST(HmacSha256, LongKeyIsHashedFirst) {
  const std::vector<std::uint8_t> key(131, 0xaa);
  auto tag = axle::crypto::hmac_sha256(
      key, bytes("Test Using Larger Than Block-Size Key - Hash Key First"));
  ASSERT_TRUE(tag.ok());
  EXPECT_EQ(vec(*tag),
            from_hex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"));
}

TEST(HmacSha256, AlternatingKeysGiveEachKeysTag) {
  // The per-thread context caches the last key; switching keys must re-key every time.
  const auto a = vec(*axle::crypto::hmac_sha256(bytes("key-a"), bytes("msg")));
  const auto b = vec(*axle::crypto::hmac_sha256(bytes("key-b"), bytes("msg")));
  const auto empty = vec(*axle::crypto::hmac_sha256({}, bytes("msg")));
  EXPECT_NE(a, b);
  EXPECT_NE(a, empty);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(vec(*axle::crypto::hmac_sha256(bytes("key-a"), bytes("msg"))), a);
    EXPECT_EQ(vec(*axle::crypto::hmac_sha256(bytes("key-b"), bytes("msg"))), b);
    EXPECT_EQ(vec(*axle::crypto::hmac_sha256({}, bytes("msg"))), empty);
  }
  // A fresh thread (fresh context) agrees with the cached path.
  std::vector<std::uint8_t> from_thread;
  std::thread([&] {
    from_thread = vec(*axle::crypto::hmac_sha256(bytes("key-b"), bytes("msg")));
  }).join();
  EXPECT_EQ(from_thread, b);
}

TEST(HmacSha256, VerifyAcceptsFullAndTruncatedTagsOnly) {
  auto tag = axle::crypto::hmac_sha256(bytes("k"), bytes("m"));
  ASSERT_TRUE(tag.ok());
  const std::span<const std::uint8_t> full(*tag);
  EXPECT_TRUE(axle::crypto::hmac_sha256_verify(bytes("k"), bytes("m"), full).ok());
  EXPECT_TRUE(axle::crypto::hmac_sha256_verify(bytes("k"), bytes("m"), full.first(16)).ok());
  auto too_short = axle::crypto::hmac_sha256_verify(bytes("k"), bytes("m"), full.first(15));
  ASSERT_FALSE(too_short.ok());
  EXPECT_EQ(too_short.error().code, ErrorCode::kVerificationFailed);
  auto wrong_msg = axle::crypto::hmac_sha256_verify(bytes("k"), bytes("M"), full);
  ASSERT_FALSE(wrong_msg.ok());
  EXPECT_EQ(wrong_msg.error().code, ErrorCode::kVerificationFailed);
  std::vector<std::uint8_t> too_long(full.begin(), full.end());
  too_long.push_back(0);
  EXPECT_FALSE(axle::crypto::hmac_sha256_verify(bytes("k"), bytes("m"), too_long).ok());
}

// Wycheproof HMAC-SHA256: every group, including those with 128-bit truncated tags, where the
// expected tag is the leftmost tagSize bits of the full HMAC.
TEST(HmacSha256, WycheproofVectors) {
  AXLE_LOAD_VECTORS_OR_SKIP(doc, "vectors/wycheproof/hmac_sha256_test.json");
  int run = 0;
  int valid = 0;
  int invalid = 0;
  for (const auto& group : doc.at("testGroups")) {
    const std::size_t tag_bytes = group.at("tagSize").get<std::size_t>() / 8;
    for (const auto& t : group.at("tests")) {
      SCOPED_TRACE("tcId " + std::to_string(t.at("tcId").get<int>()));
      const auto key = from_hex(t.at("key").get<std::string>());
      const auto msg = from_hex(t.at("msg").get<std::string>());
      const auto expected = from_hex(t.at("tag").get<std::string>());
      const std::string result = t.at("result").get<std::string>();
      ASSERT_EQ(expected.size(), tag_bytes);
      auto computed = axle::crypto::hmac_sha256(key, msg);
      ASSERT_TRUE(computed.ok()) << computed.error().message;
      const bool prefix_matches = std::equal(expected.begin(), expected.end(), computed->begin());
      auto verified = axle::crypto::hmac_sha256_verify(key, msg, expected);
      if (result == "valid") {
        EXPECT_TRUE(prefix_matches);
        EXPECT_TRUE(verified.ok()) << verified.error().message;
        ++valid;
      } else {
        ASSERT_EQ(result, "invalid");
        EXPECT_FALSE(prefix_matches);
        ASSERT_FALSE(verified.ok());
        EXPECT_EQ(verified.error().code, ErrorCode::kVerificationFailed);
        ++invalid;
      }
      ++run;
    }
  }
  EXPECT_GT(run, 0);
  EXPECT_EQ(run, doc.at("numberOfTests").get<int>());
  RecordProperty("vectors_valid", valid);
  RecordProperty("vectors_invalid", invalid);
}

TEST(HkdfSha256, Rfc5869Vectors) {
  AXLE_LOAD_VECTORS_OR_SKIP(doc, "vectors/rfc/rfc5869_hkdf_sha256.json");
  int run = 0;
  for (const auto& c : doc.at("cases")) {
    SCOPED_TRACE("case " + std::to_string(c.at("tcId").get<int>()));
    ASSERT_EQ(c.at("hash").get<std::string>(), "SHA-256");
    const auto ikm = from_hex(c.at("ikm").get<std::string>());
    const auto salt = from_hex(c.at("salt").get<std::string>());
    const auto info = from_hex(c.at("info").get<std::string>());
    const auto length = c.at("L").get<std::size_t>();
    const auto prk_expected = from_hex(c.at("prk").get<std::string>());
    const auto okm_expected = from_hex(c.at("okm").get<std::string>());

    auto prk = axle::crypto::hkdf_sha256_extract(salt, ikm);
    ASSERT_TRUE(prk.ok()) << prk.error().message;
    EXPECT_EQ(vec(prk->view()), prk_expected);
    auto okm = axle::crypto::hkdf_sha256_expand(prk->view(), info, length);
    ASSERT_TRUE(okm.ok()) << okm.error().message;
    EXPECT_EQ(vec(okm->view()), okm_expected);
    auto both = axle::crypto::hkdf_sha256(salt, ikm, info, length);
    ASSERT_TRUE(both.ok()) << both.error().message;
    EXPECT_EQ(vec(both->view()), okm_expected);
    ++run;
  }
  EXPECT_EQ(run, 3);
}

TEST(HkdfSha256, WycheproofVectors) {
  AXLE_LOAD_VECTORS_OR_SKIP(doc, "vectors/wycheproof/hkdf_sha256_test.json");
  int run = 0;
  for (const auto& group : doc.at("testGroups")) {
    for (const auto& t : group.at("tests")) {
      SCOPED_TRACE("tcId " + std::to_string(t.at("tcId").get<int>()));
      const auto ikm = from_hex(t.at("ikm").get<std::string>());
      const auto salt = from_hex(t.at("salt").get<std::string>());
      const auto info = from_hex(t.at("info").get<std::string>());
      const auto size = t.at("size").get<std::size_t>();
      const std::string result = t.at("result").get<std::string>();
      auto okm = axle::crypto::hkdf_sha256(salt, ikm, info, size);
      auto prk = axle::crypto::hkdf_sha256_extract(salt, ikm);
      ASSERT_TRUE(prk.ok()) << prk.error().message;
      auto two_step = axle::crypto::hkdf_sha256_expand(prk->view(), info, size);
      if (result == "valid") {
        ASSERT_TRUE(okm.ok()) << okm.error().message;
        EXPECT_EQ(vec(okm->view()), from_hex(t.at("okm").get<std::string>()));
        ASSERT_TRUE(two_step.ok()) << two_step.error().message;
        EXPECT_TRUE(two_step->equals(*okm));
      } else {
        // The only invalid cases ask for more than 255*HashLen bytes (RFC 5869 §2.3).
        ASSERT_EQ(result, "invalid");
        ASSERT_FALSE(okm.ok());
        EXPECT_EQ(okm.error().code, ErrorCode::kInvalidArgument);
        ASSERT_FALSE(two_step.ok());
        EXPECT_EQ(two_step.error().code, ErrorCode::kInvalidArgument);
      }
      ++run;
    }
  }
  EXPECT_GT(run, 0);
  EXPECT_EQ(run, doc.at("numberOfTests").get<int>());
}

TEST(HkdfSha256, RejectsOutOfRangeLengthsAndShortPrk) {
  const std::vector<std::uint8_t> ikm(32, 1);
  EXPECT_EQ(axle::crypto::hkdf_sha256({}, ikm, {}, 0).error().code, ErrorCode::kInvalidArgument);
  constexpr std::size_t kMax = std::size_t{255} * 32;
  EXPECT_TRUE(axle::crypto::hkdf_sha256({}, ikm, {}, kMax).ok());
  EXPECT_EQ(axle::crypto::hkdf_sha256({}, ikm, {}, kMax + 1).error().code,
            ErrorCode::kInvalidArgument);
  const std::vector<std::uint8_t> short_prk(31, 1);
  EXPECT_EQ(axle::crypto::hkdf_sha256_expand(short_prk, {}, 32).error().code,
            ErrorCode::kInvalidArgument);
}

TEST(HkdfSha256, EmptySaltEqualsZeroSalt) {
  // RFC 5869 §2.2: "if not provided, [salt] is set to a string of HashLen zeros".
  const std::vector<std::uint8_t> ikm(22, 0x0b);
  const std::vector<std::uint8_t> zeros(32, 0);
  auto a = axle::crypto::hkdf_sha256_extract({}, ikm);
  auto b = axle::crypto::hkdf_sha256_extract(zeros, ikm);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(a->equals(*b));
}

}  // namespace
