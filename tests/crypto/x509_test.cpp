#include "axle/crypto/x509.hpp"

#include <ctime>
#include <memory>
#include <string_view>

#include "support/test_support.hpp"

// Chains made by the real `openssl` CLI (req, ca, x509), one PKI per test suite:
//
//   Axle Test Root ── Axle Test Intermediate ── leaves (P-256 and Ed25519; expired, not yet
//        │                                      valid, revoked, keyEncipherment-only)
//        └── Axle Test Not-A-CA (no basicConstraints) ── leaf
//   Axle Other Root ── leaf                             (trusted by nobody)

namespace {

namespace fs = std::filesystem;
using axle::ErrorCode;
using axle::crypto::ChainFailure;
using axle::crypto::ChainPolicy;
using axle::test::read_file;
using axle::test::run_command;
using axle::test::write_file;

constexpr std::int64_t kDay = std::int64_t{24} * 60 * 60;

void openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_command(argv);
  if (r.exit_code != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += a + " ";
    throw std::runtime_error(cmd + "failed: " + r.err);
  }
}

std::string config_for(const fs::path& dir) {
  return "[ ca ]\n"
         "default_ca = axle_ca\n"
         "[ axle_ca ]\n"
         "dir = " +
         dir.string() +
         "\n"
         "database = $dir/index.txt\n"
         "new_certs_dir = $dir/newcerts\n"
         "certificate = $dir/ca.pem\n"
         "private_key = $dir/ca.key\n"
         "serial = $dir/serial\n"
         "crlnumber = $dir/crlnumber\n"
         "default_md = sha256\n"
         "default_days = 365\n"
         "default_crl_days = 30\n"
         "policy = axle_policy\n"
         "unique_subject = no\n"
         "copy_extensions = none\n"
         "crl_extensions = crl_ext\n"
         "[ axle_policy ]\n"
         "commonName = supplied\n"
         "[ req ]\n"
         "distinguished_name = req_dn\n"
         "[ req_dn ]\n"
         "[ v3_root ]\n"
         "basicConstraints = critical, CA:true\n"
         "keyUsage = critical, keyCertSign, cRLSign\n"
         "subjectKeyIdentifier = hash\n"
         "authorityKeyIdentifier = keyid:always\n"
         "[ v3_intermediate ]\n"
         "basicConstraints = critical, CA:true, pathlen:0\n"
         "keyUsage = critical, keyCertSign, cRLSign\n"
         "subjectKeyIdentifier = hash\n"
         "authorityKeyIdentifier = keyid:always\n"
         "[ v3_no_basic_constraints ]\n"
         "keyUsage = critical, digitalSignature\n"
         "subjectKeyIdentifier = hash\n"
         "authorityKeyIdentifier = keyid:always\n"
         "[ leaf_sign ]\n"
         "basicConstraints = critical, CA:false\n"
         "keyUsage = critical, digitalSignature\n"
         "subjectKeyIdentifier = hash\n"
         "authorityKeyIdentifier = keyid:always\n"
         "[ leaf_key_encipherment ]\n"
         "basicConstraints = critical, CA:false\n"
         "keyUsage = critical, keyEncipherment\n"
         "subjectKeyIdentifier = hash\n"
         "authorityKeyIdentifier = keyid:always\n"
         "[ crl_ext ]\n"
         "authorityKeyIdentifier = keyid:always\n";
}

void make_key(const fs::path& out, std::string_view type) {
  if (type == "ed25519") {
    openssl({"genpkey", "-algorithm", "ED25519", "-out", out.string()});
  } else {
    openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
             out.string()});
  }
}

struct Dates {
  std::string start;  // YYYYMMDDHHMMSSZ, empty for "now"
  std::string end;    // empty for default_days
};

// A CA directory driven by `openssl ca`: index.txt, serial and crlnumber, as that command wants.
class TestCa {
 public:
  // A self-signed root.
  TestCa(const fs::path& dir, const std::string& cn) : dir_(dir) {
    init_dir();
    make_key(dir_ / "ca.key", "ec");
    openssl({"req", "-x509", "-new", "-key", (dir_ / "ca.key").string(), "-subj", "/CN=" + cn,
             "-days", "3650", "-config", cnf().string(), "-extensions", "v3_root", "-out",
             (dir_ / "ca.pem").string()});
  }
  // A CA certified by `parent` with the given extension section.
  TestCa(const fs::path& dir, const std::string& cn, TestCa& parent, const std::string& ext)
      : dir_(dir) {
    init_dir();
    make_key(dir_ / "ca.key", "ec");
    const fs::path csr = dir_ / "ca.csr";
    openssl({"req", "-new", "-key", (dir_ / "ca.key").string(), "-subj", "/CN=" + cn, "-config",
             cnf().string(), "-out", csr.string()});
    parent.sign(csr, dir_ / "ca.pem", ext, {"", ""}, "3650");
  }

  // Issues a leaf with a fresh key of `key_type`; returns the certificate's path (the key is
  // beside it with extension .key).
  fs::path issue_leaf(const std::string& name, const std::string& cn, std::string_view key_type,
                      const std::string& ext = "leaf_sign", const Dates& dates = {}) {
    const fs::path key = dir_ / (name + ".key");
    const fs::path csr = dir_ / (name + ".csr");
    fs::path cert = dir_ / (name + ".pem");
    make_key(key, key_type);
    openssl({"req", "-new", "-key", key.string(), "-subj", "/CN=" + cn, "-config", cnf().string(),
             "-out", csr.string()});
    sign(csr, cert, ext, dates, "");
    return cert;
  }

  void revoke(const fs::path& cert) {
    openssl({"ca", "-batch", "-config", cnf().string(), "-revoke", cert.string()});
  }

  std::string crl() {
    const fs::path out = dir_ / "crl.pem";
    openssl({"ca", "-batch", "-config", cnf().string(), "-gencrl", "-out", out.string()});
    return read_file(out);
  }

  [[nodiscard]] std::string cert_pem() const { return read_file(dir_ / "ca.pem"); }

 private:
  void init_dir() {
    fs::create_directories(dir_ / "newcerts");
    write_file(dir_ / "index.txt", "");
    write_file(dir_ / "serial", "1000\n");
    write_file(dir_ / "crlnumber", "1000\n");
    write_file(cnf(), config_for(dir_));
  }
  [[nodiscard]] fs::path cnf() const { return dir_ / "openssl.cnf"; }

  void sign(const fs::path& csr, const fs::path& out, const std::string& ext, const Dates& dates,
            const std::string& days) {
    std::vector<std::string> args = {"ca",           "-batch",      "-notext",   "-config",
                                     cnf().string(), "-extensions", ext,         "-in",
                                     csr.string(),   "-out",        out.string()};
    if (!dates.start.empty()) args.insert(args.end(), {"-startdate", dates.start});
    if (!dates.end.empty()) args.insert(args.end(), {"-enddate", dates.end});
    if (!days.empty()) args.insert(args.end(), {"-days", days});
    openssl(args);
  }

  fs::path dir_;
};

struct Pki {
  axle::test::TempDir tmp;
  std::string root;
  std::string intermediate;
  std::string not_a_ca;
  std::string root_crl;
  std::string intermediate_crl;
  fs::path leaf_ec;
  fs::path leaf_ed;
  fs::path leaf_expired;
  fs::path leaf_not_yet_valid;
  fs::path leaf_revoked;
  fs::path leaf_key_encipherment;
  fs::path leaf_under_not_a_ca;
  fs::path leaf_other_root;

  Pki() {
    TestCa root_ca(tmp.path() / "root", "Axle Test Root");
    TestCa int_ca(tmp.path() / "intermediate", "Axle Test Intermediate", root_ca,
                  "v3_intermediate");
    TestCa bad_ca(tmp.path() / "not-a-ca", "Axle Test Not-A-CA", root_ca,
                  "v3_no_basic_constraints");
    TestCa other_root(tmp.path() / "other-root", "Axle Other Root");
    root = root_ca.cert_pem();
    intermediate = int_ca.cert_pem();
    not_a_ca = bad_ca.cert_pem();

    leaf_ec = int_ca.issue_leaf("leaf-ec", "Axle Leaf EC", "ec");
    leaf_ed = int_ca.issue_leaf("leaf-ed", "Axle Leaf Ed25519", "ed25519");
    leaf_expired = int_ca.issue_leaf("expired", "Axle Leaf Expired", "ec", "leaf_sign",
                                     {"20200101000000Z", "20210101000000Z"});
    leaf_not_yet_valid = int_ca.issue_leaf("future", "Axle Leaf Future", "ec", "leaf_sign",
                                           {"20900101000000Z", "20910101000000Z"});
    leaf_revoked = int_ca.issue_leaf("revoked", "Axle Leaf Revoked", "ec");
    leaf_key_encipherment =
        int_ca.issue_leaf("kenc", "Axle Leaf KeyEncipherment", "ec", "leaf_key_encipherment");
    leaf_under_not_a_ca = bad_ca.issue_leaf("under-bad", "Axle Leaf Under Not-A-CA", "ec");
    leaf_other_root = other_root.issue_leaf("other", "Axle Leaf Other Root", "ec");

    int_ca.revoke(leaf_revoked);
    intermediate_crl = int_ca.crl();
    root_crl = root_ca.crl();
  }
};

class X509ChainTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      pki_slot() = std::make_unique<Pki>();
    } catch (const std::exception& e) {
      setup_error() = e.what();
    }
  }
  // The temporary directory goes with the PKI, also when a test failed.
  static void TearDownTestSuite() { pki_slot().reset(); }

  void SetUp() override {
    ASSERT_TRUE(pki_slot()) << "building the test PKI failed: " << setup_error();
  }

  static const Pki& pki() { return *pki_slot(); }

  static ChainPolicy policy() {
    ChainPolicy p;
    p.trusted_roots_pem = {pki().root};
    p.intermediates_pem = {pki().intermediate};
    return p;
  }

  static ChainPolicy policy_with_crls() {
    ChainPolicy p = policy();
    p.crls_pem = {pki().root_crl, pki().intermediate_crl};
    return p;
  }

  static std::string pem(const fs::path& p) { return read_file(p); }

  static void expect_failure(const fs::path& leaf, const ChainPolicy& p, ChainFailure expected,
                             std::string_view subject_in_message) {
    auto verdict = axle::crypto::check_certificate_chain(pem(leaf), p);
    RecordProperty("verdict_message", verdict.message);
    EXPECT_EQ(verdict.failure, expected)
        << axle::crypto::chain_failure_name(verdict.failure) << ": " << verdict.message;
    EXPECT_FALSE(verdict.ok());
    EXPECT_NE(verdict.message.find(subject_in_message), std::string::npos) << verdict.message;
    EXPECT_EQ(verdict.message.find('\n'), std::string::npos) << "one line: " << verdict.message;
    auto result = axle::crypto::verify_certificate_chain(pem(leaf), p);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kVerificationFailed);
    EXPECT_NE(result.error().message.find(axle::crypto::chain_failure_name(expected)),
              std::string::npos)
        << result.error().message;
  }

  static std::unique_ptr<Pki>& pki_slot() {
    static std::unique_ptr<Pki> slot;
    return slot;
  }
  static std::string& setup_error() {
    static std::string error;
    return error;
  }
};

TEST_F(X509ChainTest, ValidP256AndEd25519LeavesVerify) {
  for (const auto& [leaf, cn] : {std::pair{pki().leaf_ec, std::string("CN=Axle Leaf EC")},
                                 std::pair{pki().leaf_ed, std::string("CN=Axle Leaf Ed25519")}}) {
    SCOPED_TRACE(cn);
    auto verdict = axle::crypto::check_certificate_chain(pem(leaf), policy());
    EXPECT_EQ(verdict.failure, ChainFailure::kNone) << verdict.message;
    EXPECT_TRUE(verdict.ok());
    EXPECT_EQ(verdict.chain.leaf_subject, cn);
    EXPECT_EQ(verdict.chain.chain_subjects,
              (std::vector<std::string>{cn, "CN=Axle Test Intermediate", "CN=Axle Test Root"}));
    auto result = axle::crypto::verify_certificate_chain(pem(leaf), policy());
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->leaf_subject, cn);
  }
}

TEST_F(X509ChainTest, LeafFollowedByItsIntermediateInOneFileVerifies) {
  ChainPolicy p = policy();
  p.intermediates_pem.clear();
  auto verdict = axle::crypto::check_certificate_chain(pem(pki().leaf_ec) + pki().intermediate, p);
  EXPECT_EQ(verdict.failure, ChainFailure::kNone) << verdict.message;
}

TEST_F(X509ChainTest, ExpiredLeafIsExpired) {
  expect_failure(pki().leaf_expired, policy(), ChainFailure::kExpired, "CN=Axle Leaf Expired");
}

TEST_F(X509ChainTest, ValidLeafIsExpiredAtALaterVerificationTime) {
  ChainPolicy p = policy();
  p.at_unix_seconds = static_cast<std::int64_t>(std::time(nullptr)) + kDay * 365 * 2;
  expect_failure(pki().leaf_ec, p, ChainFailure::kExpired, "CN=Axle Leaf EC");
}

TEST_F(X509ChainTest, FutureLeafIsNotYetValid) {
  expect_failure(pki().leaf_not_yet_valid, policy(), ChainFailure::kNotYetValid,
                 "CN=Axle Leaf Future");
}

TEST_F(X509ChainTest, VerificationTimeBeforeTheRootIsNotYetValid) {
  ChainPolicy p = policy();
  p.at_unix_seconds = static_cast<std::int64_t>(std::time(nullptr)) - 10 * kDay;
  expect_failure(pki().leaf_ec, p, ChainFailure::kNotYetValid, "CN=Axle Test Root");
}

TEST_F(X509ChainTest, LeafOfAnotherRootHasUnknownIssuer) {
  expect_failure(pki().leaf_other_root, policy(), ChainFailure::kUnknownIssuer,
                 "CN=Axle Leaf Other Root");
}

TEST_F(X509ChainTest, MissingIntermediateIsUnknownIssuer) {
  ChainPolicy p = policy();
  p.intermediates_pem.clear();
  expect_failure(pki().leaf_ec, p, ChainFailure::kUnknownIssuer, "CN=Axle Leaf EC");
}

TEST_F(X509ChainTest, IntermediateAsTrustedRootIsNotEnough) {
  // Trust anchors must be self-signed roots: no partial chains.
  ChainPolicy p;
  p.trusted_roots_pem = {pki().intermediate};
  expect_failure(pki().leaf_ec, p, ChainFailure::kUnknownIssuer, "CN=Axle Test Intermediate");
}

TEST_F(X509ChainTest, TamperedLeafSignatureIsBadSignature) {
  const fs::path dir = pki().tmp.path() / "tamper";
  fs::create_directories(dir);
  openssl({"x509", "-in", pki().leaf_ec.string(), "-outform", "DER", "-out",
           (dir / "leaf.der").string()});
  std::string der = read_file(dir / "leaf.der");
  der.back() = static_cast<char>(der.back() ^ 0x01);  // the last byte of the signature's s
  write_file(dir / "bad.der", der);
  openssl({"x509", "-inform", "DER", "-in", (dir / "bad.der").string(), "-out",
           (dir / "bad.pem").string()});
  expect_failure(dir / "bad.pem", policy(), ChainFailure::kBadSignature, "CN=Axle Leaf EC");
}

TEST_F(X509ChainTest, RevokedLeafIsRevoked) {
  expect_failure(pki().leaf_revoked, policy_with_crls(), ChainFailure::kRevoked,
                 "CN=Axle Leaf Revoked");
  // The same CRLs let an unrevoked leaf through.
  auto verdict = axle::crypto::check_certificate_chain(pem(pki().leaf_ec), policy_with_crls());
  EXPECT_EQ(verdict.failure, ChainFailure::kNone) << verdict.message;
}

TEST_F(X509ChainTest, RevokedLeafPassesWhenNoCrlsAreGivenOrRequired) {
  // Without CRLs and without require_crls, no revocation check happens (documented).
  auto verdict = axle::crypto::check_certificate_chain(pem(pki().leaf_revoked), policy());
  EXPECT_EQ(verdict.failure, ChainFailure::kNone) << verdict.message;
}

TEST_F(X509ChainTest, RequiredCrlsMissingIsCrlMissing) {
  ChainPolicy p = policy();
  p.require_crls = true;
  expect_failure(pki().leaf_ec, p, ChainFailure::kCrlMissing, "CN=Axle Leaf EC");
  // Only the intermediate's CRL: the intermediate itself has no CRL from the root.
  p.crls_pem = {pki().intermediate_crl};
  expect_failure(pki().leaf_ec, p, ChainFailure::kCrlMissing, "CN=Axle Test Intermediate");
  p.crls_pem = {pki().intermediate_crl, pki().root_crl};
  auto verdict = axle::crypto::check_certificate_chain(pem(pki().leaf_ec), p);
  EXPECT_EQ(verdict.failure, ChainFailure::kNone) << verdict.message;
}

TEST_F(X509ChainTest, StaleCrlIsExpired) {
  ChainPolicy p = policy_with_crls();
  // default_crl_days = 30: 60 days on, the leaf is still valid but its CRLs are past nextUpdate.
  p.at_unix_seconds = static_cast<std::int64_t>(std::time(nullptr)) + 60 * kDay;
  expect_failure(pki().leaf_ec, p, ChainFailure::kExpired, "CRL");
}

TEST_F(X509ChainTest, LeafWithoutRequiredKeyUsageIsRefused) {
  expect_failure(pki().leaf_key_encipherment, policy(), ChainFailure::kKeyUsage,
                 "CN=Axle Leaf KeyEncipherment");
  auto verdict = axle::crypto::check_certificate_chain(pem(pki().leaf_key_encipherment), policy());
  EXPECT_NE(verdict.message.find("digitalSignature"), std::string::npos) << verdict.message;
  ChainPolicy p = policy();
  p.required_leaf_key_usage = axle::crypto::kKuKeyEncipherment;
  EXPECT_TRUE(axle::crypto::check_certificate_chain(pem(pki().leaf_key_encipherment), p).ok());
  p.required_leaf_key_usage = axle::crypto::kKuDigitalSignature | axle::crypto::kKuKeyAgreement;
  EXPECT_EQ(axle::crypto::check_certificate_chain(pem(pki().leaf_ec), p).failure,
            ChainFailure::kKeyUsage);
}

TEST_F(X509ChainTest, IntermediateWithoutCaBasicConstraintsIsRefused) {
  ChainPolicy p = policy();
  p.intermediates_pem = {pki().not_a_ca};
  expect_failure(pki().leaf_under_not_a_ca, p, ChainFailure::kKeyUsage, "CN=Axle Test Not-A-CA");
}

TEST_F(X509ChainTest, UnparseableInputIsMalformed) {
  auto verdict = axle::crypto::check_certificate_chain("not a certificate", policy());
  EXPECT_EQ(verdict.failure, ChainFailure::kMalformed);
  auto result = axle::crypto::verify_certificate_chain("not a certificate", policy());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);

  ChainPolicy p = policy();
  p.trusted_roots_pem.push_back("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  auto bad_root = axle::crypto::verify_certificate_chain(pem(pki().leaf_ec), p);
  ASSERT_FALSE(bad_root.ok());
  EXPECT_EQ(bad_root.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad_root.error().message.find("trusted root #1"), std::string::npos);

  p = policy();
  p.crls_pem = {"garbage"};
  EXPECT_EQ(axle::crypto::check_certificate_chain(pem(pki().leaf_ec), p).failure,
            ChainFailure::kMalformed);
}

TEST_F(X509ChainTest, CertificatePublicKeyVerifiesTheLeafKeysSignature) {
  for (const auto& leaf : {pki().leaf_ec, pki().leaf_ed}) {
    SCOPED_TRACE(leaf.filename().string());
    fs::path key_path = leaf;
    key_path.replace_extension(".key");
    auto key = axle::crypto::PrivateKey::from_pem(read_file(key_path));
    ASSERT_TRUE(key.ok()) << key.error().message;
    auto pub = axle::crypto::certificate_public_key(pem(leaf));
    ASSERT_TRUE(pub.ok()) << pub.error().message;
    EXPECT_EQ(pub->type(), key->type());
    const std::vector<std::uint8_t> msg = {'h', 'i'};
    auto sig = key->sign(msg);
    ASSERT_TRUE(sig.ok());
    EXPECT_TRUE(pub->verify(msg, *sig).ok());
    // And not a signature by another certificate's key.
    auto other = axle::crypto::certificate_public_key(pem(pki().leaf_other_root));
    ASSERT_TRUE(other.ok());
    EXPECT_FALSE(other->verify(msg, *sig).ok());
  }
  EXPECT_EQ(axle::crypto::certificate_public_key("nope").error().code, ErrorCode::kInvalidArgument);
}

TEST(ChainFailureNames, AreStableAndDistinct) {
  EXPECT_EQ(axle::crypto::chain_failure_name(ChainFailure::kNone), "none");
  EXPECT_EQ(axle::crypto::chain_failure_name(ChainFailure::kExpired), "expired");
  EXPECT_EQ(axle::crypto::chain_failure_name(ChainFailure::kRevoked), "revoked");
  EXPECT_EQ(axle::crypto::chain_failure_name(ChainFailure::kCrlMissing), "crl_missing");
  EXPECT_EQ(axle::crypto::chain_failure_name(ChainFailure::kKeyUsage), "key_usage");
}

}  // namespace
