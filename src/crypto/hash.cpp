#include "axle/crypto/hash.hpp"

#include "axle/crypto/provider.hpp"
#include "ossl.hpp"

namespace axle::crypto {

namespace {

// One context per thread and algorithm, reused by the one-shot functions: EVP_MD_CTX_new per
// call would dominate the cost of hashing short inputs.
EVP_MD_CTX* thread_context(detail::MdCtxPtr& slot) {
  if (!slot) slot.reset(EVP_MD_CTX_new());
  return slot.get();
}

template <std::size_t N>
Result<std::array<std::uint8_t, N>> digest(EVP_MD_CTX* ctx, const EVP_MD* md,
                                           std::span<const std::uint8_t> data,
                                           std::string_view name) {
  if (md == nullptr) {
    return detail::openssl_error(ErrorCode::kUnsupported,
                                 std::string(name) + " is not offered by the loaded providers");
  }
  if (ctx == nullptr) return detail::openssl_error(ErrorCode::kInternal, "EVP_MD_CTX_new failed");
  std::array<std::uint8_t, N> out{};
  unsigned int len = 0;
  if (EVP_DigestInit_ex2(ctx, md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out.data(), &len) != 1 || len != N) {
    return detail::openssl_error(ErrorCode::kInternal, std::string(name) + " failed");
  }
  return out;
}

}  // namespace

Result<Sha256Digest> sha256(std::span<const std::uint8_t> data) {
  AXLE_RETURN_IF_ERROR(require_allowed(Algorithm::kSha256));
  thread_local detail::MdCtxPtr ctx;
  return digest<32>(thread_context(ctx), detail::sha256_md(), data, "SHA-256");
}

Result<Sha512Digest> sha512(std::span<const std::uint8_t> data) {
  AXLE_RETURN_IF_ERROR(require_allowed(Algorithm::kSha512));
  thread_local detail::MdCtxPtr ctx;
  return digest<64>(thread_context(ctx), detail::sha512_md(), data, "SHA-512");
}

struct Sha256::Impl {
  detail::MdCtxPtr ctx{EVP_MD_CTX_new()};
  bool started = false;

  Result<void> start() {
    if (started) return ok();
    AXLE_RETURN_IF_ERROR(require_allowed(Algorithm::kSha256));
    const EVP_MD* md = detail::sha256_md();
    if (md == nullptr) {
      return detail::openssl_error(ErrorCode::kUnsupported,
                                   "SHA-256 is not offered by the loaded providers");
    }
    if (!ctx) return detail::openssl_error(ErrorCode::kInternal, "EVP_MD_CTX_new failed");
    if (EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1) {
      return detail::openssl_error(ErrorCode::kInternal, "SHA-256 init failed");
    }
    started = true;
    return ok();
  }
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

Result<void> Sha256::update(std::span<const std::uint8_t> data) {
  if (!impl_) return Error{ErrorCode::kFailedPrecondition, "Sha256 used after move"};
  AXLE_RETURN_IF_ERROR(impl_->start());
  if (EVP_DigestUpdate(impl_->ctx.get(), data.data(), data.size()) != 1) {
    impl_->started = false;
    return detail::openssl_error(ErrorCode::kInternal, "SHA-256 update failed");
  }
  return ok();
}

Result<Sha256Digest> Sha256::finish() {
  if (!impl_) return Error{ErrorCode::kFailedPrecondition, "Sha256 used after move"};
  AXLE_RETURN_IF_ERROR(impl_->start());
  Sha256Digest out{};
  unsigned int len = 0;
  // Whatever happens, the next update() starts a new message.
  impl_->started = false;
  if (EVP_DigestFinal_ex(impl_->ctx.get(), out.data(), &len) != 1 || len != out.size()) {
    return detail::openssl_error(ErrorCode::kInternal, "SHA-256 final failed");
  }
  return out;
}

}  // namespace axle::crypto
