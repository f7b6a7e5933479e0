#include "tree_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>

namespace axle::audit::detail {

namespace {

constexpr std::uint64_t kHashBytes = 32;

}  // namespace

std::filesystem::path TreeStore::level_path(unsigned level) const {
  char name[32];
  std::snprintf(name, sizeof name, "tree-%02u.hashes", level);
  return dir_ / name;
}

Result<void> TreeStore::ensure_level(unsigned level) {
  if (level >= kMaxLevels) return make_error(ErrorCode::kInternal, "tree deeper than 64 levels");
  std::lock_guard lock(open_mutex_);
  if (files_[level].valid()) return ok();
  AXLE_TRY(files_[level], open_file(level_path(level), O_RDWR | O_CREAT, 0600));
  return ok();
}

Result<std::unique_ptr<TreeStore>> TreeStore::open(const std::filesystem::path& dir,
                                                   std::uint64_t size,
                                                   std::uint64_t first_rewritten,
                                                   std::span<const Hash> tail_leaves) {
  std::unique_ptr<TreeStore> store(new TreeStore(dir));
  // Rewrite the nodes whose leaves lie in [first_rewritten, size), level by level, from the
  // leaves up; older nodes must already be on disk.
  std::vector<Hash> row(tail_leaves.begin(), tail_leaves.end());
  std::uint64_t row_first = first_rewritten;
  for (unsigned level = 0; level < kMaxLevels; ++level) {
    const std::uint64_t want = size >> level;
    const auto path = store->level_path(level);
    if (want == 0) {
      std::error_code ec;
      std::filesystem::remove(path, ec);  // a level the log no longer reaches
      continue;
    }
    AXLE_RETURN_IF_ERROR(store->ensure_level(level));
    const Fd& fd = store->files_[level];
    AXLE_TRY(std::uint64_t bytes, file_size(fd, path));
    if (bytes / kHashBytes < row_first) {
      return make_error(ErrorCode::kCorrupt,
                        path.string() +
                            " holds fewer hashes than the log needs; run 'axle audit "
                            "verify' and restore the log from a copy");
    }
    std::vector<std::uint8_t> buf;
    for (const Hash& h : row) buf.insert(buf.end(), h.begin(), h.end());
    AXLE_RETURN_IF_ERROR(pwrite_all(fd, buf, row_first * kHashBytes, path));
    AXLE_RETURN_IF_ERROR(truncate_file(fd, want * kHashBytes, path));
    AXLE_RETURN_IF_ERROR(sync_data(fd, path));
    store->counts_[level] = want;
    store->flushed_[level] = want;
    if (want % 2 == 1) {
      AXLE_TRY(store->last_[level], store->node(level, want - 1));
    }
    // The parents of this row: pairs starting at an even index, taking the left sibling from disk
    // when the row starts at an odd index.
    std::vector<Hash> parents;
    std::uint64_t i = row_first & ~std::uint64_t{1};
    for (; i + 1 < want; i += 2) {
      Hash left{};
      Hash right{};
      if (i >= row_first) {
        left = row[i - row_first];
      } else {
        AXLE_TRY(left, store->node(level, i));
      }
      right = row[i + 1 - row_first];
      AXLE_TRY(Hash parent, node_hash(left, right));
      parents.push_back(parent);
    }
    row = std::move(parents);
    row_first = (row_first & ~std::uint64_t{1}) / 2;
  }
  return store;
}

Result<void> TreeStore::add_leaf(const Hash& leaf) {
  Hash node = leaf;
  for (unsigned level = 0;; ++level) {
    if (level >= kMaxLevels) return make_error(ErrorCode::kInternal, "tree too deep");
    auto& pending = pending_[level];
    pending.insert(pending.end(), node.begin(), node.end());
    const bool completes_pair = counts_[level] % 2 == 1;
    const Hash left = last_[level];
    last_[level] = node;
    ++counts_[level];
    if (!completes_pair) return ok();
    AXLE_TRY(node, node_hash(left, node));
  }
}

Result<void> TreeStore::flush() {
  for (unsigned level = 0; level < kMaxLevels; ++level) {
    if (pending_[level].empty()) continue;
    AXLE_RETURN_IF_ERROR(ensure_level(level));
    const auto path = level_path(level);
    AXLE_RETURN_IF_ERROR(
        pwrite_all(files_[level], pending_[level], flushed_[level] * kHashBytes, path));
    flushed_[level] = counts_[level];
    pending_[level].clear();
  }
  return ok();
}

Result<void> TreeStore::sync() {
  // The level files are synced concurrently: the file system's journal then commits them
  // together, where one fdatasync after the other would cost ~log2(n) commits in a row, during
  // which every queued append waits (a segment switch calls this).
  // The syncer thread calls this while the writer may open a new level (ensure_level): the
  // descriptors are read under the same lock; an open one is never closed before destruction.
  std::array<int, kMaxLevels> fds{};
  {
    std::lock_guard lock(open_mutex_);
    for (unsigned level = 0; level < kMaxLevels; ++level) fds[level] = files_[level].get();
  }
  std::vector<std::thread> syncers;
  std::array<std::optional<Error>, kMaxLevels> errors;
  for (unsigned level = 0; level < kMaxLevels; ++level) {
    if (fds[level] < 0) continue;
    syncers.emplace_back([this, level, &fds, &errors] {
      if (::fdatasync(fds[level]) != 0) {
        errors[level] = io_error("cannot fdatasync", level_path(level), errno);
      }
    });
  }
  for (auto& t : syncers) t.join();
  for (const auto& e : errors) {
    if (e) return *e;
  }
  return ok();
}

void TreeStore::start_writeback() {
  std::array<int, kMaxLevels> fds{};
  {
    std::lock_guard lock(open_mutex_);
    for (unsigned level = 0; level < kMaxLevels; ++level) fds[level] = files_[level].get();
  }
  for (const int fd : fds) {
    if (fd >= 0) (void)::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  }
}

Result<Hash> TreeStore::node(unsigned level, std::uint64_t index) const {
  if (level >= kMaxLevels) {
    return make_error(ErrorCode::kInvalidArgument, "no tree level " + std::to_string(level));
  }
  const Fd* fd = nullptr;
  {
    std::lock_guard lock(open_mutex_);
    fd = &files_[level];
  }
  if (!fd->valid()) {
    return make_error(ErrorCode::kNotFound, "no tree level " + std::to_string(level) + " yet");
  }
  Hash h{};
  AXLE_RETURN_IF_ERROR(pread_all(*fd, h, index * kHashBytes, level_path(level)));
  return h;
}

}  // namespace axle::audit::detail
