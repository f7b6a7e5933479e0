// Structured logging for every axle component, over spdlog, to standard error.
//
//   axle::log::info("identity generated", {{"edid", id}, {"mode", "anonymous"}});
//
// An event is a short fixed message plus key=value fields (text) or one JSON object (json).
// Secrets cannot get in: SecretBytes refuses to format at compile time, and every message and
// field passes through redactors before it reaches a sink. Built in: the value of any field whose
// name suggests a secret (key, secret, password, token, seed, prk, ...) is replaced, and PEM
// private key blocks are cut out of any text.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "axle/core/result.hpp"

namespace axle::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError, kOff };
enum class Format { kText, kJson };

Result<Level> parse_level(std::string_view name);
Result<Format> parse_format(std::string_view name);

struct Field {
  std::string_view name;
  std::string value;
};

// Sets level and format of the process-wide logger (default: warn, text). Thread-safe.
void configure(Level level, Format format);
Level level() noexcept;

// A redactor rewrites one piece of text (a message or a field value) in place.
using Redactor = std::function<void(std::string& text)>;
void add_redactor(Redactor redactor);

// Applies the built-in and added redactors; also used by the CLI on error messages.
std::string redact(std::string_view field_name, std::string text);

// Renders an event the way the logger writes it (without the timestamp); exposed for tests.
std::string render(Level level, std::string_view message, std::initializer_list<Field> fields,
                   Format format);

void write(Level level, std::string_view message, std::initializer_list<Field> fields = {});

inline void trace(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kTrace, m, f);
}
inline void debug(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kDebug, m, f);
}
inline void info(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kInfo, m, f);
}
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kWarn, m, f);
}
inline void error(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kError, m, f);
}

}  // namespace axle::log
