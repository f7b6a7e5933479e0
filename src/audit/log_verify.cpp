// Full verification of a log directory: framing, sequence, watermarks, tree hashes, checkpoint.
#include "axle/audit/log_verify.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>

#include "fd.hpp"
#include "segment.hpp"

namespace axle::audit {

namespace {

constexpr std::size_t kMaxFindings = 100;

struct Scanned {
  std::uint64_t seq = 0;  // as recorded in the entry (or position when undecodable)
  bool decoded = false;
  bool crc_ok = true;
  Hash prev{};
  Hash leaf{};
};

void add(VerifyReport& r, std::uint64_t seq, std::string kind, std::string detail) {
  if (r.findings.size() < kMaxFindings)
    r.findings.push_back({seq, std::move(kind), std::move(detail)});
}

// RFC 9162 §2.1.1 root of a growing list of leaves, kept as the hashes of its complete subtrees
// (a compact range). Also reports each complete node as it appears, for comparison with the store.
class RootBuilder {
 public:
  template <typename OnNode>
  Result<void> add(const Hash& leaf, OnNode on_node) {
    Hash node = leaf;
    unsigned level = 0;
    AXLE_RETURN_IF_ERROR(on_node(0U, count_, node));
    std::uint64_t index = count_;
    ++count_;
    while (!stack_.empty() && stack_.back().level == level) {
      AXLE_TRY(node, node_hash(stack_.back().hash, node));
      stack_.pop_back();
      ++level;
      index >>= 1U;
      AXLE_RETURN_IF_ERROR(on_node(level, index, node));
    }
    stack_.push_back({level, node});
    return ok();
  }
  [[nodiscard]] Result<Hash> root() const {
    if (stack_.empty()) return empty_root();
    Hash r = stack_.back().hash;
    for (auto it = stack_.rbegin() + 1; it != stack_.rend(); ++it) {
      AXLE_TRY(r, node_hash(it->hash, r));
    }
    return r;
  }

 private:
  struct Part {
    unsigned level;
    Hash hash;
  };
  std::vector<Part> stack_;
  std::uint64_t count_ = 0;
};

// Reads stored node hashes of one level file, when it exists.
class StoredLevel {
 public:
  StoredLevel(const std::filesystem::path& dir, unsigned level) {
    char name[32];
    std::snprintf(name, sizeof name, "tree-%02u.hashes", level);
    path_ = dir / name;
    auto fd = detail::open_file(path_, O_RDONLY);
    if (fd) {
      fd_ = std::move(*fd);
      auto size = detail::file_size(fd_, path_);
      count_ = size ? *size / 32 : 0;
    }
  }
  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] std::optional<Hash> get(std::uint64_t index) const {
    if (index >= count_) return std::nullopt;
    Hash h{};
    if (!detail::pread_all(fd_, h, index * 32, path_)) return std::nullopt;
    return h;
  }

 private:
  std::filesystem::path path_;
  detail::Fd fd_;
  std::uint64_t count_ = 0;
};

Result<std::vector<Scanned>> scan_all(const std::filesystem::path& dir, VerifyReport& report) {
  AXLE_TRY(auto segments, detail::list_segments(dir));
  std::vector<Scanned> out;
  for (const auto& seg : segments) {
    AXLE_TRY(detail::Fd fd, detail::open_file(seg.path, O_RDONLY));
    AXLE_TRY(auto bytes, detail::read_whole(fd, seg.path));
    const auto scan = detail::scan_segment(bytes, /*keep_bad_crc=*/true);
    if (seg.first_seq != out.size() && !scan.frames.empty()) {
      // Segment names are checked against the entries' own sequence numbers below; a name that
      // disagrees means whole segments were removed or added.
      add(report, out.size(), seg.first_seq > out.size() ? "deleted" : "inserted",
          "segment " + seg.path.filename().string() + " starts at entry " +
              std::to_string(seg.first_seq) + " but the entries before it end at " +
              std::to_string(out.size()));
    }
    if (scan.bad_magic) {
      add(report, out.size(), "damaged", seg.path.filename().string() + ": " + scan.stop_reason);
      continue;
    }
    for (const auto& frame : scan.frames) {
      Scanned s;
      s.crc_ok = frame.crc_ok;
      const auto entry = detail::decode_entry(frame.payload);
      s.decoded = entry.has_value();
      s.seq = entry ? entry->seq : out.size();
      if (entry) s.prev = entry->prev;
      AXLE_TRY(s.leaf, leaf_hash(frame.payload));
      out.push_back(s);
    }
    if (!scan.stop_reason.empty()) {
      add(report, out.size(), "damaged",
          seg.path.filename().string() + ": " + scan.stop_reason + " after entry " +
              std::to_string(out.size()) + " (torn tail or cut file; opening the log repairs a " +
              "torn tail)");
    }
  }
  return out;
}

// Deleted, inserted and reordered entries, from the sequence numbers the entries carry.
void check_sequence(const std::vector<Scanned>& entries, VerifyReport& report) {
  std::uint64_t max_seq = 0;
  std::vector<std::uint8_t> seen;
  for (const Scanned& e : entries) max_seq = std::max(max_seq, e.seq);
  if (entries.empty()) return;
  if (max_seq > entries.size() * 4 + 1024) max_seq = entries.size() * 4 + 1024;  // forged seq
  seen.assign(max_seq + 1, 0);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::uint64_t s = entries[i].seq;
    if (s > max_seq) {
      add(report, i, "modified",
          "entry at position " + std::to_string(i) + " carries an impossible sequence number " +
              std::to_string(s));
      continue;
    }
    if (seen[s] != 0) {
      add(report, i, "inserted",
          "entry at position " + std::to_string(i) + " repeats sequence number " +
              std::to_string(s) + " (an entry was inserted)");
    }
    seen[s] = 1;
  }
  for (std::uint64_t s = 0; s <= max_seq; ++s) {
    if (seen[s] == 0) {
      add(report, s, "deleted", "entry " + std::to_string(s) + " is missing (deleted)");
      return;  // the first gap names the deletion
    }
  }
  if (!report.findings.empty()) return;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].seq != i) {
      add(report, i, "reordered",
          "entry " + std::to_string(entries[i].seq) + " is at position " + std::to_string(i) +
              " (entries were reordered)");
      return;
    }
  }
}

}  // namespace

Result<VerifyReport> verify_log(const std::filesystem::path& dir,
                                const TrustedCheckpoint* checkpoint) {
  VerifyReport report;
  std::optional<Checkpoint> cp;
  if (checkpoint != nullptr && checkpoint->verifier != nullptr) {
    AXLE_TRY(cp, verify_checkpoint(checkpoint->signed_note, *checkpoint->verifier));
    report.checkpoint_checked = true;
    report.checkpoint_size = cp->size;
  }
  AXLE_TRY(const std::vector<Scanned> entries, scan_all(dir, report));
  report.entries = entries.size();
  check_sequence(entries, report);

  // Modified entries: CRC, watermark chain, and the stored leaf hashes.
  std::vector<StoredLevel> levels;
  for (unsigned l = 0; l < 64; ++l) levels.emplace_back(dir, l);
  Hash prev{};
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Scanned& e = entries[i];
    if (!e.crc_ok) {
      add(report, i, "modified", "entry " + std::to_string(i) + " fails its CRC (modified)");
    } else if (!e.decoded) {
      add(report, i, "damaged", "entry " + std::to_string(i) + " cannot be decoded");
    } else if (e.prev != prev && e.seq == i) {
      add(report, i == 0 ? 0 : i - 1, "modified",
          "entry " + std::to_string(i) + " records a different hash for entry " +
              std::to_string(i == 0 ? 0 : i - 1) + " (one of them was modified)");
    }
    prev = e.leaf;
  }

  // Tree hashes: recompute every complete node and compare with the store.
  RootBuilder builder;
  std::optional<Hash> checkpoint_root;
  bool store_reported = false;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    AXLE_RETURN_IF_ERROR(builder.add(
        entries[i].leaf,
        [&](unsigned level, std::uint64_t index, const Hash& node) -> Result<void> {
          if (store_reported) return ok();
          const auto stored = levels[level].get(index);
          if (!stored) {
            store_reported = true;
            add(report, i, "damaged",
                "the hash store lacks the node at level " + std::to_string(level) + " index " +
                    std::to_string(index));
          } else if (*stored != node) {
            store_reported = true;
            add(report, level == 0 ? index : i, "modified",
                level == 0 ? "entry " + std::to_string(index) +
                                 " does not match its stored leaf hash (modified)"
                           : "stored tree node at level " + std::to_string(level) + " index " +
                                 std::to_string(index) + " differs from the entries");
          }
          return ok();
        }));
    if (cp && cp->size == i + 1) {
      AXLE_TRY(checkpoint_root, builder.root());
    }
  }
  AXLE_TRY(report.root, builder.root());
  if (levels[0].count() > entries.size()) {
    add(report, entries.size(), "truncated",
        "the hash store records " + std::to_string(levels[0].count()) + " entries but only " +
            std::to_string(entries.size()) + " remain (entries from " +
            std::to_string(entries.size()) + " on were removed)");
  }
  if (cp) {
    if (cp->size > entries.size()) {
      add(report, entries.size(), "truncated",
          "the checkpoint covers " + std::to_string(cp->size) + " entries but the log has " +
              std::to_string(entries.size()));
    } else if (cp->size > 0 && checkpoint_root != cp->root) {
      add(report, 0, "modified",
          "the entries up to " + std::to_string(cp->size) +
              " do not give the checkpoint's root hash");
    }
  }
  return report;
}

}  // namespace axle::audit
