#include "axle/identity/verifier.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <limits>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "axle/core/clock.hpp"
#include "axle/core/files.hpp"
#include "axle/crypto/hash.hpp"
#include "axle/crypto/provider.hpp"
#include "axle/crypto/x509.hpp"
#include "nonce_store.hpp"
#include "openssl_ptr.hpp"
#include "pem_der.hpp"
#include "revocation_list.hpp"
#include "tree.hpp"

namespace axle::identity {

namespace {

using ossl::BioPtr;
using ossl::CrlPtr;
using ossl::MdCtxPtr;
using ossl::PkeyPtr;
using ossl::X509Ptr;

constexpr std::int64_t kNoLimit = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kNoStart = std::numeric_limits<std::int64_t>::min();

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

VerifyVerdict refuse(VerifyFailure f, std::string message) {
  VerifyVerdict v;
  v.failure = f;
  v.message = std::move(message);
  return v;
}

// UTC milliseconds of an ASN.1 time; nullopt when unreadable (then nothing is cached).
std::optional<std::int64_t> time_ms(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

// The window in which a chain verdict may be reused: latest start, earliest end.
struct Window {
  std::int64_t from_ms = kNoStart;
  std::int64_t until_ms = kNoLimit;
  bool known = true;  // false: some time was unreadable; never cache
  void start(std::optional<std::int64_t> t) {
    if (!t)
      known = false;
    else
      from_ms = std::max(from_ms, *t);
  }
  void end(std::optional<std::int64_t> t) {
    if (!t)
      known = false;
    else
      until_ms = std::min(until_ms, *t);
  }
  void narrow(const Window& w) {
    known = known && w.known;
    from_ms = std::max(from_ms, w.from_ms);
    until_ms = std::min(until_ms, w.until_ms);
  }
  [[nodiscard]] bool contains(std::int64_t now_ms) const {
    return known && now_ms >= from_ms && now_ms < until_ms;
  }
};

void narrow_by_certificate(Window& w, const X509* cert) {
  w.start(time_ms(X509_get0_notBefore(cert)));
  w.end(time_ms(X509_get0_notAfter(cert)));
}

// The validity of the trusted roots; unknown (never cache) when a text does not parse.
Window roots_window(const std::vector<std::string>& roots) {
  Window w;
  for (const auto& pem : roots) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    int count = 0;
    while (bio) {
      X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
      if (!cert) break;
      narrow_by_certificate(w, cert.get());
      ++count;
    }
    ERR_clear_error();
    if (!bio || count == 0) w.known = false;
  }
  return w;
}

Window crls_window(const std::vector<std::string>& crls) {
  Window w;
  for (const auto& pem : crls) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    int count = 0;
    while (bio) {
      CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
      if (!crl) break;
      w.start(time_ms(X509_CRL_get0_lastUpdate(crl.get())));
      // A CRL without nextUpdate never expires by itself; it still ends with its generation.
      if (X509_CRL_get0_nextUpdate(crl.get()) != nullptr) {
        w.end(time_ms(X509_CRL_get0_nextUpdate(crl.get())));
      }
      ++count;
    }
    ERR_clear_error();
    if (!bio || count == 0) w.known = false;
  }
  return w;
}

// An Ed25519 verification context for one key, set up once and used for every document signed
// by that key (OpenSSL 3's one-shot EVP_DigestVerify leaves an Ed25519 context reusable; a
// context that reports an error is set up anew).
class Ed25519Verifier {
 public:
  static std::optional<Ed25519Verifier> create(std::span<const std::uint8_t> raw) {
    PkeyPtr key(
        EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, raw.data(), raw.size()));
    if (!key) {
      ERR_clear_error();
      return std::nullopt;
    }
    Ed25519Verifier v;
    v.key_ = std::move(key);
    if (!v.reset()) return std::nullopt;
    return v;
  }
  // true: valid. false: invalid or malformed.
  bool verify(std::span<const std::uint8_t> message, std::span<const std::uint8_t> signature) {
    if (!ctx_ && !reset()) return false;
    const int rc = EVP_DigestVerify(ctx_.get(), signature.data(), signature.size(), message.data(),
                                    message.size());
    if (rc != 1 && rc != 0) {
      ERR_clear_error();
      ctx_.reset();
    }
    return rc == 1;
  }

 private:
  bool reset() {
    ctx_.reset(EVP_MD_CTX_new());
    if (!ctx_ || EVP_DigestVerifyInit_ex(ctx_.get(), nullptr, nullptr, nullptr, nullptr, key_.get(),
                                         nullptr) != 1) {
      ERR_clear_error();
      ctx_.reset();
      return false;
    }
    return true;
  }
  PkeyPtr key_;
  MdCtxPtr ctx_;
};

struct DigestHash {
  std::size_t operator()(const Digest32& d) const noexcept {
    std::size_t h = 0;
    std::memcpy(&h, d.data(), sizeof h);
    return h;
  }
};

struct CertificateEntry {
  std::vector<std::uint8_t> leaf_key;  // raw Ed25519 key the leaf certifies
  Ed25519Verifier verifier;
  std::uint64_t crl_generation = 0;
  Window window;
};

}  // namespace

struct DocumentVerifier::Impl {
  explicit Impl(VerifyPolicy p) : policy(std::move(p)), revocations(policy.revocation_list) {
    anchors = roots_window(policy.trusted_roots_pem);
    crl_window = crls_window(policy.crls_pem);
    if (!policy.nonce_cache.empty()) {
      nonces = detail::NonceStore::file(policy.nonce_cache, policy.sync_nonce_cache);
    } else if (policy.memory_nonce_cache) {
      nonces = detail::NonceStore::memory();
    }
  }

  VerifyVerdict verify(std::string_view json, std::int64_t now);
  VerifyVerdict check_chain(const IdentityDocument& doc, std::int64_t now, bool explicit_time,
                            const std::optional<Digest32>& id,
                            const std::vector<std::vector<std::uint8_t>>& ders);

  VerifyPolicy policy;
  Window anchors;     // the trusted roots' validity
  Window crl_window;  // the current CRLs' validity
  std::uint64_t crl_generation = 1;
  std::unordered_map<Digest32, CertificateEntry, DigestHash> certificates;
  std::unique_ptr<detail::NonceStore> nonces;
  detail::RevocationList revocations;
  CacheStats stats;
  std::mutex mutex;
};

// The full chain check (as every verification did before the cache), and on success the entry
// that lets the next document with this certificate field skip it.
VerifyVerdict DocumentVerifier::Impl::check_chain(
    const IdentityDocument& doc, std::int64_t now, bool explicit_time,
    const std::optional<Digest32>& id, const std::vector<std::vector<std::uint8_t>>& ders) {
  ++stats.chain_checks;
  crypto::ChainPolicy chain;
  chain.trusted_roots_pem = policy.trusted_roots_pem;
  chain.crls_pem = policy.crls_pem;
  // An explicit verification time applies to the certificates too; otherwise OpenSSL's clock.
  if (explicit_time) chain.at_unix_seconds = now / 1000;
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
  const auto another_key = [] {
    return refuse(VerifyFailure::kUntrustedChain,
                  "the device certificate is for another key than the one that signed");
  };
  if (!id) {
    // Not plain PEM certificates: the general (slower) key extraction, and nothing cached.
    auto cert_key = crypto::certificate_public_key(doc.certificate_pem);
    auto cert_raw =
        cert_key ? cert_key->to_raw() : Result<std::vector<std::uint8_t>>(cert_key.error());
    if (!cert_raw || *cert_raw != doc.public_key) return another_key();
    return refuse(VerifyFailure::kNone, "valid");
  }
  Window window = anchors;
  window.narrow(crl_window);
  std::vector<X509Ptr> parsed;
  for (const auto& der : ders) {
    const unsigned char* p = der.data();
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!cert || p != der.data() + der.size()) {
      ERR_clear_error();
      window.known = false;
      break;
    }
    narrow_by_certificate(window, cert.get());
    parsed.push_back(std::move(cert));
  }
  if (parsed.empty()) return another_key();  // unreachable after a valid chain; refuse anyway
  std::vector<std::uint8_t> leaf_key(32);
  std::size_t len = leaf_key.size();
  EVP_PKEY* pkey = X509_get0_pubkey(parsed[0].get());
  if (pkey == nullptr || EVP_PKEY_is_a(pkey, "ED25519") != 1 ||
      EVP_PKEY_get_raw_public_key(pkey, leaf_key.data(), &len) != 1 || len != 32) {
    ERR_clear_error();
    return another_key();
  }
  if (leaf_key != doc.public_key) return another_key();
  if (window.contains(now)) {
    if (certificates.size() >= policy.max_cached_certificates) certificates.clear();
    if (auto v = Ed25519Verifier::create(leaf_key); v && policy.max_cached_certificates > 0) {
      certificates.insert_or_assign(
          *id, CertificateEntry{std::move(leaf_key), std::move(*v), crl_generation, window});
    }
  }
  return refuse(VerifyFailure::kNone, "valid");
}

VerifyVerdict DocumentVerifier::Impl::verify(std::string_view json, std::int64_t explicit_now) {
  auto parsed = parse_document(json);
  if (!parsed) return refuse(VerifyFailure::kMalformed, parsed.error().message);
  IdentityDocument& doc = *parsed;
  const bool explicit_time = explicit_now != 0 || policy.now_ms != 0;
  const std::int64_t now =
      explicit_now != 0 ? explicit_now : (policy.now_ms != 0 ? policy.now_ms : utc_ms());
  const std::string message = doc.canonical_json(false);

  // The certificate field's identity and its cached chain verdict, if still valid.
  std::optional<Digest32> id;
  std::vector<std::vector<std::uint8_t>> ders;
  CertificateEntry* entry = nullptr;
  if (doc.mode == DocumentMode::kRealName) {
    if (auto certs = detail::pem_certificates_der(doc.certificate_pem)) {
      ders = std::move(*certs);
      std::string all;
      for (const auto& d : ders) all.append(reinterpret_cast<const char*>(d.data()), d.size());
      if (auto digest = crypto::sha256(bytes_of(all))) id = *digest;
    }
    if (id) {
      auto it = certificates.find(*id);
      if (it != certificates.end()) {
        if (it->second.crl_generation != crl_generation || !it->second.window.contains(now)) {
          certificates.erase(it);  // stale: the full check decides again
        } else if (it->second.leaf_key == doc.public_key) {
          entry = &it->second;
        }
      }
    }
  }

  // 1. The signature over the canonical form, under the key the document names.
  bool signature_ok = false;
  if (entry != nullptr) {
    if (auto allowed = crypto::require_allowed(crypto::Algorithm::kEd25519); !allowed) {
      return refuse(VerifyFailure::kVerifierState, allowed.error().message);
    }
    signature_ok = entry->verifier.verify(bytes_of(message), doc.signature);
  } else {
    auto pub = crypto::PublicKey::from_raw(crypto::KeyType::kEd25519, doc.public_key);
    if (!pub) return refuse(VerifyFailure::kMalformed, "the public key is not an Ed25519 key");
    signature_ok = pub->verify(bytes_of(message), doc.signature).ok();
  }
  if (!signature_ok) {
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
    if (entry != nullptr) {
      ++stats.chain_hits;
    } else {
      auto chain = check_chain(doc, now, explicit_time, id, ders);
      if (!chain.ok()) return chain;
    }
  }

  // 3. The revocation list.
  auto revoked = revocations.contains(doc);
  if (!revoked) return refuse(VerifyFailure::kVerifierState, revoked.error().message);
  if (*revoked) return refuse(VerifyFailure::kRevoked, "this identity is on the revocation list");

  // 4. Freshness.
  const std::int64_t skew = now - doc.timestamp_ms;
  if (skew > policy.window_ms || -skew > policy.window_ms) {
    return refuse(VerifyFailure::kTimestamp,
                  fmt::format("the document's timestamp is {} s from now, outside the window of "
                              "{} s",
                              skew / 1000, policy.window_ms / 1000));
  }

  // 5. Replay: a nonce is accepted once while its document is fresh.
  if (nonces) {
    auto fresh = nonces->check_and_record(doc.nonce, doc.timestamp_ms + policy.window_ms, now);
    if (!fresh) return refuse(VerifyFailure::kVerifierState, fresh.error().message);
    if (!*fresh) {
      return refuse(VerifyFailure::kReplay,
                    "this document's nonce was already accepted: a replayed document");
    }
  }
  VerifyVerdict ok_verdict;
  ok_verdict.failure = VerifyFailure::kNone;
  ok_verdict.message = "valid";
  ok_verdict.document = std::move(doc);
  return ok_verdict;
}

DocumentVerifier::DocumentVerifier(VerifyPolicy policy)
    : impl_(std::make_unique<Impl>(std::move(policy))) {}
DocumentVerifier::~DocumentVerifier() = default;
DocumentVerifier::DocumentVerifier(DocumentVerifier&&) noexcept = default;
DocumentVerifier& DocumentVerifier::operator=(DocumentVerifier&&) noexcept = default;

VerifyVerdict DocumentVerifier::verify(std::string_view json) { return verify(json, 0); }

VerifyVerdict DocumentVerifier::verify(std::string_view json, std::int64_t now_ms) {
  if (!impl_) return refuse(VerifyFailure::kVerifierState, "the verifier was moved from");
  std::lock_guard lock(impl_->mutex);
  try {
    return impl_->verify(json, now_ms);
  } catch (const std::exception& e) {  // allocation failure; never across the API
    return refuse(VerifyFailure::kVerifierState, std::string("verification failed: ") + e.what());
  }
}

void DocumentVerifier::set_crls(std::vector<std::string> crls_pem) {
  if (!impl_) return;
  std::lock_guard lock(impl_->mutex);
  impl_->policy.crls_pem = std::move(crls_pem);
  impl_->crl_window = crls_window(impl_->policy.crls_pem);
  ++impl_->crl_generation;
}

DocumentVerifier::CacheStats DocumentVerifier::cache_stats() const {
  if (!impl_) return {};
  std::lock_guard lock(impl_->mutex);
  CacheStats s = impl_->stats;
  s.certificates = impl_->certificates.size();
  return s;
}

VerifyVerdict verify_document(std::string_view json, const VerifyPolicy& policy) {
  DocumentVerifier verifier(policy);
  return verifier.verify(json);
}

}  // namespace axle::identity
