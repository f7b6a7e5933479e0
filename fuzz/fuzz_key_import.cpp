// Fuzzes every way a key or signature enters axle from outside: PEM and DER keys (public and
// private), raw keys, and the ECDSA signature encodings. Whatever is accepted must survive a
// round trip through export and import.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "axle/crypto/keys.hpp"
#include "fuzz_support.hpp"

namespace {

using axle::crypto::KeyType;
using axle::crypto::PrivateKey;
using axle::crypto::PublicKey;
using axle::fuzz::require;

void round_trip(const PublicKey& key) {
  auto der = key.to_der();
  require(der.ok());
  auto again = PublicKey::from_der(*der);
  require(again.ok() && again->type() == key.type());
  auto der2 = again->to_der();
  require(der2.ok() && *der2 == *der);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> input(data, size);
  const std::string_view text = axle::fuzz::as_text(data, size);

  if (auto k = PublicKey::from_der(input)) round_trip(*k);
  if (auto k = PublicKey::from_pem(text)) round_trip(*k);
  if (auto k = PublicKey::from_raw(KeyType::kEd25519, input)) round_trip(*k);
  if (auto k = PublicKey::from_raw(KeyType::kEcdsaP256, input)) round_trip(*k);
  if (auto k = PrivateKey::from_der(input)) require(k->public_key().ok());
  if (auto k = PrivateKey::from_pem(text)) require(k->public_key().ok());

  if (auto p1363 = axle::crypto::ecdsa_der_to_p1363(input)) {
    require(p1363->size() == 64);
    auto der = axle::crypto::ecdsa_p1363_to_der(*p1363);
    require(der.ok() && std::equal(der->begin(), der->end(), input.begin(), input.end()));
  }
  (void)axle::crypto::ecdsa_p1363_to_der(input);
  return 0;
}
