// Private state of AuditLog, shared by log.cpp (open, recovery, reads) and log_writer.cpp (the
// group-commit writer thread).
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "axle/audit/log.hpp"
#include "fd.hpp"
#include "segment.hpp"
#include "tree_store.hpp"

namespace axle::audit {

// A synchronous append() waiting for its entry to be durable.
struct PendingAppend {
  bool done = false;
  std::optional<Error> error;
};

// An entry waiting for the writer. append() lends its message (it waits until the entry is
// written); submit() gives the queue its own copy.
struct QueuedEntry {
  std::string_view message;
  std::string owned;
  PendingAppend* waiter = nullptr;  // null for submit()
  // Not a stored view of `owned`: moving a short string moves its bytes.
  [[nodiscard]] std::string_view text() const noexcept {
    return waiter != nullptr ? message : owned;
  }
};

struct AuditLog::Impl {
  LogOptions options;
  detail::Fd lock_fd;
  RecoveryReport recovery;
  std::unique_ptr<detail::TreeStore> tree;

  // Segments: first sequence numbers in order; the last one is open for appends.
  std::vector<detail::SegmentFile> segments;
  detail::Fd active;  // the last segment (writer thread only after open)
  std::uint64_t active_bytes = 0;

  // Writer-thread state: next sequence number and the leaf hash of the last entry.
  std::uint64_t next_seq = 0;
  Hash last_leaf{};

  // Shared with appenders, under `mutex`.
  mutable std::mutex mutex;
  std::condition_variable work_cv;   // writer waits for appends or stop
  std::condition_variable done_cv;   // appenders wait for durability
  std::condition_variable space_cv;  // appenders wait for queue space
  std::condition_variable sync_cv;   // the syncer waits for written entries; the writer for syncs
  std::deque<QueuedEntry> queue;
  std::uint64_t queued_end = 0;  // sequence number the next queued entry gets
  std::uint64_t written = 0;     // entries written to the segment (page cache), not yet all synced
  std::uint64_t durable = 0;     // entries fdatasync'd: what is acknowledged
  int sync_fd = -1;              // the segment the syncer syncs (the active one)
  // Synchronous appenders whose entry is written but not yet durable, in sequence order.
  std::deque<std::pair<std::uint64_t, PendingAppend*>> unsynced_waiters;
  std::optional<Error> broken;  // sticky failure of the writer or the syncer
  bool stop = false;
  bool writer_done = false;  // the writer has written everything and exited
  bool writer_idle = false;  // the writer waits on work_cv: only then is a wake-up needed
  std::thread writer;
  std::thread syncer;

  // The writer encodes, hashes and writes group after group; the syncer fdatasyncs what has been
  // written and acknowledges it. So one group's fdatasync overlaps the next group's writing.
  void run_writer();
  void run_syncer();
  [[nodiscard]] Result<void> write_group(const std::vector<QueuedEntry>& batch);
  // Writer: blocks until everything written is durable (before a segment switch), or failed.
  [[nodiscard]] Result<void> wait_all_synced();
  [[nodiscard]] Result<std::uint64_t> enqueue(QueuedEntry entry);
  std::vector<std::uint8_t> frames;  // writer thread: the group being written, reused
  [[nodiscard]] Result<void> start_segment(std::uint64_t first_seq);
};

}  // namespace axle::audit
