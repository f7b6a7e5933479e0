#include "axle/identity/derived_keys.hpp"

#include <sys/stat.h>

#include <algorithm>

#include "axle/crypto/random.hpp"
#include "support/test_support.hpp"

namespace {

using axle::SecretBytes;
using axle::StateDir;
using axle::identity::derive_key;
using axle::identity::Fingerprint;
using axle::identity::KeyPurpose;

Fingerprint sample_fingerprint(std::uint8_t seed) {
  Fingerprint f{};
  for (std::size_t i = 0; i < f.size(); ++i) f[i] = static_cast<std::uint8_t>(seed + i);
  return f;
}

std::string hex(std::span<const std::uint8_t> b) {
  return axle::test::to_hex(std::vector<std::uint8_t>(b.begin(), b.end()));
}

TEST(DerivedKeys, InfoStringsAreDomainSeparated) {
  EXPECT_EQ(axle::identity::key_purpose_info(KeyPurpose::kIdentitySigning),
            "axle/identity-signing@v1");
  EXPECT_EQ(axle::identity::key_purpose_info(KeyPurpose::kAuditMac), "axle/audit-mac@v1");
  EXPECT_EQ(axle::identity::key_purpose_info(KeyPurpose::kPseudonymisation),
            "axle/pseudonymisation@v1");
  EXPECT_EQ(axle::identity::key_purpose_info(KeyPurpose::kFederation), "axle/federation@v1");
}

// The openssl CLI's HKDF is the independent implementation (RFC 5869 extract-then-expand).
TEST(DerivedKeys, MatchOpensslHkdf) {
  auto secret = axle::crypto::random_secret(32);
  ASSERT_TRUE(secret.ok());
  Fingerprint fp = sample_fingerprint(7);
  for (KeyPurpose p : axle::identity::kAllKeyPurposes) {
    auto key = derive_key(fp, *secret, p);
    ASSERT_TRUE(key.ok());
    ASSERT_EQ(key->size(), 32u);
    auto r = axle::test::run_command({"openssl", "kdf", "-keylen", "32", "-kdfopt", "digest:SHA256",
                                      "-kdfopt", "hexkey:" + hex(secret->view()), "-kdfopt",
                                      "hexsalt:" + hex(fp), "-kdfopt",
                                      "info:" + axle::identity::key_purpose_info(p), "HKDF"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string expected;
    for (char c : r.out) {
      if (std::isxdigit(static_cast<unsigned char>(c)) != 0) {
        expected += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
    }
    EXPECT_EQ(hex(key->view()), expected) << axle::identity::key_purpose_info(p);
  }
}

TEST(DerivedKeys, PurposesAndFingerprintsGiveDifferentKeys) {
  auto secret = axle::crypto::random_secret(32);
  ASSERT_TRUE(secret.ok());
  std::vector<std::string> ids;
  for (KeyPurpose p : axle::identity::kAllKeyPurposes) {
    for (std::uint8_t seed : {std::uint8_t{1}, std::uint8_t{2}}) {
      auto key = derive_key(sample_fingerprint(seed), *secret, p);
      ASSERT_TRUE(key.ok());
      ids.push_back(hex(key->view()));
    }
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::unique(ids.begin(), ids.end()), ids.end());
}

TEST(DerivedKeys, RefusesAShortDeviceSecret) {
  SecretBytes short_secret(16);
  EXPECT_FALSE(derive_key(sample_fingerprint(1), short_secret, KeyPurpose::kAuditMac).ok());
}

TEST(DeviceSecret, CreatedOnceWithMode0600AndReused) {
  axle::test::TempDir dir;
  auto state = StateDir::open(dir.path() / "state");
  ASSERT_TRUE(state.ok());
  auto first = axle::identity::load_or_create_device_secret(*state);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(first->size(), 32u);
  auto path = dir.path() / "state" / std::string(axle::identity::kDeviceSecretFile);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto second = axle::identity::load_or_create_device_secret(*state);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(first->equals(*second));
}

TEST(DeviceSecret, WrongSizeIsCorruptAndNotOverwritten) {
  axle::test::TempDir dir;
  auto state = StateDir::open(dir.path() / "state");
  ASSERT_TRUE(state.ok());
  ASSERT_TRUE(state->write(axle::identity::kDeviceSecretFile, "short").ok());
  auto r = axle::identity::load_or_create_device_secret(*state);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, axle::ErrorCode::kCorrupt);
  EXPECT_EQ(*state->read(axle::identity::kDeviceSecretFile), "short");
}

TEST(KeyId, IsAPublicHandleNotTheKey) {
  auto secret = axle::crypto::random_secret(32);
  ASSERT_TRUE(secret.ok());
  auto key = derive_key(sample_fingerprint(3), *secret, KeyPurpose::kFederation);
  ASSERT_TRUE(key.ok());
  auto id = axle::identity::key_id(*key);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->size(), 16u);
  EXPECT_EQ(hex(key->view()).find(*id), std::string::npos);
}

}  // namespace
