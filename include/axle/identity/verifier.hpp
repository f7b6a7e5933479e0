// A relying party's verifier of identity documents, for verifying many documents.
//
// Everything that does not change between documents is done once and kept:
//   - device certificates, keyed by the SHA-256 of their DER (the whole certificate field: leaf
//     and any certificates after it), with the verdict of their chain to the trusted roots under
//     the current CRLs. Only successful verdicts are kept, each valid from the latest notBefore
//     to the earliest notAfter of the certificates involved (the field's and the roots') and the
//     earliest CRL nextUpdate, and only for the CRL generation it was reached under (set_crls
//     starts a new one). A refused chain is checked again in full every time.
//   - the Ed25519 verification context of each cached certificate's key;
//   - the seen-nonce cache (see VerifyPolicy) and the revocation list (re-read when its file
//     changes).
// Every document still gets its own signature check, EDID check, revocation check, timestamp
// window and nonce replay check: a cache hit only skips re-proving what the certificate chain
// already proved. `verify_document` and `axle id verify` use this class for a single document.
//
// One verifier is safe to share between threads (verify holds an internal lock); for parallel
// verification use one verifier per thread, sharing a nonce cache file.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "axle/identity/document.hpp"

namespace axle::identity {

class DocumentVerifier {
 public:
  explicit DocumentVerifier(VerifyPolicy policy);
  ~DocumentVerifier();
  DocumentVerifier(DocumentVerifier&&) noexcept;
  DocumentVerifier& operator=(DocumentVerifier&&) noexcept;
  DocumentVerifier(const DocumentVerifier&) = delete;
  DocumentVerifier& operator=(const DocumentVerifier&) = delete;

  // Never throws; on success the nonce is recorded in the nonce cache. The verification time is
  // policy.now_ms, or the clock when that is 0.
  [[nodiscard]] VerifyVerdict verify(std::string_view json);
  // At an explicit time (UTC ms; e.g. a relying party checking a log of received documents): the
  // timestamp window, the certificates' validity and the cached verdicts' bounds are all judged
  // at `now_ms`.
  [[nodiscard]] VerifyVerdict verify(std::string_view json, std::int64_t now_ms);

  // Replaces the CRLs (e.g. a freshly fetched vendor CRL): a new CRL generation, so no chain
  // verdict reached under the old CRLs is reused.
  void set_crls(std::vector<std::string> crls_pem);

  struct CacheStats {
    std::uint64_t chain_hits = 0;    // documents whose chain verdict came from the cache
    std::uint64_t chain_checks = 0;  // full chain checks (first sight, expiry, new CRLs, refusals)
    std::size_t certificates = 0;    // cached certificates
  };
  [[nodiscard]] CacheStats cache_stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace axle::identity
