// RFC 5424 §6 serializer: refuses anything the strict parser would refuse, so that
// parse(format(m)) == m for every message it accepts.
#include <set>
#include <string>

#include "axle/audit/rfc5424.hpp"
#include "rfc5424_rules.hpp"
#include "utf8.hpp"

namespace axle::audit {

namespace {

void append_field(std::string& out, std::string_view value) {
  out += ' ';
  if (value.empty()) {
    out += '-';  // NILVALUE
  } else {
    out += value;
  }
}

Result<void> append_structured_data(std::string& out, const std::vector<SdElement>& elements) {
  out += ' ';
  if (elements.empty()) {
    out += '-';
    return ok();
  }
  std::set<std::string_view> seen;
  for (const SdElement& e : elements) {
    AXLE_RETURN_IF_ERROR(validate_sd_id(e.id));
    // §6.3.2: the same SD-ID MUST NOT exist more than once in a message.
    if (!seen.insert(e.id).second) {
      return make_error(ErrorCode::kInvalidArgument,
                        "SD-ID '" + e.id + "' appears twice; RFC 5424 §6.3.2 forbids it");
    }
    out += '[';
    out += e.id;
    for (const SdParam& p : e.params) {
      if (!detail::is_sd_name(p.name)) {
        return make_error(ErrorCode::kInvalidArgument, "PARAM-NAME '" + p.name + "' in " + e.id +
                                                           " is not an SD-NAME (RFC 5424 §6.3.3)");
      }
      if (!detail::is_valid_utf8(p.value)) {
        return make_error(ErrorCode::kInvalidArgument,
                          "PARAM-VALUE of " + p.name + " is not UTF-8 (RFC 5424 §6.3.3)");
      }
      out += ' ';
      out += p.name;
      out += "=\"";
      out += escape_param_value(p.value);
      out += '"';
    }
    out += ']';
  }
  return ok();
}

}  // namespace

Result<std::string> format_rfc5424(const SyslogMessage& m) {
  if (m.facility > 23 || m.severity > 7) {
    return make_error(ErrorCode::kInvalidArgument,
                      "facility must be 0..23 and severity 0..7 (RFC 5424 §6.2.1)");
  }
  if (!m.timestamp.empty()) AXLE_RETURN_IF_ERROR(validate_timestamp(m.timestamp));
  AXLE_RETURN_IF_ERROR(detail::check_header_field("HOSTNAME", m.hostname, detail::kMaxHostname));
  AXLE_RETURN_IF_ERROR(detail::check_header_field("APP-NAME", m.app_name, detail::kMaxAppName));
  AXLE_RETURN_IF_ERROR(detail::check_header_field("PROCID", m.procid, detail::kMaxProcId));
  AXLE_RETURN_IF_ERROR(detail::check_header_field("MSGID", m.msgid, detail::kMaxMsgId));

  std::string out = "<" + std::to_string(m.facility * 8 + m.severity) + ">1";
  append_field(out, m.timestamp);
  append_field(out, m.hostname);
  append_field(out, m.app_name);
  append_field(out, m.procid);
  append_field(out, m.msgid);
  AXLE_RETURN_IF_ERROR(append_structured_data(out, m.structured_data));
  if (m.msg) {
    out += ' ';
    if (m.msg_utf8) {
      // §6.4: MSG-UTF8 = BOM UTF-8-STRING.
      if (!detail::is_valid_utf8(*m.msg)) {
        return make_error(ErrorCode::kInvalidArgument,
                          "MSG is marked UTF-8 but is not valid UTF-8 (RFC 5424 §6.4)");
      }
      out += detail::kBom;
    } else if (m.msg->starts_with(detail::kBom)) {
      // §6.4: MSG-ANY must not start with a BOM, or a reader would take it for MSG-UTF8.
      return make_error(ErrorCode::kInvalidArgument,
                        "MSG starts with a BOM but is not marked UTF-8 (RFC 5424 §6.4)");
    }
    out += *m.msg;
  } else if (m.msg_utf8) {
    return make_error(ErrorCode::kInvalidArgument, "MSG is marked UTF-8 but there is no MSG");
  }
  return out;
}

}  // namespace axle::audit
