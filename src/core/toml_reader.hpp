// Private: flattens a TOML document into ("section.key", value-as-text) pairs. Kept apart so that
// toml++ (a heavy header) is compiled in one file only.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "axle/core/result.hpp"

namespace axle::detail {

// Strings, booleans and integers are accepted; arrays, floats and dates are refused with the key
// named. Parse errors say the line and column.
Result<std::vector<std::pair<std::string, std::string>>> read_toml_entries(
    std::string_view text, const std::string& source_name);

}  // namespace axle::detail
