// Fuzzes the identity document parser, which reads what a relying party receives from any
// device: any bytes give a document or an error, never a crash; a document that parses writes
// canonical JSON that parses to the same canonical JSON.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "axle/identity/document.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = axle::fuzz::as_text(data, size);
  auto parsed = axle::identity::parse_document(text);
  if (!axle::fuzz::accepted(parsed)) return 0;
  const std::string canonical = parsed->canonical_json();
  auto again = axle::identity::parse_document(canonical);
  axle::fuzz::require(again.ok() && again->canonical_json() == canonical);
  return 0;
}
