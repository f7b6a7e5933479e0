// JSON proof files (the format of ../shared/vectors/merkle).
#include "axle/audit/proof_json.hpp"

#include <nlohmann/json.hpp>

#include "base64.hpp"

namespace axle::audit {

namespace {

using nlohmann::json;

Error bad(const std::string& why) {
  return make_error(ErrorCode::kInvalidArgument, "proof file: " + why);
}

Result<std::uint64_t> get_u64(const json& doc, const char* key) {
  const auto it = doc.find(key);
  if (it == doc.end()) return bad(std::string("missing \"") + key + "\"");
  if (!it->is_number_unsigned()) {
    return bad(std::string("\"") + key + "\" must be a non-negative integer");
  }
  return it->get<std::uint64_t>();
}

Result<ByteString> get_b64(const json& doc, const char* key) {
  const auto it = doc.find(key);
  if (it == doc.end()) return bad(std::string("missing \"") + key + "\"");
  if (!it->is_string()) return bad(std::string("\"") + key + "\" must be a base64 string");
  auto bytes = detail::base64_decode(it->get<std::string>());
  if (!bytes) return bad(std::string("\"") + key + "\" is not standard base64");
  return std::move(*bytes);
}

Result<std::vector<ByteString>> get_proof(const json& doc) {
  const auto it = doc.find("proof");
  if (it == doc.end()) return bad("missing \"proof\"");
  std::vector<ByteString> out;
  if (it->is_null()) return out;
  if (!it->is_array()) return bad("\"proof\" must be an array of base64 strings or null");
  for (const json& item : *it) {
    if (!item.is_string()) return bad("\"proof\" must hold base64 strings");
    auto bytes = detail::base64_decode(item.get<std::string>());
    if (!bytes) return bad("a \"proof\" element is not standard base64");
    out.push_back(std::move(*bytes));
  }
  return out;
}

void read_info(const json& doc, std::string& desc, bool& want_err) {
  if (const auto d = doc.find("desc"); d != doc.end() && d->is_string())
    desc = d->get<std::string>();
  if (const auto w = doc.find("wantErr"); w != doc.end() && w->is_boolean())
    want_err = w->get<bool>();
}

json proof_array(const std::vector<ByteString>& proof) {
  json arr = json::array();
  for (const ByteString& p : proof) arr.push_back(detail::base64_encode(p));
  return arr;
}

}  // namespace

Result<ProofFile> parse_proof_json(std::string_view text) {
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return bad("not a JSON object");
  if (doc.contains("leafIdx")) {
    InclusionProofFile p;
    AXLE_TRY(p.leaf_index, get_u64(doc, "leafIdx"));
    AXLE_TRY(p.tree_size, get_u64(doc, "treeSize"));
    AXLE_TRY(p.root, get_b64(doc, "root"));
    AXLE_TRY(p.leaf_hash, get_b64(doc, "leafHash"));
    AXLE_TRY(p.proof, get_proof(doc));
    read_info(doc, p.desc, p.want_err);
    return ProofFile{std::move(p)};
  }
  if (doc.contains("size1")) {
    ConsistencyProofFile p;
    AXLE_TRY(p.size1, get_u64(doc, "size1"));
    AXLE_TRY(p.size2, get_u64(doc, "size2"));
    AXLE_TRY(p.root1, get_b64(doc, "root1"));
    AXLE_TRY(p.root2, get_b64(doc, "root2"));
    AXLE_TRY(p.proof, get_proof(doc));
    read_info(doc, p.desc, p.want_err);
    return ProofFile{std::move(p)};
  }
  return bad("neither an inclusion proof (leafIdx) nor a consistency proof (size1)");
}

std::string to_proof_json(const ProofFile& proof) {
  nlohmann::ordered_json doc;
  if (const auto* inc = std::get_if<InclusionProofFile>(&proof)) {
    doc["leafIdx"] = inc->leaf_index;
    doc["treeSize"] = inc->tree_size;
    doc["root"] = detail::base64_encode(inc->root);
    doc["leafHash"] = detail::base64_encode(inc->leaf_hash);
    doc["proof"] = proof_array(inc->proof);
    doc["desc"] = inc->desc;
    doc["wantErr"] = inc->want_err;
  } else {
    const auto& con = std::get<ConsistencyProofFile>(proof);
    doc["size1"] = con.size1;
    doc["size2"] = con.size2;
    doc["root1"] = detail::base64_encode(con.root1);
    doc["root2"] = detail::base64_encode(con.root2);
    doc["proof"] = proof_array(con.proof);
    doc["desc"] = con.desc;
    doc["wantErr"] = con.want_err;
  }
  return doc.dump(2) + "\n";
}

Result<void> verify_proof_file(const ProofFile& proof) {
  if (const auto* inc = std::get_if<InclusionProofFile>(&proof)) {
    return verify_inclusion(inc->leaf_index, inc->tree_size, inc->leaf_hash, inc->proof, inc->root);
  }
  const auto& con = std::get<ConsistencyProofFile>(proof);
  return verify_consistency(con.size1, con.size2, con.root1, con.root2, con.proof);
}

}  // namespace axle::audit
