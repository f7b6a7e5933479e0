// The seen-nonce cache of identity verification (private to axle::identity).
//
// File form (unchanged from the first version): one "<hex nonce> <expiry UTC ms>" line per
// accepted document. A verifier keeps the live entries in memory and, per document, takes an
// exclusive flock on the file, reads only the lines other verifiers appended since its last look,
// appends its own line (fdatasync when `sync`), and releases the lock: a nonce is accepted once
// across every process sharing the file, without re-reading and rewriting the whole file per
// document. When expired lines outnumber live ones the file is rewritten (temp file + rename);
// the others notice the new inode and reload.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "axle/core/result.hpp"
#include "axle/identity/edid.hpp"

namespace axle::identity::detail {

class NonceStore {
 public:
  // Memory only: for a relying-party process that accepts losing its seen nonces on restart.
  static std::unique_ptr<NonceStore> memory();
  // The persistent cache; the file is created (0600) on the first accepted nonce.
  static std::unique_ptr<NonceStore> file(std::filesystem::path path, bool sync);

  virtual ~NonceStore() = default;
  // Ok(true): fresh, now recorded until expiry_ms. Ok(false): seen before and not expired (a
  // replay). An error: the cache cannot be read or written (the document must be refused).
  [[nodiscard]] virtual Result<bool> check_and_record(const Nonce& nonce, std::int64_t expiry_ms,
                                                      std::int64_t now_ms) = 0;
};

}  // namespace axle::identity::detail
