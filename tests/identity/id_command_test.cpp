// `axle id ...` run as a real process on the fixed trees.
#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "fixture.hpp"

namespace {

using axle::identity::test::FixtureTree;
using axle::test::run_command;

axle::test::CommandResult axle_id(const FixtureTree& tree, std::vector<std::string> args) {
  std::vector<std::string> argv = {axle::test::axle_binary(), "--state-dir", tree.state().string(),
                                   "id"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, {}, 60);
}

TEST(IdFingerprintCommand, JsonReportListsEverySourceAndMasksSerials) {
  FixtureTree tree;
  auto r = axle_id(tree, {"fingerprint", "--json", "--root", tree.root().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["fingerprint"].get<std::string>().size(), 64u);
  EXPECT_FALSE(doc["high_tier_present"].get<bool>());
  ASSERT_EQ(doc["sources"].size(), 13u);
  for (const auto& s : doc["sources"]) {
    EXPECT_TRUE(s.contains("tier") && s.contains("weight") && s.contains("elapsed_ms") &&
                s.contains("verdict"));
  }
  EXPECT_EQ(r.out.find("7J5MN42"), std::string::npos);
  EXPECT_EQ(r.out.find("3c:ec:ef"), std::string::npos);
  EXPECT_EQ(r.out.find("4c4c4544004a"), std::string::npos);
  EXPECT_NE(r.out.find("no TPM"), std::string::npos);
}

TEST(IdFingerprintCommand, ShowSensitiveUnmasksAndFingerprintIsStable) {
  FixtureTree tree;
  auto masked = axle_id(tree, {"fingerprint", "--json", "--root", tree.root().string()});
  auto shown =
      axle_id(tree, {"fingerprint", "--json", "--show-sensitive", "--root", tree.root().string()});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find(".7J5MN42.CN7016358G01AB."), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(masked.out)["fingerprint"],
            nlohmann::json::parse(shown.out)["fingerprint"]);
}

TEST(IdFingerprintCommand, ExplainShowsExclusionsAndHistoryIsPrivate) {
  FixtureTree tree;
  auto r = axle_id(tree, {"fingerprint", "--explain", "--root", tree.root().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("veth9f1c2ab excluded: virtual"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tpm_pcrs"), std::string::npos);
  EXPECT_EQ(r.out.find("7J5MN42"), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat((tree.state() / "identity/history").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(IdFingerprintCommand, MissingRootIsAUsageError) {
  FixtureTree tree;
  auto r = axle_id(tree, {"fingerprint", "--root", (tree.root() / "nope").string()});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(IdKeysCommand, PrintsKeyIdsNeverKeysAndKeepsThemAcrossRuns) {
  FixtureTree tree;
  auto first = axle_id(tree, {"keys", "--json", "--root", tree.root().string()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto doc = nlohmann::json::parse(first.out);
  ASSERT_EQ(doc["keys"].size(), 4u);
  EXPECT_EQ(doc["device_secret"], "file");  // the fixture tree has no TPM
  EXPECT_EQ(doc["keys"][0]["info"], "axle/identity-signing@v1");
  EXPECT_EQ(doc["keys"][0]["key_id"].get<std::string>().size(), 16u);
  struct stat st {};
  ASSERT_EQ(::stat((tree.state() / "identity/device.secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // The secret itself never appears in the output.
  std::string secret = axle::test::read_file(tree.state() / "identity/device.secret");
  EXPECT_EQ(first.out.find(axle::test::to_hex({secret.begin(), secret.end()})), std::string::npos);

  auto second = axle_id(tree, {"keys", "--json", "--root", tree.root().string()});
  EXPECT_EQ(nlohmann::json::parse(second.out)["keys"], doc["keys"]);
  // A changed identifier changes every derived key.
  tree.write("etc/machine-id", "0123456789abcdef0123456789abcdef\n");
  auto third = axle_id(tree, {"keys", "--json", "--root", tree.root().string()});
  EXPECT_NE(nlohmann::json::parse(third.out)["keys"][0]["key_id"], doc["keys"][0]["key_id"]);
}

// The whole flow with defaults: vendor-ca init, id generate (the local CA certifies the device
// on first use), id verify; then each refusal with its own exit code and message.
class IdDocumentFlow : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(axle({"vendor-ca", "init"}).exit_code, 0);
    auto generated = axle({"id", "generate", "--root", tree_.root().string()});
    ASSERT_EQ(generated.exit_code, 0) << generated.err;
    ASSERT_EQ(generated.out.rfind("EDID-v2:", 0), 0u) << generated.out;
    ASSERT_NE(generated.err.find("device certificate issued by the local vendor CA"),
              std::string::npos)
        << generated.err;
  }
  axle::test::CommandResult axle(std::vector<std::string> args) {
    std::vector<std::string> argv = {axle::test::axle_binary(), "--state-dir",
                                     tree_.state().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, {}, 60);
  }
  std::filesystem::path state(const std::string& rel) const { return tree_.state() / rel; }
  std::string document() const { return axle::test::read_file(state("identity/document.json")); }
  // Writes a variant of the document and verifies it.
  axle::test::CommandResult verify_variant(const std::string& json,
                                           std::vector<std::string> extra = {}) {
    auto file = tree_.state() / "variant.json";
    axle::test::write_file(file, json);
    std::vector<std::string> args = {"id", "verify", file.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return axle(args);
  }
  FixtureTree tree_;
};

TEST_F(IdDocumentFlow, DeviceCertificateIsAcceptedByOpensslVerify) {
  auto r = run_command({"openssl", "verify", "-CAfile", state("vendor-ca/root.pem").string(),
                        state("identity/device.pem").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  struct stat st {};
  ASSERT_EQ(::stat(state("vendor-ca/root.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(IdDocumentFlow, LaterGenerationsReuseTheCertificate) {
  const std::string cert = axle::test::read_file(state("identity/device.pem"));
  auto again = axle({"id", "generate", "--root", tree_.root().string()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err.find("issued"), std::string::npos) << again.err;
  EXPECT_EQ(axle::test::read_file(state("identity/device.pem")), cert);
  EXPECT_EQ(axle({"id", "verify"}).exit_code, 0);
}

TEST_F(IdDocumentFlow, ExplicitIssueWithAnotherOuiChangesTheManufacturerId) {
  const std::string before = axle::test::read_file(state("identity/manufacturer_id"));
  auto issued = axle({"vendor-ca", "issue", "--oui", "AC:DE:48", "--root", tree_.root().string()});
  ASSERT_EQ(issued.exit_code, 0) << issued.err;
  EXPECT_NE(axle::test::read_file(state("identity/manufacturer_id")), before);
  ASSERT_EQ(axle({"id", "generate", "--root", tree_.root().string()}).exit_code, 0);
  EXPECT_EQ(axle({"id", "verify"}).exit_code, 0);
}

// The ManufacturerID is the vendor CA's OUI under its key, so a device without a physical NIC
// (a VM, a container) gets a certificate with the defaults too.
TEST(IdGenerateCommand, DefaultsWorkWithoutAPhysicalNic) {
  FixtureTree tree;
  std::filesystem::remove_all(tree.root() / "sys/class/net");
  const std::vector<std::string> base = {axle::test::axle_binary(), "--state-dir",
                                         tree.state().string()};
  auto with = [&base](std::vector<std::string> args) {
    std::vector<std::string> argv = base;
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, {}, 60);
  };
  auto init = with({"--json", "vendor-ca", "init", "--oui", "AC:DE:48"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_EQ(nlohmann::json::parse(init.out)["vendor_oui"], "ac:de:48");
  auto generated = with({"id", "generate", "--json", "--root", tree.root().string()});
  ASSERT_EQ(generated.exit_code, 0) << generated.err;
  // HMAC-SHA256(vendor key, OUI), recomputed with the openssl CLI from the CA's key file.
  const std::string key = axle::test::read_file(tree.state() / "vendor-ca/vendor.key");
  const std::string key_hex = axle::test::to_hex({key.begin(), key.end()});
  const auto oui_file = tree.state() / "oui.bin";
  axle::test::write_file(oui_file, std::string("\xac\xde\x48", 3));
  auto mac = run_command({"openssl", "dgst", "-sha256", "-mac", "HMAC", "-macopt",
                          "hexkey:" + key_hex, "-r", oui_file.string()});
  ASSERT_EQ(mac.exit_code, 0) << mac.err;
  EXPECT_EQ(nlohmann::json::parse(generated.out)["manufacturer_id"].get<std::string>(),
            mac.out.substr(0, 64));
  EXPECT_EQ(with({"id", "verify"}).exit_code, 0);
}

TEST(IdGenerateCommand, WithoutCertificateOrVendorCaSaysWhatToRun) {
  FixtureTree tree;
  auto r = axle_id(tree, {"generate", "--root", tree.root().string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("run 'axle vendor-ca init' first"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tree.state() / "identity/document.json"));
}

TEST_F(IdDocumentFlow, ValidThenReplayed) {
  auto first = axle({"id", "verify"});
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out.rfind("valid: EDID-v2:", 0), 0u);
  auto second = axle({"id", "verify"});
  EXPECT_EQ(second.exit_code, 16);
  EXPECT_NE(second.err.find("replayed_nonce"), std::string::npos) << second.err;
}

TEST_F(IdDocumentFlow, TamperedDocumentExits11) {
  std::string json = document();
  auto pos = json.find("\"timestamp_ms\":") + 15;
  json[pos] = json[pos] == '1' ? '2' : '1';
  auto r = verify_variant(json);
  EXPECT_EQ(r.exit_code, 11);
  EXPECT_NE(r.err.find("bad_signature"), std::string::npos) << r.err;
}

TEST_F(IdDocumentFlow, MalformedDocumentExits10) {
  auto r = verify_variant("{\"version\":\"axle-identity/1\"}");
  EXPECT_EQ(r.exit_code, 10);
  EXPECT_NE(r.err.find("malformed"), std::string::npos) << r.err;
}

TEST_F(IdDocumentFlow, WrongChainExits12) {
  // A root made by the openssl CLI, trusted instead of the vendor root.
  auto key = state("other.key");
  auto cert = state("other.pem");
  auto made = run_command({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                           "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.string(), "-out",
                           cert.string(), "-days", "30", "-subj", "/CN=Other Vendor Root"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto r = verify_variant(document(), {"--ca", cert.string()});
  EXPECT_EQ(r.exit_code, 12);
  EXPECT_NE(r.err.find("untrusted_chain"), std::string::npos) << r.err;
}

TEST_F(IdDocumentFlow, RevokedIdentityExits14) {
  auto doc = nlohmann::json::parse(document());
  axle::test::write_file(state("identity/revoked"), doc["edid"].get<std::string>() + "\n");
  auto r = axle({"id", "verify"});
  EXPECT_EQ(r.exit_code, 14);
  EXPECT_NE(r.err.find("revocation list"), std::string::npos) << r.err;
}

TEST_F(IdDocumentFlow, RevokedCertificateByTheVendorCrlExits14_AndOpensslAgrees) {
  const std::string device = state("identity/device.pem").string();
  const std::string root = state("vendor-ca/root.pem").string();
  const std::string crl = state("vendor-ca/crl.pem").string();
  auto bad_reason = axle({"vendor-ca", "revoke", device, "--reason", "stolen"});
  EXPECT_EQ(bad_reason.exit_code, 2);
  EXPECT_NE(bad_reason.err.find("key-compromise"), std::string::npos) << bad_reason.err;

  auto revoked = axle({"vendor-ca", "revoke", device, "--reason", "key-compromise"});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  // The CRL is signed by the root, and the openssl CLI refuses the certificate with it.
  auto crl_ok = run_command({"openssl", "crl", "-in", crl, "-CAfile", root, "-noout"});
  EXPECT_EQ(crl_ok.exit_code, 0) << crl_ok.out << crl_ok.err;
  auto openssl =
      run_command({"openssl", "verify", "-crl_check", "-CAfile", root, "-CRLfile", crl, device});
  EXPECT_NE(openssl.exit_code, 0);
  EXPECT_NE((openssl.out + openssl.err).find("certificate revoked"), std::string::npos)
      << openssl.out << openssl.err;
  // axle id verify applies the vendor CRL by default.
  auto r = axle({"id", "verify"});
  EXPECT_EQ(r.exit_code, 14);
  EXPECT_NE(r.err.find("revoked by its CA's CRL"), std::string::npos) << r.err;
  // Revocation is final: a second revocation is refused, and a fresh CRL still lists it.
  auto again = axle({"vendor-ca", "revoke", device, "--reason", "superseded"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already revoked"), std::string::npos) << again.err;
  auto refreshed = axle({"vendor-ca", "crl"});
  ASSERT_EQ(refreshed.exit_code, 0) << refreshed.err;
  auto text = run_command({"openssl", "crl", "-in", crl, "-noout", "-text"});
  EXPECT_NE(text.out.find("Key Compromise"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("CRL Number: \n                2"), std::string::npos) << text.out;
}

TEST_F(IdDocumentFlow, RevokingAnotherCasCertificateIsRefused) {
  auto key = state("other.key");
  auto cert = state("other.pem");
  auto made = run_command({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                           "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.string(), "-out",
                           cert.string(), "-days", "30", "-subj", "/CN=Someone Else"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto r = axle({"vendor-ca", "revoke", cert.string(), "--reason", "unspecified"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not issued by this vendor CA"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(state("vendor-ca/crl.pem")));
}

TEST_F(IdDocumentFlow, StaleDocumentExits15) {
  // The document is fresh; a window of one second after waiting two makes it stale.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto r = axle({"id", "verify", "--window", "1"});
  EXPECT_EQ(r.exit_code, 15);
  EXPECT_NE(r.err.find("outside the window"), std::string::npos) << r.err;
}

TEST_F(IdDocumentFlow, ShowPrintsTheDocumentAndAnonymousModeHasNoCertificate) {
  auto shown = axle({"id", "show", "--json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(nlohmann::json::parse(shown.out)["mode"], "real-name");
  auto anon = axle({"id", "generate", "--anonymous", "--relying-party", "fleet.example.com",
                    "--root", tree_.root().string(), "--json"});
  ASSERT_EQ(anon.exit_code, 0) << anon.err;
  auto doc = nlohmann::json::parse(anon.out);
  EXPECT_EQ(doc["mode"], "anonymous");
  EXPECT_FALSE(doc.contains("certificate"));
  EXPECT_EQ(axle({"id", "verify"}).exit_code, 0);
  auto missing_rp = axle({"id", "generate", "--anonymous", "--root", tree_.root().string()});
  EXPECT_EQ(missing_rp.exit_code, 2);
}

}  // namespace
