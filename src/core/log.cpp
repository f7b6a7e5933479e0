#include "axle/core/log.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <memory>
#include <mutex>
#include <vector>

namespace axle::log {

namespace {

constexpr std::string_view kLevelNames[] = {"trace", "debug", "info", "warn", "error", "off"};

// Field names whose values are secrets by convention; compared as lower-case substrings.
constexpr std::string_view kSecretFieldHints[] = {
    "secret", "password", "passphrase",   "token",      "private", "seed",
    "prk",    "ikm",      "key_material", "master_key", "okm"};

constexpr std::string_view kRedacted = "[redacted]";

struct State {
  std::mutex mutex;
  std::vector<Redactor> redactors;
  std::atomic<Level> level{Level::kWarn};
  std::atomic<Format> format{Format::kText};
  std::shared_ptr<spdlog::logger> logger;
};

State& state() {
  static State s;
  return s;
}

spdlog::logger& logger() {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (!s.logger) {
    s.logger =
        std::make_shared<spdlog::logger>("axle", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    // Times in UTC, so that logs of a fleet line up.
    s.logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %v", spdlog::pattern_time_type::utc);
    s.logger->set_level(spdlog::level::trace);
  }
  return *s.logger;
}

bool is_secret_field(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "key") return true;
  for (auto hint : kSecretFieldHints) {
    if (lower.find(hint) != std::string::npos) return true;
  }
  return false;
}

constexpr std::string_view kRedactedKey = "[redacted private key]";

// Cuts "-----BEGIN ... PRIVATE KEY-----" ... "-----END ...-----" blocks out of `text`; other PEM
// blocks (certificates, public keys) may be logged and stay.
void cut_pem_private_keys(std::string& text) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  std::size_t pos = 0;
  while ((pos = text.find(kBegin, pos)) != std::string::npos) {
    auto label_end = text.find("-----", pos + kBegin.size());
    if (label_end == std::string::npos) return;
    std::string_view label(text.data() + pos + kBegin.size(), label_end - pos - kBegin.size());
    if (label.find("PRIVATE KEY") == std::string_view::npos) {
      pos = label_end + 5;
      continue;
    }
    auto end = text.find("-----END ", label_end + 5);
    auto end_close = end == std::string::npos ? std::string::npos : text.find("-----", end + 9);
    std::size_t stop = end_close == std::string::npos ? text.size() : end_close + 5;
    text.replace(pos, stop - pos, kRedactedKey);
    pos += kRedactedKey.size();
  }
}

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

bool needs_quotes(std::string_view v) {
  return v.empty() || v.find_first_of(" \t\n\"=") != std::string_view::npos;
}

}  // namespace

Result<Level> parse_level(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kLevelNames); ++i) {
    if (kLevelNames[i] == name) return static_cast<Level>(i);
  }
  return make_error(
      ErrorCode::kInvalidArgument,
      fmt::format("unknown log level '{}'; use trace, debug, info, warn, error or off", name));
}

Result<Format> parse_format(std::string_view name) {
  if (name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  return make_error(ErrorCode::kInvalidArgument,
                    fmt::format("unknown log format '{}'; use text or json", name));
}

void configure(Level level, Format format) {
  state().level.store(level);
  state().format.store(format);
}

Level level() noexcept { return state().level.load(); }

void add_redactor(Redactor redactor) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  s.redactors.push_back(std::move(redactor));
}

std::string redact(std::string_view field_name, std::string text) {
  if (!field_name.empty() && is_secret_field(field_name)) return std::string(kRedacted);
  cut_pem_private_keys(text);
  State& s = state();
  std::lock_guard lock(s.mutex);
  for (const auto& r : s.redactors) r(text);
  return text;
}

std::string render(Level level, std::string_view message, std::initializer_list<Field> fields,
                   Format format) {
  std::string_view level_name = kLevelNames[static_cast<std::size_t>(level)];
  std::string out;
  if (format == Format::kJson) {
    out += "{\"level\":";
    append_json_string(out, level_name);
    out += ",\"msg\":";
    append_json_string(out, redact({}, std::string(message)));
    for (const auto& f : fields) {
      out.push_back(',');
      append_json_string(out, f.name);
      out.push_back(':');
      append_json_string(out, redact(f.name, f.value));
    }
    out.push_back('}');
    return out;
  }
  out = fmt::format("{:<5} {}", level_name, redact({}, std::string(message)));
  for (const auto& f : fields) {
    std::string value = redact(f.name, f.value);
    out += fmt::format(" {}=", f.name);
    if (needs_quotes(value)) {
      append_json_string(out, value);
    } else {
      out += value;
    }
  }
  return out;
}

void write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (level == Level::kOff || level < state().level.load()) return;
  std::string line = render(level, message, fields, state().format.load());
  logger().log(spdlog::level::info, line);
  logger().flush();
}

}  // namespace axle::log
