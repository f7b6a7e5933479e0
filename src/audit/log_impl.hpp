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
  std::deque<QueuedEntry> queue;
  std::uint64_t queued_end = 0;  // sequence number the next queued entry gets
  std::uint64_t durable = 0;
  std::optional<Error> broken;  // sticky failure of the writer
  bool stop = false;
  bool writer_idle = false;  // the writer waits on work_cv: only then is a wake-up needed
  std::thread writer;

  void run_writer();
  [[nodiscard]] Result<void> commit(const std::vector<QueuedEntry>& batch);
  [[nodiscard]] Result<std::uint64_t> enqueue(QueuedEntry entry);
  std::vector<std::uint8_t> frames;  // writer thread: the group being written, reused
  [[nodiscard]] Result<void> start_segment(std::uint64_t first_seq);
};

}  // namespace axle::audit
