#include "axle/crypto/provider.hpp"

#include <cstdlib>

#include "axle/crypto/keys.hpp"
#include "support/test_support.hpp"

namespace {

using axle::ErrorCode;
using axle::crypto::Algorithm;

TEST(Provider, VersionIsOpenSsl3) {
  const std::string v = axle::crypto::openssl_version();
  EXPECT_EQ(v.rfind("OpenSSL 3.", 0), 0u) << v;
}

TEST(Provider, FipsApprovalTable) {
  EXPECT_TRUE(axle::crypto::fips_approved(Algorithm::kSha256));
  EXPECT_TRUE(axle::crypto::fips_approved(Algorithm::kSha512));
  EXPECT_TRUE(axle::crypto::fips_approved(Algorithm::kHmacSha256));
  EXPECT_TRUE(axle::crypto::fips_approved(Algorithm::kHkdfSha256));
  EXPECT_TRUE(axle::crypto::fips_approved(Algorithm::kAesGcm));
  EXPECT_TRUE(axle::crypto::fips_approved(Algorithm::kEcdsaP256));
  EXPECT_FALSE(axle::crypto::fips_approved(Algorithm::kEd25519));
}

TEST(Provider, AlgorithmNames) {
  EXPECT_EQ(axle::crypto::algorithm_name(Algorithm::kEd25519), "ed25519");
  EXPECT_EQ(axle::crypto::algorithm_name(Algorithm::kEcdsaP256), "ecdsa-p256");
  EXPECT_EQ(axle::crypto::algorithm_name(Algorithm::kAesGcm), "aes-gcm");
  EXPECT_EQ(axle::crypto::algorithm_name(Algorithm::kHkdfSha256), "hkdf-sha256");
}

TEST(Provider, EverythingAllowedOutsideFipsMode) {
  if (axle::crypto::fips_mode_enabled()) GTEST_SKIP() << "FIPS mode is on in this process";
  for (auto a :
       {Algorithm::kSha256, Algorithm::kSha512, Algorithm::kHmacSha256, Algorithm::kHkdfSha256,
        Algorithm::kAesGcm, Algorithm::kEd25519, Algorithm::kEcdsaP256}) {
    EXPECT_TRUE(axle::crypto::require_allowed(a).ok()) << axle::crypto::algorithm_name(a);
  }
}

// Without an installed FIPS provider (Debian 12 ships none), enabling FIPS mode fails with a
// message that says what is missing, where it was looked for and what to do; nothing changes.
TEST(Provider, EnableFipsModeWithoutProviderExplainsTheFix) {
  if (axle::crypto::fips_provider_available()) {
    GTEST_SKIP() << "a FIPS provider is installed here; FipsModeRefusesEd25519 covers it";
  }
  auto r = axle::crypto::enable_fips_mode();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(r.error().message.find("FIPS provider (fips.so) is not installed in /"),
            std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("disable crypto.fips"), std::string::npos);
  EXPECT_FALSE(axle::crypto::fips_mode_enabled());
  EXPECT_TRUE(axle::crypto::require_allowed(Algorithm::kEd25519).ok());
}

TEST(Provider, ModulesDirectoryFromEnvironmentIsReported) {
  if (axle::crypto::fips_provider_available()) GTEST_SKIP() << "a FIPS provider is installed";
  // Run in a child: OPENSSL_MODULES is read when the provider is loaded.
  EXPECT_EXIT(
      {
        setenv("OPENSSL_MODULES", "/nonexistent/axle-modules", 1);
        auto r = axle::crypto::enable_fips_mode();
        const bool good = !r.ok() && r.error().code == ErrorCode::kUnsupported &&
                          r.error().message.find("/nonexistent/axle-modules") != std::string::npos;
        std::exit(good ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

// Only where a FIPS provider is installed: the mode is process-wide, so this runs in a child.
TEST(Provider, FipsModeRefusesEd25519) {
  if (!axle::crypto::fips_provider_available()) {
    GTEST_SKIP() << "no OpenSSL FIPS provider on this machine (Debian 12 ships none)";
  }
  EXPECT_EXIT(
      {
        bool good = axle::crypto::enable_fips_mode().ok() && axle::crypto::fips_mode_enabled();
        auto ed = axle::crypto::PrivateKey::generate(axle::crypto::KeyType::kEd25519);
        good = good && !ed.ok() && ed.error().code == ErrorCode::kUnsupported &&
               ed.error().message.find("not approved in FIPS mode") != std::string::npos;
        auto ec = axle::crypto::PrivateKey::generate(axle::crypto::KeyType::kEcdsaP256);
        good = good && ec.ok();
        std::exit(good ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
