// Full verification of a log directory: framing, sequence, watermarks, tree hashes, checkpoint.
#include "axle/audit/log_verify.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>

#include "axle/audit/archive.hpp"
#include "axle/audit/proof_build.hpp"
#include "axle/audit/rfc5424.hpp"
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
  // Starts the list with a complete subtree of 2^level leaves that is not recomputed (the part of
  // the log removed by retention, taken from the hash store). Levels must come largest first.
  void seed(unsigned level, const Hash& hash) {
    stack_.push_back({level, hash});
    count_ += std::uint64_t{1} << level;
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
    // Verification walks each level in order: read it in blocks, not one pread per hash (which,
    // not hashing, bounded full verification at ~150k entries/s).
    if (index < block_first_ || index >= block_first_ + block_.size() / 32) {
      const std::uint64_t first = index - index % kBlockHashes;
      const std::uint64_t n = std::min<std::uint64_t>(kBlockHashes, count_ - first);
      block_.resize(static_cast<std::size_t>(n * 32));
      if (!detail::pread_all(fd_, block_, first * 32, path_)) {
        block_.clear();
        return std::nullopt;
      }
      block_first_ = first;
    }
    Hash h{};
    const auto at = static_cast<std::size_t>((index - block_first_) * 32);
    std::copy(block_.begin() + static_cast<std::ptrdiff_t>(at),
              block_.begin() + static_cast<std::ptrdiff_t>(at + 32), h.begin());
    return h;
  }

 private:
  static constexpr std::uint64_t kBlockHashes = 8192;  // 256 KiB
  std::filesystem::path path_;
  detail::Fd fd_;
  std::uint64_t count_ = 0;
  mutable std::vector<std::uint8_t> block_;  // hashes [block_first_, + size / 32)
  mutable std::uint64_t block_first_ = 0;
};

// A hash store read as a NodeSource (for a checkpoint that lies inside the archived prefix).
class StoredNodes final : public NodeSource {
 public:
  explicit StoredNodes(const std::vector<StoredLevel>& levels) : levels_(levels) {}
  [[nodiscard]] Result<Hash> node(unsigned level, std::uint64_t index) const override {
    if (level >= levels_.size()) return make_error(ErrorCode::kNotFound, "no such level");
    auto h = levels_[level].get(index);
    if (!h) return make_error(ErrorCode::kNotFound, "the hash store lacks a node");
    return *h;
  }

 private:
  const std::vector<StoredLevel>& levels_;
};

// Entries [first, last] removed by retention, as an audit.retention_delete event in the log says.
struct RemovedRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
};

std::optional<RemovedRange> retention_event(std::string_view message) {
  if (message.find(kRetentionOp) == std::string_view::npos) return std::nullopt;
  auto msg = parse_rfc5424(message);
  if (!msg || msg->msgid != kRetentionOp) return std::nullopt;
  for (const auto& sd : msg->structured_data) {
    for (const auto& p : sd.params) {
      if (p.name != "target" || !p.value.starts_with("entries:")) continue;
      unsigned long long a = 0;
      unsigned long long b = 0;
      char tail = 0;
      if (std::sscanf(p.value.c_str(), "entries:%llu-%llu%c", &a, &b, &tail) == 2 && a <= b) {
        return RemovedRange{a, b};
      }
    }
  }
  return std::nullopt;
}

// `base`: the first entry still in a segment (the ones before were archived and removed).
Result<std::vector<Scanned>> scan_all(const std::vector<detail::SegmentFile>& segments,
                                      std::uint64_t base, VerifyReport& report,
                                      std::vector<RemovedRange>& removed) {
  std::vector<Scanned> out;
  std::vector<std::uint8_t> buffer;  // one for all segments (64 MiB each, by default)
  for (const auto& seg : segments) {
    AXLE_TRY(detail::Fd fd, detail::open_file(seg.path, O_RDONLY));
    AXLE_TRY(const auto bytes, detail::read_whole_into(fd, seg.path, buffer));
    const auto scan = detail::scan_segment(bytes, /*keep_bad_crc=*/true);
    if (seg.first_seq != base + out.size() && !scan.frames.empty()) {
      // Segment names are checked against the entries' own sequence numbers below; a name that
      // disagrees means whole segments were removed or added.
      add(report, base + out.size(), seg.first_seq > base + out.size() ? "deleted" : "inserted",
          "segment " + seg.path.filename().string() + " starts at entry " +
              std::to_string(seg.first_seq) + " but the entries before it end at " +
              std::to_string(base + out.size()));
    }
    if (scan.bad_magic) {
      add(report, base + out.size(), "damaged",
          seg.path.filename().string() + ": " + scan.stop_reason);
      continue;
    }
    for (const auto& frame : scan.frames) {
      Scanned s;
      s.crc_ok = frame.crc_ok;
      const auto entry = detail::decode_entry(frame.payload);
      s.decoded = entry.has_value();
      s.seq = entry ? entry->seq : base + out.size();
      if (entry) {
        s.prev = entry->prev;
        if (auto r = retention_event(entry->message)) removed.push_back(*r);
      }
      AXLE_TRY(s.leaf, leaf_hash(frame.payload));
      out.push_back(s);
    }
    if (!scan.stop_reason.empty()) {
      add(report, base + out.size(), "damaged",
          seg.path.filename().string() + ": " + scan.stop_reason + " after entry " +
              std::to_string(base + out.size()) +
              " (torn tail or cut file; opening the log repairs a " + "torn tail)");
    }
  }
  return out;
}

// Deleted, inserted and reordered entries, from the sequence numbers the entries carry.
// Sequence numbers are compared relative to `base`, the first entry not removed by retention.
void check_sequence(const std::vector<Scanned>& entries, std::uint64_t base, VerifyReport& report) {
  std::uint64_t max_seq = 0;
  std::vector<std::uint8_t> seen;
  const auto rel = [base](std::uint64_t seq) {
    return seq >= base ? seq - base : std::numeric_limits<std::uint64_t>::max();
  };
  for (const Scanned& e : entries) {
    if (rel(e.seq) != std::numeric_limits<std::uint64_t>::max())
      max_seq = std::max(max_seq, rel(e.seq));
  }
  if (entries.empty()) return;
  if (max_seq > entries.size() * 4 + 1024) max_seq = entries.size() * 4 + 1024;  // forged seq
  seen.assign(max_seq + 1, 0);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::uint64_t s = rel(entries[i].seq);
    if (s > max_seq) {
      add(report, base + i, "modified",
          "entry at position " + std::to_string(base + i) +
              " carries an impossible sequence number " + std::to_string(entries[i].seq));
      continue;
    }
    if (seen[s] != 0) {
      add(report, base + i, "inserted",
          "entry at position " + std::to_string(base + i) + " repeats sequence number " +
              std::to_string(base + s) + " (an entry was inserted)");
    }
    seen[s] = 1;
  }
  for (std::uint64_t s = 0; s <= max_seq; ++s) {
    if (seen[s] == 0) {
      add(report, base + s, "deleted",
          "entry " + std::to_string(base + s) + " is missing (deleted)");
      return;  // the first gap names the deletion
    }
  }
  if (!report.findings.empty()) return;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].seq != base + i) {
      add(report, base + i, "reordered",
          "entry " + std::to_string(entries[i].seq) + " is at position " +
              std::to_string(base + i) + " (entries were reordered)");
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
  AXLE_TRY(auto segments, detail::list_segments(dir));
  // Entries before the oldest segment were archived and removed by retention, which is accepted
  // only when audit.retention_delete events in the log account for every one of them (below).
  const std::uint64_t base = segments.empty() ? 0 : segments.front().first_seq;
  std::vector<RemovedRange> removed;
  AXLE_TRY(const std::vector<Scanned> entries, scan_all(segments, base, report, removed));
  report.entries = entries.size();
  report.archived = base;
  check_sequence(entries, base, report);

  std::vector<StoredLevel> levels;
  for (unsigned l = 0; l < 64; ++l) levels.emplace_back(dir, l);

  RootBuilder builder;
  Hash prev{};
  if (base > 0) {
    std::sort(removed.begin(), removed.end(),
              [](const RemovedRange& a, const RemovedRange& b) { return a.first < b.first; });
    std::uint64_t covered = 0;
    for (const RemovedRange& r : removed) {
      if (r.first == covered) covered = r.last + 1;
    }
    if (covered < base) {
      add(report, covered, "deleted",
          "entries " + std::to_string(covered) + ".." + std::to_string(base - 1) +
              " are missing and no audit.retention_delete event records their removal");
    }
    for (const RemovedRange& r : removed) {
      if (r.first < base && r.last + 1 > base) {
        add(report, base, "deleted",
            "an audit.retention_delete event records entries " + std::to_string(r.first) + ".." +
                std::to_string(r.last) + " as removed, but entry " + std::to_string(base) +
                " on are still here (segments do not match)");
      }
    }
    // The removed prefix enters the root as the stored hashes of its complete subtrees; the
    // checkpoint comparison below checks them.
    std::uint64_t pos = 0;
    for (unsigned level = 64; level-- > 0;) {
      if (((base >> level) & 1U) == 0) continue;
      const auto node = levels[level].get(pos >> level);
      if (!node) {
        add(report, base, "damaged",
            "the hash store lacks the node at level " + std::to_string(level) + " index " +
                std::to_string(pos >> level) + " for the archived entries");
        return report;
      }
      builder.seed(level, *node);
      pos += std::uint64_t{1} << level;
    }
    const auto last_removed = levels[0].get(base - 1);
    if (!last_removed) {
      add(report, base, "damaged",
          "the hash store lacks the leaf of entry " + std::to_string(base - 1));
      return report;
    }
    prev = *last_removed;
  }

  // Modified entries: CRC, watermark chain, and the stored leaf hashes.
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Scanned& e = entries[i];
    const std::uint64_t at = base + i;
    if (!e.crc_ok) {
      add(report, at, "modified", "entry " + std::to_string(at) + " fails its CRC (modified)");
    } else if (!e.decoded) {
      add(report, at, "damaged", "entry " + std::to_string(at) + " cannot be decoded");
    } else if (e.prev != prev && e.seq == at) {
      add(report, at == 0 ? 0 : at - 1, "modified",
          "entry " + std::to_string(at) + " records a different hash for entry " +
              std::to_string(at == 0 ? 0 : at - 1) + " (one of them was modified)");
    }
    prev = e.leaf;
  }

  // Tree hashes: recompute every complete node and compare with the store.
  std::optional<Hash> checkpoint_root;
  bool store_reported = false;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::uint64_t at = base + i;
    AXLE_RETURN_IF_ERROR(builder.add(
        entries[i].leaf,
        [&](unsigned level, std::uint64_t index, const Hash& node) -> Result<void> {
          if (store_reported) return ok();
          const auto stored = levels[level].get(index);
          if (!stored) {
            store_reported = true;
            add(report, at, "damaged",
                "the hash store lacks the node at level " + std::to_string(level) + " index " +
                    std::to_string(index));
          } else if (*stored != node) {
            store_reported = true;
            add(report, level == 0 ? index : at, "modified",
                level == 0 ? "entry " + std::to_string(index) +
                                 " does not match its stored leaf hash (modified)"
                           : "stored tree node at level " + std::to_string(level) + " index " +
                                 std::to_string(index) + " differs from the entries");
          }
          return ok();
        }));
    if (cp && cp->size == at + 1) {
      AXLE_TRY(checkpoint_root, builder.root());
    }
  }
  AXLE_TRY(report.root, builder.root());
  const std::uint64_t total = base + entries.size();
  if (levels[0].count() > total) {
    add(report, total, "truncated",
        "the hash store records " + std::to_string(levels[0].count()) + " entries but only " +
            std::to_string(total) + " remain (entries from " + std::to_string(total) +
            " on were removed)");
  }
  if (cp) {
    if (cp->size > 0 && cp->size <= base) {
      // A checkpoint older than the retained segments: only the hash store can give its root.
      StoredNodes stored(levels);
      auto root = tree_root(stored, cp->size);
      if (root) checkpoint_root = *root;
    }
    if (cp->size > total) {
      add(report, total, "truncated",
          "the checkpoint covers " + std::to_string(cp->size) + " entries but the log has " +
              std::to_string(total));
    } else if (cp->size > 0 && checkpoint_root != cp->root) {
      add(report, 0, "modified",
          "the entries up to " + std::to_string(cp->size) +
              " do not give the checkpoint's root hash");
    }
  }
  return report;
}

}  // namespace axle::audit
