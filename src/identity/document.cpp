#include "axle/identity/document.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "axle/core/clock.hpp"
#include "axle/core/files.hpp"
#include "axle/crypto/mac.hpp"
#include "axle/crypto/random.hpp"
#include "axle/crypto/x509.hpp"
#include "tree.hpp"

namespace axle::identity {

namespace {

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string hex(std::span<const std::uint8_t> b) {
  return detail::to_hex(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

std::string_view mode_name(DocumentMode m) {
  return m == DocumentMode::kRealName ? "real-name" : "anonymous";
}

// The anonymous signing key of one relying party: unlinkable to the device key and to the keys
// for other relying parties, because it comes from a keyed PRF of the relying party's id.
Result<crypto::PrivateKey> anonymous_key(const SecretBytes& pseudonymisation_key,
                                         std::string_view relying_party) {
  std::string input = "axle/anonymous-signing@v1";
  input += '\0';
  input += relying_party;
  AXLE_TRY(auto seed, crypto::hmac_sha256(pseudonymisation_key.view(), bytes_of(input)));
  auto key = crypto::PrivateKey::ed25519_from_seed(seed);
  secure_wipe(seed.data(), seed.size());
  return key;
}

VerifyVerdict refuse(VerifyFailure f, std::string message) {
  VerifyVerdict v;
  v.failure = f;
  v.message = std::move(message);
  return v;
}

// Seen nonces: "<hex nonce> <expiry ms>" per line; expired entries are dropped on every write.
class NonceCache {
 public:
  static Result<NonceCache> load(const std::filesystem::path& file, std::int64_t now_ms) {
    NonceCache cache;
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return cache;
    AXLE_TRY(std::string text, read_file(file, 64U << 20));
    std::istringstream in(text);
    std::string nonce;
    std::int64_t expiry = 0;
    while (in >> nonce >> expiry) {
      if (expiry > now_ms) cache.entries_[nonce] = expiry;
    }
    if (!in.eof()) {
      return make_error(
          ErrorCode::kCorrupt,
          fmt::format("the nonce cache {} is malformed; a replay check is not possible "
                      "until it is repaired",
                      file.string()));
    }
    return cache;
  }
  bool seen(const std::string& nonce) const { return entries_.count(nonce) != 0; }
  Result<void> record(const std::filesystem::path& file, const std::string& nonce,
                      std::int64_t expiry_ms) {
    entries_[nonce] = expiry_ms;
    std::string text;
    for (const auto& [n, e] : entries_) text += fmt::format("{} {}\n", n, e);
    return write_file_atomic(file, text, 0600);
  }

 private:
  std::map<std::string, std::int64_t> entries_;
};

Result<bool> is_revoked(const std::filesystem::path& list, const IdentityDocument& doc) {
  std::error_code ec;
  if (list.empty() || !std::filesystem::exists(list, ec)) return false;
  AXLE_TRY(std::string text, read_file(list, 64U << 20));
  std::istringstream in(text);
  std::string line;
  std::string key = hex(doc.public_key);
  while (std::getline(in, line)) {
    auto end = line.find_first_of(" \t#\r");
    std::string entry = line.substr(0, end);
    if (entry.empty()) continue;
    std::transform(entry.begin(), entry.end(), entry.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string edid = doc.edid;
    std::transform(edid.begin(), edid.end(), edid.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (entry == key || entry == edid) return true;
  }
  return false;
}

}  // namespace

std::string IdentityDocument::canonical_json(bool with_signature) const {
  // nlohmann::json keeps object keys in a std::map: sorted, as RFC 8785 §3.2.3 requires for
  // these ASCII keys; dump() without indent writes no whitespace.
  nlohmann::json j;
  j["version"] = version;
  j["mode"] = mode_name(mode);
  j["edid"] = edid;
  j["manufacturer_id"] = hex(manufacturer_id);
  j["secure_boot_hash"] = hex(secure_boot_hash);
  j["secure_boot_source"] = secure_boot_from_tpm ? "tpm-pcr0" : "fingerprint-fallback";
  j["timestamp_ms"] = timestamp_ms;
  j["nonce"] = hex(nonce);
  j["public_key"] = hex(public_key);
  if (mode == DocumentMode::kRealName) {
    j["certificate"] = certificate_pem;
  } else {
    j["relying_party"] = relying_party;
    j["pseudonym"] = hex(pseudonym);
  }
  if (with_signature) j["signature"] = hex(signature);
  return j.dump();
}

Result<IdentityDocument> generate_document(const GenerateInputs& in) {
  IdentityDocument doc;
  doc.mode = in.mode;
  doc.manufacturer_id = in.manufacturer_id;
  doc.secure_boot_hash = in.secure_boot.value;
  doc.secure_boot_from_tpm = in.secure_boot.from_tpm;
  doc.timestamp_ms = in.timestamp_ms != 0 ? in.timestamp_ms : utc_ms();
  AXLE_RETURN_IF_ERROR(crypto::random_fill(doc.nonce));
  AXLE_TRY(doc.edid, edid_v2(EdidParts{doc.manufacturer_id, doc.secure_boot_hash, doc.timestamp_ms,
                                       doc.nonce}));
  std::optional<crypto::PrivateKey> anonymous;
  const crypto::PrivateKey* signer = in.device_key;
  if (in.mode == DocumentMode::kRealName) {
    if (signer == nullptr || in.certificate_pem.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "a real-name document needs the device key and its certificate; run "
                        "'axle vendor-ca issue' first");
    }
    doc.certificate_pem = in.certificate_pem;
  } else {
    if (in.pseudonymisation_key == nullptr || in.relying_party.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "an anonymous document needs a relying party id (--relying-party)");
    }
    doc.relying_party = in.relying_party;
    AXLE_TRY(doc.pseudonym,
             crypto::hmac_sha256(in.pseudonymisation_key->view(), bytes_of(in.relying_party)));
    AXLE_TRY(anonymous, anonymous_key(*in.pseudonymisation_key, in.relying_party));
    signer = &*anonymous;
  }
  if (signer->type() != crypto::KeyType::kEd25519) {
    return make_error(ErrorCode::kInvalidArgument, "identity documents are signed with Ed25519");
  }
  AXLE_TRY(doc.public_key, signer->public_raw());
  std::string message = doc.canonical_json(false);
  AXLE_TRY(doc.signature, signer->sign(bytes_of(message)));
  return doc;
}

Result<IdentityDocument> parse_document(std::string_view json) {
  auto malformed = [](std::string_view why) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("not an axle identity document: {}", why));
  };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception&) {
    return malformed("not valid JSON");
  }
  if (!j.is_object()) return malformed("not a JSON object");
  auto text = [&j](const char* key) -> std::optional<std::string> {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  IdentityDocument doc;
  auto version = text("version");
  auto mode = text("mode");
  if (!version || *version != doc.version) return malformed("unknown or missing version");
  if (!mode || (*mode != "real-name" && *mode != "anonymous")) return malformed("bad mode");
  doc.mode = *mode == "real-name" ? DocumentMode::kRealName : DocumentMode::kAnonymous;
  std::size_t expected_fields = doc.mode == DocumentMode::kRealName ? 11 : 12;
  if (j.size() != expected_fields) return malformed("unexpected or missing fields");

  auto fixed = [&](const char* key, auto& out) -> bool {
    auto v = text(key);
    if (!v) return false;
    auto b = detail::from_hex(*v, out.size());
    if (!b) return false;
    std::copy(b->begin(), b->end(), out.begin());
    return true;
  };
  auto edid = text("edid");
  auto source = text("secure_boot_source");
  auto ts = j.find("timestamp_ms");
  auto pub = text("public_key");
  auto sig = text("signature");
  if (!edid || !source || ts == j.end() || !ts->is_number_integer() || !pub || !sig) {
    return malformed("a required field is missing or has the wrong type");
  }
  doc.edid = *edid;
  if (*source != "tpm-pcr0" && *source != "fingerprint-fallback") return malformed("bad source");
  doc.secure_boot_from_tpm = *source == "tpm-pcr0";
  doc.timestamp_ms = ts->get<std::int64_t>();
  if (!fixed("manufacturer_id", doc.manufacturer_id) ||
      !fixed("secure_boot_hash", doc.secure_boot_hash) || !fixed("nonce", doc.nonce)) {
    return malformed("a hex field has the wrong length or characters");
  }
  auto pub_bytes = detail::from_hex(*pub, 32);
  auto sig_bytes = detail::from_hex(*sig, 64);
  if (!pub_bytes || !sig_bytes) return malformed("bad public_key or signature encoding");
  doc.public_key = std::move(*pub_bytes);
  doc.signature = std::move(*sig_bytes);
  if (doc.mode == DocumentMode::kRealName) {
    auto cert = text("certificate");
    if (!cert) return malformed("a real-name document needs its certificate");
    doc.certificate_pem = *cert;
  } else {
    auto rp = text("relying_party");
    if (!rp || rp->empty() || !fixed("pseudonym", doc.pseudonym)) {
      return malformed("an anonymous document needs relying_party and pseudonym");
    }
    doc.relying_party = *rp;
  }
  return doc;
}

std::string_view verify_failure_name(VerifyFailure f) noexcept {
  switch (f) {
    case VerifyFailure::kNone: return "ok";
    case VerifyFailure::kMalformed: return "malformed";
    case VerifyFailure::kBadSignature: return "bad_signature";
    case VerifyFailure::kUntrustedChain: return "untrusted_chain";
    case VerifyFailure::kCertificateExpired: return "certificate_expired";
    case VerifyFailure::kRevoked: return "revoked";
    case VerifyFailure::kTimestamp: return "timestamp_out_of_window";
    case VerifyFailure::kReplay: return "replayed_nonce";
    case VerifyFailure::kVerifierState: return "verifier_state";
  }
  return "unknown";
}

VerifyVerdict verify_document(std::string_view json, const VerifyPolicy& policy) {
  auto parsed = parse_document(json);
  if (!parsed) return refuse(VerifyFailure::kMalformed, parsed.error().message);
  IdentityDocument& doc = *parsed;

  // 1. The signature over the canonical form, under the key the document names.
  auto pub = crypto::PublicKey::from_raw(crypto::KeyType::kEd25519, doc.public_key);
  if (!pub) return refuse(VerifyFailure::kMalformed, "the public key is not an Ed25519 key");
  if (!pub->verify(bytes_of(doc.canonical_json(false)), doc.signature)) {
    return refuse(VerifyFailure::kBadSignature,
                  "the signature does not match the document: it was altered or not signed by "
                  "its public key");
  }
  // The EDID must be the hash of the signed parts.
  auto edid =
      edid_v2(EdidParts{doc.manufacturer_id, doc.secure_boot_hash, doc.timestamp_ms, doc.nonce});
  if (!edid || *edid != doc.edid) {
    return refuse(VerifyFailure::kMalformed, "the EDID does not match its parts");
  }

  // 2. Real-name: the certificate chains to a trusted vendor root and certifies this key.
  if (doc.mode == DocumentMode::kRealName) {
    crypto::ChainPolicy chain;
    chain.trusted_roots_pem = policy.trusted_roots_pem;
    chain.crls_pem = policy.crls_pem;
    auto verdict = crypto::check_certificate_chain(doc.certificate_pem, chain);
    if (verdict.failure == crypto::ChainFailure::kExpired ||
        verdict.failure == crypto::ChainFailure::kNotYetValid) {
      return refuse(VerifyFailure::kCertificateExpired,
                    "the device certificate is outside its validity period: " + verdict.message);
    }
    if (verdict.failure == crypto::ChainFailure::kRevoked) {
      return refuse(VerifyFailure::kRevoked, "the device certificate is revoked by its CA's CRL");
    }
    if (!verdict.ok()) {
      return refuse(
          VerifyFailure::kUntrustedChain,
          "the device certificate does not chain to a trusted vendor root: " + verdict.message);
    }
    auto cert_key = crypto::certificate_public_key(doc.certificate_pem);
    auto cert_raw =
        cert_key ? cert_key->to_raw() : Result<std::vector<std::uint8_t>>(cert_key.error());
    if (!cert_raw || *cert_raw != doc.public_key) {
      return refuse(VerifyFailure::kUntrustedChain,
                    "the device certificate is for another key than the one that signed");
    }
  }

  // 3. The revocation list.
  auto revoked = is_revoked(policy.revocation_list, doc);
  if (!revoked) return refuse(VerifyFailure::kVerifierState, revoked.error().message);
  if (*revoked) return refuse(VerifyFailure::kRevoked, "this identity is on the revocation list");

  // 4. Freshness.
  std::int64_t now = policy.now_ms != 0 ? policy.now_ms : utc_ms();
  std::int64_t skew = now - doc.timestamp_ms;
  if (skew > policy.window_ms || -skew > policy.window_ms) {
    return refuse(VerifyFailure::kTimestamp,
                  fmt::format("the document's timestamp is {} s from now, outside the window of "
                              "{} s",
                              skew / 1000, policy.window_ms / 1000));
  }

  // 5. Replay: a nonce is accepted once while its document is fresh.
  if (!policy.nonce_cache.empty()) {
    auto cache = NonceCache::load(policy.nonce_cache, now);
    if (!cache) return refuse(VerifyFailure::kVerifierState, cache.error().message);
    std::string nonce = hex(doc.nonce);
    if (cache->seen(nonce)) {
      return refuse(VerifyFailure::kReplay,
                    "this document's nonce was already accepted: a replayed document");
    }
    auto recorded = cache->record(policy.nonce_cache, nonce, doc.timestamp_ms + policy.window_ms);
    if (!recorded) return refuse(VerifyFailure::kVerifierState, recorded.error().message);
  }
  VerifyVerdict ok_verdict;
  ok_verdict.failure = VerifyFailure::kNone;
  ok_verdict.message = "valid";
  ok_verdict.document = std::move(doc);
  return ok_verdict;
}

}  // namespace axle::identity
