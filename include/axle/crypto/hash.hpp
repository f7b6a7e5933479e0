// SHA-256 and SHA-512 over OpenSSL 3 EVP, with the algorithm fetched once per process.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "axle/core/result.hpp"

namespace axle::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;
using Sha512Digest = std::array<std::uint8_t, 64>;

[[nodiscard]] Result<Sha256Digest> sha256(std::span<const std::uint8_t> data);
[[nodiscard]] Result<Sha512Digest> sha512(std::span<const std::uint8_t> data);

// Incremental SHA-256; reusable after finish() (it resets). Cheaper than the one-shot function in
// hot loops because the EVP context is allocated once.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Result<void> update(std::span<const std::uint8_t> data);
  Result<Sha256Digest> finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace axle::crypto
