#include "axle/identity/vendor_ca.hpp"

#include <sys/stat.h>

#include "axle/core/clock.hpp"
#include "axle/crypto/x509.hpp"
#include "support/test_support.hpp"

namespace {

using axle::StateDir;
using axle::identity::VendorCa;
using axle::test::run_command;
using axle::test::TempDir;

mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 0777;
}

struct Ca {
  TempDir dir;
  StateDir state = *StateDir::open(dir.path() / "state");
};

axle::crypto::PublicKey device_key() {
  auto key = axle::crypto::PrivateKey::generate(axle::crypto::KeyType::kEd25519);
  return *key->public_key();
}

int openssl_verify(const TempDir& dir, const std::string& root_pem, const std::string& leaf_pem) {
  axle::test::write_file(dir.path() / "root.pem", root_pem);
  axle::test::write_file(dir.path() / "leaf.pem", leaf_pem);
  return run_command({"openssl", "verify", "-CAfile", (dir.path() / "root.pem").string(),
                      (dir.path() / "leaf.pem").string()})
      .exit_code;
}

TEST(VendorCa, InitWritesPrivateKeysAndRefusesToOverwrite) {
  Ca ca;
  auto created = VendorCa::init(ca.state, {});
  ASSERT_TRUE(created.ok()) << created.error().to_string();
  auto base = ca.dir.path() / "state";
  EXPECT_EQ(mode_of(base / "vendor-ca/root.key"), 0600u);
  EXPECT_EQ(mode_of(base / "vendor-ca/vendor.key"), 0600u);
  EXPECT_EQ(mode_of(base / "vendor-ca/root.pem"), 0644u);
  auto again = VendorCa::init(ca.state, {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, axle::ErrorCode::kAlreadyExists);
  axle::identity::VendorCaInit force;
  force.force = true;
  EXPECT_TRUE(VendorCa::init(ca.state, force).ok());
}

TEST(VendorCa, RootIsACaCertificateThatOpensslParses) {
  Ca ca;
  auto created = VendorCa::init(ca.state, {});
  ASSERT_TRUE(created.ok());
  TempDir work;
  axle::test::write_file(work.path() / "root.pem", created->root_pem());
  auto r = run_command(
      {"openssl", "x509", "-in", (work.path() / "root.pem").string(), "-noout", "-text"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("CA:TRUE"), std::string::npos);
  EXPECT_NE(r.out.find("Certificate Sign, CRL Sign"), std::string::npos);
  // Self-signed: openssl verifies the root against itself.
  EXPECT_EQ(openssl_verify(work, created->root_pem(), created->root_pem()), 0);
}

TEST(VendorCa, DeviceCertificateVerifiesWithOpensslAndAxle) {
  Ca ca;
  auto created = VendorCa::init(ca.state, {});
  ASSERT_TRUE(created.ok());
  auto loaded = VendorCa::load(ca.state);
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  auto leaf = loaded->issue(device_key(), "device-0001", 30);
  ASSERT_TRUE(leaf.ok()) << leaf.error().to_string();
  TempDir work;
  EXPECT_EQ(openssl_verify(work, loaded->root_pem(), *leaf), 0);
  axle::crypto::ChainPolicy policy;
  policy.trusted_roots_pem = {loaded->root_pem()};
  auto verdict = axle::crypto::check_certificate_chain(*leaf, policy);
  EXPECT_TRUE(verdict.ok()) << verdict.message;
  EXPECT_NE(verdict.chain.leaf_subject.find("CN=device-0001"), std::string::npos);
}

TEST(VendorCa, ExpiredAndForeignCertificatesAreRefused) {
  Ca ca;
  Ca other;
  auto mine = VendorCa::init(ca.state, {});
  auto theirs = VendorCa::init(other.state, {});
  ASSERT_TRUE(mine.ok() && theirs.ok());
  std::int64_t now = axle::utc_ms() / 1000;
  auto expired = mine->issue_with_validity(device_key(), "old", now - 10 * 86400, now - 86400);
  auto foreign = theirs->issue(device_key(), "foreign", 30);
  ASSERT_TRUE(expired.ok() && foreign.ok());
  TempDir work;
  EXPECT_NE(openssl_verify(work, mine->root_pem(), *expired), 0);
  EXPECT_NE(openssl_verify(work, mine->root_pem(), *foreign), 0);
  axle::crypto::ChainPolicy policy;
  policy.trusted_roots_pem = {mine->root_pem()};
  EXPECT_EQ(axle::crypto::check_certificate_chain(*expired, policy).failure,
            axle::crypto::ChainFailure::kExpired);
  EXPECT_EQ(axle::crypto::check_certificate_chain(*foreign, policy).failure,
            axle::crypto::ChainFailure::kUnknownIssuer);
}

TEST(VendorCa, ManufacturerIdDependsOnVendorKeyAndOui) {
  Ca a;
  Ca b;
  auto ca_a = VendorCa::init(a.state, {});
  auto ca_b = VendorCa::init(b.state, {});
  ASSERT_TRUE(ca_a.ok() && ca_b.ok());
  auto oui1 = *axle::identity::parse_oui("00:1b:21");
  auto oui2 = *axle::identity::parse_oui("3c:ec:ef");
  EXPECT_EQ(*ca_a->manufacturer_id(oui1), *VendorCa::load(a.state)->manufacturer_id(oui1));
  EXPECT_NE(*ca_a->manufacturer_id(oui1), *ca_a->manufacturer_id(oui2));
  EXPECT_NE(*ca_a->manufacturer_id(oui1), *ca_b->manufacturer_id(oui1));
}

TEST(VendorCa, KeepsTheVendorOuiAndRefusesABadOne) {
  Ca a;
  auto by_default = VendorCa::init(a.state, {});
  ASSERT_TRUE(by_default.ok()) << by_default.error().message;
  EXPECT_EQ(axle::test::read_file(a.state.path() / "vendor-ca/oui"), "00:00:5e\n");
  EXPECT_EQ(mode_of(a.state.path() / "vendor-ca/oui"), 0644u);
  axle::identity::VendorCaInit init;
  init.oui = "3C-EC-EF";
  init.force = true;
  ASSERT_TRUE(VendorCa::init(a.state, init).ok());
  auto loaded = VendorCa::load(a.state);
  ASSERT_TRUE(loaded.ok() && loaded->oui().has_value());
  EXPECT_EQ(*loaded->oui(), *axle::identity::parse_oui("3c:ec:ef"));

  Ca b;
  init.oui = "3C-EC";
  auto bad = VendorCa::init(b.state, init);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("is not an OUI"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(b.state.path() / "vendor-ca/root.key"));

  // A CA from before the OUI file loads without one; a scribbled file is refused.
  std::filesystem::remove(a.state.path() / "vendor-ca/oui");
  ASSERT_TRUE(VendorCa::load(a.state).ok());
  EXPECT_FALSE(VendorCa::load(a.state)->oui().has_value());
  axle::test::write_file(a.state.path() / "vendor-ca/oui", "vendor\n");
  auto scribbled = VendorCa::load(a.state);
  ASSERT_FALSE(scribbled.ok());
  EXPECT_EQ(scribbled.error().code, axle::ErrorCode::kCorrupt);
}

TEST(VendorCa, LoadWithoutInitSaysWhatToRun) {
  Ca ca;
  auto r = VendorCa::load(ca.state);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, axle::ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("axle vendor-ca init"), std::string::npos);
}

}  // namespace
