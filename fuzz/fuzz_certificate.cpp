// Fuzzes certificate parsing and chain checking with untrusted PEM input; any outcome is fine
// except a crash, a sanitizer report, or a "valid" verdict for garbage against an empty store.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "axle/crypto/x509.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = axle::fuzz::as_text(data, size);
  (void)axle::crypto::certificate_public_key(text);
  axle::crypto::ChainPolicy policy;  // no trusted roots: nothing may verify
  policy.crls_pem.emplace_back(text);
  auto verdict = axle::crypto::check_certificate_chain(text, policy);
  axle::fuzz::require(!verdict.ok());
  return 0;
}
