// What the fuzzers here share: the input as text, and the checks whose failure is a finding
// (libFuzzer reports the abort with the input that caused it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "axle/core/result.hpp"

namespace axle::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Aborts, a finding, when something the fuzzer checks does not hold.
inline void require(bool holds) {
  if (!holds) std::abort();
}

// True when `result` holds a value. A refusal must say why: an error without a message is a
// finding.
template <typename T>
bool accepted(const Result<T>& result) {
  if (result.ok()) return true;
  require(!result.error().message.empty());
  return false;
}

}  // namespace axle::fuzz
