// Runs every proof file of ../shared/vectors/merkle through the library.
#include <gtest/gtest.h>

#include <filesystem>

#include "axle/audit/proof_json.hpp"
#include "support/test_support.hpp"

namespace axle::audit {
namespace {

std::vector<std::filesystem::path> vector_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(ProofVectors, EveryMerkleVector_GivesItsExpectedResult) {
  const auto shared = test::shared_dir();
  if (!shared || !std::filesystem::exists(*shared / "vectors/merkle")) {
    GTEST_SKIP() << "../shared/vectors/merkle is absent; skipping vector test";
  }
  const auto files = vector_files(*shared / "vectors/merkle");
  std::size_t inclusion = 0;
  std::size_t consistency = 0;
  std::size_t want_err = 0;
  for (const auto& file : files) {
    const auto doc = nlohmann::json::parse(test::read_file(file));
    const bool expect_error = doc.at("wantErr").get<bool>();
    auto parsed = parse_proof_json(test::read_file(file));
    ASSERT_TRUE(parsed.ok()) << file << ": " << parsed.error().message;
    (std::holds_alternative<InclusionProofFile>(*parsed) ? inclusion : consistency)++;
    want_err += expect_error ? 1 : 0;
    auto verdict = verify_proof_file(*parsed);
    EXPECT_EQ(verdict.ok(), !expect_error)
        << file << " (" << doc.value("desc", "") << ")"
        << (verdict.ok() ? std::string() : ": " + verdict.error().message);
    if (!verdict.ok()) {
      EXPECT_EQ(verdict.error().code, ErrorCode::kVerificationFailed) << file;
    }
  }
  EXPECT_EQ(inclusion + consistency, files.size());
  EXPECT_GT(inclusion, 0U);
  EXPECT_GT(consistency, 0U);
  EXPECT_GT(want_err, 0U);
  EXPECT_LT(want_err, files.size());
  std::cout << "merkle vectors: " << files.size() << " files (" << inclusion << " inclusion, "
            << consistency << " consistency, " << want_err << " expected to fail)\n";
}

TEST(ProofJson, PrintedProofParsesBackUnchanged) {
  InclusionProofFile p;
  p.leaf_index = 5;
  p.tree_size = 8;
  p.root = ByteString(32, 0xAB);
  p.leaf_hash = ByteString(32, 0x01);
  p.proof = {ByteString(32, 0x02), ByteString(32, 0x03)};
  auto back = parse_proof_json(to_proof_json(ProofFile{p}));
  ASSERT_TRUE(back.ok());
  const auto& q = std::get<InclusionProofFile>(*back);
  EXPECT_EQ(q.leaf_index, 5U);
  EXPECT_EQ(q.root, p.root);
  EXPECT_EQ(q.proof, p.proof);
}

TEST(ProofJson, MalformedFiles_AreInvalidArgument) {
  for (const char* bad :
       {"[]", "{}", R"({"leafIdx":-1,"treeSize":1,"root":"","leafHash":"","proof":[]})",
        R"({"leafIdx":0,"treeSize":1,"root":"@@@@","leafHash":"","proof":[]})",
        R"({"leafIdx":0,"treeSize":1,"root":"","leafHash":"","proof":[1]})",
        R"({"size1":1,"size2":1,"root1":"QQ=","root2":"","proof":[]})",
        R"({"size1":1,"size2":1,"root1":"","proof":[]})"}) {
    auto p = parse_proof_json(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace axle::audit
