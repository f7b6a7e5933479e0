#include "validators.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace axle::cli {

CLI::Validator whole_number(std::uint64_t min, const std::string& why) {
  return CLI::Validator(
      [min, why](const std::string& text) -> std::string {
        std::uint64_t v = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, v);
        // from_chars takes no sign and no leading whitespace, so "-1" and "+1" fail here.
        if (text.empty() || ec != std::errc() || ptr != end || v < min) {
          return "must be a whole number of at least " + std::to_string(min) +
                 (why.empty() ? "" : " (" + why + ")") + ", got " + text;
        }
        return {};
      },
      "INT>=" + std::to_string(min));
}

CLI::Validator greater_than_zero() {
  return CLI::Validator(
      [](const std::string& text) -> std::string {
        double v = 0;
        if (!CLI::detail::lexical_cast(text, v) || !std::isfinite(v) || v <= 0) {
          return "must be a finite number greater than 0, got " + text;
        }
        return {};
      },
      "NUMBER>0");
}

}  // namespace axle::cli
