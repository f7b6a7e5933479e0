// Archive manifests and the archive range proof, on archives built from an in-memory tree: every
// (first, last, size) up to 17 verifies, and each part of the proof is needed.
#include "axle/audit/archive.hpp"

#include <gtest/gtest.h>

#include "axle/audit/proof_build.hpp"
#include "axle/crypto/hash.hpp"
#include "segment.hpp"

namespace axle::audit {
namespace {

constexpr std::string_view kOrigin = "example.com/audit/test";

struct Fixture {
  crypto::PrivateKey key;
  NoteVerifier verifier;
};

Fixture make_key() {
  auto key = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  auto pub = key->public_key();
  auto verifier = NoteVerifier::create(kOrigin, *pub);
  return {std::move(*key), std::move(*verifier)};
}

// A log of `size` entries held in memory: payloads and their tree.
struct MemLog {
  std::vector<std::vector<std::uint8_t>> payloads;
  MemoryTree tree;
};

MemLog make_log(std::uint64_t size) {
  MemLog log;
  Hash prev{};
  for (std::uint64_t i = 0; i < size; ++i) {
    log.payloads.push_back(
        detail::encode_entry(i, prev, "<110>1 - - - - - - entry " + std::to_string(i)));
    prev = *leaf_hash(log.payloads.back());
    EXPECT_TRUE(log.tree.append_leaf_hash(prev));
  }
  return log;
}

// Complete subtrees of [begin, end), computed here from node sizes, independently of the library.
std::vector<Hash> subtrees(const MemoryTree& tree, std::uint64_t begin, std::uint64_t end) {
  std::vector<Hash> out;
  while (begin < end) {
    unsigned level = 0;
    while (begin % (std::uint64_t{2} << level) == 0 && begin + (std::uint64_t{2} << level) <= end) {
      ++level;
    }
    out.push_back(*tree.node(level, begin >> level));
    begin += std::uint64_t{1} << level;
  }
  return out;
}

std::vector<std::uint8_t> build_archive(const Fixture& f, const MemLog& log, std::uint64_t first,
                                        std::uint64_t last, std::uint64_t size,
                                        ArchiveManifest* out_manifest = nullptr,
                                        const std::function<void(ArchiveManifest&)>& edit = {}) {
  std::vector<std::uint8_t> segment(detail::kSegmentMagic.begin(), detail::kSegmentMagic.end());
  for (std::uint64_t i = first; i <= last; ++i) detail::append_frame(segment, log.payloads[i]);
  Checkpoint cp{std::string(kOrigin), size, *tree_root(log.tree, size), {}};
  ArchiveManifest m;
  m.origin = std::string(kOrigin);
  m.segment = detail::segment_name(first);
  m.first = first;
  m.last = last;
  m.segment_bytes = segment.size();
  m.segment_sha256 = *crypto::sha256(segment);
  m.newest = "-";
  m.checkpoint = *sign_checkpoint(cp, kOrigin, f.key);
  m.left = subtrees(log.tree, 0, first);
  m.right = subtrees(log.tree, last + 1, size);
  if (edit) edit(m);
  if (out_manifest != nullptr) *out_manifest = m;
  auto note = sign_note(*format_manifest(m), kOrigin, f.key);
  return *encode_archive(*note, segment, 3);
}

TEST(ArchiveProof, EveryRangeOfEveryTreeUpTo17Verifies) {
  const Fixture f = make_key();
  const MemLog log = make_log(17);
  std::size_t checked = 0;
  for (std::uint64_t size = 1; size <= 17; ++size) {
    for (std::uint64_t first = 0; first < size; ++first) {
      for (std::uint64_t last = first; last < size; ++last) {
        const auto file = build_archive(f, log, first, last, size);
        auto r = verify_archive(file, f.verifier);
        ASSERT_TRUE(r) << first << ".." << last << " of " << size << ": " << r.error().message;
        EXPECT_EQ(r->entries, last - first + 1);
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked,
            1 + 3 + 6 + 10 + 15 + 21 + 28 + 36 + 45 + 55 + 66 + 78 + 91 + 105 + 120 + 136 + 153U);
}

TEST(ArchiveProof, EachHashOfTheRangeProofIsNeeded) {
  const Fixture f = make_key();
  const MemLog log = make_log(17);
  for (auto [first, last, size] :
       {std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>{5, 9, 17},
        {3, 3, 13},
        {8, 15, 17}}) {
    ArchiveManifest m;
    build_archive(f, log, first, last, size, &m);
    for (std::size_t i = 0; i < m.left.size() + m.right.size(); ++i) {
      const auto file = build_archive(f, log, first, last, size, nullptr, [&](ArchiveManifest& e) {
        Hash& h = i < e.left.size() ? e.left[i] : e.right[i - e.left.size()];
        h[31] ^= 0x80;
      });
      auto r = verify_archive(file, f.verifier);
      ASSERT_FALSE(r) << "hash " << i << " of " << first << ".." << last << "/" << size;
      EXPECT_EQ(r.error().code, ErrorCode::kVerificationFailed);
      EXPECT_NE(r.error().message.find("not the leaves of the checkpoint's tree"),
                std::string::npos)
          << r.error().message;
    }
    // One hash too few, one too many.
    auto fewer = verify_archive(build_archive(f, log, first, last, size, nullptr,
                                              [](ArchiveManifest& e) { e.right.pop_back(); }),
                                f.verifier);
    ASSERT_FALSE(fewer);
    EXPECT_NE(fewer.error().message.find("compact ranges"), std::string::npos);
    auto more =
        verify_archive(build_archive(f, log, first, last, size, nullptr,
                                     [](ArchiveManifest& e) { e.left.push_back(e.right.front()); }),
                       f.verifier);
    ASSERT_FALSE(more);
  }
}

TEST(ArchiveProof, CheckpointThatDoesNotCoverTheRange_IsRefused) {
  const Fixture f = make_key();
  const MemLog log = make_log(9);
  const auto file = build_archive(f, log, 2, 6, 9, nullptr, [&](ArchiveManifest& m) {
    Checkpoint small{std::string(kOrigin), 5, *tree_root(log.tree, 5), {}};
    m.checkpoint = *sign_checkpoint(small, kOrigin, f.key);
  });
  auto r = verify_archive(file, f.verifier);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("does not cover entry 6"), std::string::npos)
      << r.error().message;
}

TEST(ArchiveProof, CheckpointOfAnotherOrigin_IsRefused) {
  const Fixture f = make_key();
  const MemLog log = make_log(4);
  const auto file = build_archive(f, log, 0, 1, 4, nullptr, [&](ArchiveManifest& m) {
    Checkpoint other{"other/origin", 4, *tree_root(log.tree, 4), {}};
    m.checkpoint = *sign_checkpoint(other, kOrigin, f.key);
  });
  auto r = verify_archive(file, f.verifier);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("checkpoint does not verify"), std::string::npos)
      << r.error().message;
}

TEST(ArchiveManifest, FormatsAndParsesBack_AndParsingIsStrict) {
  const Fixture f = make_key();
  const MemLog log = make_log(6);
  ArchiveManifest m;
  build_archive(f, log, 1, 3, 6, &m, [](ArchiveManifest& e) {
    e.key_ids = {"d2026-01-01", "d2026-01-02"};
  });
  const std::string text = *format_manifest(m);
  auto back = parse_manifest(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->first, 1U);
  EXPECT_EQ(back->last, 3U);
  EXPECT_EQ(back->key_ids, m.key_ids);
  EXPECT_EQ(back->left, m.left);
  EXPECT_EQ(back->right, m.right);
  EXPECT_EQ(back->checkpoint, m.checkpoint);
  EXPECT_EQ(back->segment_sha256, m.segment_sha256);
  EXPECT_EQ(*format_manifest(*back), text);

  auto refuse = [](std::string t) {
    auto r = parse_manifest(t);
    EXPECT_FALSE(r) << t;
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
  };
  auto replace = [&](std::string_view from, std::string_view to) {
    std::string t = text;
    const auto at = t.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return t.replace(at, from.size(), to);
  };
  refuse(text.substr(0, text.size() - 1));  // no final newline
  refuse(replace("axle-audit-archive/v1", "axle-audit-archive/v2"));
  refuse(replace("entries 1 3", "entries 3 1"));   // last before first
  refuse(replace("entries 1 3", "entries 01 3"));  // leading zero
  refuse(replace("entries 1 3", "entries 1"));
  refuse(replace("sha256 ", "sha256 A"));  // 65 digits, upper case
  refuse(replace("bytes ", "bytes -"));
  refuse(replace("\nleft ", "\nleft x"));  // not base64 of 32 bytes
  refuse(replace("origin ", "origin two words "));
  // "-" means "no key ids" only alone (found by fuzz_archive: "- d..." parsed, then would not
  // format back).
  refuse(replace("key-ids d2026-01-01", "key-ids - d2026-01-01"));
  refuse(text + "extra line\n");
  std::string swapped = text;  // lines out of order
  const auto seg = swapped.find("segment ");
  const auto ent = swapped.find("entries ");
  std::string seg_line = swapped.substr(seg, ent - seg);
  swapped.erase(seg, ent - seg);
  swapped.insert(swapped.find("bytes "), seg_line);
  refuse(swapped);
}

TEST(ArchiveFile, RejectsWhatIsNotAnArchive) {
  const std::vector<std::uint8_t> junk{1, 2, 3, 4, 5, 6, 7, 8, 9};
  auto r = split_archive(junk);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  // A manifest frame and nothing after it.
  auto only = encode_archive("x\n", {}, 3);
  ASSERT_TRUE(only);
  auto parts = split_archive(*only);
  ASSERT_TRUE(parts);  // an empty segment still has a zstd frame
  auto seg = decompress_segment(parts->compressed, 0);
  ASSERT_TRUE(seg);
  EXPECT_TRUE(seg->empty());
  // Output beyond the announced size is refused, not buffered.
  const std::vector<std::uint8_t> data(4096, 'a');
  auto big = encode_archive("x\n", data, 3);
  auto p2 = split_archive(*big);
  EXPECT_FALSE(decompress_segment(p2->compressed, 4095));
  EXPECT_TRUE(decompress_segment(p2->compressed, 4096));
}

}  // namespace
}  // namespace axle::audit
