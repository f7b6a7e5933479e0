// RFC 9162 §2.1.1 domain-separated hashing.
#include "axle/audit/merkle_hash.hpp"

#include <algorithm>
#include <array>

namespace axle::audit {

Result<Hash> leaf_hash(std::span<const std::uint8_t> entry) {
  // One context per thread, reset by finish(): no allocation per leaf on the append path.
  thread_local crypto::Sha256 h;
  static constexpr std::array<std::uint8_t, 1> kLeafPrefix = {0x00};
  AXLE_RETURN_IF_ERROR(h.update(kLeafPrefix));
  AXLE_RETURN_IF_ERROR(h.update(entry));
  return h.finish();
}

Result<Hash> node_hash(const Hash& left, const Hash& right) {
  std::array<std::uint8_t, 65> buf{};
  buf[0] = 0x01;
  std::copy(left.begin(), left.end(), buf.begin() + 1);
  std::copy(right.begin(), right.end(), buf.begin() + 33);
  // As leaf_hash: the one-shot crypto::sha256 makes and frees a context per call, and the writer
  // hashes about one node per appended entry.
  thread_local crypto::Sha256 h;
  AXLE_RETURN_IF_ERROR(h.update(buf));
  return h.finish();
}

Result<Hash> empty_root() { return crypto::sha256({}); }

}  // namespace axle::audit
