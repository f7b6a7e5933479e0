#include "axle/crypto/aead.hpp"

#include <set>
#include <string_view>
#include <thread>

#include "support/test_support.hpp"

namespace {

using axle::ErrorCode;
using axle::test::from_hex;
using Bytes = std::vector<std::uint8_t>;

std::span<const std::uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

Bytes concat(const Bytes& a, const Bytes& b) {
  Bytes out(a);
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// Wycheproof AES-GCM: every group (128/192/256-bit keys, IVs of 0..2056 bits, 128-bit tags).
// Valid cases must seal to exactly ct||tag and open back; invalid ones are modified tags
// (kVerificationFailed) or an empty IV (kInvalidArgument, SP 800-38D §5.2.1.1).
TEST(AesGcm, WycheproofVectors) {
  AXLE_LOAD_VECTORS_OR_SKIP(doc, "vectors/wycheproof/aes_gcm_test.json");
  int run = 0;
  int valid = 0;
  int invalid = 0;
  for (const auto& group : doc.at("testGroups")) {
    const std::size_t tag_size = group.at("tagSize").get<std::size_t>() / 8;
    for (const auto& t : group.at("tests")) {
      const int id = t.at("tcId").get<int>();
      SCOPED_TRACE("tcId " + std::to_string(id));
      const auto key = from_hex(t.at("key").get<std::string>());
      const auto iv = from_hex(t.at("iv").get<std::string>());
      const auto aad = from_hex(t.at("aad").get<std::string>());
      const auto msg = from_hex(t.at("msg").get<std::string>());
      const auto sealed_expected =
          concat(from_hex(t.at("ct").get<std::string>()), from_hex(t.at("tag").get<std::string>()));
      const std::string result = t.at("result").get<std::string>();
      const auto& flags = t.at("flags");
      const bool zero_iv = std::find(flags.begin(), flags.end(), "ZeroLengthIv") != flags.end();

      auto sealed = axle::crypto::aes_gcm_seal(key, iv, aad, msg, tag_size);
      auto opened = axle::crypto::aes_gcm_open(key, iv, aad, sealed_expected, tag_size);
      if (result == "valid") {
        ASSERT_TRUE(sealed.ok()) << sealed.error().message;
        EXPECT_EQ(*sealed, sealed_expected);
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        EXPECT_EQ(*opened, msg);
        ++valid;
      } else {
        ASSERT_EQ(result, "invalid");
        ASSERT_FALSE(opened.ok());
        if (zero_iv) {
          EXPECT_EQ(opened.error().code, ErrorCode::kInvalidArgument);
          ASSERT_FALSE(sealed.ok());
          EXPECT_EQ(sealed.error().code, ErrorCode::kInvalidArgument);
        } else {
          EXPECT_EQ(opened.error().code, ErrorCode::kVerificationFailed);
          ASSERT_TRUE(sealed.ok());
          EXPECT_NE(*sealed, sealed_expected);
        }
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

class Aes256GcmTest : public ::testing::Test {
 protected:
  Bytes key_ = from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  Bytes nonce_ = from_hex("cafebabefacedbaddecaf888");
};

TEST_F(Aes256GcmTest, RoundTripAndEveryTamperFails) {
  const Bytes pt(100, 0x42);
  auto sealed = axle::crypto::aes_gcm_seal(key_, nonce_, bytes("header"), pt);
  ASSERT_TRUE(sealed.ok()) << sealed.error().message;
  ASSERT_EQ(sealed->size(), pt.size() + axle::crypto::kAesGcmTagSize);
  auto opened = axle::crypto::aes_gcm_open(key_, nonce_, bytes("header"), *sealed);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(*opened, pt);

  auto expect_rejected = [&](std::span<const std::uint8_t> key, std::span<const std::uint8_t> nonce,
                             std::string_view aad, const Bytes& data) {
    auto r = axle::crypto::aes_gcm_open(key, nonce, bytes(aad), data);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kVerificationFailed);
  };
  for (std::size_t i : {std::size_t{0}, std::size_t{50}, pt.size(), sealed->size() - 1}) {
    Bytes flipped = *sealed;
    flipped[i] ^= 0x01;
    expect_rejected(key_, nonce_, "header", flipped);
  }
  expect_rejected(key_, nonce_, "Header", *sealed);
  expect_rejected(key_, nonce_, "", *sealed);
  Bytes other_nonce = nonce_;
  other_nonce[11] ^= 0x80;
  expect_rejected(key_, other_nonce, "header", *sealed);
  Bytes other_key = key_;
  other_key[0] ^= 0x01;
  expect_rejected(other_key, nonce_, "header", *sealed);
  expect_rejected(key_, nonce_, "header", Bytes(sealed->begin(), sealed->end() - 1));
  expect_rejected(key_, nonce_, "header", Bytes(5, 0));
}

TEST_F(Aes256GcmTest, EmptyPlaintextAndAadAuthenticate) {
  auto sealed = axle::crypto::aes_gcm_seal(key_, nonce_, {}, {});
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->size(), axle::crypto::kAesGcmTagSize);
  auto opened = axle::crypto::aes_gcm_open(key_, nonce_, {}, *sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->empty());
  (*sealed)[0] ^= 1;
  EXPECT_FALSE(axle::crypto::aes_gcm_open(key_, nonce_, {}, *sealed).ok());
}

TEST_F(Aes256GcmTest, TruncatedTagsAreLeftmostBytesAndOutOfRangeSizesRefused) {
  auto full = axle::crypto::aes_gcm_seal(key_, nonce_, {}, bytes("message"));
  ASSERT_TRUE(full.ok());
  for (std::size_t tag = 12; tag <= 16; ++tag) {
    SCOPED_TRACE(tag);
    auto sealed = axle::crypto::aes_gcm_seal(key_, nonce_, {}, bytes("message"), tag);
    ASSERT_TRUE(sealed.ok());
    ASSERT_EQ(sealed->size(), 7 + tag);
    EXPECT_TRUE(std::equal(sealed->begin(), sealed->end(), full->begin()));
    auto opened = axle::crypto::aes_gcm_open(key_, nonce_, {}, *sealed, tag);
    ASSERT_TRUE(opened.ok());
    (*sealed)[7] ^= 1;
    EXPECT_EQ(axle::crypto::aes_gcm_open(key_, nonce_, {}, *sealed, tag).error().code,
              ErrorCode::kVerificationFailed);
  }
  for (std::size_t tag : {std::size_t{0}, std::size_t{4}, std::size_t{11}, std::size_t{17}}) {
    EXPECT_EQ(axle::crypto::aes_gcm_seal(key_, nonce_, {}, bytes("m"), tag).error().code,
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(axle::crypto::aes_gcm_open(key_, nonce_, {}, *full, tag).error().code,
              ErrorCode::kInvalidArgument);
  }
}

TEST_F(Aes256GcmTest, BadKeyAndNonceSizesAreInvalidArguments) {
  EXPECT_EQ(axle::crypto::aes_gcm_seal(Bytes(31, 0), nonce_, {}, {}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(axle::crypto::aes_gcm_seal(Bytes{}, nonce_, {}, {}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(axle::crypto::aes_gcm_seal(key_, {}, {}, {}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(axle::crypto::aes_gcm_open(key_, {}, {}, Bytes(16, 0)).error().code,
            ErrorCode::kInvalidArgument);
}

// The per-thread context keeps the last key schedule and IV length; changing key, key size,
// nonce length and direction in any order must give what a fresh context gives.
TEST_F(Aes256GcmTest, CachedContextMatchesFreshContext) {
  struct Case {
    Bytes key;
    Bytes nonce;
  };
  const std::vector<Case> cases = {
      {key_, nonce_},         {key_, Bytes(16, 7)},         {key_, Bytes(1, 9)},
      {Bytes(16, 3), nonce_}, {Bytes(24, 4), Bytes(60, 5)}, {key_, nonce_},
      {key_, Bytes(128, 6)},  {key_, Bytes(129, 6)},        {Bytes(32, 8), Bytes(300, 1)},
      {Bytes(32, 8), nonce_}, {Bytes(32, 9), nonce_},       {key_, nonce_}};
  std::vector<Bytes> fresh(cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    std::thread([&, i] {
      auto r = axle::crypto::aes_gcm_seal(cases[i].key, cases[i].nonce, bytes("a"), bytes("p"));
      if (r.ok()) fresh[i] = *r;
    }).join();
    ASSERT_FALSE(fresh[i].empty());
  }
  for (int round = 0; round < 2; ++round) {
    for (std::size_t i = 0; i < cases.size(); ++i) {
      SCOPED_TRACE(i);
      auto sealed =
          axle::crypto::aes_gcm_seal(cases[i].key, cases[i].nonce, bytes("a"), bytes("p"));
      ASSERT_TRUE(sealed.ok()) << sealed.error().message;
      EXPECT_EQ(*sealed, fresh[i]);
      auto opened = axle::crypto::aes_gcm_open(cases[i].key, cases[i].nonce, bytes("a"), *sealed);
      ASSERT_TRUE(opened.ok()) << opened.error().message;
      EXPECT_EQ(*opened, Bytes{'p'});
    }
  }
}

TEST_F(Aes256GcmTest, LongNoncesRoundTripAndAuthenticate) {
  const Bytes nonce(200, 0x5a);
  auto sealed = axle::crypto::aes_gcm_seal(key_, nonce, bytes("aad"), bytes("long nonce text"));
  ASSERT_TRUE(sealed.ok()) << sealed.error().message;
  auto opened = axle::crypto::aes_gcm_open(key_, nonce, bytes("aad"), *sealed);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(*opened, Bytes(bytes("long nonce text").begin(), bytes("long nonce text").end()));
  (*sealed)[3] ^= 1;
  EXPECT_EQ(axle::crypto::aes_gcm_open(key_, nonce, bytes("aad"), *sealed).error().code,
            ErrorCode::kVerificationFailed);
}

TEST_F(Aes256GcmTest, RandomNonceHelpersRoundTripWithFreshNonces) {
  std::set<Bytes> nonces;
  for (int i = 0; i < 64; ++i) {
    auto sealed = axle::crypto::aes256_gcm_seal_random_nonce(key_, bytes("ad"), bytes("hello"));
    ASSERT_TRUE(sealed.ok()) << sealed.error().message;
    ASSERT_EQ(sealed->size(), 12 + 5 + 16);
    nonces.insert(Bytes(sealed->begin(), sealed->begin() + 12));
    auto opened = axle::crypto::aes256_gcm_open_random_nonce(key_, bytes("ad"), *sealed);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(*opened, Bytes({'h', 'e', 'l', 'l', 'o'}));
    // The nonce prefix is authenticated like everything else.
    Bytes tampered = *sealed;
    tampered[0] ^= 1;
    EXPECT_EQ(axle::crypto::aes256_gcm_open_random_nonce(key_, bytes("ad"), tampered).error().code,
              ErrorCode::kVerificationFailed);
  }
  EXPECT_EQ(nonces.size(), 64u);
  EXPECT_EQ(axle::crypto::aes256_gcm_open_random_nonce(key_, {}, Bytes(27, 0)).error().code,
            ErrorCode::kVerificationFailed);
  EXPECT_EQ(axle::crypto::aes256_gcm_seal_random_nonce(Bytes(16, 0), {}, {}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(axle::crypto::aes256_gcm_open_random_nonce(Bytes(16, 0), {}, Bytes(40, 0)).error().code,
            ErrorCode::kInvalidArgument);
}

}  // namespace
