// RFC 5424 §6 strict parser: one message, no transport framing. Every refusal names the place.
#include <set>
#include <string>

#include "axle/audit/rfc5424.hpp"
#include "rfc5424_rules.hpp"
#include "utf8.hpp"

namespace axle::audit {

namespace {

class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  [[nodiscard]] bool done() const noexcept { return pos_ >= text_.size(); }
  [[nodiscard]] char peek() const noexcept { return done() ? '\0' : text_[pos_]; }
  [[nodiscard]] std::size_t pos() const noexcept { return pos_; }
  [[nodiscard]] std::string_view rest() const noexcept { return text_.substr(pos_); }
  void advance(std::size_t n = 1) noexcept { pos_ += n; }
  bool consume(char c) noexcept {
    if (peek() != c || done()) return false;
    ++pos_;
    return true;
  }
  // The run of characters up to (not including) the next SP or the end.
  std::string_view token() noexcept {
    const std::size_t start = pos_;
    while (!done() && text_[pos_] != ' ') ++pos_;
    return text_.substr(start, pos_ - start);
  }

  [[nodiscard]] Error fail(std::string_view what) const {
    return make_error(ErrorCode::kInvalidArgument, "not an RFC 5424 message: " + std::string(what) +
                                                       " at offset " + std::to_string(pos_));
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// §6.2.1 PRI = "<" PRIVAL ">", PRIVAL 1*3DIGIT in 0..191; no leading zeros, so one form per value.
Result<int> parse_pri(Cursor& c) {
  if (!c.consume('<')) return c.fail("PRI must start with '<' (§6.2.1)");
  int value = 0;
  std::size_t digits = 0;
  const char first = c.peek();
  while (c.peek() >= '0' && c.peek() <= '9' && !c.done()) {
    value = value * 10 + (c.peek() - '0');
    c.advance();
    if (++digits > 3) return c.fail("PRIVAL has more than 3 digits (§6.2.1)");
  }
  if (digits == 0) return c.fail("PRIVAL missing (§6.2.1)");
  if (digits > 1 && first == '0') return c.fail("PRIVAL has a leading zero");
  if (value > detail::kMaxPrival) return c.fail("PRIVAL above 191 (§6.2.1)");
  if (!c.consume('>')) return c.fail("PRI must end with '>' (§6.2.1)");
  return value;
}

Result<void> expect_space(Cursor& c, std::string_view before) {
  if (!c.consume(' ')) return c.fail("expected SP before " + std::string(before));
  return ok();
}

// A header field: NILVALUE or 1*max PRINTUSASCII (§6.2.4 - §6.2.7).
Result<std::string> parse_header_field(Cursor& c, std::string_view name, std::size_t max) {
  AXLE_RETURN_IF_ERROR(expect_space(c, name));
  const std::string_view tok = c.token();
  if (tok.empty()) return c.fail(std::string(name) + " is empty");
  if (tok == "-") return std::string();
  if (tok.size() > max) {
    return c.fail(std::string(name) + " longer than " + std::to_string(max) + " octets (§6)");
  }
  for (char ch : tok) {
    if (!detail::is_printusascii(ch)) return c.fail(std::string(name) + " is not PRINTUSASCII");
  }
  return std::string(tok);
}

Result<std::string> parse_sd_name(Cursor& c, std::string_view what) {
  std::string name;
  while (!c.done()) {
    const char ch = c.peek();
    if (!detail::is_printusascii(ch) || ch == '=' || ch == ']' || ch == '"') break;
    name += ch;
    c.advance();
  }
  if (!detail::is_sd_name(name)) return c.fail(std::string(what) + " is not an SD-NAME (§6.3.3)");
  return name;
}

// §6.3.3 PARAM-VALUE: '"', '\' and ']' MUST be escaped; a backslash before any other character
// is kept as a backslash. An unescaped ']' is refused (strict).
Result<std::string> parse_param_value(Cursor& c) {
  if (!c.consume('"')) return c.fail("PARAM-VALUE must start with '\"'");
  std::string value;
  while (true) {
    if (c.done()) return c.fail("PARAM-VALUE is not closed with '\"'");
    const char ch = c.peek();
    c.advance();
    if (ch == '"') break;
    if (ch == ']') return c.fail("unescaped ']' in PARAM-VALUE (§6.3.3)");
    if (ch == '\\' && !c.done() && (c.peek() == '"' || c.peek() == '\\' || c.peek() == ']')) {
      value += c.peek();
      c.advance();
      continue;
    }
    value += ch;
  }
  if (!detail::is_valid_utf8(value)) return c.fail("PARAM-VALUE is not UTF-8 (§6.3.3)");
  return value;
}

Result<SdElement> parse_sd_element(Cursor& c) {
  if (!c.consume('[')) return c.fail("SD-ELEMENT must start with '['");
  SdElement element;
  AXLE_TRY(element.id, parse_sd_name(c, "SD-ID"));
  AXLE_RETURN_IF_ERROR(validate_sd_id(element.id));
  while (c.consume(' ')) {
    SdParam param;
    AXLE_TRY(param.name, parse_sd_name(c, "PARAM-NAME"));
    if (!c.consume('=')) return c.fail("expected '=' after PARAM-NAME");
    AXLE_TRY(param.value, parse_param_value(c));
    element.params.push_back(std::move(param));
  }
  if (!c.consume(']')) return c.fail("SD-ELEMENT must end with ']'");
  return element;
}

Result<std::vector<SdElement>> parse_structured_data(Cursor& c) {
  AXLE_RETURN_IF_ERROR(expect_space(c, "STRUCTURED-DATA"));
  std::vector<SdElement> elements;
  if (c.peek() == '-' && !c.done()) {
    c.advance();
    if (!c.done() && c.peek() != ' ') return c.fail("NILVALUE STRUCTURED-DATA followed by text");
    return elements;
  }
  std::set<std::string> seen;
  do {
    AXLE_TRY(SdElement e, parse_sd_element(c));
    if (!seen.insert(e.id).second) return c.fail("SD-ID '" + e.id + "' repeated (§6.3.2)");
    elements.push_back(std::move(e));
  } while (c.peek() == '[' && !c.done());
  if (!c.done() && c.peek() != ' ') return c.fail("text after STRUCTURED-DATA without SP");
  return elements;
}

}  // namespace

Result<SyslogMessage> parse_rfc5424(std::string_view text, const Rfc5424Limits& limits) {
  if (text.size() > limits.max_message_bytes) {
    return make_error(ErrorCode::kInvalidArgument, "syslog message longer than the limit of " +
                                                       std::to_string(limits.max_message_bytes) +
                                                       " octets");
  }
  Cursor c(text);
  SyslogMessage m;
  AXLE_TRY(int pri, parse_pri(c));
  m.facility = static_cast<std::uint8_t>(pri / 8);
  m.severity = static_cast<std::uint8_t>(pri % 8);
  // §6.2.2: VERSION 1 is the only version this RFC defines.
  if (!c.consume('1')) return c.fail("VERSION must be 1 (§6.2.2)");
  AXLE_RETURN_IF_ERROR(expect_space(c, "TIMESTAMP"));
  const std::string_view ts = c.token();
  if (ts != "-") {
    auto valid = validate_timestamp(ts);
    if (!valid) return c.fail(valid.error().message);
    m.timestamp = std::string(ts);
  }
  AXLE_TRY(m.hostname, parse_header_field(c, "HOSTNAME", detail::kMaxHostname));
  AXLE_TRY(m.app_name, parse_header_field(c, "APP-NAME", detail::kMaxAppName));
  AXLE_TRY(m.procid, parse_header_field(c, "PROCID", detail::kMaxProcId));
  AXLE_TRY(m.msgid, parse_header_field(c, "MSGID", detail::kMaxMsgId));
  AXLE_TRY(m.structured_data, parse_structured_data(c));
  if (c.done()) return m;
  c.advance();  // the SP before MSG
  std::string_view msg = c.rest();
  // §6.4: a MSG that starts with a BOM is UTF-8 and must be valid.
  if (msg.starts_with(detail::kBom)) {
    msg.remove_prefix(detail::kBom.size());
    if (!detail::is_valid_utf8(msg)) return c.fail("MSG after the BOM is not UTF-8 (§6.4)");
    m.msg_utf8 = true;
  }
  m.msg = std::string(msg);
  return m;
}

}  // namespace axle::audit
