// The JSON proof files of ../shared/vectors/merkle, read by `axle audit verify-proof` and written
// by `axle audit prove --json` / `axle audit consistency --json`:
//
//   inclusion:   {"leafIdx": n, "treeSize": n, "root": b64, "leafHash": b64, "proof": [b64...],
//                 "desc": "...", "wantErr": false}
//   consistency: {"size1": n, "size2": n, "root1": b64, "root2": b64, "proof": [b64...], ...}
//
// Hashes are standard base64 (RFC 4648 §4); "proof" may be null (no hashes); "desc" and "wantErr"
// are informational and ignored by verification.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "axle/audit/proof_verify.hpp"
#include "axle/core/result.hpp"

namespace axle::audit {

struct InclusionProofFile {
  std::uint64_t leaf_index = 0;
  std::uint64_t tree_size = 0;
  ByteString root;
  ByteString leaf_hash;
  std::vector<ByteString> proof;
  std::string desc;
  bool want_err = false;
};

struct ConsistencyProofFile {
  std::uint64_t size1 = 0;
  std::uint64_t size2 = 0;
  ByteString root1;
  ByteString root2;
  std::vector<ByteString> proof;
  std::string desc;
  bool want_err = false;
};

using ProofFile = std::variant<InclusionProofFile, ConsistencyProofFile>;

// kInvalidArgument when the text is not JSON, is neither shape, or a field is missing, mistyped or
// not base64.
[[nodiscard]] Result<ProofFile> parse_proof_json(std::string_view text);
// Pretty-printed (2 spaces), with a final newline.
[[nodiscard]] std::string to_proof_json(const ProofFile& proof);
// Runs the matching verify_* function.
[[nodiscard]] Result<void> verify_proof_file(const ProofFile& proof);

}  // namespace axle::audit
