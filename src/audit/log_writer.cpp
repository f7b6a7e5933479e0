// The group-commit writer: one thread takes every waiting append (up to max_batch), writes their
// frames and tree hashes, fdatasyncs once, and only then acknowledges them.
#include <fcntl.h>

#include "axle/audit/log.hpp"
#include "log_impl.hpp"

namespace axle::audit {

Result<void> AuditLog::Impl::start_segment(std::uint64_t first_seq) {
  const auto path = options.dir / detail::segment_name(first_seq);
  AXLE_TRY(detail::Fd fd, detail::open_file(path, O_RDWR | O_CREAT | O_EXCL, 0600));
  const auto magic = std::span(reinterpret_cast<const std::uint8_t*>(detail::kSegmentMagic.data()),
                               detail::kSegmentMagic.size());
  AXLE_RETURN_IF_ERROR(detail::pwrite_all(fd, magic, 0, path));
  AXLE_RETURN_IF_ERROR(detail::sync_data(fd, path));
  AXLE_RETURN_IF_ERROR(detail::sync_dir(options.dir));  // the new name must survive a crash
  active = std::move(fd);
  active_bytes = magic.size();
  std::lock_guard lock(mutex);  // readers copy the segment list under the same lock
  segments.push_back({first_seq, path});
  return ok();
}

Result<void> AuditLog::Impl::commit(std::vector<PendingAppend*>& batch) {
  if (active_bytes >= options.segment_bytes && next_seq > segments.back().first_seq) {
    // Recovery rebuilds only the last segment's hashes: the closing segment's must be durable
    // before a newer segment exists.
    AXLE_RETURN_IF_ERROR(tree->sync());
    AXLE_RETURN_IF_ERROR(start_segment(next_seq));
  }
  std::vector<std::uint8_t> frames;
  for (PendingAppend* p : batch) {
    p->seq = next_seq;
    const auto payload = detail::encode_entry(next_seq, last_leaf, p->message);
    detail::append_frame(frames, payload);
    AXLE_TRY(last_leaf, leaf_hash(payload));
    AXLE_RETURN_IF_ERROR(tree->add_leaf(last_leaf));
    ++next_seq;
  }
  const auto& path = segments.back().path;
  AXLE_RETURN_IF_ERROR(detail::pwrite_all(active, frames, active_bytes, path));
  active_bytes += frames.size();
  // One fdatasync per group: the entries. Their tree hashes are derived data that recovery
  // recomputes from the last segment (docs/audit.md, "Recovery").
  AXLE_RETURN_IF_ERROR(detail::sync_data(active, path));
  return tree->flush();
}

void AuditLog::Impl::run_writer() {
  std::vector<PendingAppend*> batch;
  while (true) {
    {
      std::unique_lock lock(mutex);
      work_cv.wait(lock, [this] { return stop || !queue.empty(); });
      if (queue.empty()) return;  // stop requested and nothing left
      while (!queue.empty() && batch.size() < options.max_batch) {
        batch.push_back(queue.front());
        queue.pop_front();
      }
    }
    space_cv.notify_all();
    Result<void> committed = broken ? Result<void>(*broken) : commit(batch);
    {
      std::lock_guard lock(mutex);
      if (!committed) {
        // A failed group leaves the files in an unknown state: refuse more until reopened, where
        // recovery cuts off whatever part of this group reached the disk.
        broken = committed.error();
        for (PendingAppend* p : batch) p->error = committed.error();
      } else {
        durable = next_seq;
      }
      for (PendingAppend* p : batch) p->done = true;
    }
    done_cv.notify_all();
    batch.clear();
  }
}

Result<std::uint64_t> AuditLog::append(std::string_view message) {
  Impl& s = *impl_;
  if (message.size() > s.options.max_message_bytes) {
    return make_error(ErrorCode::kInvalidArgument, "audit message of " +
                                                       std::to_string(message.size()) +
                                                       " bytes exceeds the limit of " +
                                                       std::to_string(s.options.max_message_bytes));
  }
  PendingAppend pending;
  pending.message = message;
  {
    std::unique_lock lock(s.mutex);
    s.space_cv.wait(lock, [&s] { return s.queue.size() < s.options.queue_capacity || s.broken; });
    if (s.broken) {
      return make_error(
          ErrorCode::kFailedPrecondition,
          "the audit log failed earlier (" + s.broken->message + "); reopen it to recover");
    }
    s.queue.push_back(&pending);
  }
  s.work_cv.notify_one();
  std::unique_lock lock(s.mutex);
  s.done_cv.wait(lock, [&pending] { return pending.done; });
  if (pending.error) return *pending.error;
  return pending.seq;
}

}  // namespace axle::audit
