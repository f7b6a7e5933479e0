// Segment preallocation, as PostgreSQL does with WAL segments: a background thread writes the
// next segment file (magic, then zeros) and fdatasyncs it before the writer needs it. Appends
// into it then overwrite blocks that are allocated and written: their fdatasync flushes data and
// the device cache only, without a journal commit for the file's size and new extents, which on
// ext4 costs more than the data itself and grows with what else is dirty. The zeros the writer
// did not use are cut off a segment once it is closed.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>
#include <utility>
#include <vector>

#include "log_impl.hpp"

namespace axle::audit {

namespace {

constexpr std::size_t kChunk = 1U << 20U;
constexpr std::chrono::microseconds kPause{1000};

}  // namespace

std::uint64_t AuditLog::Impl::prepared_bytes() const noexcept {
  // A group that starts just below segment_bytes may end past it: room for a few groups more
  // (a group that still does not fit extends the file, which is correct, only slower).
  const std::uint64_t slack = std::min<std::uint64_t>(options.segment_bytes / 8, 8U << 20U);
  return options.segment_bytes + slack + (64U << 10U);
}

void AuditLog::Impl::run_preparer() {
  const auto path = options.dir / detail::kPreparingName;
  const auto ready_path = options.dir / detail::kPreparedName;
  const std::vector<std::uint8_t> zeros(kChunk, 0);
  while (true) {
    std::optional<PendingSwitch> trim;
    {
      std::unique_lock lock(mutex);
      // One prepared file at a time: its name is fixed until the syncer renames it.
      prepare_cv.wait(lock, [this] {
        return preparer_stop || !to_trim.empty() || tree_writeback_wanted ||
               (prepare_wanted && !prepared && switches.empty() && !broken);
      });
      if (tree_writeback_wanted) {
        tree_writeback_wanted = false;
        lock.unlock();
        tree->start_writeback();
        continue;
      }
      if (!to_trim.empty()) {
        trim = std::move(to_trim.front());
        to_trim.pop_front();
      } else if (preparer_stop) {
        return;
      }
    }
    if (trim) {
      // The zeros are valid segment content (scan_segment stops at them): cutting them only saves
      // space, so a failure here is not an error of the log. Readers tolerate the file shrinking
      // under them (read_whole).
      if (::ftruncate(trim->closing.get(), static_cast<off_t>(trim->closing_bytes)) == 0 &&
          ::fdatasync(trim->closing.get()) == 0) {
        // Closed segments are read rarely (proofs use the hash store): leave the page cache to
        // the active one.
        (void)::posix_fadvise(trim->closing.get(), 0, 0, POSIX_FADV_DONTNEED);
      }
      continue;
    }
    auto made = [&]() -> Result<detail::Fd> {
      AXLE_TRY(detail::Fd fd, detail::open_file(path, O_RDWR | O_CREAT | O_TRUNC, 0600));
      const std::uint64_t total = prepared_bytes();
      std::vector<std::uint8_t> chunk = zeros;
      std::copy(detail::kSegmentMagic.begin(), detail::kSegmentMagic.end(), chunk.begin());
      for (std::uint64_t off = 0; off < total; off += kChunk) {
        bool writeback = false;
        {
          std::lock_guard lock(mutex);
          if (preparer_stop)
            return make_error(ErrorCode::kFailedPrecondition, "the log is closing");
          writeback = std::exchange(tree_writeback_wanted, false);
        }
        if (writeback) tree->start_writeback();
        const std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, total - off));
        AXLE_RETURN_IF_ERROR(
            detail::pwrite_all(fd, {off == 0 ? chunk.data() : zeros.data(), n}, off, path));
        // Paced, one chunk on the device at a time: a burst of the whole file would sit in the
        // device queue in front of the appends' fdatasyncs (measured: 15-45 ms stalls at each
        // preparation). Written back chunk by chunk, then a pause; ~2.5 ms per MiB here, well
        // within the time the active segment takes to fill. The pages stay cached (clean):
        // the writer's partial-page writes then never read a block from disk.
        (void)::sync_file_range(
            fd.get(), static_cast<off_t>(off), static_cast<off_t>(n),
            SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
        std::this_thread::sleep_for(kPause);
      }
      AXLE_RETURN_IF_ERROR(detail::sync_data(fd, path));
      // Complete: the name says so (tests wait for it). No directory sync: after a crash, open()
      // removes either name.
      if (::rename(path.c_str(), ready_path.c_str()) != 0) {
        return detail::io_error("cannot rename to " + ready_path.string() + " the file", path,
                                errno);
      }
      return fd;
    }();
    std::lock_guard lock(mutex);
    if (made) {
      prepared = std::move(*made);
    } else {
      // The writer then creates segments itself (write_group), as without preallocation.
      prepare_wanted = false;
    }
  }
}

}  // namespace axle::audit
