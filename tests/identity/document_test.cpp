#include "axle/identity/document.hpp"

#include "axle/core/clock.hpp"
#include "axle/core/state_dir.hpp"
#include "axle/crypto/random.hpp"
#include "axle/identity/vendor_ca.hpp"
#include "pki_fixture.hpp"
#include "support/test_support.hpp"

namespace {

using axle::identity::DocumentMode;
using axle::identity::GenerateInputs;
using axle::identity::VerifyFailure;
using axle::identity::VerifyPolicy;

using axle::test::generate;
using axle::test::Pki;

TEST(IdentityDocument, GeneratedDocumentVerifiesAndRoundTrips) {
  Pki pki;
  std::string json = generate(pki.inputs());
  auto v = axle::identity::verify_document(json, pki.policy());
  ASSERT_TRUE(v.ok()) << v.message;
  EXPECT_EQ(v.document->edid.rfind("EDID-v2:", 0), 0u);
  EXPECT_EQ(v.document->edid.size(), 8u + 64u);
  EXPECT_EQ(v.document->canonical_json(), json);  // canonical: parse + print is the identity
  EXPECT_EQ(json.find('\n'), std::string::npos);  // compact; newlines only escaped in strings
}

TEST(IdentityDocument, TamperedDocumentIsRefused) {
  Pki pki;
  std::string json = generate(pki.inputs());
  auto pos = json.find("\"timestamp_ms\":") + 15;
  json[pos] = json[pos] == '1' ? '2' : '1';
  auto v = axle::identity::verify_document(json, pki.policy());
  EXPECT_EQ(v.failure, VerifyFailure::kBadSignature) << v.message;
}

TEST(IdentityDocument, MalformedDocumentIsRefused) {
  Pki pki;
  EXPECT_EQ(axle::identity::verify_document("{", pki.policy()).failure, VerifyFailure::kMalformed);
  std::string json = generate(pki.inputs());
  auto extra = json.substr(0, json.size() - 1) + ",\"extra\":1}";
  EXPECT_EQ(axle::identity::verify_document(extra, pki.policy()).failure,
            VerifyFailure::kMalformed);
}

TEST(IdentityDocument, WrongChainIsRefused) {
  Pki pki;
  Pki other;
  std::string json = generate(pki.inputs());
  auto v = axle::identity::verify_document(json, other.policy());
  EXPECT_EQ(v.failure, VerifyFailure::kUntrustedChain) << v.message;
}

TEST(IdentityDocument, CertificateForAnotherKeyIsRefused) {
  Pki pki;
  auto in = pki.inputs();
  auto stranger = *axle::crypto::PrivateKey::generate(axle::crypto::KeyType::kEd25519);
  in.certificate_pem = *pki.ca.issue(*stranger.public_key(), "stranger", 30);
  auto v = axle::identity::verify_document(generate(in), pki.policy());
  EXPECT_EQ(v.failure, VerifyFailure::kUntrustedChain);
  EXPECT_NE(v.message.find("another key"), std::string::npos);
}

TEST(IdentityDocument, ExpiredCertificateIsRefused) {
  Pki pki;
  auto in = pki.inputs();
  std::int64_t now = axle::utc_ms() / 1000;
  in.certificate_pem =
      *pki.ca.issue_with_validity(*pki.device.public_key(), "device-1", now - 864000, now - 86400);
  auto v = axle::identity::verify_document(generate(in), pki.policy());
  EXPECT_EQ(v.failure, VerifyFailure::kCertificateExpired) << v.message;
}

TEST(IdentityDocument, ReplayedNonceIsRefused) {
  Pki pki;
  std::string json = generate(pki.inputs());
  ASSERT_TRUE(axle::identity::verify_document(json, pki.policy()).ok());
  auto again = axle::identity::verify_document(json, pki.policy());
  EXPECT_EQ(again.failure, VerifyFailure::kReplay) << again.message;
  // A fresh document of the same device is still accepted.
  EXPECT_TRUE(axle::identity::verify_document(generate(pki.inputs()), pki.policy()).ok());
}

TEST(IdentityDocument, RevokedIdentityIsRefused) {
  Pki pki;
  std::string json = generate(pki.inputs());
  auto raw = *pki.device.public_key()->to_raw();
  axle::test::write_file(pki.dir.path() / "revoked",
                         "# revoked devices\n" + axle::test::to_hex(raw) + "  # stolen\n");
  auto v = axle::identity::verify_document(json, pki.policy());
  EXPECT_EQ(v.failure, VerifyFailure::kRevoked) << v.message;
}

TEST(IdentityDocument, TimestampOutsideWindowIsRefused) {
  Pki pki;
  auto in = pki.inputs();
  in.timestamp_ms = axle::utc_ms() - 3'600'000;  // an hour old, correctly signed
  auto v = axle::identity::verify_document(generate(in), pki.policy());
  EXPECT_EQ(v.failure, VerifyFailure::kTimestamp) << v.message;
  in.timestamp_ms = axle::utc_ms() + 3'600'000;  // from the future
  EXPECT_EQ(axle::identity::verify_document(generate(in), pki.policy()).failure,
            VerifyFailure::kTimestamp);
}

TEST(IdentityDocument, AnonymousPseudonymsAreStablePerRelyingPartyAndUnlinkable) {
  auto key = *axle::crypto::random_secret(32);
  auto make = [&key](const std::string& rp) {
    GenerateInputs in;
    in.mode = DocumentMode::kAnonymous;
    in.relying_party = rp;
    in.pseudonymisation_key = &key;
    return *axle::identity::generate_document(in);
  };
  auto a1 = make("fleet.example.com");
  auto a2 = make("fleet.example.com");
  auto b = make("insurer.example.org");
  EXPECT_EQ(a1.pseudonym, a2.pseudonym);
  EXPECT_EQ(a1.public_key, a2.public_key);
  EXPECT_NE(a1.pseudonym, b.pseudonym);
  EXPECT_NE(a1.public_key, b.public_key);
  EXPECT_EQ(a1.canonical_json().find("certificate"), std::string::npos);
  VerifyPolicy policy;  // no roots needed: nothing chains an anonymous document to a device
  auto v = axle::identity::verify_document(a1.canonical_json(), policy);
  EXPECT_TRUE(v.ok()) << v.message;
}

}  // namespace
