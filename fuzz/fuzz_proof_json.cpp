// Fuzzes the Merkle proof file parser of `axle audit verify-proof` (files from anyone): any bytes
// give a proof or an error, never a crash; a parsed proof is checked (either result is fine) and
// written back as JSON that parses to the same JSON.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "axle/audit/proof_json.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = axle::fuzz::as_text(data, size);
  auto parsed = axle::audit::parse_proof_json(text);
  if (!axle::fuzz::accepted(parsed)) return 0;
  (void)axle::audit::verify_proof_file(*parsed);
  const std::string written = axle::audit::to_proof_json(*parsed);
  auto again = axle::audit::parse_proof_json(written);
  axle::fuzz::require(again.ok() && axle::audit::to_proof_json(*again) == written);
  return 0;
}
