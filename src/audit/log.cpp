// AuditLog: opening with crash recovery, reads, tree heads and proofs.
#include "axle/audit/log.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <algorithm>
#include <cerrno>

#include "axle/core/files.hpp"
#include "log_impl.hpp"

namespace axle::audit {

namespace {

Result<detail::Fd> take_lock(const std::filesystem::path& dir) {
  const auto path = dir / "LOCK";
  AXLE_TRY(detail::Fd fd, detail::open_file(path, O_RDWR | O_CREAT, 0600));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return make_error(
          ErrorCode::kFailedPrecondition,
          "the audit log " + dir.string() + " is open in another process; wait for it to finish");
    }
    return detail::io_error("cannot lock", path, errno);
  }
  return fd;
}

// Cuts the torn tail of the last segment and returns its entries' leaf hashes. RFC-free: this is
// the log's own framing (docs/audit.md).
Result<std::vector<Hash>> recover_last_segment(AuditLog::Impl& s) {
  while (true) {
    const detail::SegmentFile last = s.segments.back();
    AXLE_TRY(detail::Fd fd, detail::open_file(last.path, O_RDWR));
    AXLE_TRY(auto bytes, detail::read_whole(fd, last.path));
    const detail::ScanResult scan = detail::scan_segment(bytes);
    if (scan.bad_magic) {
      // A segment created just before a crash may lack its header: it holds no entries.
      if (bytes.size() < detail::kSegmentMagic.size()) {
        fd = detail::Fd();
        std::filesystem::remove(last.path);
        AXLE_RETURN_IF_ERROR(detail::sync_dir(s.options.dir));
        s.segments.pop_back();
        if (s.segments.empty()) {
          AXLE_RETURN_IF_ERROR(s.start_segment(last.first_seq));
          return std::vector<Hash>{};
        }
        continue;
      }
      return make_error(ErrorCode::kCorrupt, last.path.string() +
                                                 " has no valid segment header; run 'axle audit "
                                                 "verify' and restore the log from a copy");
    }
    std::vector<Hash> leaves;
    for (std::size_t i = 0; i < scan.frames.size(); ++i) {
      const auto entry = detail::decode_entry(scan.frames[i].payload);
      if (!entry || entry->seq != last.first_seq + i) {
        return make_error(ErrorCode::kCorrupt,
                          last.path.string() + " holds an entry out of sequence at " +
                              std::to_string(last.first_seq + i) +
                              "; run 'axle audit verify' to see what was changed");
      }
      AXLE_TRY(Hash leaf, leaf_hash(scan.frames[i].payload));
      leaves.push_back(leaf);
    }
    if (scan.valid_end < bytes.size() && !scan.stop_reason.empty()) {
      // A torn tail: frames written but never acknowledged (their group's fdatasync did not
      // return). Cut them, durably, before anything else is appended. (Zeros alone are
      // preallocated space, and appends go on over them.)
      s.recovery.truncated_bytes = bytes.size() - scan.valid_end;
      s.recovery.reason = scan.stop_reason;
      AXLE_RETURN_IF_ERROR(detail::truncate_file(fd, scan.valid_end, last.path));
      AXLE_RETURN_IF_ERROR(detail::sync_data(fd, last.path));
    }
    s.active = std::move(fd);
    s.active_bytes = scan.valid_end;
    s.active_first = last.first_seq;
    s.active_path = last.path;
    return leaves;
  }
}

// A crash between a segment switch and the trim of the closed segment leaves that segment's
// preallocated zeros (valid content: scan_segment ends at them). The one or two segments before
// the last are checked, cheaply unless their end is zero, and queued for the background trim.
Result<void> queue_untrimmed_segments(AuditLog::Impl& s) {
  const std::size_t n = s.segments.size();
  for (std::size_t i = n >= 3 ? n - 3 : 0; i + 1 < n; ++i) {
    const detail::SegmentFile& seg = s.segments[i];
    AXLE_TRY(detail::Fd fd, detail::open_file(seg.path, O_RDWR));
    AXLE_TRY(const std::uint64_t size, detail::file_size(fd, seg.path));
    std::vector<std::uint8_t> end(static_cast<std::size_t>(std::min<std::uint64_t>(size, 4096)));
    AXLE_RETURN_IF_ERROR(detail::pread_all(fd, end, size - end.size(), seg.path));
    if (end.empty() || std::any_of(end.begin(), end.end(), [](std::uint8_t b) { return b != 0; })) {
      continue;
    }
    AXLE_TRY(const auto bytes, detail::read_whole(fd, seg.path));
    const detail::ScanResult scan = detail::scan_segment(bytes);
    if (scan.zero_tail == 0 || !scan.stop_reason.empty()) continue;
    PendingSwitch trim;
    trim.closing = std::move(fd);
    trim.closing_path = seg.path;
    trim.closing_bytes = scan.valid_end;
    s.to_trim.push_back(std::move(trim));
  }
  return ok();
}

}  // namespace

AuditLog::AuditLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AuditLog::~AuditLog() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stop = true;
  }
  impl_->work_cv.notify_all();
  if (impl_->writer.joinable()) impl_->writer.join();
  {
    std::lock_guard lock(impl_->mutex);
    impl_->writer_done = true;
  }
  impl_->sync_cv.notify_all();
  if (impl_->syncer.joinable()) impl_->syncer.join();
  {
    std::lock_guard lock(impl_->mutex);
    impl_->preparer_stop = true;  // after the syncer: it may have left a segment to trim
  }
  impl_->prepare_cv.notify_all();
  if (impl_->preparer.joinable()) impl_->preparer.join();
  // An unused preallocated file is not kept for the next open, which could not tell it from one
  // a crash left with unacknowledged entries in it (and removes both).
  impl_->prepared.reset();
  for (const std::string_view name : {detail::kPreparedName, detail::kPreparingName}) {
    std::error_code ec;
    std::filesystem::remove(impl_->options.dir / name, ec);
  }
}

Result<std::unique_ptr<AuditLog>> AuditLog::open(const LogOptions& options) {
  if (options.max_batch == 0 || options.queue_capacity == 0) {
    return make_error(ErrorCode::kInvalidArgument, "max_batch and queue_capacity must be > 0");
  }
  auto s = std::make_unique<Impl>();
  s->options = options;
  AXLE_RETURN_IF_ERROR(ensure_private_dir(options.dir));
  AXLE_TRY(s->lock_fd, take_lock(options.dir));
  AXLE_TRY(s->segments, detail::list_segments(options.dir));
  for (const std::string_view name : {detail::kPreparedName, detail::kPreparingName}) {
    // A preallocated next segment left by the last run holds no acknowledged entry: its entries
    // are acknowledged only after it has been renamed to a segment name (complete_switch).
    std::error_code ec;
    std::filesystem::remove(options.dir / name, ec);
    if (ec) {
      return make_error(ErrorCode::kIo,
                        "cannot remove " + (options.dir / name).string() + ": " + ec.message());
    }
  }

  std::uint64_t size = 0;
  std::uint64_t first = 0;
  std::vector<Hash> tail;
  if (s->segments.empty()) {
    AXLE_RETURN_IF_ERROR(s->start_segment(0));
  } else {
    AXLE_TRY(tail, recover_last_segment(*s));
    first = s->segments.back().first_seq;
    size = first + tail.size();
  }
  AXLE_TRY(s->tree, detail::TreeStore::open(options.dir, size, first, tail));
  AXLE_RETURN_IF_ERROR(queue_untrimmed_segments(*s));
  if (!tail.empty()) {
    s->last_leaf = tail.back();
  } else if (size > 0) {
    AXLE_TRY(s->last_leaf, s->tree->node(0, size - 1));
  }
  s->next_seq = size;
  s->queued_end = size;
  s->written = size;
  s->durable = size;
  s->sync_fd = s->active.get();
  s->recovery.entries = size;
  Impl* raw = s.get();
  s->writer = std::thread([raw] { raw->run_writer(); });
  s->syncer = std::thread([raw] { raw->run_syncer(); });
  s->preparer = std::thread([raw] { raw->run_preparer(); });
  return std::unique_ptr<AuditLog>(new AuditLog(std::move(s)));
}

std::uint64_t AuditLog::size() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->durable;
}

const RecoveryReport& AuditLog::recovery() const noexcept { return impl_->recovery; }

namespace {

Result<void> check_size(std::uint64_t size, std::uint64_t durable) {
  if (size > durable) {
    return make_error(ErrorCode::kInvalidArgument, "tree size " + std::to_string(size) +
                                                       " is beyond the log's " +
                                                       std::to_string(durable) + " entries");
  }
  return ok();
}

}  // namespace

Result<Hash> AuditLog::root(std::uint64_t size) const {
  AXLE_RETURN_IF_ERROR(check_size(size, this->size()));
  return tree_root(*impl_->tree, size);
}

Result<Hash> AuditLog::leaf_hash_at(std::uint64_t index) const {
  if (index >= size()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "entry " + std::to_string(index) + " does not exist");
  }
  return impl_->tree->node(0, index);
}

Result<std::vector<Hash>> AuditLog::inclusion_proof(std::uint64_t index, std::uint64_t size) const {
  AXLE_RETURN_IF_ERROR(check_size(size, this->size()));
  return audit::inclusion_proof(*impl_->tree, index, size);
}

Result<std::vector<Hash>> AuditLog::consistency_proof(std::uint64_t old_size,
                                                      std::uint64_t new_size) const {
  AXLE_RETURN_IF_ERROR(check_size(new_size, this->size()));
  return audit::consistency_proof(*impl_->tree, old_size, new_size);
}

Result<Hash> AuditLog::subtree_hash(unsigned level, std::uint64_t index) const {
  if (level >= 64 || index >= (std::uint64_t{1} << (63U - level)) ||
      ((index + 1) << level) > size()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "no complete subtree at level " + std::to_string(level) + " index " +
                          std::to_string(index) + " in a log of " + std::to_string(size()));
  }
  return impl_->tree->node(level, index);
}

std::vector<SegmentInfo> AuditLog::segments() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<SegmentInfo> out;
  for (std::size_t i = 0; i < impl_->segments.size(); ++i) {
    const bool active = i + 1 == impl_->segments.size();
    // A closed segment ends where the next begins: all its entries were durable before the next
    // segment was created (log_writer.cpp, write_group).
    out.push_back({impl_->segments[i].first_seq,
                   active ? impl_->durable : impl_->segments[i + 1].first_seq,
                   impl_->segments[i].path, active});
  }
  return out;
}

Result<void> AuditLog::remove_oldest_segment(std::uint64_t first) {
  std::filesystem::path path;
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->segments.size() < 2 || impl_->segments.front().first_seq != first) {
      return make_error(ErrorCode::kFailedPrecondition,
                        "segment " + detail::segment_name(first) +
                            " is not the oldest closed segment (the active segment and newer "
                            "segments are never removed)");
    }
    path = impl_->segments.front().path;
    impl_->segments.erase(impl_->segments.begin());
  }
  std::error_code ec;
  if (!std::filesystem::remove(path, ec) || ec) {
    return make_error(ErrorCode::kIo, "cannot remove " + path.string() + ": " + ec.message());
  }
  return detail::sync_dir(impl_->options.dir);
}

Result<std::vector<LogEntry>> AuditLog::read(std::uint64_t first, std::uint64_t count) const {
  std::vector<detail::SegmentFile> segments;
  std::uint64_t durable = 0;
  {
    std::lock_guard lock(impl_->mutex);
    segments = impl_->segments;
    durable = impl_->durable;
  }
  std::vector<LogEntry> out;
  const std::uint64_t end = std::min(durable, first + std::min(count, durable));
  if (first >= end) return out;
  // The segment holding `first`: the last one starting at or before it.
  auto it = std::upper_bound(
      segments.begin(), segments.end(), first,
      [](std::uint64_t v, const detail::SegmentFile& f) { return v < f.first_seq; });
  if (it == segments.begin()) {
    if (!segments.empty() && segments.front().first_seq > 0) {
      return make_error(ErrorCode::kNotFound,
                        "entry " + std::to_string(first) +
                            " was archived and its segment removed by retention; read it from "
                            "the archive (audit/archive/)");
    }
    return make_error(ErrorCode::kCorrupt, "no segment holds entry 0");
  }
  for (--it; it != segments.end() && out.size() < end - first; ++it) {
    AXLE_TRY(detail::Fd fd, detail::open_file(it->path, O_RDONLY));
    AXLE_TRY(auto bytes, detail::read_whole(fd, it->path));
    const auto scan = detail::scan_segment(bytes);
    for (std::size_t i = 0; i < scan.frames.size(); ++i) {
      const std::uint64_t seq = it->first_seq + i;
      if (seq < first) continue;
      if (seq >= end) break;
      auto entry = detail::decode_entry(scan.frames[i].payload);
      if (!entry || entry->seq != seq) {
        return make_error(ErrorCode::kCorrupt,
                          "entry " + std::to_string(seq) + " is damaged; run 'axle audit verify'");
      }
      out.push_back(std::move(*entry));
    }
  }
  if (out.size() != end - first) {
    return make_error(ErrorCode::kCorrupt,
                      "entries are missing from the segments; run 'axle audit verify'");
  }
  return out;
}

}  // namespace axle::audit
