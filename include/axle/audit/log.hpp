// The audit log: an append-only, durable RFC 9162 Merkle log of messages, stored in a directory.
//
// Appends go through one writer thread that commits them in groups (many entries per fdatasync);
// append() returns only once its entry is durable. Every entry carries a watermark: its sequence
// number and the leaf hash of the entry before it. Complete-subtree hashes are stored beside the
// entries, so a root or proof costs O(log n) reads. Opening the log recovers from a crash: a torn
// tail is cut off and the hash store is brought in line with the entries. One process at a time
// may open a log (an flock on <dir>/LOCK). File formats: docs/audit.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "axle/audit/merkle_hash.hpp"
#include "axle/core/result.hpp"

namespace axle::audit {

struct LogEntry {
  std::uint64_t seq = 0;
  Hash prev{};  // leaf hash of entry seq-1; all zeros for entry 0
  std::string message;
};

struct LogOptions {
  std::filesystem::path dir;                   // created (0700) if missing
  std::uint64_t segment_bytes = 64ULL << 20U;  // a new segment starts past this size
  std::size_t queue_capacity = 1U << 16U;      // appends waiting for the writer (back-pressure)
  std::size_t max_batch = 1U << 14U;           // entries per group commit
  std::size_t max_message_bytes = 64U << 10U;
  // Write the next segment file full of zeros in the background once the active one is a quarter
  // full, so that an append's fdatasync flushes data only (docs/audit.md, "Preallocation"). Off
  // for copy-on-write file systems (btrfs, ZFS), where overwriting does not spare allocation.
  bool preallocate = true;
};

// One segment file of the log: entries [first, end). Closed segments never change; the active one
// (the last) grows.
struct SegmentInfo {
  std::uint64_t first = 0;
  std::uint64_t end = 0;  // one past the last entry (for the active segment: the durable size)
  std::filesystem::path path;
  bool active = false;
};

struct RecoveryReport {
  std::uint64_t entries = 0;          // entries found
  std::uint64_t truncated_bytes = 0;  // torn tail cut off the last segment
  std::string reason;                 // why the tail was cut, if it was
};

class AuditLog {
 public:
  [[nodiscard]] static Result<std::unique_ptr<AuditLog>> open(const LogOptions& options);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends one message; returns its sequence number once it is durable. Thread-safe; concurrent
  // callers share fdatasyncs. After an I/O failure the log refuses appends until reopened.
  [[nodiscard]] Result<std::uint64_t> append(std::string_view message);

  // Pipelined appends: submit() queues a copy of `message` and returns its sequence number at
  // once (entries become durable in sequence order); wait_durable(seq) blocks until entry `seq`
  // and all before it are durable. One producer can keep many entries in flight, so the writer
  // commits large groups. submit() blocks while `queue_capacity` entries wait (back-pressure).
  [[nodiscard]] Result<std::uint64_t> submit(std::string_view message);
  // kTimeout when `timeout` passes first; the writer's error if it failed before `seq` was durable.
  [[nodiscard]] Result<void> wait_durable(std::uint64_t seq, std::chrono::nanoseconds timeout);

  // Number of durable entries.
  [[nodiscard]] std::uint64_t size() const;
  [[nodiscard]] const RecoveryReport& recovery() const noexcept;

  [[nodiscard]] Result<Hash> root(std::uint64_t size) const;
  [[nodiscard]] Result<Hash> leaf_hash_at(std::uint64_t index) const;
  [[nodiscard]] Result<std::vector<Hash>> inclusion_proof(std::uint64_t index,
                                                          std::uint64_t size) const;
  [[nodiscard]] Result<std::vector<Hash>> consistency_proof(std::uint64_t old_size,
                                                            std::uint64_t new_size) const;
  // The hash of a complete subtree: leaves [index * 2^level, (index + 1) * 2^level), which must
  // lie within the durable size.
  [[nodiscard]] Result<Hash> subtree_hash(unsigned level, std::uint64_t index) const;

  // The segments, oldest first; the last is the active one. Closed segments are immutable, so a
  // caller may read their files while the log is open.
  [[nodiscard]] std::vector<SegmentInfo> segments() const;
  // Retention: removes a closed segment's file; only the oldest one (the log stays contiguous)
  // and never the active one. The hash store keeps its nodes, so roots and proofs still work;
  // read() of its entries then fails with kNotFound.
  [[nodiscard]] Result<void> remove_oldest_segment(std::uint64_t first);

  // Entries [first, first + count) clipped to the durable size; kNotFound for entries whose
  // segment was removed by retention (they are in the archive).
  [[nodiscard]] Result<std::vector<LogEntry>> read(std::uint64_t first, std::uint64_t count) const;

  struct Impl;

 private:
  explicit AuditLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace axle::audit
