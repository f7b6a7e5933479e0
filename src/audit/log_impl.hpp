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

struct PendingAppend {
  std::string_view message;
  std::uint64_t seq = 0;
  bool done = false;
  std::optional<Error> error;
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
  std::deque<PendingAppend*> queue;
  std::uint64_t durable = 0;
  std::optional<Error> broken;  // sticky failure of the writer
  bool stop = false;
  std::thread writer;

  void run_writer();
  [[nodiscard]] Result<void> commit(std::vector<PendingAppend*>& batch);
  [[nodiscard]] Result<void> start_segment(std::uint64_t first_seq);
};

}  // namespace axle::audit
