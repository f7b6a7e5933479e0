#include "axle/audit/proof_build.hpp"

#include <gtest/gtest.h>

#include <string>

#include "axle/audit/proof_verify.hpp"

namespace axle::audit {
namespace {

std::vector<std::uint8_t> entry(std::uint64_t i) {
  const std::string s = "entry-" + std::to_string(i);
  return {s.begin(), s.end()};
}

// Reference MTH straight from RFC 9162 §2.1.1, over the entries themselves.
Hash reference_mth(std::uint64_t begin, std::uint64_t end) {
  const std::uint64_t n = end - begin;
  if (n == 1) return *leaf_hash(entry(begin));
  std::uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return *node_hash(reference_mth(begin, begin + k), reference_mth(begin + k, end));
}

ByteString bytes(const Hash& h) { return {h.begin(), h.end()}; }

std::vector<ByteString> bytes(const std::vector<Hash>& hs) {
  std::vector<ByteString> out;
  for (const Hash& h : hs) out.push_back(bytes(h));
  return out;
}

MemoryTree tree_of(std::uint64_t n) {
  MemoryTree t;
  for (std::uint64_t i = 0; i < n; ++i) EXPECT_TRUE(t.append(entry(i)).ok());
  return t;
}

TEST(MerkleHash, EmptyRootIsSha256OfNothing) {
  auto r = empty_root();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0], 0xe3);
  EXPECT_EQ((*r)[31], 0x55);
}

TEST(ProofBuild, TreeRoot_MatchesReferenceForSizesUpTo70) {
  MemoryTree t;
  for (std::uint64_t n = 1; n <= 70; ++n) {
    ASSERT_TRUE(t.append(entry(n - 1)).ok());
    auto root = tree_root(t, n);
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(*root, reference_mth(0, n)) << "size " << n;
  }
}

TEST(ProofBuild, EveryInclusionProofVerifies_AndFailsForAnotherLeaf) {
  const MemoryTree t = tree_of(37);
  for (std::uint64_t n = 1; n <= 37; ++n) {
    const ByteString root = bytes(*tree_root(t, n));
    for (std::uint64_t i = 0; i < n; ++i) {
      auto proof = inclusion_proof(t, i, n);
      ASSERT_TRUE(proof.ok());
      const ByteString leaf = bytes(*leaf_hash(entry(i)));
      EXPECT_TRUE(verify_inclusion(i, n, leaf, bytes(*proof), root).ok()) << i << "/" << n;
      const ByteString other = bytes(*leaf_hash(entry(i + 1000)));
      EXPECT_FALSE(verify_inclusion(i, n, other, bytes(*proof), root).ok());
      if (n > 1) {
        EXPECT_FALSE(verify_inclusion((i + 1) % n, n, leaf, bytes(*proof), root).ok());
      }
    }
  }
}

TEST(ProofBuild, EveryConsistencyProofVerifies_AndFailsWithAWrongRoot) {
  const MemoryTree t = tree_of(33);
  for (std::uint64_t m = 1; m <= 33; ++m) {
    for (std::uint64_t n = m; n <= 33; ++n) {
      auto proof = consistency_proof(t, m, n);
      ASSERT_TRUE(proof.ok());
      const ByteString r1 = bytes(*tree_root(t, m));
      const ByteString r2 = bytes(*tree_root(t, n));
      EXPECT_TRUE(verify_consistency(m, n, r1, r2, bytes(*proof)).ok()) << m << "->" << n;
      ByteString wrong = r2;
      wrong[5] ^= 0x40;
      EXPECT_FALSE(verify_consistency(m, n, r1, wrong, bytes(*proof)).ok()) << m << "->" << n;
    }
  }
}

TEST(ProofBuild, ProofSizesAreLogarithmic) {
  const MemoryTree t = tree_of(1000);
  EXPECT_LE(inclusion_proof(t, 517, 1000)->size(), 10U);
  EXPECT_LE(consistency_proof(t, 333, 1000)->size(), 20U);
}

TEST(ProofBuild, OutOfRangeArguments_AreInvalid) {
  const MemoryTree t = tree_of(4);
  EXPECT_FALSE(inclusion_proof(t, 4, 4).ok());
  EXPECT_FALSE(consistency_proof(t, 0, 4).ok());
  EXPECT_FALSE(consistency_proof(t, 3, 2).ok());
  EXPECT_FALSE(tree_root(t, 5).ok());
}

}  // namespace
}  // namespace axle::audit
