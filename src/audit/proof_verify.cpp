// RFC 9162 §2.1.3.2 and §2.1.4.2 proof checking. Deliberately independent of proof_build.cpp and
// merkle_hash.cpp: it hashes with its own few lines over axle::crypto.
#include "axle/audit/proof_verify.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "axle/crypto/hash.hpp"

namespace axle::audit {

namespace {

constexpr std::size_t kHashSize = 32;
using Digest = crypto::Sha256Digest;

Error fail(const std::string& why) {
  return make_error(ErrorCode::kVerificationFailed, "proof does not verify: " + why);
}

// HASH(0x01 || left || right), RFC 9162 §2.1.1.
Result<Digest> hash_children(std::span<const std::uint8_t> left,
                             std::span<const std::uint8_t> right) {
  std::array<std::uint8_t, 1 + 2 * kHashSize> buf{};
  buf[0] = 0x01;
  std::copy(left.begin(), left.end(), buf.begin() + 1);
  std::copy(right.begin(), right.end(), buf.begin() + 1 + kHashSize);
  return crypto::sha256(buf);
}

bool equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

Result<void> check_sizes(const std::vector<ByteString>& proof, std::string_view what) {
  for (std::size_t i = 0; i < proof.size(); ++i) {
    if (proof[i].size() != kHashSize) {
      return fail(std::string(what) + " hash " + std::to_string(i) + " is " +
                  std::to_string(proof[i].size()) + " bytes, not 32");
    }
  }
  return ok();
}

}  // namespace

Result<void> verify_inclusion(std::uint64_t index, std::uint64_t size,
                              std::span<const std::uint8_t> leaf,
                              const std::vector<ByteString>& proof,
                              std::span<const std::uint8_t> root) {
  if (index >= size) {
    return fail("leaf index " + std::to_string(index) + " is not below tree size " +
                std::to_string(size));
  }
  if (leaf.size() != kHashSize) return fail("leaf hash is not 32 bytes");
  if (root.size() != kHashSize) return fail("root hash is not 32 bytes");
  AXLE_RETURN_IF_ERROR(check_sizes(proof, "proof"));
  // §2.1.3.2 steps 2-5.
  std::uint64_t fn = index;
  std::uint64_t sn = size - 1;
  Digest r{};
  std::copy(leaf.begin(), leaf.end(), r.begin());
  for (const ByteString& p : proof) {
    if (sn == 0) return fail("proof is longer than the path to the root");
    if ((fn & 1U) == 1U || fn == sn) {
      AXLE_TRY(r, hash_children(p, r));
      if ((fn & 1U) == 0U) {
        while ((fn & 1U) == 0U && fn != 0) {
          fn >>= 1U;
          sn >>= 1U;
        }
      }
    } else {
      AXLE_TRY(r, hash_children(r, p));
    }
    fn >>= 1U;
    sn >>= 1U;
  }
  if (sn != 0) return fail("proof is shorter than the path to the root");
  if (!equal(r, root)) return fail("computed root differs from the given root");
  return ok();
}

Result<void> verify_consistency(std::uint64_t size1, std::uint64_t size2,
                                std::span<const std::uint8_t> root1,
                                std::span<const std::uint8_t> root2,
                                const std::vector<ByteString>& proof) {
  if (size1 > size2) {
    return fail("first size " + std::to_string(size1) + " is larger than second size " +
                std::to_string(size2));
  }
  if (size1 == 0) return fail("a consistency proof from the empty tree proves nothing");
  if (size1 == size2) {
    if (!proof.empty()) return fail("sizes are equal but the proof is not empty");
    if (!equal(root1, root2)) return fail("sizes are equal but the roots differ");
    return ok();
  }
  if (proof.empty()) return fail("proof is empty");
  if (root1.size() != kHashSize || root2.size() != kHashSize) return fail("root is not 32 bytes");
  AXLE_RETURN_IF_ERROR(check_sizes(proof, "proof"));
  // §2.1.4.2 steps 2-8.
  std::vector<std::span<const std::uint8_t>> path;
  path.reserve(proof.size() + 1);
  if ((size1 & (size1 - 1)) == 0) path.emplace_back(root1);
  for (const ByteString& c : proof) path.emplace_back(c);
  std::uint64_t fn = size1 - 1;
  std::uint64_t sn = size2 - 1;
  while ((fn & 1U) == 1U) {
    fn >>= 1U;
    sn >>= 1U;
  }
  Digest fr{};
  std::copy(path[0].begin(), path[0].end(), fr.begin());
  Digest sr = fr;
  for (std::size_t i = 1; i < path.size(); ++i) {
    const auto c = path[i];
    if (sn == 0) return fail("proof is longer than needed");
    if ((fn & 1U) == 1U || fn == sn) {
      AXLE_TRY(fr, hash_children(c, fr));
      AXLE_TRY(sr, hash_children(c, sr));
      if ((fn & 1U) == 0U) {
        while ((fn & 1U) == 0U && fn != 0) {
          fn >>= 1U;
          sn >>= 1U;
        }
      }
    } else {
      AXLE_TRY(sr, hash_children(sr, c));
    }
    fn >>= 1U;
    sn >>= 1U;
  }
  if (sn != 0) return fail("proof is shorter than needed");
  if (!equal(fr, root1)) return fail("first root does not match the proof");
  if (!equal(sr, root2)) return fail("second root does not match the proof");
  return ok();
}

}  // namespace axle::audit
