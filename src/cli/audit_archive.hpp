// `axle audit archive`, `axle audit retention` and `axle audit verify --archive`: archives of
// closed audit-log segments (docs/audit.md, "Archives").
#pragma once

#include <string>

#include "context.hpp"

namespace axle::cli {

// Adds `archive` and `retention` to the `audit` command group.
void register_audit_archive_commands(CLI::App& audit, Context& ctx);

// After `axle audit verify` found `archived` entries removed by retention: each must be in an
// archive of <state>/audit/archive that verifies (against the live log when it can be opened).
// Returns the number of archives checked, or an error whose code says which exit to use
// (kVerificationFailed: 3).
[[nodiscard]] Result<std::size_t> verify_removed_archives(Context& ctx, std::uint64_t archived,
                                                          bool* live_checked);

// `axle audit verify --archive FILE [--vkey VKEY]`; returns the exit code.
int run_verify_archive(Context& ctx, const std::string& file, const std::string& vkey);

}  // namespace axle::cli
