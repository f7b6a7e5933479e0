// RFC 9162 §2.1.1 hashing of the Merkle tree: leaf = SHA-256(0x00 || entry),
// node = SHA-256(0x01 || left || right), and the empty tree's root is SHA-256("").
#pragma once

#include <cstdint>
#include <span>

#include "axle/core/result.hpp"
#include "axle/crypto/hash.hpp"

namespace axle::audit {

using Hash = crypto::Sha256Digest;

[[nodiscard]] Result<Hash> leaf_hash(std::span<const std::uint8_t> entry);
[[nodiscard]] Result<Hash> node_hash(const Hash& left, const Hash& right);
[[nodiscard]] Result<Hash> empty_root();

}  // namespace axle::audit
