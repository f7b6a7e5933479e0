// The identity document's canonical JSON without a general JSON library on the hot path.
//
// write_*: appends exactly what nlohmann::json::dump() writes for the same value (the form the
// documents have always been signed in), so documents signed before keep verifying.
// parse_flat_canonical: a strict reader for the canonical form only (one flat object, keys in
// increasing order, no whitespace, strings of printable ASCII with simple escapes, integers);
// anything else — pretty-printed, \u escapes, non-ASCII, nesting — is declined (nullopt) and
// the caller falls back to the general parser, so accepting a document never depends on which
// reader ran.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace axle::identity {
struct IdentityDocument;
}

namespace axle::identity::detail {

// The canonical JSON of `doc` (IdentityDocument::canonical_json). `signature_at`: where the
// ',"signature":"…"' member goes (or went) — after secure_boot_source, before timestamp_ms — so a
// signer can insert the signature into the signed text instead of writing it again.
std::string canonical_document(const IdentityDocument& doc, bool with_signature,
                               std::size_t* signature_at = nullptr);

void write_json_string(std::string& out, std::string_view s);

struct FlatField {
  enum class Kind { kString, kInteger, kOther };
  std::string key;
  Kind kind = Kind::kOther;
  std::string text;          // kString: the unescaped value
  std::int64_t integer = 0;  // kInteger
};

std::optional<std::vector<FlatField>> parse_flat_canonical(std::string_view json);

}  // namespace axle::identity::detail
