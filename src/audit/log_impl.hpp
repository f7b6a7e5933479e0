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

namespace axle::audit::detail {
// The next segment file, preallocated, before its first entry is known (it gets its name then);
// written as kPreparingName and renamed to kPreparedName once complete and synced.
inline constexpr std::string_view kPreparedName = "next-segment.tmp";
inline constexpr std::string_view kPreparingName = "next-segment.part";
}  // namespace axle::audit::detail
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

// A segment switch the writer has made and the syncer has yet to make durable: entries from
// `first_seq` on go to `next` (the preallocated file, still named kPreparedName) while `closing`
// holds the entries before.
struct PendingSwitch {
  std::uint64_t first_seq = 0;
  detail::Fd closing;
  std::filesystem::path closing_path;
  std::uint64_t closing_bytes = 0;  // where its frames end (zeros follow)
  int next = -1;                    // owned by the writer's `active`
};

struct AuditLog::Impl {
  LogOptions options;
  detail::Fd lock_fd;
  RecoveryReport recovery;
  std::unique_ptr<detail::TreeStore> tree;

  // Segments: first sequence numbers in order; the last one is open for appends.
  std::vector<detail::SegmentFile> segments;
  // The segment the writer appends to (writer thread only after open). After a switch it may not
  // have its name yet (PendingSwitch), so the writer does not look at `segments` for it.
  detail::Fd active;
  std::uint64_t active_bytes = 0;
  std::uint64_t active_first = 0;
  std::filesystem::path active_path;
  bool prepare_asked = false;        // the writer asked for the segment after `active`
  std::uint64_t writeback_mark = 0;  // active_bytes at the last tree writeback request

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
  // Buffers of written submit() entries, reused for the next ones: no malloc/free per entry.
  std::vector<std::string> spare_buffers;
  std::uint64_t queued_end = 0;  // sequence number the next queued entry gets
  std::uint64_t written = 0;     // entries written to the segment (page cache), not yet all synced
  std::uint64_t durable = 0;     // entries fdatasync'd: what is acknowledged
  int sync_fd = -1;              // the segment the syncer syncs (the active one)
  // Synchronous appenders whose entry is written but not yet durable, in sequence order.
  std::deque<std::pair<std::uint64_t, PendingAppend*>> unsynced_waiters;
  std::optional<Error> broken;  // sticky failure of the writer or the syncer
  bool stop = false;
  bool writer_done = false;            // the writer has written everything and exited
  bool writer_idle = false;            // the writer waits on work_cv: only then is a wake-up needed
  std::deque<PendingSwitch> switches;  // writer -> syncer, in order
  std::thread writer;
  std::thread syncer;

  // Segment preallocation (segment_prepare.cpp): a background thread writes the next segment
  // file full of zeros and syncs it before it is needed, so that the fdatasync of an append only
  // flushes data, never a size or block-allocation change (which costs a journal commit), and
  // trims closed segments' unused zeros. All under `mutex`.
  std::condition_variable prepare_cv;
  bool prepare_wanted = false;         // the writer asks for the next segment file
  bool tree_writeback_wanted = false;  // the writer asks for TreeStore::start_writeback()
  std::optional<detail::Fd> prepared;  // ready: magic, then zeros, synced
  std::deque<PendingSwitch> to_trim;   // closed segments whose zeros are to be cut off
  bool preparer_stop = false;
  std::thread preparer;
  void run_preparer();
  [[nodiscard]] std::uint64_t prepared_bytes() const noexcept;
  // Syncer: makes a switch durable (the closing segment's entries and the tree hashes, then the
  // new segment's name) before any entry of the new segment is acknowledged.
  [[nodiscard]] Result<void> complete_switch(PendingSwitch& sw, std::uint64_t durable_before);

  // The writer encodes, hashes and writes group after group; the syncer fdatasyncs what has been
  // written and acknowledges it. So one group's fdatasync overlaps the next group's writing.
  void run_writer();
  void run_syncer();
  [[nodiscard]] Result<void> write_group(const std::vector<QueuedEntry>& batch);
  // Writer: closes the active segment and continues in the next one.
  [[nodiscard]] Result<void> switch_segment();
  // Writer: blocks until everything written is durable (before a segment switch), or failed.
  [[nodiscard]] Result<void> wait_all_synced();
  // `copy_in`: submit()'s message, copied into the queue's own buffer under the lock.
  [[nodiscard]] Result<std::uint64_t> enqueue(QueuedEntry entry, const std::string_view* copy_in);
  std::vector<std::uint8_t> frames;  // writer thread: the group being written, reused
  [[nodiscard]] Result<void> start_segment(std::uint64_t first_seq);
  // Under `mutex`: completes the waiters of entries below `durable` (or all, when broken).
  void acknowledge_locked();
};

}  // namespace axle::audit
