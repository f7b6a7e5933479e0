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

Result<void> AuditLog::Impl::commit(const std::vector<QueuedEntry>& batch) {
  if (active_bytes >= options.segment_bytes && next_seq > segments.back().first_seq) {
    // Recovery rebuilds only the last segment's hashes: the closing segment's must be durable
    // before a newer segment exists.
    AXLE_RETURN_IF_ERROR(tree->sync());
    AXLE_RETURN_IF_ERROR(start_segment(next_seq));
  }
  // Frames are encoded in place into one reused buffer: no allocation per entry on this path.
  frames.clear();
  for (const QueuedEntry& e : batch) {
    const std::size_t frame_start = frames.size();
    detail::append_frame_in_place(frames, next_seq, last_leaf, e.text());
    const auto payload =
        std::span<const std::uint8_t>(frames).subspan(frame_start + detail::kFrameHeader);
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
  std::vector<QueuedEntry> batch;
  while (true) {
    {
      std::unique_lock lock(mutex);
      writer_idle = true;
      work_cv.wait(lock, [this] { return stop || !queue.empty(); });
      writer_idle = false;
      if (queue.empty()) return;  // stop requested and nothing left
      while (!queue.empty() && batch.size() < options.max_batch) {
        batch.push_back(std::move(queue.front()));
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
        for (QueuedEntry& e : batch) {
          if (e.waiter != nullptr) e.waiter->error = committed.error();
        }
      } else {
        durable = next_seq;
      }
      for (QueuedEntry& e : batch) {
        if (e.waiter != nullptr) e.waiter->done = true;
      }
    }
    done_cv.notify_all();
    batch.clear();
  }
}

Result<std::uint64_t> AuditLog::Impl::enqueue(QueuedEntry entry) {
  if (entry.text().size() > options.max_message_bytes) {
    return make_error(ErrorCode::kInvalidArgument, "audit message of " +
                                                       std::to_string(entry.text().size()) +
                                                       " bytes exceeds the limit of " +
                                                       std::to_string(options.max_message_bytes));
  }
  std::uint64_t seq = 0;
  bool wake_writer = false;
  {
    std::unique_lock lock(mutex);
    space_cv.wait(lock, [this] { return queue.size() < options.queue_capacity || broken; });
    if (broken) {
      return make_error(
          ErrorCode::kFailedPrecondition,
          "the audit log failed earlier (" + broken->message + "); reopen it to recover");
    }
    // Sequence numbers follow queue order, which is the order the writer commits in.
    seq = queued_end++;
    queue.push_back(std::move(entry));
    // A busy writer takes this entry with its next group; waking it costs a futex call per append.
    wake_writer = writer_idle;
  }
  if (wake_writer) work_cv.notify_one();
  return seq;
}

Result<std::uint64_t> AuditLog::append(std::string_view message) {
  Impl& s = *impl_;
  PendingAppend pending;
  AXLE_TRY(std::uint64_t seq, s.enqueue(QueuedEntry{message, {}, &pending}));
  std::unique_lock lock(s.mutex);
  s.done_cv.wait(lock, [&pending] { return pending.done; });
  if (pending.error) return *pending.error;
  return seq;
}

Result<std::uint64_t> AuditLog::submit(std::string_view message) {
  return impl_->enqueue(QueuedEntry{{}, std::string(message), nullptr});
}

Result<void> AuditLog::wait_durable(std::uint64_t seq, std::chrono::nanoseconds timeout) {
  Impl& s = *impl_;
  std::unique_lock lock(s.mutex);
  if (seq >= s.queued_end) {
    return make_error(ErrorCode::kInvalidArgument,
                      "entry " + std::to_string(seq) + " was never submitted");
  }
  const bool settled =
      s.done_cv.wait_for(lock, timeout, [&] { return s.durable > seq || s.broken; });
  if (s.durable > seq) return ok();
  if (s.broken) return *s.broken;
  (void)settled;
  return make_error(ErrorCode::kTimeout,
                    "entry " + std::to_string(seq) + " not durable within the time limit");
}

}  // namespace axle::audit
