// RFC 9162 §2.1 tree heads and proofs, built from complete-subtree hashes.
#include "axle/audit/proof_build.hpp"

#include <bit>
#include <string>

namespace axle::audit {

namespace {

// The largest power of two smaller than n (n > 1), the split point k of RFC 9162 §2.1.1.
std::uint64_t split_point(std::uint64_t n) noexcept { return std::bit_floor(n - 1); }

// MTH(D[begin:end]). A complete, aligned subtree is one stored node; otherwise (only at the right
// edge of the tree) split as §2.1.1 does, which touches O(log n) stored nodes.
Result<Hash> subtree_hash(const NodeSource& nodes, std::uint64_t begin, std::uint64_t end) {
  const std::uint64_t n = end - begin;
  if (std::has_single_bit(n) && begin % n == 0) {
    const auto level = static_cast<unsigned>(std::countr_zero(n));
    return nodes.node(level, begin >> level);
  }
  const std::uint64_t k = split_point(n);
  AXLE_TRY(Hash left, subtree_hash(nodes, begin, begin + k));
  AXLE_TRY(Hash right, subtree_hash(nodes, begin + k, end));
  return node_hash(left, right);
}

// PATH(m, D[begin:end]) of §2.1.3.1, appending leaf side first.
Result<void> path(const NodeSource& nodes, std::uint64_t m, std::uint64_t begin, std::uint64_t end,
                  std::vector<Hash>& out) {
  const std::uint64_t n = end - begin;
  if (n <= 1) return ok();
  const std::uint64_t k = split_point(n);
  if (m < k) {
    AXLE_RETURN_IF_ERROR(path(nodes, m, begin, begin + k, out));
    AXLE_TRY(Hash h, subtree_hash(nodes, begin + k, end));
    out.push_back(h);
  } else {
    AXLE_RETURN_IF_ERROR(path(nodes, m - k, begin + k, end, out));
    AXLE_TRY(Hash h, subtree_hash(nodes, begin, begin + k));
    out.push_back(h);
  }
  return ok();
}

// SUBPROOF(m, D[begin:end], b) of §2.1.4.1.
Result<void> subproof(const NodeSource& nodes, std::uint64_t m, std::uint64_t begin,
                      std::uint64_t end, bool complete, std::vector<Hash>& out) {
  const std::uint64_t n = end - begin;
  if (m == n) {
    if (!complete) {
      AXLE_TRY(Hash h, subtree_hash(nodes, begin, end));
      out.push_back(h);
    }
    return ok();
  }
  const std::uint64_t k = split_point(n);
  if (m <= k) {
    AXLE_RETURN_IF_ERROR(subproof(nodes, m, begin, begin + k, complete, out));
    AXLE_TRY(Hash h, subtree_hash(nodes, begin + k, end));
    out.push_back(h);
  } else {
    AXLE_RETURN_IF_ERROR(subproof(nodes, m - k, begin + k, end, false, out));
    AXLE_TRY(Hash h, subtree_hash(nodes, begin, begin + k));
    out.push_back(h);
  }
  return ok();
}

}  // namespace

Result<Hash> tree_root(const NodeSource& nodes, std::uint64_t size) {
  if (size == 0) return empty_root();
  return subtree_hash(nodes, 0, size);
}

Result<std::vector<Hash>> inclusion_proof(const NodeSource& nodes, std::uint64_t index,
                                          std::uint64_t size) {
  if (index >= size) {
    return make_error(ErrorCode::kInvalidArgument, "leaf index " + std::to_string(index) +
                                                       " is not below the tree size " +
                                                       std::to_string(size));
  }
  std::vector<Hash> out;
  AXLE_RETURN_IF_ERROR(path(nodes, index, 0, size, out));
  return out;
}

Result<std::vector<Hash>> consistency_proof(const NodeSource& nodes, std::uint64_t old_size,
                                            std::uint64_t new_size) {
  if (old_size == 0 || old_size > new_size) {
    return make_error(ErrorCode::kInvalidArgument,
                      "consistency needs 0 < old size <= new size (got " +
                          std::to_string(old_size) + " and " + std::to_string(new_size) + ")");
  }
  std::vector<Hash> out;
  AXLE_RETURN_IF_ERROR(subproof(nodes, old_size, 0, new_size, true, out));
  return out;
}

Result<void> MemoryTree::append_leaf_hash(const Hash& leaf) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf);
  // Every completed pair makes a node one level up (RFC 9162 §2.1.1 with k a power of two).
  for (std::size_t level = 0; levels_[level].size() % 2 == 0; ++level) {
    const auto& row = levels_[level];
    AXLE_TRY(Hash parent, node_hash(row[row.size() - 2], row[row.size() - 1]));
    if (levels_.size() == level + 1) levels_.emplace_back();
    levels_[level + 1].push_back(parent);
  }
  return ok();
}

Result<void> MemoryTree::append(std::span<const std::uint8_t> entry) {
  AXLE_TRY(Hash leaf, leaf_hash(entry));
  return append_leaf_hash(leaf);
}

Result<Hash> MemoryTree::node(unsigned level, std::uint64_t index) const {
  if (level >= levels_.size() || index >= levels_[level].size()) {
    return make_error(ErrorCode::kNotFound, "no complete node at level " + std::to_string(level) +
                                                " index " + std::to_string(index));
  }
  return levels_[level][index];
}

}  // namespace axle::audit
