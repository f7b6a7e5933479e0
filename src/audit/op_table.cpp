// Loads the op classification table (JSON) and answers lookups.
#include "axle/audit/op_table.hpp"

#include <nlohmann/json.hpp>

#include "axle/core/files.hpp"

namespace axle::audit {

namespace detail {
std::string_view builtin_ops_json() noexcept;  // op_table_data.cpp, generated
}

namespace {

bool is_op_name(std::string_view op) noexcept {
  if (op.empty() || op.size() > 32) return false;
  for (char c : op) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Error table_error(const std::string& what) {
  return make_error(ErrorCode::kInvalidArgument,
                    "op table: " + what + "; see docs/audit.md for the format");
}

}  // namespace

std::string_view level_name(Level level) noexcept {
  switch (level) {
    case Level::kLow: return "LOW";
    case Level::kMedium: return "MEDIUM";
    case Level::kHigh: return "HIGH";
    case Level::kCritical: return "CRITICAL";
  }
  return "LOW";
}

Result<Level> parse_level(std::string_view name) {
  for (Level l : {Level::kLow, Level::kMedium, Level::kHigh, Level::kCritical}) {
    if (level_name(l) == name) return l;
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "unknown level '" + std::string(name) + "'; use LOW, MEDIUM, HIGH or CRITICAL");
}

Result<OpTable> OpTable::from_json(std::string_view json_text) {
  // nlohmann/json in non-throwing mode: a parse failure gives a discarded value.
  const nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return table_error("not a JSON object");
  for (const auto& [key, value] : doc.items()) {
    if (key != "format" && key != "ops") return table_error("unknown key '" + key + "'");
  }
  const auto format = doc.find("format");
  if (format == doc.end() || !format->is_string() ||
      format->get<std::string>() != "axle-audit-ops/1") {
    return table_error("\"format\" must be \"axle-audit-ops/1\"");
  }
  const auto ops = doc.find("ops");
  if (ops == doc.end() || !ops->is_object()) return table_error("\"ops\" must be an object");
  OpTable table;
  for (const auto& [op, spec] : ops->items()) {
    if (!is_op_name(op)) return table_error("op name '" + op + "' is not 1-32 of [a-z0-9._-]");
    if (!spec.is_object()) return table_error("op '" + op + "' must map to an object");
    OpClass cls;
    bool have_level = false;
    for (const auto& [key, value] : spec.items()) {
      if (key == "level" && value.is_string()) {
        auto level = parse_level(value.get<std::string>());
        if (!level) return table_error("op '" + op + "': " + level.error().message);
        cls.level = *level;
        have_level = true;
      } else if (key == "second_confirmation" && value.is_boolean()) {
        cls.second_confirmation = value.get<bool>();
      } else {
        return table_error("op '" + op + "': unknown or mistyped key '" + key + "'");
      }
    }
    if (!have_level) return table_error("op '" + op + "' has no level");
    table.ops_.emplace(op, cls);
  }
  return table;
}

Result<OpTable> OpTable::load(const std::filesystem::path& file) {
  AXLE_TRY(std::string text, read_file(file, 1U << 20U));
  auto table = from_json(text);
  if (!table) {
    return make_error(table.error().code, file.string() + ": " + table.error().message);
  }
  return table;
}

const OpTable& OpTable::builtin() {
  static const OpTable table = [] {
    auto parsed = from_json(detail::builtin_ops_json());
    // The embedded table is checked by the tests; an invalid one is a build defect.
    return parsed ? std::move(parsed).value() : OpTable{};
  }();
  return table;
}

Result<OpClass> OpTable::classify(std::string_view op) const {
  const auto it = ops_.find(op);
  if (it == ops_.end()) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "unknown audit op '" + std::string(op) + "'; run 'axle audit ops' to list the known ops");
  }
  return it->second;
}

}  // namespace axle::audit
