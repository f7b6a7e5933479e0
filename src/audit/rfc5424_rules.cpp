// Field rules of RFC 5424 §6 and the small accessors of the message model.
#include "rfc5424_rules.hpp"

#include <array>
#include <string>

#include "axle/audit/rfc5424.hpp"

namespace axle::audit {

namespace detail {

Result<void> check_header_field(std::string_view field, std::string_view value, std::size_t max) {
  if (value.size() > max) {
    return make_error(ErrorCode::kInvalidArgument, std::string(field) + " is longer than " +
                                                       std::to_string(max) +
                                                       " octets (RFC 5424 §6); shorten it");
  }
  if (value == "-") {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(field) +
                          " is a lone '-', which RFC 5424 reads as NILVALUE; use an empty value");
  }
  for (char c : value) {
    if (!is_printusascii(c)) {
      return make_error(
          ErrorCode::kInvalidArgument,
          std::string(field) + " holds a character outside PRINTUSASCII (RFC 5424 §6: %d33-126)");
    }
  }
  return ok();
}

bool is_sd_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > kMaxSdName) return false;
  for (char c : name) {
    if (!is_printusascii(c) || c == '=' || c == ']' || c == '"') return false;
  }
  return true;
}

}  // namespace detail

namespace {

bool all_digits(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int two_digits(std::string_view s, std::size_t at) noexcept {
  return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

bool is_leap_year(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

Error bad_timestamp(std::string_view why) {
  return make_error(ErrorCode::kInvalidArgument, "TIMESTAMP is not RFC 5424 §6.2.3 form (" +
                                                     std::string(why) +
                                                     "); use e.g. 2003-10-11T22:14:15.003Z");
}

}  // namespace

Result<void> validate_timestamp(std::string_view ts) {
  // FULL-DATE "T" PARTIAL-TIME TIME-OFFSET: YYYY-MM-DDTHH:MM:SS[.f{1,6}](Z|±HH:MM)
  if (ts.size() < 20) return bad_timestamp("too short");
  auto digits_at = [&](std::size_t at, std::size_t n) { return all_digits(ts.substr(at, n)); };
  if (!digits_at(0, 4) || ts[4] != '-' || !digits_at(5, 2) || ts[7] != '-' || !digits_at(8, 2) ||
      ts[10] != 'T' || !digits_at(11, 2) || ts[13] != ':' || !digits_at(14, 2) || ts[16] != ':' ||
      !digits_at(17, 2)) {
    return bad_timestamp("date or time malformed");
  }
  const int year = (ts[0] - '0') * 1000 + (ts[1] - '0') * 100 + two_digits(ts, 2);
  const int month = two_digits(ts, 5);
  const int day = two_digits(ts, 8);
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return bad_timestamp("month out of range");
  const int max_day =
      kDays[static_cast<std::size_t>(month - 1)] + ((month == 2 && is_leap_year(year)) ? 1 : 0);
  if (day < 1 || day > max_day) return bad_timestamp("day out of range");
  // §6.2.3 item 5: leap seconds MUST NOT be used, so seconds stop at 59.
  if (two_digits(ts, 11) > 23 || two_digits(ts, 14) > 59 || two_digits(ts, 17) > 59) {
    return bad_timestamp("time out of range");
  }
  std::size_t pos = 19;
  if (ts[pos] == '.') {
    std::size_t n = 0;
    ++pos;
    while (pos < ts.size() && ts[pos] >= '0' && ts[pos] <= '9') {
      ++pos;
      ++n;
    }
    if (n < 1 || n > 6) return bad_timestamp("TIME-SECFRAC must have 1 to 6 digits");
  }
  const std::string_view offset = ts.substr(pos);
  if (offset == "Z") return ok();
  if (offset.size() == 6 && (offset[0] == '+' || offset[0] == '-') &&
      all_digits(offset.substr(1, 2)) && offset[3] == ':' && all_digits(offset.substr(4, 2)) &&
      two_digits(offset, 1) <= 23 && two_digits(offset, 4) <= 59) {
    return ok();
  }
  return bad_timestamp("TIME-OFFSET must be Z or +HH:MM / -HH:MM");
}

Result<void> validate_sd_id(std::string_view sd_id) {
  if (!detail::is_sd_name(sd_id)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "SD-ID '" + std::string(sd_id) +
                          "' is not an SD-NAME (1-32 printable ASCII, no '=', space, ']' or '\"')");
  }
  const std::size_t at = sd_id.find('@');
  if (at == std::string_view::npos) {
    // §7 and §9.2: names without '@' are reserved to IANA registrations.
    if (sd_id == "timeQuality" || sd_id == "origin" || sd_id == "meta") return ok();
    return make_error(
        ErrorCode::kInvalidArgument,
        "SD-ID '" + std::string(sd_id) +
            "' has no '@' and is not registered with IANA; use name@<enterprise number>");
  }
  const std::string_view name = sd_id.substr(0, at);
  const std::string_view pen = sd_id.substr(at + 1);
  if (name.empty() || !all_digits(pen) || (pen.size() > 1 && pen[0] == '0')) {
    return make_error(ErrorCode::kInvalidArgument,
                      "SD-ID '" + std::string(sd_id) +
                          "' must be name@<private enterprise number> (RFC 5424 §6.3.2)");
  }
  return ok();
}

std::string escape_param_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += c;
  }
  return out;
}

const std::string* SdElement::find(std::string_view name) const noexcept {
  for (const SdParam& p : params) {
    if (p.name == name) return &p.value;
  }
  return nullptr;
}

const SdElement* SyslogMessage::find(std::string_view sd_id) const noexcept {
  for (const SdElement& e : structured_data) {
    if (e.id == sd_id) return &e;
  }
  return nullptr;
}

}  // namespace axle::audit
