// Building RFC 9162 tree heads and proofs from stored node hashes.
//
// A NodeSource gives the hash of any complete subtree: node(level, index) covers the leaves
// [index * 2^level, (index + 1) * 2^level). Every function here asks only for complete subtrees,
// O(log n) of them per call, so a durable store of complete nodes makes proofs O(log n) reads.
// Checking proofs lives in proof_verify.hpp and shares no code with this module.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "axle/audit/merkle_hash.hpp"
#include "axle/core/result.hpp"

namespace axle::audit {

class NodeSource {
 public:
  virtual ~NodeSource() = default;
  [[nodiscard]] virtual Result<Hash> node(unsigned level, std::uint64_t index) const = 0;
};

// RFC 9162 §2.1.1 MTH of the first `size` leaves.
[[nodiscard]] Result<Hash> tree_root(const NodeSource& nodes, std::uint64_t size);

// RFC 9162 §2.1.3.1 PATH(index, D[size]), leaf side first. kInvalidArgument unless index < size.
[[nodiscard]] Result<std::vector<Hash>> inclusion_proof(const NodeSource& nodes,
                                                        std::uint64_t index, std::uint64_t size);

// RFC 9162 §2.1.4.1 PROOF(old_size, D[new_size]). kInvalidArgument unless
// 0 < old_size <= new_size; equal sizes give an empty proof.
[[nodiscard]] Result<std::vector<Hash>> consistency_proof(const NodeSource& nodes,
                                                          std::uint64_t old_size,
                                                          std::uint64_t new_size);

// Complete-node hashes held in memory: for tests, tools and small logs.
class MemoryTree final : public NodeSource {
 public:
  [[nodiscard]] Result<void> append_leaf_hash(const Hash& leaf);
  [[nodiscard]] Result<void> append(std::span<const std::uint8_t> entry);
  [[nodiscard]] std::uint64_t size() const noexcept {
    return levels_.empty() ? 0 : levels_[0].size();
  }
  [[nodiscard]] Result<Hash> node(unsigned level, std::uint64_t index) const override;

 private:
  std::vector<std::vector<Hash>> levels_;
};

}  // namespace axle::audit
