// A vendor CA and one device (key and certificate) in a temporary state dir, with the inputs to
// sign identity documents for that device and a policy that trusts the CA: what the document and
// verifier tests start from.
#pragma once

#include <string>

#include "axle/core/state_dir.hpp"
#include "axle/crypto/keys.hpp"
#include "axle/identity/document.hpp"
#include "axle/identity/vendor_ca.hpp"
#include "support/test_support.hpp"

namespace axle::test {

enum class NonceCache { kFile, kMemory };

struct Pki {
  TempDir dir;
  StateDir state = *StateDir::open(dir.path() / "state");
  identity::VendorCa ca = *identity::VendorCa::init(state, {});
  crypto::PrivateKey device = *crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  std::string cert = *ca.issue(*device.public_key(), "device-1", 30);
  NonceCache nonces = NonceCache::kFile;

  [[nodiscard]] identity::GenerateInputs inputs() const {
    identity::GenerateInputs in;
    in.manufacturer_id.fill(0x11);
    in.secure_boot.value.fill(0x22);
    in.device_key = &device;
    in.certificate_pem = cert;
    return in;
  }
  // Trusts this CA; seen nonces in `dir`/nonces, or in memory with NonceCache::kMemory.
  [[nodiscard]] identity::VerifyPolicy policy() const {
    identity::VerifyPolicy p;
    p.trusted_roots_pem = {ca.root_pem()};
    if (nonces == NonceCache::kMemory) {
      p.memory_nonce_cache = true;
    } else {
      p.nonce_cache = dir.path() / "nonces";
    }
    p.revocation_list = dir.path() / "revoked";
    return p;
  }
};

// The canonical JSON of a document generated from `in` (empty, and a test failure, on error).
inline std::string generate(const identity::GenerateInputs& in) {
  auto doc = identity::generate_document(in);
  EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error().to_string());
  return doc.ok() ? doc->canonical_json() : std::string();
}

}  // namespace axle::test
