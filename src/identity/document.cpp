#include "axle/identity/document.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "axle/core/clock.hpp"
#include "axle/core/files.hpp"
#include "axle/crypto/mac.hpp"
#include "axle/crypto/random.hpp"
#include "axle/crypto/x509.hpp"
#include "axle/identity/signer.hpp"
#include "canonical_json.hpp"
#include "tree.hpp"

namespace axle::identity {

namespace {

std::string_view mode_name(DocumentMode m) {
  return m == DocumentMode::kRealName ? "real-name" : "anonymous";
}

}  // namespace

std::string IdentityDocument::canonical_json(bool with_signature) const {
  return detail::canonical_document(*this, with_signature);
}

std::string detail::canonical_document(const IdentityDocument& doc, bool with_signature,
                                       std::size_t* signature_at) {
  // RFC 8785 for this field set: keys in std::string order (what nlohmann::json's std::map gave
  // the documents signed before this writer), no whitespace, integers only. Written by hand:
  // building a nlohmann::json tree cost more than a tenth of an Ed25519 signature.
  std::string out;
  out.reserve(256 + doc.certificate_pem.size() + doc.relying_party.size() + 2 * 64);
  bool first = true;
  auto key = [&](std::string_view k) {
    out += first ? "{\"" : ",\"";
    first = false;
    out += k;
    out += "\":";
  };
  auto string_field = [&](std::string_view k, std::string_view v) {
    key(k);
    detail::write_json_string(out, v);
  };
  auto hex_field = [&](std::string_view k, std::span<const std::uint8_t> v) {
    key(k);
    out += '"';
    detail::append_hex(out, v);
    out += '"';
  };
  const bool real_name = doc.mode == DocumentMode::kRealName;
  if (real_name) string_field("certificate", doc.certificate_pem);
  string_field("edid", doc.edid);
  hex_field("manufacturer_id", doc.manufacturer_id);
  string_field("mode", mode_name(doc.mode));
  hex_field("nonce", doc.nonce);
  if (!real_name) hex_field("pseudonym", doc.pseudonym);
  hex_field("public_key", doc.public_key);
  if (!real_name) string_field("relying_party", doc.relying_party);
  hex_field("secure_boot_hash", doc.secure_boot_hash);
  string_field("secure_boot_source",
               doc.secure_boot_from_tpm ? "tpm-pcr0" : "fingerprint-fallback");
  if (with_signature) hex_field("signature", doc.signature);
  if (signature_at != nullptr) *signature_at = out.size();
  key("timestamp_ms");
  out += std::to_string(doc.timestamp_ms);
  string_field("version", doc.version);
  out += '}';
  return out;
}

Result<IdentityDocument> generate_document(const GenerateInputs& in) {
  AXLE_TRY(auto signer, DocumentSigner::create(in));
  AXLE_TRY(auto signed_doc, signer.sign());
  return std::move(signed_doc.document);
}

namespace {

const detail::FlatField* find_field(const std::vector<detail::FlatField>& fields,
                                    std::string_view key) {
  for (const auto& f : fields) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

// The general reader, for documents not in the canonical form (pretty-printed, \u escapes,
// UTF-8): the same fields as parse_flat_canonical gives, nested values marked kOther.
Result<std::vector<detail::FlatField>> general_fields(std::string_view json) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception&) {
    return make_error(ErrorCode::kInvalidArgument, "not an axle identity document: not valid JSON");
  }
  if (!j.is_object()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "not an axle identity document: not a JSON object");
  }
  std::vector<detail::FlatField> fields;
  for (const auto& [key, value] : j.items()) {
    detail::FlatField f;
    f.key = key;
    if (value.is_string()) {
      f.kind = detail::FlatField::Kind::kString;
      f.text = value.get<std::string>();
    } else if (value.is_number_integer()) {
      f.kind = detail::FlatField::Kind::kInteger;
      f.integer = value.get<std::int64_t>();
    }
    fields.push_back(std::move(f));
  }
  return fields;
}

Result<IdentityDocument> document_from_fields(const std::vector<detail::FlatField>& fields) {
  auto malformed = [](std::string_view why) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("not an axle identity document: {}", why));
  };
  auto text = [&fields](std::string_view key) -> const std::string* {
    const auto* f = find_field(fields, key);
    return f != nullptr && f->kind == detail::FlatField::Kind::kString ? &f->text : nullptr;
  };
  IdentityDocument doc;
  const std::string* version = text("version");
  const std::string* mode = text("mode");
  if (version == nullptr || *version != doc.version) return malformed("unknown or missing version");
  if (mode == nullptr || (*mode != "real-name" && *mode != "anonymous")) {
    return malformed("bad mode");
  }
  doc.mode = *mode == "real-name" ? DocumentMode::kRealName : DocumentMode::kAnonymous;
  const std::size_t expected_fields = doc.mode == DocumentMode::kRealName ? 11 : 12;
  if (fields.size() != expected_fields) return malformed("unexpected or missing fields");

  auto fixed = [&](std::string_view key, std::span<std::uint8_t> out) -> bool {
    const std::string* v = text(key);
    return v != nullptr && detail::from_hex_into(*v, out);
  };
  const std::string* edid = text("edid");
  const std::string* source = text("secure_boot_source");
  const auto* ts = find_field(fields, "timestamp_ms");
  const std::string* pub = text("public_key");
  const std::string* sig = text("signature");
  if (edid == nullptr || source == nullptr || ts == nullptr ||
      ts->kind != detail::FlatField::Kind::kInteger || pub == nullptr || sig == nullptr) {
    return malformed("a required field is missing or has the wrong type");
  }
  doc.edid = *edid;
  if (*source != "tpm-pcr0" && *source != "fingerprint-fallback") return malformed("bad source");
  doc.secure_boot_from_tpm = *source == "tpm-pcr0";
  doc.timestamp_ms = ts->integer;
  if (!fixed("manufacturer_id", doc.manufacturer_id) ||
      !fixed("secure_boot_hash", doc.secure_boot_hash) || !fixed("nonce", doc.nonce)) {
    return malformed("a hex field has the wrong length or characters");
  }
  doc.public_key.resize(32);
  doc.signature.resize(64);
  if (!detail::from_hex_into(*pub, doc.public_key) || !detail::from_hex_into(*sig, doc.signature)) {
    return malformed("bad public_key or signature encoding");
  }
  if (doc.mode == DocumentMode::kRealName) {
    const std::string* cert = text("certificate");
    if (cert == nullptr) return malformed("a real-name document needs its certificate");
    doc.certificate_pem = *cert;
  } else {
    const std::string* rp = text("relying_party");
    if (rp == nullptr || rp->empty() || !fixed("pseudonym", doc.pseudonym)) {
      return malformed("an anonymous document needs relying_party and pseudonym");
    }
    doc.relying_party = *rp;
  }
  return doc;
}

}  // namespace

Result<IdentityDocument> parse_document(std::string_view json) {
  // The canonical form (every document axle writes) is read without building a JSON tree.
  if (auto fields = detail::parse_flat_canonical(json)) return document_from_fields(*fields);
  AXLE_TRY(auto fields, general_fields(json));
  return document_from_fields(fields);
}

std::string_view verify_failure_name(VerifyFailure f) noexcept {
  switch (f) {
    case VerifyFailure::kNone: return "ok";
    case VerifyFailure::kMalformed: return "malformed";
    case VerifyFailure::kBadSignature: return "bad_signature";
    case VerifyFailure::kUntrustedChain: return "untrusted_chain";
    case VerifyFailure::kCertificateExpired: return "certificate_expired";
    case VerifyFailure::kRevoked: return "revoked";
    case VerifyFailure::kTimestamp: return "timestamp_out_of_window";
    case VerifyFailure::kReplay: return "replayed_nonce";
    case VerifyFailure::kVerifierState: return "verifier_state";
  }
  return "unknown";
}

}  // namespace axle::identity
