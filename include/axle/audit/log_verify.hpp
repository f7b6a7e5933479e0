// Full verification of an audit log directory, trusting nothing in it: every frame, sequence
// number, watermark (previous entry's hash) and stored tree hash is recomputed, and the result is
// compared with a signed checkpoint when one is given.
//
// Each finding names the first entry it concerns and its kind: modified, deleted, inserted,
// reordered, truncated, or damaged (framing or hash store). Truncation of the newest entries is
// detectable only against a checkpoint (or a hash store that still remembers them): publish
// checkpoints outside the machine.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "axle/audit/checkpoint.hpp"
#include "axle/audit/merkle_hash.hpp"
#include "axle/core/result.hpp"

namespace axle::audit {

struct VerifyFinding {
  std::uint64_t seq = 0;  // the entry concerned (its position in the log)
  std::string kind;       // modified | deleted | inserted | reordered | truncated | damaged
  std::string detail;     // one line
};

struct VerifyReport {
  std::uint64_t entries = 0;  // entries read from the segments
  // Entries before the oldest segment: archived and removed by retention, accounted for by
  // audit.retention_delete events in the log, and present in the tree as stored hashes only (the
  // checkpoint comparison covers them; their content is checked by verify --archive).
  std::uint64_t archived = 0;
  Hash root{};
  bool checkpoint_checked = false;
  std::uint64_t checkpoint_size = 0;
  std::vector<VerifyFinding> findings;
  [[nodiscard]] bool ok() const noexcept { return findings.empty(); }
};

struct TrustedCheckpoint {
  std::string signed_note;
  const NoteVerifier* verifier = nullptr;
};

// A log whose oldest segments were removed by retention verifies when audit.retention_delete
// events account for every removed entry; the removed entries are counted in `archived`.
// Reads the log in `dir` (no lock is taken: run it on a copy or a quiet log). An Error only for
// I/O failures or a bad checkpoint signature; tampering is reported as findings.
[[nodiscard]] Result<VerifyReport> verify_log(const std::filesystem::path& dir,
                                              const TrustedCheckpoint* checkpoint = nullptr);

}  // namespace axle::audit
