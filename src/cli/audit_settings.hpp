// The audit settings every command that writes the audit log shares (the `audit` commands and
// the demo): the SD-ID and the log's origin, from the configuration (docs/configuration.md).
#pragma once

#include <string>
#include <string_view>

#include "axle/audit/store.hpp"
#include "axle/core/result.hpp"
#include "axle/core/state_dir.hpp"
#include "context.hpp"

namespace axle::cli {

// `override_value` when given (--sd-id), else the audit.sd_id key; checked as RFC 5424 wants.
[[nodiscard]] Result<std::string> audit_sd_id(Context& ctx, std::string_view override_value = {});

// The state dir's audit store, created with the audit.origin key's origin (or the default) on
// first use; an existing log with another origin is refused.
[[nodiscard]] Result<audit::AuditStore> open_audit_store(Context& ctx, const StateDir& state);

}  // namespace axle::cli
