// RFC 5424 syslog messages with structured data: a strict serializer and a strict parser.
//
// The model keeps every header field as text so that a parsed message formats back to the same
// bytes. An empty string stands for NILVALUE ("-", RFC 5424 §6); a literal "-" field is therefore
// refused by the serializer. Limits follow RFC 5424 §6: HOSTNAME 255, APP-NAME 48, PROCID 128,
// MSGID 32 and SD-NAME 32 octets of PRINTUSASCII; PRIVAL 0..191; VERSION 1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "axle/core/result.hpp"

namespace axle::audit {

// RFC 5424 §6.3.3 PARAM-NAME="PARAM-VALUE".
struct SdParam {
  std::string name;
  std::string value;  // unescaped, valid UTF-8
  bool operator==(const SdParam&) const = default;
};

// RFC 5424 §6.3.1 SD-ELEMENT: [SD-ID *(SP SD-PARAM)].
struct SdElement {
  std::string id;
  std::vector<SdParam> params;
  bool operator==(const SdElement&) const = default;
  // The value of the first parameter called `name`, if any.
  [[nodiscard]] const std::string* find(std::string_view name) const noexcept;
};

struct SyslogMessage {
  std::uint8_t facility = 13;  // RFC 5424 Table 1: 13 = log audit
  std::uint8_t severity = 6;   // RFC 5424 Table 2: 0 emergency .. 7 debug
  std::string timestamp;       // RFC 5424 §6.2.3 text, e.g. "2003-10-11T22:14:15.003Z"; "" = nil
  std::string hostname;        // "" = nil
  std::string app_name;        // "" = nil
  std::string procid;          // "" = nil
  std::string msgid;           // "" = nil
  std::vector<SdElement> structured_data;  // empty = nil
  std::optional<std::string> msg;          // absent: no MSG part at all
  bool msg_utf8 = false;  // RFC 5424 §6.4: MSG-UTF8, written with a leading BOM, must be UTF-8

  bool operator==(const SyslogMessage&) const = default;
  // The element with this SD-ID, if any (SD-IDs are unique in a message, §6.3.2).
  [[nodiscard]] const SdElement* find(std::string_view sd_id) const noexcept;
};

struct Rfc5424Limits {
  // RFC 5424 §6.1 sets no upper bound; a receiver picks one. Longer input is refused.
  std::size_t max_message_bytes = 64 * 1024;
};

// Formats `message`; kInvalidArgument names the field that breaks a rule of RFC 5424.
[[nodiscard]] Result<std::string> format_rfc5424(const SyslogMessage& message);

// Parses one message (no trailing newline or transport framing); kInvalidArgument says where and
// why the input is not RFC 5424.
[[nodiscard]] Result<SyslogMessage> parse_rfc5424(std::string_view text,
                                                  const Rfc5424Limits& limits = {});

// Checks a TIMESTAMP (RFC 5424 §6.2.3, RFC 3339 §5.6 restricted: upper-case T and Z, at most six
// fraction digits, no leap second, a real calendar date).
[[nodiscard]] Result<void> validate_timestamp(std::string_view timestamp);

// Checks an SD-ID (§6.3.2, §7): an SD-NAME that is either registered with IANA (timeQuality,
// origin, meta) or has the form name@<private enterprise number>.
[[nodiscard]] Result<void> validate_sd_id(std::string_view sd_id);

// RFC 5424 §6.3.3: escapes '"', '\' and ']' with a backslash.
[[nodiscard]] std::string escape_param_value(std::string_view value);

}  // namespace axle::audit
