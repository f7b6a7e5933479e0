#include "canonical_json.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

namespace axle::identity::detail {

namespace {

bool all_ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace

void write_json_string(std::string& out, std::string_view s) {
  if (!all_ascii(s)) {
    // Rare (a relying party id in UTF-8): nlohmann's own escaping, with invalid UTF-8 replaced
    // rather than thrown, so the output is still what the general serializer writes.
    out += nlohmann::json(std::string(s))
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;  // start of the pending unescaped run
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

std::optional<std::vector<FlatField>> parse_flat_canonical(std::string_view json) {
  std::size_t i = 0;
  const std::size_t n = json.size();
  auto read_string = [&](std::string& out) -> bool {
    if (i >= n || json[i] != '"') return false;
    ++i;
    std::size_t run = i;
    while (i < n) {
      const auto c = static_cast<unsigned char>(json[i]);
      if (c == '"') {
        out.append(json.data() + run, i - run);
        ++i;
        return true;
      }
      if (c < 0x20 || c >= 0x80) return false;  // invalid JSON or needs UTF-8 checks: decline
      if (c != '\\') {
        ++i;
        continue;
      }
      out.append(json.data() + run, i - run);
      if (i + 1 >= n) return false;
      switch (json[i + 1]) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        default: return false;  // \u escapes: the general parser
      }
      i += 2;
      run = i;
    }
    return false;
  };

  if (n < 2 || json[0] != '{' || json[n - 1] != '}') return std::nullopt;
  i = 1;
  std::vector<FlatField> fields;
  fields.reserve(13);
  if (json[i] == '}') return i + 1 == n ? std::optional(std::move(fields)) : std::nullopt;
  for (;;) {
    FlatField f;
    if (!read_string(f.key) || i >= n || json[i] != ':') return std::nullopt;
    if (!fields.empty() && !(fields.back().key < f.key)) return std::nullopt;  // sorted, unique
    ++i;
    if (i < n && json[i] == '"') {
      f.kind = FlatField::Kind::kString;
      if (!read_string(f.text)) return std::nullopt;
    } else {
      // An integer in canonical form: -?(0|[1-9][0-9]*), small enough for int64 without doubt.
      const std::size_t start = i;
      if (i < n && json[i] == '-') ++i;
      const std::size_t digits = i;
      while (i < n && json[i] >= '0' && json[i] <= '9') ++i;
      const std::size_t count = i - digits;
      if (count == 0 || count > 18 || (json[digits] == '0' && count > 1)) return std::nullopt;
      if (json[start] == '-' && count == 1 && json[digits] == '0') return std::nullopt;  // -0
      auto [p, ec] = std::from_chars(json.data() + start, json.data() + i, f.integer);
      if (ec != std::errc() || p != json.data() + i) return std::nullopt;
      f.kind = FlatField::Kind::kInteger;
    }
    fields.push_back(std::move(f));
    if (i >= n) return std::nullopt;
    if (json[i] == ',') {
      ++i;
      continue;
    }
    if (json[i] == '}' && i + 1 == n) return fields;
    return std::nullopt;
  }
}

}  // namespace axle::identity::detail
