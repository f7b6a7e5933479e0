// A device's signer of identity documents, for signing many (one per relying party contact, or
// the benchmark).
//
// Everything that does not change between documents is done once: the signing key's Ed25519
// context (an OpenSSL signing setup costs about a tenth of a signature), its raw public key, the
// anonymous mode's pseudonym and per-relying-party key. Nonces are drawn from the CSPRNG 256 at a
// time (16 bytes each, never reused: the pool is dropped in a forked child). Each document still
// gets its own timestamp, nonce, EDID and signature; the canonical JSON is written once, and the
// signed form is that text with the signature inserted.
//
// `generate_document` uses a DocumentSigner made for one document. A signer may be shared between
// threads (sign() holds an internal lock).
#pragma once

#include <memory>
#include <string>

#include "axle/core/result.hpp"
#include "axle/identity/document.hpp"

namespace axle::identity {

class DocumentSigner {
 public:
  // `inputs.device_key` (real-name) or `inputs.pseudonymisation_key` (anonymous) must outlive the
  // signer; inputs.timestamp_ms 0 means "now" at each sign().
  [[nodiscard]] static Result<DocumentSigner> create(const GenerateInputs& inputs);

  struct Signed {
    IdentityDocument document;
    std::string json;  // document.canonical_json(), the text to send
  };
  [[nodiscard]] Result<Signed> sign();

  ~DocumentSigner();
  DocumentSigner(DocumentSigner&&) noexcept;
  DocumentSigner& operator=(DocumentSigner&&) noexcept;
  DocumentSigner(const DocumentSigner&) = delete;
  DocumentSigner& operator=(const DocumentSigner&) = delete;

 private:
  struct Impl;
  explicit DocumentSigner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace axle::identity
