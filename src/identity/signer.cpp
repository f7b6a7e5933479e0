#include "axle/identity/signer.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>

#include "axle/core/clock.hpp"
#include "axle/crypto/mac.hpp"
#include "axle/crypto/provider.hpp"
#include "axle/crypto/random.hpp"
#include "canonical_json.hpp"
#include "openssl_ptr.hpp"
#include "tree.hpp"

namespace axle::identity {

namespace {

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
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

// Bumped in every forked child, so a nonce pool copied into a child is never used there (parent
// and child would otherwise hand out the same nonces).
std::atomic<std::uint64_t> g_fork_generation{0};
void note_fork() { g_fork_generation.fetch_add(1, std::memory_order_relaxed); }
std::once_flag g_atfork_once;

class NoncePool {
 public:
  NoncePool() {
    std::call_once(g_atfork_once, [] { ::pthread_atfork(nullptr, nullptr, note_fork); });
  }
  ~NoncePool() { secure_wipe(pool_.data(), pool_.size()); }
  NoncePool(const NoncePool&) = delete;
  NoncePool& operator=(const NoncePool&) = delete;

  Result<void> draw(Nonce& out) {
    const std::uint64_t generation = g_fork_generation.load(std::memory_order_relaxed);
    if (used_ + out.size() > pool_.size() || generation != generation_) {
      AXLE_RETURN_IF_ERROR(crypto::random_fill(pool_));
      used_ = 0;
      generation_ = generation;
    }
    std::copy_n(pool_.begin() + static_cast<std::ptrdiff_t>(used_), out.size(), out.begin());
    // Handed out: erase it from the pool, so a later memory disclosure shows no future or past
    // nonce beyond the ones not yet drawn.
    std::fill_n(pool_.begin() + static_cast<std::ptrdiff_t>(used_), out.size(), 0);
    used_ += out.size();
    return ok();
  }

 private:
  std::array<std::uint8_t, 256 * sizeof(Nonce)> pool_{};
  std::size_t used_ = pool_.size();
  std::uint64_t generation_ = 0;
};

using ossl::MdCtxPtr;

}  // namespace

struct DocumentSigner::Impl {
  IdentityDocument base;  // the fields every document shares
  std::int64_t fixed_timestamp_ms = 0;
  std::optional<crypto::PrivateKey> anonymous;  // owned key of the anonymous mode
  const crypto::PrivateKey* key = nullptr;
  MdCtxPtr ctx;  // Ed25519 signing context, set up once (reusable for one-shot signing)
  NoncePool nonces;
  std::mutex mutex;

  Result<void> prepare_context() {
    ctx.reset(EVP_MD_CTX_new());
    auto* pkey = static_cast<EVP_PKEY*>(key->native_handle());
    if (!ctx || pkey == nullptr ||
        EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, pkey, nullptr) != 1) {
      ERR_clear_error();
      ctx.reset();
      return make_error(ErrorCode::kInternal, "the identity signing context cannot be set up");
    }
    return ok();
  }

  Result<std::vector<std::uint8_t>> sign(std::string_view message) {
    AXLE_RETURN_IF_ERROR(crypto::require_allowed(crypto::Algorithm::kEd25519));
    if (!ctx) AXLE_RETURN_IF_ERROR(prepare_context());
    std::vector<std::uint8_t> sig(64);
    std::size_t len = sig.size();
    const auto m = bytes_of(message);
    if (EVP_DigestSign(ctx.get(), sig.data(), &len, m.data(), m.size()) != 1 || len != 64) {
      ERR_clear_error();
      ctx.reset();  // set up anew next time
      return make_error(ErrorCode::kInternal, "signing the identity document failed");
    }
    return sig;
  }
};

DocumentSigner::DocumentSigner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DocumentSigner::~DocumentSigner() = default;
DocumentSigner::DocumentSigner(DocumentSigner&&) noexcept = default;
DocumentSigner& DocumentSigner::operator=(DocumentSigner&&) noexcept = default;

Result<DocumentSigner> DocumentSigner::create(const GenerateInputs& in) {
  auto impl = std::make_unique<Impl>();
  IdentityDocument& doc = impl->base;
  doc.mode = in.mode;
  doc.manufacturer_id = in.manufacturer_id;
  doc.secure_boot_hash = in.secure_boot.value;
  doc.secure_boot_from_tpm = in.secure_boot.from_tpm;
  impl->fixed_timestamp_ms = in.timestamp_ms;
  impl->key = in.device_key;
  if (in.mode == DocumentMode::kRealName) {
    if (impl->key == nullptr || in.certificate_pem.empty()) {
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
    AXLE_TRY(impl->anonymous, anonymous_key(*in.pseudonymisation_key, in.relying_party));
    impl->key = &*impl->anonymous;
  }
  if (impl->key->type() != crypto::KeyType::kEd25519) {
    return make_error(ErrorCode::kInvalidArgument, "identity documents are signed with Ed25519");
  }
  AXLE_RETURN_IF_ERROR(crypto::require_allowed(crypto::Algorithm::kEd25519));
  AXLE_TRY(doc.public_key, impl->key->public_raw());
  AXLE_RETURN_IF_ERROR(impl->prepare_context());
  return DocumentSigner(std::move(impl));
}

Result<DocumentSigner::Signed> DocumentSigner::sign() {
  if (!impl_) return make_error(ErrorCode::kFailedPrecondition, "the signer was moved from");
  std::lock_guard lock(impl_->mutex);
  Signed out{impl_->base, {}};
  IdentityDocument& doc = out.document;
  doc.timestamp_ms = impl_->fixed_timestamp_ms != 0 ? impl_->fixed_timestamp_ms : utc_ms();
  AXLE_RETURN_IF_ERROR(impl_->nonces.draw(doc.nonce));
  AXLE_TRY(doc.edid, edid_v2(EdidParts{doc.manufacturer_id, doc.secure_boot_hash, doc.timestamp_ms,
                                       doc.nonce}));
  std::size_t at = 0;
  out.json = detail::canonical_document(doc, false, &at);
  AXLE_TRY(doc.signature, impl_->sign(out.json));
  // The signed text with the signature member inserted is exactly canonical_json().
  std::string member = ",\"signature\":\"";
  detail::append_hex(member, doc.signature);
  member += '"';
  out.json.insert(at, member);
  return out;
}

}  // namespace axle::identity
