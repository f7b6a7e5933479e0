// Uses axle's public headers and libraries as a downstream user would, and checks results.
#include <cstdio>
#include <string_view>

#include "axle/core/clock.hpp"
#include "axle/crypto/hash.hpp"
#include "axle/crypto/keys.hpp"

int main() {
  std::string_view abc = "abc";
  auto digest = axle::crypto::sha256(
      {reinterpret_cast<const std::uint8_t*>(abc.data()), abc.size()});
  if (!digest || (*digest)[0] != 0xba || (*digest)[31] != 0xad) {
    std::fprintf(stderr, "sha256(abc) is wrong\n");
    return 1;
  }
  auto key = axle::crypto::PrivateKey::generate(axle::crypto::KeyType::kEd25519);
  if (!key) return 1;
  auto sig = key->sign({reinterpret_cast<const std::uint8_t*>(abc.data()), abc.size()});
  auto pub = key->public_key();
  if (!sig || !pub ||
      !pub->verify({reinterpret_cast<const std::uint8_t*>(abc.data()), abc.size()}, *sig)) {
    std::fprintf(stderr, "Ed25519 sign/verify failed\n");
    return 1;
  }
  std::printf("consumer ok at %s\n", axle::format_utc_ms(axle::utc_ms()).c_str());
  return 0;
}
