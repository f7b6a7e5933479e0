// DocumentVerifier and DocumentSigner: what the caches keep and, above all, what they must not
// skip; the canonical JSON writer against nlohmann's; the shared, persistent nonce cache.
#include "axle/identity/verifier.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "axle/core/clock.hpp"
#include "axle/core/state_dir.hpp"
#include "axle/crypto/random.hpp"
#include "axle/identity/signer.hpp"
#include "axle/identity/vendor_ca.hpp"
#include "pki_fixture.hpp"
#include "support/test_support.hpp"

namespace {

using axle::identity::DocumentMode;
using axle::identity::DocumentSigner;
using axle::identity::DocumentVerifier;
using axle::identity::GenerateInputs;
using axle::identity::VerifyFailure;
using axle::identity::VerifyPolicy;

using axle::test::generate;

// The verifier tests keep the seen nonces in memory unless a test names a file.
struct Pki : axle::test::Pki {
  Pki() { nonces = axle::test::NonceCache::kMemory; }
};

// What the documents were signed in before the hand-written writer: nlohmann's dump.
std::string nlohmann_canonical(const axle::identity::IdentityDocument& d) {
  auto hex = [](auto bytes) {
    return axle::test::to_hex(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
  };
  nlohmann::json j;
  j["version"] = d.version;
  j["mode"] = d.mode == DocumentMode::kRealName ? "real-name" : "anonymous";
  j["edid"] = d.edid;
  j["manufacturer_id"] = hex(d.manufacturer_id);
  j["secure_boot_hash"] = hex(d.secure_boot_hash);
  j["secure_boot_source"] = d.secure_boot_from_tpm ? "tpm-pcr0" : "fingerprint-fallback";
  j["timestamp_ms"] = d.timestamp_ms;
  j["nonce"] = hex(d.nonce);
  j["public_key"] = hex(d.public_key);
  if (d.mode == DocumentMode::kRealName) {
    j["certificate"] = d.certificate_pem;
  } else {
    j["relying_party"] = d.relying_party;
    j["pseudonym"] = hex(d.pseudonym);
  }
  j["signature"] = hex(d.signature);
  return j.dump();
}

TEST(IdentityCanonicalJson, WriterMatchesTheFormDocumentsWereSignedIn) {
  Pki pki;
  auto real = *axle::identity::generate_document(pki.inputs());
  EXPECT_EQ(real.canonical_json(), nlohmann_canonical(real));
  auto key = *axle::crypto::random_secret(32);
  for (std::string rp : {std::string("fleet.example.com"), std::string("a\"b\\c\n\t\x01\x1f\x7f/"),
                         std::string("usine-\xc3\xa9t\xc3\xa9.example")}) {
    GenerateInputs in;
    in.mode = DocumentMode::kAnonymous;
    in.relying_party = rp;
    in.pseudonymisation_key = &key;
    in.timestamp_ms = -5;  // negative integers too
    auto anon = *axle::identity::generate_document(in);
    EXPECT_EQ(anon.canonical_json(), nlohmann_canonical(anon)) << rp;
    // Parsed back (escapes and UTF-8 through the general reader), it verifies and is unchanged.
    VerifyPolicy policy;
    policy.window_ms = std::numeric_limits<std::int64_t>::max() / 2;
    auto v = axle::identity::verify_document(anon.canonical_json(), policy);
    ASSERT_TRUE(v.ok()) << v.message;
    EXPECT_EQ(v.document->relying_party, rp);
  }
}

TEST(IdentityCanonicalJson, NonCanonicalButValidJsonVerifiesTheSame) {
  Pki pki;
  std::string json = generate(pki.inputs());
  std::string pretty = nlohmann::json::parse(json).dump(2);
  ASSERT_NE(pretty, json);
  DocumentVerifier verifier(pki.policy());
  auto v = verifier.verify(pretty);
  ASSERT_TRUE(v.ok()) << v.message;
  EXPECT_EQ(v.document->canonical_json(), json);
  // Reordered keys, duplicated keys and nesting are no way around the strict field checks.
  auto extra = json.substr(0, json.size() - 1) + ",\"zzz\":{\"a\":1}}";
  EXPECT_EQ(verifier.verify(extra).failure, VerifyFailure::kMalformed);
  auto wrong_type = json;
  auto at = wrong_type.find("\"timestamp_ms\":") + 15;
  wrong_type.insert(at, "\"");
  wrong_type.insert(wrong_type.find(',', at), "\"");
  EXPECT_EQ(verifier.verify(wrong_type).failure, VerifyFailure::kMalformed);
}

TEST(IdentityVerifier, CachedChainStillChecksSignatureRevocationWindowAndReplay) {
  Pki pki;
  DocumentVerifier verifier(pki.policy());
  std::string first = generate(pki.inputs());
  ASSERT_TRUE(verifier.verify(first).ok());
  ASSERT_TRUE(verifier.verify(generate(pki.inputs())).ok());
  auto stats = verifier.cache_stats();
  EXPECT_EQ(stats.chain_checks, 1u);
  EXPECT_EQ(stats.chain_hits, 1u);
  EXPECT_EQ(stats.certificates, 1u);

  // Altered after signing, with the cached certificate: refused on the signature...
  std::string altered = generate(pki.inputs());
  auto pos = altered.find("\"timestamp_ms\":") + 15;
  altered[pos] = altered[pos] == '1' ? '2' : '1';
  EXPECT_EQ(verifier.verify(altered).failure, VerifyFailure::kBadSignature);
  // ...and the prepared context still accepts the next good document.
  EXPECT_TRUE(verifier.verify(generate(pki.inputs())).ok());
  // Replay.
  EXPECT_EQ(verifier.verify(first).failure, VerifyFailure::kReplay);
  // Timestamp window.
  auto old = pki.inputs();
  old.timestamp_ms = axle::utc_ms() - 3'600'000;
  EXPECT_EQ(verifier.verify(generate(old)).failure, VerifyFailure::kTimestamp);
  // A revocation list written after the certificate was cached.
  axle::test::write_file(pki.dir.path() / "revoked",
                         axle::test::to_hex(*pki.device.public_key()->to_raw()) + "\n");
  EXPECT_EQ(verifier.verify(generate(pki.inputs())).failure, VerifyFailure::kRevoked);
  EXPECT_EQ(verifier.cache_stats().chain_checks, 1u);  // all of these used the cached verdict
}

TEST(IdentityVerifier, RefusedChainsAreNotCached) {
  Pki pki;
  Pki other;
  DocumentVerifier verifier(other.policy());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(verifier.verify(generate(pki.inputs())).failure, VerifyFailure::kUntrustedChain);
  }
  EXPECT_EQ(verifier.cache_stats().chain_checks, 3u);
  EXPECT_EQ(verifier.cache_stats().certificates, 0u);
}

TEST(IdentityVerifier, CachedCertificateForAnotherKeyIsStillRefused) {
  Pki pki;
  DocumentVerifier verifier(pki.policy());
  ASSERT_TRUE(verifier.verify(generate(pki.inputs())).ok());
  // The cached certificate, presented with a document signed by a stranger's key.
  auto stranger = *axle::crypto::PrivateKey::generate(axle::crypto::KeyType::kEd25519);
  auto in = pki.inputs();
  in.device_key = &stranger;
  auto v = verifier.verify(generate(in));
  EXPECT_EQ(v.failure, VerifyFailure::kUntrustedChain);
  EXPECT_NE(v.message.find("another key"), std::string::npos) << v.message;
}

TEST(IdentityVerifier, NewCrlGenerationRechecksTheChain) {
  Pki pki;
  DocumentVerifier verifier(pki.policy());
  ASSERT_TRUE(verifier.verify(generate(pki.inputs())).ok());
  auto crl = pki.ca.revoke(pki.state, pki.cert, axle::identity::RevocationReason::kKeyCompromise);
  ASSERT_TRUE(crl.ok()) << crl.error().to_string();
  verifier.set_crls({*crl});
  auto v = verifier.verify(generate(pki.inputs()));
  EXPECT_EQ(v.failure, VerifyFailure::kRevoked) << v.message;
  EXPECT_EQ(verifier.cache_stats().chain_checks, 2u);
}

TEST(IdentityVerifier, CachedVerdictEndsAtTheCertificatesNotAfter) {
  Pki pki;
  const std::int64_t now_s = axle::utc_ms() / 1000;
  auto in = pki.inputs();
  in.certificate_pem =
      *pki.ca.issue_with_validity(*pki.device.public_key(), "device-1", now_s - 60, now_s + 3600);
  DocumentVerifier verifier(pki.policy());
  in.timestamp_ms = now_s * 1000;
  ASSERT_TRUE(verifier.verify(generate(in), now_s * 1000).ok());
  in.timestamp_ms = (now_s + 60) * 1000;
  ASSERT_TRUE(verifier.verify(generate(in), (now_s + 60) * 1000).ok());
  EXPECT_EQ(verifier.cache_stats().chain_hits, 1u);
  // Two hours on, the cached verdict is past the certificate's notAfter: checked anew, refused.
  in.timestamp_ms = (now_s + 7200) * 1000;
  auto v = verifier.verify(generate(in), (now_s + 7200) * 1000);
  EXPECT_EQ(v.failure, VerifyFailure::kCertificateExpired) << v.message;
}

TEST(IdentityVerifier, NonceCacheFileIsSharedAndPersistent) {
  Pki pki;
  auto policy = pki.policy();
  policy.memory_nonce_cache = false;
  policy.nonce_cache = pki.dir.path() / "nonces";
  DocumentVerifier a(policy);
  DocumentVerifier b(policy);
  std::string doc = generate(pki.inputs());
  ASSERT_TRUE(a.verify(doc).ok());
  EXPECT_EQ(b.verify(doc).failure, VerifyFailure::kReplay);  // seen by another verifier
  std::string second = generate(pki.inputs());
  ASSERT_TRUE(b.verify(second).ok());
  EXPECT_EQ(a.verify(second).failure, VerifyFailure::kReplay);
  // A verifier made later (a new process) still refuses both.
  DocumentVerifier later(policy);
  EXPECT_EQ(later.verify(doc).failure, VerifyFailure::kReplay);
  EXPECT_EQ(later.verify(second).failure, VerifyFailure::kReplay);
  EXPECT_EQ(std::filesystem::status(policy.nonce_cache).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST(IdentityVerifier, NonceCacheDebrisAndCorruption) {
  Pki pki;
  auto policy = pki.policy();
  policy.memory_nonce_cache = false;
  policy.nonce_cache = pki.dir.path() / "nonces";
  std::string doc = generate(pki.inputs());
  auto nonce = axle::test::to_hex([&] {
    auto d = *axle::identity::parse_document(doc);
    return std::vector<std::uint8_t>(d.nonce.begin(), d.nonce.end());
  }());
  // The first version's file, plus half a line left by a writer that died mid-append.
  axle::test::write_file(policy.nonce_cache,
                         nonce + " " + std::to_string(axle::utc_ms() + 600'000) + "\n0123");
  DocumentVerifier verifier(policy);
  EXPECT_EQ(verifier.verify(doc).failure, VerifyFailure::kReplay);
  EXPECT_TRUE(verifier.verify(generate(pki.inputs())).ok());
  // A file that is not a nonce cache: refused as verifier state, never silently accepted.
  axle::test::write_file(policy.nonce_cache, "not a nonce cache\n");
  DocumentVerifier broken(policy);
  auto v = broken.verify(generate(pki.inputs()));
  EXPECT_EQ(v.failure, VerifyFailure::kVerifierState);
  EXPECT_NE(v.message.find("malformed"), std::string::npos) << v.message;
}

TEST(IdentitySigner, NoncesAreFreshAcrossThePoolAndAcrossFork) {
  Pki pki;
  auto signer = DocumentSigner::create(pki.inputs());
  ASSERT_TRUE(signer.ok()) << signer.error().to_string();
  DocumentVerifier verifier(pki.policy());
  std::set<std::string> nonces;
  for (int i = 0; i < 600; ++i) {  // more than one pool of 256
    auto s = signer->sign();
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->json, s->document.canonical_json());
    ASSERT_TRUE(verifier.verify(s->json).ok()) << i;
    nonces.insert(axle::test::to_hex({s->document.nonce.begin(), s->document.nonce.end()}));
  }
  EXPECT_EQ(nonces.size(), 600u);
  // A forked child must not hand out the nonces the parent will.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto s = signer->sign();
    std::string hex =
        s.ok() ? axle::test::to_hex({s->document.nonce.begin(), s->document.nonce.end()}) : "";
    (void)!::write(fds[1], hex.data(), hex.size());
    ::_exit(s.ok() ? 0 : 1);
  }
  ::close(fds[1]);
  char buf[64] = {};
  const ssize_t n = ::read(fds[0], buf, sizeof buf);
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_EQ(n, 32);
  auto mine = signer->sign();
  ASSERT_TRUE(mine.ok());
  EXPECT_NE(std::string(buf, 32),
            axle::test::to_hex({mine->document.nonce.begin(), mine->document.nonce.end()}));
  EXPECT_EQ(nonces.count(std::string(buf, 32)), 0u);
}

TEST(IdentitySigner, RefusesIncompleteInputs) {
  GenerateInputs in;  // real-name without key or certificate
  auto s = DocumentSigner::create(in);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("vendor-ca issue"), std::string::npos);
  in.mode = DocumentMode::kAnonymous;
  EXPECT_FALSE(DocumentSigner::create(in).ok());
}

}  // namespace
