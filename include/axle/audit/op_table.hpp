// The classification of sensitive operations: op name -> level and whether a second person must
// confirm it. Kept as data (audit_ops.json, installed under share/axle/ and embedded as the
// default), so that policy changes without code changes.
//
// Format: {"format": "axle-audit-ops/1", "ops": {"<op>": {"level": "LOW|MEDIUM|HIGH|CRITICAL",
// "second_confirmation": true|false}, ...}}. Op names are 1-32 characters of [a-z0-9._-]
// (they become the RFC 5424 MSGID). Unknown keys are errors.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "axle/core/result.hpp"

namespace axle::audit {

enum class Level { kLow, kMedium, kHigh, kCritical };

std::string_view level_name(Level level) noexcept;  // "LOW", ...
[[nodiscard]] Result<Level> parse_level(std::string_view name);

struct OpClass {
  Level level = Level::kLow;
  bool second_confirmation = false;
};

class OpTable {
 public:
  [[nodiscard]] static Result<OpTable> from_json(std::string_view json_text);
  [[nodiscard]] static Result<OpTable> load(const std::filesystem::path& file);
  // The table embedded at build time from src/audit/data/audit_ops.json.
  [[nodiscard]] static const OpTable& builtin();

  // kInvalidArgument, listing how to see the known ops, when `op` is not in the table.
  [[nodiscard]] Result<OpClass> classify(std::string_view op) const;
  [[nodiscard]] const std::map<std::string, OpClass, std::less<>>& ops() const noexcept {
    return ops_;
  }

 private:
  std::map<std::string, OpClass, std::less<>> ops_;
};

}  // namespace axle::audit
