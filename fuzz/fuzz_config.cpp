// Fuzzes the configuration file reader: any bytes must give entries or an error, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "toml_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto entries = axle::detail::read_toml_entries(text, "fuzz.toml");
  if (!entries.ok() && entries.error().message.empty()) std::abort();
  return 0;
}
