// Fuzzes every way a key or signature enters axle from outside: PEM and DER keys (public and
// private), raw keys, and the ECDSA signature encodings. Whatever is accepted must survive a
// round trip through export and import.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "axle/crypto/keys.hpp"

namespace {

using axle::crypto::KeyType;
using axle::crypto::PrivateKey;
using axle::crypto::PublicKey;

void check(bool condition) {
  if (!condition) std::abort();
}

void round_trip(const PublicKey& key) {
  auto der = key.to_der();
  check(der.ok());
  auto again = PublicKey::from_der(*der);
  check(again.ok() && again->type() == key.type());
  auto der2 = again->to_der();
  check(der2.ok() && *der2 == *der);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> input(data, size);
  std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto k = PublicKey::from_der(input)) round_trip(*k);
  if (auto k = PublicKey::from_pem(text)) round_trip(*k);
  if (auto k = PublicKey::from_raw(KeyType::kEd25519, input)) round_trip(*k);
  if (auto k = PublicKey::from_raw(KeyType::kEcdsaP256, input)) round_trip(*k);
  if (auto k = PrivateKey::from_der(input)) check(k->public_key().ok());
  if (auto k = PrivateKey::from_pem(text)) check(k->public_key().ok());

  if (auto p1363 = axle::crypto::ecdsa_der_to_p1363(input)) {
    check(p1363->size() == 64);
    auto der = axle::crypto::ecdsa_p1363_to_der(*p1363);
    check(der.ok() && std::equal(der->begin(), der->end(), input.begin(), input.end()));
  }
  (void)axle::crypto::ecdsa_p1363_to_der(input);
  return 0;
}
