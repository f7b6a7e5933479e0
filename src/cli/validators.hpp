// Option checks shared by the commands. CLI11's own let a negative number wrap into an unsigned
// option ("-1" became 18446744073709551615) and spell out ranges up to DBL_MAX in full; these
// refuse with a short message that names the rule and the value given.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace axle::cli {

// Decimal digits only (no sign, no fraction), at least `min`, fitting in 64 bits; `why`, when
// given, says in the message why the minimum is what it is.
CLI::Validator whole_number(std::uint64_t min, const std::string& why = {});

// A finite number greater than 0 (durations, timeouts, rates).
CLI::Validator greater_than_zero();

}  // namespace axle::cli
