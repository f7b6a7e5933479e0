// The durable store of complete-subtree hashes: one file per level, tree-LL.hashes, holding the
// 32-byte hashes of the complete nodes of that level in order (level 0: the leaf hashes). A node is
// written once, when its subtree completes, so the files only grow.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <span>
#include <vector>

#include "axle/audit/proof_build.hpp"
#include "fd.hpp"

namespace axle::audit::detail {

inline constexpr unsigned kMaxLevels = 64;

class TreeStore final : public NodeSource {
 public:
  // Opens the level files of `dir` and brings them in line with a log of `size` leaves, whose
  // leaf hashes from `first_rewritten` on are `tail_leaves` (the entries of the last segment, the
  // only part a crash can have left inconsistent). kCorrupt when older hashes are missing.
  [[nodiscard]] static Result<std::unique_ptr<TreeStore>> open(const std::filesystem::path& dir,
                                                               std::uint64_t size,
                                                               std::uint64_t first_rewritten,
                                                               std::span<const Hash> tail_leaves);

  // Adds leaves and the nodes they complete to the pending writes (writer thread only).
  [[nodiscard]] Result<void> add_leaf(const Hash& leaf);
  // Writes the pending hashes (writer thread only). No fdatasync: hashes of the last segment's
  // entries are recomputed by recovery, so they need to be durable only once their segment is
  // closed (sync()).
  [[nodiscard]] Result<void> flush();
  // fdatasyncs every level file; called before a new segment starts.
  [[nodiscard]] Result<void> sync();
  // Starts writeback of what is written (sync_file_range, no wait, no journal commit): a
  // background thread calls it now and then, so that sync() at a segment switch, on the path of
  // acknowledgements, finds little left to flush.
  void start_writeback();

  [[nodiscard]] Result<Hash> node(unsigned level, std::uint64_t index) const override;

 private:
  explicit TreeStore(std::filesystem::path dir) : dir_(std::move(dir)) {}
  [[nodiscard]] std::filesystem::path level_path(unsigned level) const;
  [[nodiscard]] Result<void> ensure_level(unsigned level);

  std::filesystem::path dir_;
  std::array<Fd, kMaxLevels> files_;
  std::array<std::uint64_t, kMaxLevels> counts_{};   // nodes per level, including pending
  std::array<std::uint64_t, kMaxLevels> flushed_{};  // nodes per level on disk
  std::array<Hash, kMaxLevels> last_{};              // last node per level (when count is odd)
  std::array<std::vector<std::uint8_t>, kMaxLevels> pending_;
  mutable std::mutex open_mutex_;  // guards creation of level files
};

}  // namespace axle::audit::detail
