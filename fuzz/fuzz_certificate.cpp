// Fuzzes certificate parsing and chain checking with untrusted PEM input; any outcome is fine
// except a crash, a sanitizer report, or a "valid" verdict for garbage against an empty store.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "axle/crypto/x509.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)axle::crypto::certificate_public_key(text);
  axle::crypto::ChainPolicy policy;  // no trusted roots: nothing may verify
  policy.crls_pem.emplace_back(text);
  auto verdict = axle::crypto::check_certificate_chain(text, policy);
  if (verdict.ok()) std::abort();
  return 0;
}
