// axle's audit event: one sensitive operation, recorded as an RFC 5424 message whose structured
// data element (SD-ID `audit@32473` by default) carries op, target, privilege, authn_method,
// outcome, actor, reason, and the op's classification (level, second_confirmation).
#pragma once

#include <string>
#include <string_view>

#include "axle/audit/op_table.hpp"
#include "axle/audit/rfc5424.hpp"
#include "axle/core/result.hpp"

namespace axle::audit {

// RFC 5424 §7.2.2 asks for name@<private enterprise number>; 32473 is the number reserved for
// documentation (RFC 5612). Deployments set their own.
inline constexpr std::string_view kDefaultSdId = "audit@32473";

struct AuditEvent {
  std::string op;            // required; must be in the op table
  std::string outcome;       // required: success, failure or denied
  std::string target;        // what was acted on
  std::string privilege;     // the privilege used
  std::string authn_method;  // how the actor authenticated
  std::string actor;         // who acted (an EDID)
  std::string reason;        // why
  std::string message;       // free text (MSG, UTF-8)
  std::string timestamp;     // RFC 5424 TIMESTAMP; empty: now, at conversion
  std::string hostname;      // empty: NILVALUE
  std::string app_name = "axle";
  std::string procid;
  // Filled from the op table by to_syslog, read back by from_syslog.
  Level level = Level::kLow;
  bool second_confirmation = false;
};

struct EventOptions {
  std::string sd_id = std::string(kDefaultSdId);
};

// Builds the RFC 5424 message of `event`: facility 13 (log audit), severity from the level, MSGID
// the op. kInvalidArgument when the op is unknown, the outcome is not one of the three, or a field
// breaks RFC 5424.
[[nodiscard]] Result<SyslogMessage> to_syslog(const AuditEvent& event, const OpTable& table,
                                              const EventOptions& options = {});

// Reads an audit event back from a message; kInvalidArgument when the SD element is missing,
// holds an unknown or repeated parameter, or lacks op or outcome.
[[nodiscard]] Result<AuditEvent> from_syslog(const SyslogMessage& message,
                                             const EventOptions& options = {});

}  // namespace axle::audit
