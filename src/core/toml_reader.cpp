#include "toml_reader.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

namespace axle::detail {

namespace {

Result<void> flatten(const toml::table& table, const std::string& prefix,
                     std::vector<std::pair<std::string, std::string>>& out) {
  for (const auto& [k, node] : table) {
    std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = node.as_table()) {
      AXLE_RETURN_IF_ERROR(flatten(*sub, key, out));
    } else if (const auto* s = node.as_string()) {
      out.emplace_back(key, s->get());
    } else if (const auto* b = node.as_boolean()) {
      out.emplace_back(key, b->get() ? "true" : "false");
    } else if (const auto* i = node.as_integer()) {
      out.emplace_back(key, std::to_string(i->get()));
    } else {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("key '{}' has an unsupported type; use a string, boolean or "
                                    "integer",
                                    key));
    }
  }
  return ok();
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> read_toml_entries(
    std::string_view text, const std::string& source_name) {
  std::vector<std::pair<std::string, std::string>> out;
  try {
    toml::table table = toml::parse(text, source_name);
    AXLE_RETURN_IF_ERROR(flatten(table, "", out));
  } catch (const toml::parse_error& e) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("{}:{}:{}: invalid TOML: {}", source_name, e.source().begin.line,
                                  e.source().begin.column, e.description()));
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("{}: cannot read configuration: {}", source_name, e.what()));
  }
  return out;
}

}  // namespace axle::detail
