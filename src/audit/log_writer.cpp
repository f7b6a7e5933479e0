// Group commit in two stages: the writer thread takes every waiting append (up to max_batch) and
// writes their frames and tree hashes; the syncer thread fdatasyncs whatever has been written and
// only then acknowledges it. While one group is being synced, the next is being written.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "axle/audit/log.hpp"
#include "log_impl.hpp"

namespace axle::audit {

namespace {

// Reused submit() buffers: enough for a busy log's groups, small enough that a burst of large
// messages does not stay allocated.
constexpr std::size_t kMaxSpareBuffers = 4096;
constexpr std::size_t kMaxSpareBufferBytes = 1024;
// Segment bytes written between two background writebacks of the tree hashes (~1/5 as much).
constexpr std::uint64_t kTreeWritebackEvery = 4U << 20U;

}  // namespace

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
  active_first = first_seq;
  active_path = path;
  prepare_asked = false;
  writeback_mark = 0;
  std::lock_guard lock(mutex);  // readers copy the segment list under the same lock
  segments.push_back({first_seq, path});
  return ok();
}

Result<void> AuditLog::Impl::wait_all_synced() {
  std::unique_lock lock(mutex);
  sync_cv.wait(lock, [this] { return (durable == written && switches.empty()) || broken; });
  if (broken) return *broken;
  return ok();
}

Result<void> AuditLog::Impl::switch_segment() {
  std::optional<detail::Fd> ready;
  {
    std::lock_guard lock(mutex);
    if (prepared) {
      ready = std::move(prepared);
      prepared.reset();
      prepare_wanted = false;
    }
  }
  if (!ready) {
    // No preallocated file (yet): switch synchronously. Recovery checks only the last segment:
    // the closing segment's entries and tree hashes must be durable before a newer one exists.
    AXLE_RETURN_IF_ERROR(wait_all_synced());
    AXLE_RETURN_IF_ERROR(tree->sync());
    PendingSwitch closed;  // the closing segment may be a preallocated one: trim its zeros
    closed.closing = std::move(active);
    closed.closing_path = active_path;
    closed.closing_bytes = active_bytes;
    AXLE_RETURN_IF_ERROR(start_segment(next_seq));
    {
      std::lock_guard lock(mutex);
      sync_fd = active.get();
      to_trim.push_back(std::move(closed));
    }
    prepare_cv.notify_all();
    return ok();
  }
  // Off the hot path: go on writing into the preallocated file at once; the syncer makes the
  // switch durable (complete_switch) before it acknowledges any entry written to it.
  PendingSwitch sw;
  sw.first_seq = next_seq;
  sw.closing = std::move(active);
  sw.closing_path = active_path;
  sw.closing_bytes = active_bytes;
  sw.next = ready->get();
  active = std::move(*ready);
  active_bytes = detail::kSegmentMagic.size();
  active_first = next_seq;
  active_path = options.dir / detail::kPreparedName;
  prepare_asked = false;
  writeback_mark = 0;
  {
    std::lock_guard lock(mutex);
    switches.push_back(std::move(sw));
  }
  sync_cv.notify_all();
  return ok();
}

Result<void> AuditLog::Impl::write_group(const std::vector<QueuedEntry>& batch) {
  if (active_bytes >= options.segment_bytes && next_seq > active_first) {
    AXLE_RETURN_IF_ERROR(switch_segment());
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
  AXLE_RETURN_IF_ERROR(detail::pwrite_all(active, frames, active_bytes, active_path));
  active_bytes += frames.size();
  if (active_bytes >= writeback_mark + kTreeWritebackEvery) {
    // The tree hashes of the active segment are synced at the switch, where acknowledgements
    // wait for it (~12 MiB of hashes per 64 MiB segment: tens of ms). Written back on the way,
    // in the background, the switch flushes only the last few.
    writeback_mark = active_bytes;
    {
      std::lock_guard lock(mutex);
      tree_writeback_wanted = true;
    }
    prepare_cv.notify_all();
  }
  if (options.preallocate && !prepare_asked && active_bytes >= options.segment_bytes / 4) {
    // A log that fills a quarter of a segment is busy enough to preallocate the next one; one
    // that does not (a CLI append, a quiet service) never writes a segment's worth of zeros.
    prepare_asked = true;
    {
      std::lock_guard lock(mutex);
      prepare_wanted = true;
    }
    prepare_cv.notify_all();
  }
  // Tree hashes are derived data: those of the last segment are recomputed by recovery, so they
  // are written here and synced only when their segment closes (docs/audit.md, "Recovery").
  return tree->flush();
}

void AuditLog::Impl::run_writer() {
  std::vector<QueuedEntry> batch;
  while (true) {
    std::optional<Error> failed;  // `broken` as seen under the lock (the syncer may set it)
    {
      std::unique_lock lock(mutex);
      writer_idle = true;
      work_cv.wait(lock, [this] { return stop || !queue.empty(); });
      writer_idle = false;
      if (queue.empty()) return;  // stop requested and nothing left
      // Back-pressure on the disk: at most a few groups written and not yet durable.
      sync_cv.wait(lock, [this] { return written - durable < 4 * options.max_batch || broken; });
      while (!queue.empty() && batch.size() < options.max_batch) {
        batch.push_back(std::move(queue.front()));
        queue.pop_front();
      }
      failed = broken;
    }
    space_cv.notify_all();
    Result<void> wrote = failed ? Result<void>(*failed) : write_group(batch);
    {
      std::lock_guard lock(mutex);
      if (!wrote) {
        // A failed group leaves the files in an unknown state: refuse more until reopened, where
        // recovery cuts off whatever part of this group reached the disk.
        if (!broken) broken = wrote.error();
        for (QueuedEntry& e : batch) {
          if (e.waiter == nullptr) continue;
          e.waiter->error = *broken;
          e.waiter->done = true;
        }
      } else {
        for (QueuedEntry& e : batch) {
          if (e.waiter != nullptr) {
            unsynced_waiters.emplace_back(written, e.waiter);
          } else if (spare_buffers.size() < kMaxSpareBuffers &&
                     e.owned.capacity() <= kMaxSpareBufferBytes) {
            spare_buffers.push_back(std::move(e.owned));
          }
          ++written;
        }
      }
    }
    if (!wrote) done_cv.notify_all();
    sync_cv.notify_all();
    batch.clear();
  }
}

void AuditLog::Impl::acknowledge_locked() {
  while (!unsynced_waiters.empty() && (unsynced_waiters.front().first < durable || broken)) {
    PendingAppend* waiter = unsynced_waiters.front().second;
    if (unsynced_waiters.front().first >= durable) waiter->error = *broken;
    waiter->done = true;
    unsynced_waiters.pop_front();
  }
}

Result<void> AuditLog::Impl::complete_switch(PendingSwitch& sw, std::uint64_t durable_before) {
  // 1. The closing segment's last entries.
  if (durable_before < sw.first_seq) {
    AXLE_RETURN_IF_ERROR(detail::sync_data(sw.closing, sw.closing_path));
    {
      std::lock_guard lock(mutex);
      durable = sw.first_seq;
      acknowledge_locked();
    }
    done_cv.notify_all();
    sync_cv.notify_all();
  }
  // 2. The tree hashes of the closing segment (the writer wrote them before switching), then
  // 3. the new segment's name: once it can survive a crash, recovery treats the closing segment
  // as closed and trusts its hashes. Until then a crash leaves kPreparedName, which holds only
  // unacknowledged entries and is removed at the next open.
  AXLE_RETURN_IF_ERROR(tree->sync());
  const auto from = options.dir / detail::kPreparedName;
  const auto to = options.dir / detail::segment_name(sw.first_seq);
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return detail::io_error("cannot rename to " + to.string() + " the file", from, errno);
  }
  AXLE_RETURN_IF_ERROR(detail::sync_dir(options.dir));
  {
    std::lock_guard lock(mutex);
    segments.push_back({sw.first_seq, to});
    sync_fd = sw.next;
    to_trim.push_back(std::move(sw));
    switches.pop_front();  // `sw` is its front: the last use
  }
  prepare_cv.notify_all();
  sync_cv.notify_all();
  return ok();
}

void AuditLog::Impl::run_syncer() {
  while (true) {
    std::uint64_t target = 0;
    int fd = -1;
    PendingSwitch* sw = nullptr;
    std::uint64_t durable_before = 0;
    {
      std::unique_lock lock(mutex);
      sync_cv.wait(
          lock, [this] { return written > durable || !switches.empty() || writer_done || broken; });
      if (broken) {
        // The writer failed: what it wrote before may or may not reach the disk; recovery at the
        // next open decides. Nobody waits for an acknowledgement that cannot come.
        acknowledge_locked();
        lock.unlock();
        done_cv.notify_all();
        sync_cv.notify_all();
        return;
      }
      if (!switches.empty()) {
        // Only the syncer pops `switches`, and a deque's push_back keeps references valid.
        sw = &switches.front();
        durable_before = durable;
      } else if (written == durable) {
        if (writer_done) return;
        continue;
      } else {
        // Everything written so far is in the page cache of this segment (a switch would be in
        // `switches`): one fdatasync makes it all durable.
        target = written;
        fd = sync_fd;
      }
    }
    if (sw != nullptr) {
      if (auto r = complete_switch(*sw, durable_before); !r) {
        std::lock_guard lock(mutex);
        if (!broken) broken = r.error();
      }
      continue;
    }
    const bool synced = ::fdatasync(fd) == 0;
    const int sync_errno = errno;
    {
      std::lock_guard lock(mutex);
      if (synced) {
        durable = target;
      } else if (!broken) {
        broken = Error{ErrorCode::kIo, std::string("fdatasync of the audit segment failed: ") +
                                           std::strerror(sync_errno)};
      }
      acknowledge_locked();
    }
    done_cv.notify_all();
    sync_cv.notify_all();
  }
}

Result<std::uint64_t> AuditLog::Impl::enqueue(QueuedEntry entry, const std::string_view* copy_in) {
  const std::size_t size = copy_in != nullptr ? copy_in->size() : entry.text().size();
  if (size > options.max_message_bytes) {
    return make_error(ErrorCode::kInvalidArgument, "audit message of " + std::to_string(size) +
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
    if (copy_in != nullptr) {
      // submit(): copy into a reused buffer (the copy of ~300 bytes costs less under the lock
      // than a malloc and, in the writer, a free per entry).
      if (!spare_buffers.empty()) {
        entry.owned = std::move(spare_buffers.back());
        spare_buffers.pop_back();
      }
      entry.owned.assign(copy_in->data(), copy_in->size());
    }
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
  AXLE_TRY(std::uint64_t seq, s.enqueue(QueuedEntry{message, {}, &pending}, nullptr));
  std::unique_lock lock(s.mutex);
  s.done_cv.wait(lock, [&pending] { return pending.done; });
  if (pending.error) return *pending.error;
  return seq;
}

Result<std::uint64_t> AuditLog::submit(std::string_view message) {
  return impl_->enqueue(QueuedEntry{}, &message);
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
