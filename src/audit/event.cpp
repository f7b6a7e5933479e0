// AuditEvent <-> RFC 5424 message.
#include "axle/audit/event.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "axle/core/clock.hpp"

namespace axle::audit {

namespace {

// RFC 5424 Table 2 severities for the four levels.
std::uint8_t severity_of(Level level) noexcept {
  switch (level) {
    case Level::kLow: return 6;       // informational
    case Level::kMedium: return 5;    // notice
    case Level::kHigh: return 4;      // warning
    case Level::kCritical: return 2;  // critical
  }
  return 6;
}

bool is_outcome(std::string_view o) noexcept {
  return o == "success" || o == "failure" || o == "denied";
}

constexpr std::array<std::string_view, 9> kParams = {
    "op",    "target", "privilege", "authn_method",       "outcome",
    "actor", "reason", "level",     "second_confirmation"};

}  // namespace

Result<SyslogMessage> to_syslog(const AuditEvent& event, const OpTable& table,
                                const EventOptions& options) {
  AXLE_RETURN_IF_ERROR(validate_sd_id(options.sd_id));
  AXLE_TRY(OpClass cls, table.classify(event.op));
  if (!is_outcome(event.outcome)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "outcome '" + event.outcome + "' is not one of success, failure, denied");
  }
  SyslogMessage m;
  m.facility = 13;  // log audit
  m.severity = severity_of(cls.level);
  m.timestamp = event.timestamp.empty() ? format_utc_ms(utc_ms()) : event.timestamp;
  m.hostname = event.hostname;
  m.app_name = event.app_name;
  m.procid = event.procid;
  m.msgid = event.op;
  SdElement sd{options.sd_id, {}};
  auto add = [&sd](std::string_view name, const std::string& value) {
    if (!value.empty()) sd.params.push_back({std::string(name), value});
  };
  add("op", event.op);
  add("target", event.target);
  add("privilege", event.privilege);
  add("authn_method", event.authn_method);
  add("outcome", event.outcome);
  add("actor", event.actor);
  add("reason", event.reason);
  add("level", std::string(level_name(cls.level)));
  add("second_confirmation", cls.second_confirmation ? "true" : "false");
  m.structured_data.push_back(std::move(sd));
  if (!event.message.empty()) {
    m.msg = event.message;
    m.msg_utf8 = true;
  }
  // Validate the whole message now, so that a bad field is reported before anything is logged.
  AXLE_RETURN_IF_ERROR([&]() -> Result<void> {
    AXLE_TRY(auto text, format_rfc5424(m));
    (void)text;
    return ok();
  }());
  return m;
}

Result<AuditEvent> from_syslog(const SyslogMessage& m, const EventOptions& options) {
  const SdElement* sd = m.find(options.sd_id);
  if (sd == nullptr) {
    return make_error(ErrorCode::kInvalidArgument,
                      "message has no structured data element " + options.sd_id);
  }
  AuditEvent e;
  e.timestamp = m.timestamp;
  e.hostname = m.hostname;
  e.app_name = m.app_name;
  e.procid = m.procid;
  if (m.msg) e.message = *m.msg;
  std::set<std::string_view> seen;
  for (const SdParam& p : sd->params) {
    if (std::find(kParams.begin(), kParams.end(), p.name) == kParams.end()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "unknown parameter '" + p.name + "' in " + options.sd_id);
    }
    if (!seen.insert(p.name).second) {
      return make_error(ErrorCode::kInvalidArgument,
                        "parameter '" + p.name + "' repeated in " + options.sd_id);
    }
    if (p.name == "op") e.op = p.value;
    if (p.name == "target") e.target = p.value;
    if (p.name == "privilege") e.privilege = p.value;
    if (p.name == "authn_method") e.authn_method = p.value;
    if (p.name == "outcome") e.outcome = p.value;
    if (p.name == "actor") e.actor = p.value;
    if (p.name == "reason") e.reason = p.value;
    if (p.name == "level") {
      AXLE_TRY(e.level, parse_level(p.value));
    }
    if (p.name == "second_confirmation") {
      if (p.value != "true" && p.value != "false") {
        return make_error(ErrorCode::kInvalidArgument, "second_confirmation must be true or false");
      }
      e.second_confirmation = p.value == "true";
    }
  }
  if (e.op.empty() || !is_outcome(e.outcome)) {
    return make_error(ErrorCode::kInvalidArgument,
                      options.sd_id + " must hold op and an outcome of success, failure, denied");
  }
  return e;
}

}  // namespace axle::audit
