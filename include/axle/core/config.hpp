// axle's one configuration: a TOML file, AXLE_* environment overrides, command-line overrides.
//
// Precedence, lowest first: built-in default < file < environment < command line. Every key is
// declared in one table (config_keys(), documented in docs/configuration.md and by
// `axle config keys`); an unknown key in the file or an unknown AXLE_* variable is an error, so
// that a typo never silently falls back to a default. A key "a.b" is written in the file as
// `[a]` / `b = ...` and in the environment as AXLE_A_B.
//
// The file is the one given (--config or AXLE_CONFIG, then it must exist), otherwise
// /etc/axle/axle.toml as root or $XDG_CONFIG_HOME/axle/axle.toml, when present.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "axle/core/result.hpp"

namespace axle {

enum class ConfigKind { kString, kPath, kBool, kInt, kEnum };
enum class ConfigSource { kDefault, kFile, kEnvironment, kCommandLine };

struct ConfigKeySpec {
  std::string_view key;  // "log.level"
  ConfigKind kind;
  std::string_view default_value;  // as text; "" for state_dir means the platform default
  std::string_view allowed;        // for kEnum: "a|b|c"
  std::string_view doc;
};

// Every configuration key axle knows.
std::span<const ConfigKeySpec> config_keys() noexcept;

// "log.level" -> "AXLE_LOG_LEVEL".
std::string config_env_name(std::string_view key);
std::string_view config_source_name(ConfigSource s) noexcept;

struct ConfigValue {
  std::string text;
  ConfigSource source = ConfigSource::kDefault;
};

struct ConfigLoadOptions {
  std::optional<std::filesystem::path> file;  // explicit file; must exist
  std::vector<std::string> environment;  // "NAME=value" entries; see from_process_environment()
  std::map<std::string, std::string> command_line;  // key -> value
  bool use_default_file = true;                     // look for the default file when no file given

  // The current process environment.
  static std::vector<std::string> process_environment();
};

class Config {
 public:
  // Defaults only (no file, no environment).
  Config();
  static Result<Config> load(const ConfigLoadOptions& options);

  // The value of a declared key; an undeclared key is a programming error (asserts).
  [[nodiscard]] const ConfigValue& entry(std::string_view key) const;
  [[nodiscard]] const std::string& get(std::string_view key) const { return entry(key).text; }
  [[nodiscard]] bool get_bool(std::string_view key) const;
  [[nodiscard]] std::int64_t get_int(std::string_view key) const;

  // Validates and sets a key (used by load, and by tests).
  [[nodiscard]] Result<void> set(std::string_view key, std::string_view value, ConfigSource source);

  [[nodiscard]] const std::map<std::string, ConfigValue, std::less<>>& values() const noexcept {
    return values_;
  }
  // The file that was read, if any.
  [[nodiscard]] const std::optional<std::filesystem::path>& file() const noexcept { return file_; }

 private:
  std::map<std::string, ConfigValue, std::less<>> values_;
  std::optional<std::filesystem::path> file_;
};

}  // namespace axle
