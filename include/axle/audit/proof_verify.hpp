// Checking RFC 9162 proofs, as a client that trusts nothing but the hashes it is given.
//
// This module shares no code with proof_build.hpp (transparency-dev/merkle style), so a bug in
// one cannot hide a bug in the other. Inputs are raw byte strings because they come from outside:
// a hash of the wrong length is a failed proof, not a crash.
// Every failure is ErrorCode::kVerificationFailed with a one-line reason.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "axle/core/result.hpp"

namespace axle::audit {

using ByteString = std::vector<std::uint8_t>;

// RFC 9162 §2.1.3.2: does `proof` show the leaf with hash `leaf_hash` at `index` in the tree of
// `size` leaves with root `root`?
[[nodiscard]] Result<void> verify_inclusion(std::uint64_t index, std::uint64_t size,
                                            std::span<const std::uint8_t> leaf_hash,
                                            const std::vector<ByteString>& proof,
                                            std::span<const std::uint8_t> root);

// RFC 9162 §2.1.4.2: is the tree of size2 with root2 an append-only extension of the tree of
// size1 with root1? Equal sizes need an empty proof and equal roots; size1 = 0 is refused
// (nothing is proved about an empty tree).
[[nodiscard]] Result<void> verify_consistency(std::uint64_t size1, std::uint64_t size2,
                                              std::span<const std::uint8_t> root1,
                                              std::span<const std::uint8_t> root2,
                                              const std::vector<ByteString>& proof);

}  // namespace axle::audit
