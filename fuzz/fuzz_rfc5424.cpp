// Fuzzes the RFC 5424 parser: any bytes give a message or an error, never a crash; a message that
// parses formats back, and the formatted text parses to the same message.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "axle/audit/event.hpp"
#include "axle/audit/rfc5424.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = axle::fuzz::as_text(data, size);
  auto parsed = axle::audit::parse_rfc5424(text);
  if (!axle::fuzz::accepted(parsed)) return 0;
  auto formatted = axle::audit::format_rfc5424(*parsed);
  axle::fuzz::require(formatted.ok());  // the serializer must accept what the parser accepts
  auto again = axle::audit::parse_rfc5424(*formatted);
  axle::fuzz::require(again.ok() && *again == *parsed);
  (void)axle::audit::from_syslog(*parsed);
  return 0;
}
