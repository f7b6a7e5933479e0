#include "axle/core/config.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cctype>
#include <charconv>
#include <cstdlib>

#include "axle/core/files.hpp"
#include "axle/core/state_dir.hpp"
#include "toml_reader.hpp"

extern char** environ;

namespace axle {

namespace fs = std::filesystem;

namespace {

// The one table of configuration keys. Add a row here, and to docs/configuration.md.
constexpr ConfigKeySpec kKeys[] = {
    {"state_dir", ConfigKind::kPath, "", "",
     "Directory for keys, identities, logs and databases. Default: /var/lib/axle as root, else "
     "$XDG_STATE_HOME/axle (~/.local/state/axle)."},
    {"log.level", ConfigKind::kEnum, "warn", "trace|debug|info|warn|error|off",
     "Lowest severity written to the log (standard error)."},
    {"log.format", ConfigKind::kEnum, "text", "text|json",
     "Log line format: human-readable text, or one JSON object per line."},
    {"crypto.fips", ConfigKind::kBool, "false", "",
     "Load OpenSSL's FIPS provider at start and refuse algorithms FIPS does not approve; fails "
     "when the provider is not installed."},
    {"audit.sd_id", ConfigKind::kString, "audit@32473", "",
     "SD-ID of the audit event's structured-data element, name@<private enterprise number> "
     "(RFC 5424 §7.2.2); 32473 is the documentation number, set your organisation's own."},
    {"audit.origin", ConfigKind::kString, "", "",
     "Origin line of a new audit log's checkpoints, its unique name (e.g. example.com/audit/gw-1); "
     "empty: axle/audit/<hostname>. Fixed when the log is created; a different value later is "
     "refused."},
    {"audit.archive_after_days", ConfigKind::kInt, "7", "",
     "Age in days (of a closed segment's newest entry) from which 'axle audit archive' archives it "
     "and 'axle audit retention' may delete it; --older-than / --keep-days override it."},
};

constexpr std::string_view kConfigFileVariable = "AXLE_CONFIG";

const ConfigKeySpec* find_spec(std::string_view key) {
  for (const auto& spec : kKeys) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

std::optional<std::string> normalise_bool(std::string_view v) {
  std::string lower(v);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") return "true";
  if (lower == "false" || lower == "0" || lower == "no" || lower == "off") return "false";
  return std::nullopt;
}

Result<std::string> validate(const ConfigKeySpec& spec, std::string_view value) {
  switch (spec.kind) {
    case ConfigKind::kString:
    case ConfigKind::kPath: return std::string(value);
    case ConfigKind::kBool: {
      if (auto b = normalise_bool(value)) return *b;
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("{} must be true or false, not '{}'", spec.key, value));
    }
    case ConfigKind::kInt: {
      std::int64_t n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size()) {
        return make_error(ErrorCode::kInvalidArgument,
                          fmt::format("{} must be an integer, not '{}'", spec.key, value));
      }
      return std::string(value);
    }
    case ConfigKind::kEnum: {
      std::string_view allowed = spec.allowed;
      while (!allowed.empty()) {
        auto bar = allowed.find('|');
        if (allowed.substr(0, bar) == value) return std::string(value);
        if (bar == std::string_view::npos) break;
        allowed.remove_prefix(bar + 1);
      }
      return make_error(ErrorCode::kInvalidArgument, fmt::format("{} must be one of {}, not '{}'",
                                                                 spec.key, spec.allowed, value));
    }
  }
  return make_error(ErrorCode::kInternal, "unknown configuration kind");
}

std::optional<fs::path> default_config_file() {
  fs::path candidate;
  if (::geteuid() == 0) {
    candidate = "/etc/axle/axle.toml";
  } else if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && xdg[0] == '/') {
    candidate = fs::path(xdg) / "axle/axle.toml";
  } else if (const char* home = std::getenv("HOME"); home && home[0]) {
    candidate = fs::path(home) / ".config/axle/axle.toml";
  } else {
    return std::nullopt;
  }
  std::error_code ec;
  return fs::exists(candidate, ec) ? std::optional(candidate) : std::nullopt;
}

}  // namespace

std::span<const ConfigKeySpec> config_keys() noexcept { return kKeys; }

std::string config_env_name(std::string_view key) {
  std::string name = "AXLE_";
  for (char c : key) {
    name.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return name;
}

std::string_view config_source_name(ConfigSource s) noexcept {
  switch (s) {
    case ConfigSource::kDefault: return "default";
    case ConfigSource::kFile: return "file";
    case ConfigSource::kEnvironment: return "environment";
    case ConfigSource::kCommandLine: return "command line";
  }
  return "default";
}

std::vector<std::string> ConfigLoadOptions::process_environment() {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  return env;
}

Config::Config() {
  for (const auto& spec : kKeys) {
    std::string value(spec.default_value);
    if (spec.key == "state_dir") value = default_state_dir().string();
    values_.emplace(std::string(spec.key), ConfigValue{value, ConfigSource::kDefault});
  }
}

const ConfigValue& Config::entry(std::string_view key) const {
  auto it = values_.find(key);
  assert(it != values_.end() && "undeclared configuration key");
  return it->second;
}

bool Config::get_bool(std::string_view key) const { return get(key) == "true"; }

std::int64_t Config::get_int(std::string_view key) const {
  std::int64_t n = 0;
  const std::string& text = get(key);
  std::from_chars(text.data(), text.data() + text.size(), n);
  return n;
}

Result<void> Config::set(std::string_view key, std::string_view value, ConfigSource source) {
  const ConfigKeySpec* spec = find_spec(key);
  if (spec == nullptr) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("unknown configuration key '{}'; `axle config keys` lists the "
                                  "valid ones",
                                  key));
  }
  AXLE_TRY(std::string normalised, validate(*spec, value));
  values_.find(key)->second = ConfigValue{std::move(normalised), source};
  return ok();
}

Result<Config> Config::load(const ConfigLoadOptions& options) {
  Config config;

  std::optional<fs::path> file = options.file;
  std::optional<std::string> env_file;
  for (const auto& kv : options.environment) {
    if (kv.rfind(std::string(kConfigFileVariable) + "=", 0) == 0) {
      env_file = kv.substr(kConfigFileVariable.size() + 1);
    }
  }
  if (!file && env_file && !env_file->empty()) file = fs::path(*env_file);
  if (!file && options.use_default_file) file = default_config_file();

  if (file) {
    AXLE_TRY(std::string text, read_file(*file, 1u << 20));
    AXLE_TRY(auto entries, detail::read_toml_entries(text, file->string()));
    for (const auto& [key, value] : entries) {
      if (auto r = config.set(key, value, ConfigSource::kFile); !r) {
        return make_error(r.error().code, fmt::format("{}: {}", file->string(), r.error().message));
      }
    }
    config.file_ = file;
  }

  for (const auto& kv : options.environment) {
    if (kv.rfind("AXLE_", 0) != 0) continue;
    auto eq = kv.find('=');
    std::string name = kv.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : kv.substr(eq + 1);
    if (name == kConfigFileVariable) continue;
    const ConfigKeySpec* spec = nullptr;
    for (const auto& s : kKeys) {
      if (config_env_name(s.key) == name) spec = &s;
    }
    if (spec == nullptr) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("unknown environment variable {}; `axle config keys` lists "
                                    "the AXLE_* variables axle reads (unset it or fix its name)",
                                    name));
    }
    if (auto r = config.set(spec->key, value, ConfigSource::kEnvironment); !r) {
      return make_error(r.error().code, fmt::format("{}: {}", name, r.error().message));
    }
  }

  for (const auto& [key, value] : options.command_line) {
    AXLE_RETURN_IF_ERROR(config.set(key, value, ConfigSource::kCommandLine));
  }
  return config;
}

}  // namespace axle
