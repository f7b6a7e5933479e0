// `axle demo`, first steps: per-purpose keys with HKDF, signatures (checked again by the openssl
// CLI when it is installed), authenticated encryption.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "axle/core/clock.hpp"
#include "axle/crypto/aead.hpp"
#include "axle/crypto/hash.hpp"
#include "axle/crypto/keys.hpp"
#include "axle/crypto/mac.hpp"
#include "axle/crypto/provider.hpp"
#include "axle/crypto/random.hpp"
#include "demo/demo_io.hpp"

namespace axle::cli::demo {

namespace {

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string hex(std::span<const std::uint8_t> b) {
  std::string out;
  for (auto x : b) out += fmt::format("{:02x}", x);
  return out;
}

// A key's public id: the first 8 bytes of SHA-256 of the key. Never the key itself.
Result<std::string> key_id(const SecretBytes& key) {
  AXLE_TRY(auto digest, crypto::sha256(key.view()));
  return hex(std::span(digest).first(8));
}

// Runs `openssl pkeyutl -verify` on the files just written (no shell involved).
std::string openssl_verify(const StateDir& state, const std::string& name) {
  std::string dir = (state.path() / "demo").string();
  std::vector<std::string> argv = {"openssl",
                                   "pkeyutl",
                                   "-verify",
                                   "-pubin",
                                   "-inkey",
                                   dir + "/" + name + ".pub.pem",
                                   "-rawin",
                                   "-in",
                                   dir + "/document.json",
                                   "-sigfile",
                                   dir + "/" + name + ".sig"};
  if (name.rfind("ecdsa", 0) == 0) {
    argv.insert(argv.begin() + 2, {"-digest", "sha256"});
  }
  std::vector<char*> args;  // built before fork(): the child must not allocate
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return "not run (fork failed)";
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execvp("openssl", args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status)) return "not run";
  if (WEXITSTATUS(status) == 127) return "openssl CLI not installed";
  return WEXITSTATUS(status) == 0 ? "verified" : "REFUSED";
}

// Signs, verifies, checks that a tampered document is refused, and, when the openssl CLI is
// installed, has it verify the same signature independently.
Result<nlohmann::ordered_json> sign_and_check(DemoIo& io, const crypto::PrivateKey& key,
                                              const std::string& document,
                                              crypto::SignatureFormat format) {
  AXLE_TRY(auto signature, key.sign(bytes_of(document), format));
  AXLE_TRY(crypto::PublicKey pub, key.public_key());
  bool verified = pub.verify(bytes_of(document), signature, format).ok();
  std::string tampered = document;
  tampered[tampered.size() / 2] ^= 0x01;
  bool tamper_refused = !pub.verify(bytes_of(tampered), signature, format).ok();
  std::string name = fmt::format("{}{}", crypto::key_type_name(key.type()),
                                 key.type() == crypto::KeyType::kEcdsaP256
                                     ? (format == crypto::SignatureFormat::kDer ? "-der" : "-p1363")
                                     : "");
  AXLE_TRY(std::string pub_pem, pub.to_pem());
  AXLE_RETURN_IF_ERROR(io.state().write("demo/" + name + ".pub.pem", pub_pem, 0644));
  AXLE_RETURN_IF_ERROR(io.state().write(
      "demo/" + name + ".sig",
      std::string_view(reinterpret_cast<const char*>(signature.data()), signature.size()), 0644));
  std::string independent = "n/a (the openssl CLI takes DER signatures only)";
  if (format == crypto::SignatureFormat::kDer) {
    independent = openssl_verify(io.state(), name);
  }
  io.say(fmt::format(
      "  {:<16} signature {} bytes; verifies: {}; tampered document refused: {}; openssl: {}", name,
      signature.size(), DemoIo::yes_no(verified), DemoIo::yes_no(tamper_refused), independent));
  if (!verified || !tamper_refused) {
    return make_error(ErrorCode::kInternal, fmt::format("{} sign/verify self-check failed", name));
  }
  return nlohmann::ordered_json{{"algorithm", name},
                                {"signature_bytes", signature.size()},
                                {"verified", verified},
                                {"tamper_refused", tamper_refused},
                                {"openssl_cli", independent}};
}

}  // namespace

Result<void> run_crypto_steps(DemoIo& io) {
  // 1. Per-purpose keys from one device secret (HKDF-SHA256, RFC 5869, domain-separated info).
  io.step("derive per-purpose keys with HKDF-SHA256");
  AXLE_TRY(SecretBytes device_secret, crypto::random_secret(32));
  AXLE_TRY(auto salt, crypto::sha256(bytes_of("axle demo device")));
  AXLE_TRY(SecretBytes prk, crypto::hkdf_sha256_extract(salt, device_secret.view()));
  nlohmann::ordered_json keys = nlohmann::ordered_json::object();
  SecretBytes signing_seed;
  SecretBytes audit_key;
  for (std::string_view purpose : {"identity-signing", "audit-mac", "pseudonymisation"}) {
    std::string info = fmt::format("axle/{}@v1", purpose);
    AXLE_TRY(SecretBytes okm, crypto::hkdf_sha256_expand(prk.view(), bytes_of(info), 32));
    AXLE_TRY(std::string id, key_id(okm));
    io.say(fmt::format("  {:<28} key id {}", info, id));
    keys[info] = id;
    if (purpose == "identity-signing") signing_seed = std::move(okm);
    if (purpose == "audit-mac") audit_key = std::move(okm);
  }
  io.report("derived_keys") = keys;
  io.record({"key.generate", "demo device keys (HKDF-SHA256)", "success",
             "demo: derive per-purpose keys"});

  // 2. Sign and verify a document with the derived Ed25519 key, and with ECDSA P-256.
  io.step("sign and verify a document");
  std::string document = fmt::format(
      R"({{"kind":"axle-demo-document","issued_at":"{}","text":"brake firmware 4.2.1 approved"}})",
      format_utc_ms(utc_ms()));
  AXLE_RETURN_IF_ERROR(io.state().write("demo/document.json", document, 0644));
  nlohmann::ordered_json signatures = nlohmann::ordered_json::array();
  if (crypto::require_allowed(crypto::Algorithm::kEd25519)) {
    AXLE_TRY(crypto::PrivateKey ed, crypto::PrivateKey::ed25519_from_seed(signing_seed.view()));
    AXLE_TRY(auto entry, sign_and_check(io, ed, document, crypto::SignatureFormat::kDer));
    signatures.push_back(entry);
  } else {
    io.say("  Ed25519 skipped: not approved in FIPS mode");
  }
  AXLE_TRY(crypto::PrivateKey ec, crypto::PrivateKey::generate(crypto::KeyType::kEcdsaP256));
  AXLE_TRY(auto ec_der, sign_and_check(io, ec, document, crypto::SignatureFormat::kDer));
  signatures.push_back(ec_der);
  AXLE_TRY(auto ec_p1363, sign_and_check(io, ec, document, crypto::SignatureFormat::kP1363));
  signatures.push_back(ec_p1363);
  io.report("signatures") = signatures;

  // 3. Authenticated encryption under the derived audit key.
  io.step("encrypt and authenticate a record with AES-256-GCM");
  std::string record = "operator=alice@example.com action=unlock-diagnostics";
  AXLE_TRY(auto sealed, crypto::aes256_gcm_seal_random_nonce(audit_key.view(), bytes_of("demo-aad"),
                                                             bytes_of(record)));
  AXLE_TRY(auto opened,
           crypto::aes256_gcm_open_random_nonce(audit_key.view(), bytes_of("demo-aad"), sealed));
  bool round_trip = std::string(opened.begin(), opened.end()) == record;
  sealed[sealed.size() / 2] ^= 0x01;
  bool tamper_refused =
      !crypto::aes256_gcm_open_random_nonce(audit_key.view(), bytes_of("demo-aad"), sealed).ok();
  io.say(fmt::format("  {} bytes sealed; decrypts to the original: {}; one flipped bit refused: {}",
                     sealed.size(), DemoIo::yes_no(round_trip), DemoIo::yes_no(tamper_refused)));
  io.report("aead") = {{"sealed_bytes", sealed.size()},
                       {"round_trip", round_trip},
                       {"tamper_refused", tamper_refused}};
  if (!round_trip || !tamper_refused) {
    return make_error(ErrorCode::kInternal, "AES-256-GCM self-check failed");
  }
  return ok();
}

}  // namespace axle::cli::demo
