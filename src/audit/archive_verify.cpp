// Verifying an archive without trusting it (docs/audit.md, "Archives"). The proof that the
// archived entries are the leaves [first, last] of the checkpoint's tree is checked here with its
// own compact-range arithmetic: it shares no code with archive_make.cpp or proof_build.cpp.
#include <algorithm>
#include <bit>

#include "archive_segment.hpp"
#include "axle/audit/archive.hpp"
#include "axle/audit/proof_verify.hpp"
#include "axle/crypto/hash.hpp"
#include "base64.hpp"
#include "segment.hpp"

namespace axle::audit {

namespace {

constexpr std::string_view kDash = "\xE2\x80\x94 ";  // signed-note signature lines start so

Error refused(const std::string& why) {
  return make_error(ErrorCode::kVerificationFailed, "archive does not verify: " + why);
}

// Tells "signed by another key" from "signature wrong": the first means another log's archive
// (or the wrong --vkey), the second an altered manifest.
Result<std::string> open_manifest(const std::string& note, const NoteVerifier& verifier) {
  const std::size_t split = note.rfind("\n\n");
  if (split == std::string::npos) {
    return make_error(ErrorCode::kInvalidArgument,
                      "malformed archive: the manifest has no signature lines");
  }
  bool ours = false;
  std::string others;
  std::string_view sigs = std::string_view(note).substr(split + 2);
  while (!sigs.empty()) {
    const std::size_t nl = sigs.find('\n');
    const std::string_view line = sigs.substr(0, nl);
    sigs = nl == std::string_view::npos ? std::string_view() : sigs.substr(nl + 1);
    if (!line.starts_with(kDash)) continue;
    const std::string_view rest = line.substr(kDash.size());
    const std::size_t sp = rest.find(' ');
    if (sp == std::string_view::npos) continue;
    const auto blob = detail::base64_decode(rest.substr(sp + 1));
    if (!blob || blob->size() < 4) continue;
    const bool same_key =
        rest.substr(0, sp) == verifier.name() &&
        std::equal(verifier.key_hash().begin(), verifier.key_hash().end(), blob->begin());
    ours = ours || same_key;
    if (!same_key) {
      static constexpr std::string_view kHex = "0123456789abcdef";
      std::string h;
      for (std::size_t i = 0; i < 4; ++i) {
        h += kHex[(*blob)[i] >> 4U];
        h += kHex[(*blob)[i] & 15U];
      }
      others += (others.empty() ? "" : ", ") + std::string(rest.substr(0, sp)) + "+" + h;
    }
  }
  if (!ours) {
    return refused("the manifest is signed by another key (" +
                   (others.empty() ? std::string("none") : others) + "), not by " +
                   verifier.name() + "+" + verifier.vkey().substr(verifier.name().size() + 1, 8) +
                   ": an archive of another log, or the wrong --vkey");
  }
  auto text = verifier.open(note);
  if (!text) {
    if (text.error().code == ErrorCode::kVerificationFailed) {
      return refused(
          "the manifest's signature is wrong (the manifest was altered or signed by "
          "a forged key)");
    }
    return text.error();
  }
  return text;
}

// The tree levels of the complete subtrees covering [begin, end), left to right.
std::vector<unsigned> range_levels(std::uint64_t begin, std::uint64_t end) {
  std::vector<unsigned> out;
  while (begin < end) {
    // Largest power of two dividing `begin` (any for 0) and fitting in what remains.
    unsigned level = begin == 0 ? 63U : static_cast<unsigned>(std::countr_zero(begin));
    while (level > 0 && (std::uint64_t{1} << level) > end - begin) --level;
    out.push_back(level);
    begin += std::uint64_t{1} << level;
  }
  return out;
}

// RFC 9162 §2.1.1 root from a left-to-right sequence of complete subtrees.
class RangeRoot {
 public:
  Result<void> push(unsigned level, const Hash& h) {
    Hash node = h;
    while (!stack_.empty() && stack_.back().first == level) {
      AXLE_TRY(node, node_hash(stack_.back().second, node));
      stack_.pop_back();
      ++level;
    }
    if (!stack_.empty() && stack_.back().first < level) {
      return refused("the manifest's compact ranges do not fit the tree");
    }
    stack_.emplace_back(level, node);
    return ok();
  }
  Result<Hash> root() const {
    if (stack_.empty()) return empty_root();
    Hash r = stack_.back().second;
    for (auto it = stack_.rbegin() + 1; it != stack_.rend(); ++it) {
      AXLE_TRY(r, node_hash(it->second, r));
    }
    return r;
  }

 private:
  std::vector<std::pair<unsigned, Hash>> stack_;
};

std::string hex_of(const Hash& h) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string s;
  for (auto b : h) {
    s += kHex[b >> 4U];
    s += kHex[b & 15U];
  }
  return s;
}

// Frames, sequence numbers, watermarks; returns the leaf hashes.
Result<std::vector<Hash>> check_entries(std::span<const std::uint8_t> segment,
                                        const ArchiveManifest& m,
                                        std::vector<std::string>& key_ids) {
  const auto scan = detail::scan_segment(segment, /*keep_bad_crc=*/true);
  if (scan.bad_magic) return refused("the decompressed data is not a segment (no header)");
  std::vector<Hash> leaves;
  Hash prev{};
  for (std::size_t i = 0; i < scan.frames.size(); ++i) {
    const std::uint64_t seq = m.first + i;
    if (!scan.frames[i].crc_ok) {
      return refused("entry " + std::to_string(seq) + " fails its CRC (modified)");
    }
    const auto entry = detail::decode_entry(scan.frames[i].payload);
    if (!entry) return refused("entry " + std::to_string(seq) + " cannot be decoded");
    if (entry->seq != seq) {
      return refused("the entry at position " + std::to_string(seq) + " carries sequence number " +
                     std::to_string(entry->seq) + " (entries deleted, inserted or reordered)");
    }
    if (i > 0 && entry->prev != prev) {
      return refused("entry " + std::to_string(seq) + " records a different hash for entry " +
                     std::to_string(seq - 1) + " (one of them was modified)");
    }
    detail::collect_key_ids(entry->message, key_ids);
    AXLE_TRY(prev, leaf_hash(scan.frames[i].payload));
    leaves.push_back(prev);
  }
  if (!scan.stop_reason.empty()) {
    return refused("the segment's framing breaks after entry " +
                   std::to_string(m.first + scan.frames.size()) + " (" + scan.stop_reason + ")");
  }
  if (leaves.size() != m.last - m.first + 1) {
    return refused("the segment holds " + std::to_string(leaves.size()) +
                   " entries, the manifest says " + std::to_string(m.first) + ".." +
                   std::to_string(m.last));
  }
  std::sort(key_ids.begin(), key_ids.end());
  key_ids.erase(std::unique(key_ids.begin(), key_ids.end()), key_ids.end());
  return leaves;
}

Result<void> check_range(const ArchiveManifest& m, const Checkpoint& cp,
                         const std::vector<Hash>& leaves) {
  const auto left = range_levels(0, m.first);
  const auto right = range_levels(m.last + 1, cp.size);
  if (left.size() != m.left.size() || right.size() != m.right.size()) {
    return refused("the manifest's compact ranges have " + std::to_string(m.left.size()) + "+" +
                   std::to_string(m.right.size()) + " hashes, a tree of " +
                   std::to_string(cp.size) + " needs " + std::to_string(left.size()) + "+" +
                   std::to_string(right.size()));
  }
  RangeRoot root;
  for (std::size_t i = 0; i < left.size(); ++i) AXLE_RETURN_IF_ERROR(root.push(left[i], m.left[i]));
  for (const Hash& leaf : leaves) AXLE_RETURN_IF_ERROR(root.push(0, leaf));
  for (std::size_t i = 0; i < right.size(); ++i) {
    AXLE_RETURN_IF_ERROR(root.push(right[i], m.right[i]));
  }
  AXLE_TRY(Hash r, root.root());
  if (r != cp.root) {
    return refused("the archived entries " + std::to_string(m.first) + ".." +
                   std::to_string(m.last) + " are not the leaves of the checkpoint's tree of " +
                   std::to_string(cp.size) + " (computed root " + hex_of(r).substr(0, 16) +
                   "..., checkpoint " + hex_of(cp.root).substr(0, 16) + "...)");
  }
  return ok();
}

Result<void> check_live(const Checkpoint& cp, const AuditLog& live, ArchiveCheck& out) {
  const std::uint64_t n = live.size();
  if (cp.size > n) {
    return refused("the manifest's checkpoint covers " + std::to_string(cp.size) +
                   " entries but the live log has " + std::to_string(n) +
                   " (an archive of another log, or the log lost entries)");
  }
  AXLE_TRY(auto proof, live.consistency_proof(cp.size, n));
  AXLE_TRY(Hash root_n, live.root(n));
  std::vector<ByteString> p;
  for (const Hash& h : proof) p.emplace_back(h.begin(), h.end());
  if (auto v = verify_consistency(cp.size, n, cp.root, root_n, p); !v) {
    return refused("the manifest's checkpoint (size " + std::to_string(cp.size) +
                   ") is not consistent with the live log at size " + std::to_string(n) + " (" +
                   v.error().message + ")");
  }
  out.live_checked = true;
  out.live_size = n;
  return ok();
}

}  // namespace

Result<ArchiveCheck> verify_archive(std::span<const std::uint8_t> file,
                                    const NoteVerifier& verifier, const AuditLog* live) {
  AXLE_TRY(ArchiveParts parts, split_archive(file));
  AXLE_TRY(std::string text, open_manifest(parts.signed_manifest, verifier));
  ArchiveCheck out;
  AXLE_TRY(out.manifest, parse_manifest(text));
  const ArchiveManifest& m = out.manifest;
  auto cp = verify_checkpoint(m.checkpoint, verifier, m.origin);
  if (!cp) {
    return refused("the manifest's checkpoint does not verify with " + verifier.name() + " (" +
                   cp.error().message + ")");
  }
  out.checkpoint = *cp;
  if (m.segment != detail::segment_name(m.first)) {
    return refused("the manifest names segment " + m.segment + " for entries from " +
                   std::to_string(m.first));
  }
  if (cp->size < m.last + 1) {
    return refused("the manifest's checkpoint (size " + std::to_string(cp->size) +
                   ") does not cover entry " + std::to_string(m.last));
  }
  auto segment = decompress_segment(parts.compressed, m.segment_bytes);
  if (!segment) return refused(segment.error().message);  // the compressed bytes were altered
  if (segment->size() != m.segment_bytes) {
    return refused("the segment is " + std::to_string(segment->size()) +
                   " bytes, the manifest says " + std::to_string(m.segment_bytes));
  }
  std::vector<std::string> key_ids;
  AXLE_TRY(auto leaves, check_entries(*segment, m, key_ids));
  out.entries = leaves.size();
  AXLE_RETURN_IF_ERROR(check_range(m, *cp, leaves));
  AXLE_TRY(Hash sha, crypto::sha256(*segment));
  if (sha != m.segment_sha256) return refused("the segment's SHA-256 differs from the manifest's");
  if (key_ids != m.key_ids)
    return refused("the L3 key ids in the entries differ from the manifest's");
  if (live != nullptr) AXLE_RETURN_IF_ERROR(check_live(*cp, *live, out));
  return out;
}

}  // namespace axle::audit
