// `axle audit archive`, `axle audit retention` and `axle audit verify --archive`: archives of
// closed audit-log segments (docs/audit.md, "Archives").
#pragma once

#include <string>

#include "context.hpp"

namespace axle::cli {

// Adds `archive` and `retention` to the `audit` command group.
void register_audit_archive_commands(CLI::App& audit, Context& ctx);

// `axle audit verify --archive FILE [--vkey VKEY]`; returns the exit code.
int run_verify_archive(Context& ctx, const std::string& file, const std::string& vkey);

}  // namespace axle::cli
