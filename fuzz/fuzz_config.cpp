// Fuzzes the configuration file reader: any bytes must give entries or an error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.hpp"
#include "toml_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = axle::fuzz::as_text(data, size);
  auto entries = axle::detail::read_toml_entries(text, "fuzz.toml");
  (void)axle::fuzz::accepted(entries);
  return 0;
}
