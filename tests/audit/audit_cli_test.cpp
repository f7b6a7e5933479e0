// Runs the real `axle audit ...` commands: every Merkle vector through verify-proof, proofs
// printed by prove/consistency, and verify finding tampering in files edited on disk.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_support.hpp"

namespace axle::audit {
namespace {

using test::run_command;

test::CommandResult axle(const std::vector<std::string>& args, const std::string& state = {}) {
  std::vector<std::string> argv{test::axle_binary()};
  if (!state.empty()) {
    argv.push_back("--state-dir");
    argv.push_back(state);
  }
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, {"AXLE_CONFIG="}, 60);
}

TEST(AuditCli, VerifyProof_GivesEveryMerkleVectorsExpectedResult) {
  const auto shared = test::shared_dir();
  if (!shared || !std::filesystem::exists(*shared / "vectors/merkle")) {
    GTEST_SKIP() << "../shared/vectors/merkle is absent; skipping vector test";
  }
  std::size_t files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(*shared / "vectors/merkle")) {
    if (!e.is_regular_file() || e.path().extension() != ".json") continue;
    ++files;
    const bool want_err =
        nlohmann::json::parse(test::read_file(e.path())).at("wantErr").get<bool>();
    const auto r = axle({"audit", "verify-proof", e.path().string()});
    if (want_err) {
      EXPECT_EQ(r.exit_code, 3) << e.path() << "\n" << r.err;
      EXPECT_NE(r.err.find("proof does not verify"), std::string::npos) << r.err;
      EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
    } else {
      EXPECT_EQ(r.exit_code, 0) << e.path() << "\n" << r.err;
    }
  }
  EXPECT_GT(files, 150U);
}

TEST(AuditCli, VerifyProof_MalformedFileExitsWith4) {
  test::TempDir tmp;
  test::write_file(tmp.path() / "bad.json", R"({"leafIdx": 0})");
  EXPECT_EQ(axle({"audit", "verify-proof", (tmp.path() / "bad.json").string()}).exit_code, 4);
  EXPECT_EQ(axle({"audit", "verify-proof", (tmp.path() / "missing.json").string()}).exit_code, 1);
}

TEST(AuditCli, ProveAndConsistencyOutput_VerifiesThroughVerifyProof) {
  test::TempDir tmp;
  const std::string state = (tmp.path() / "state").string();
  for (int i = 0; i < 7; ++i) {
    auto r = axle({"audit", "append", "--op", "config.change", "--outcome", "success", "--target",
                   "key-" + std::to_string(i)},
                  state);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  auto prove = axle({"audit", "prove", "5", "--json"}, state);
  ASSERT_EQ(prove.exit_code, 0) << prove.err;
  test::write_file(tmp.path() / "inclusion.json", prove.out);
  EXPECT_EQ(axle({"audit", "verify-proof", (tmp.path() / "inclusion.json").string()}).exit_code, 0);
  auto cons = axle({"audit", "consistency", "3", "7", "--json"}, state);
  ASSERT_EQ(cons.exit_code, 0) << cons.err;
  test::write_file(tmp.path() / "consistency.json", cons.out);
  EXPECT_EQ(axle({"audit", "verify-proof", (tmp.path() / "consistency.json").string()}).exit_code,
            0);
  // The same proof against another leaf index must fail.
  auto doc = nlohmann::json::parse(prove.out);
  doc["leafIdx"] = 4;
  test::write_file(tmp.path() / "wrong.json", doc.dump());
  EXPECT_EQ(axle({"audit", "verify-proof", (tmp.path() / "wrong.json").string()}).exit_code, 3);
}

TEST(AuditCli, VerifyAfterEditingASegmentOnDisk_Exits3AndNamesTheEntry) {
  test::TempDir tmp;
  const std::string state = (tmp.path() / "state").string();
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(axle({"audit", "append", "--op", "auth.login", "--outcome", "success", "--actor",
                    "edid:user-" + std::to_string(i)},
                   state)
                  .exit_code,
              0);
  }
  ASSERT_EQ(axle({"audit", "checkpoint"}, state).exit_code, 0);
  auto ok = axle({"audit", "verify"}, state);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  const auto seg = tmp.path() / "state/audit/log/seg-00000000000000000000.log";
  std::string content = test::read_file(seg);
  const auto at = content.find("edid:user-3");
  ASSERT_NE(at, std::string::npos);
  content[at + 10] = '9';  // user-3 -> user-9
  test::write_file(seg, content);
  auto bad = axle({"audit", "verify"}, state);
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.err.find("entry 3 modified"), std::string::npos) << bad.err;
}

TEST(AuditCli, CheckpointVerifiesWithThePrintedKey_AndNotWithAnother) {
  test::TempDir tmp;
  const std::string state = (tmp.path() / "state").string();
  ASSERT_EQ(
      axle({"audit", "append", "--op", "key.rotate", "--outcome", "success"}, state).exit_code, 0);
  auto cp = axle({"audit", "checkpoint"}, state);
  ASSERT_EQ(cp.exit_code, 0);
  test::write_file(tmp.path() / "cp.txt", cp.out);
  auto key = axle({"audit", "key"}, state);
  ASSERT_EQ(key.exit_code, 0);
  std::string vkey = key.out.substr(0, key.out.find('\n'));
  EXPECT_EQ(axle({"audit", "verify-checkpoint", (tmp.path() / "cp.txt").string(), "--vkey", vkey})
                .exit_code,
            0);
  const std::string other_state = (tmp.path() / "other").string();
  auto other = axle({"audit", "key"}, other_state);
  ASSERT_EQ(other.exit_code, 0);
  std::string other_vkey = other.out.substr(0, other.out.find('\n'));
  EXPECT_EQ(
      axle({"audit", "verify-checkpoint", (tmp.path() / "cp.txt").string(), "--vkey", other_vkey})
          .exit_code,
      3);
}

TEST(AuditCli, RedactedAppendHidesPersonalData_AndRevealIsAudited) {
  test::TempDir tmp;
  const std::string state = (tmp.path() / "state").string();
  const auto key = tmp.path() / "master.hex";
  test::write_file(key, std::string(64, 'a') + "\n");
  auto r = axle(
      {"audit", "append", "--redact", "--master-key-file", key.string(), "--op", "data.export",
       "--outcome", "success", "--actor", "edid:alice", "--reason", "asked by bob@example.org"},
      state);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto tail = axle({"audit", "tail"}, state);
  EXPECT_EQ(tail.out.find("alice"), std::string::npos) << tail.out;
  EXPECT_NE(tail.out.find("b***@example.org"), std::string::npos) << tail.out;
  auto reveal = axle(
      {"audit", "reveal", "0", "--master-key-file", key.string(), "--actor", "edid:dpo"}, state);
  ASSERT_EQ(reveal.exit_code, 0) << reveal.err;
  EXPECT_NE(reveal.out.find("actor=edid:alice"), std::string::npos) << reveal.out;
  auto last = axle({"audit", "tail", "-n", "1"}, state);
  EXPECT_NE(last.out.find("op=\"audit.reveal\""), std::string::npos) << last.out;
  test::write_file(key, std::string(64, 'b') + "\n");
  EXPECT_EQ(
      axle({"audit", "reveal", "0", "--master-key-file", key.string(), "--actor", "edid:x"}, state)
          .exit_code,
      3);
  EXPECT_EQ(axle({"audit", "verify"}, state).exit_code, 0);
}

TEST(AuditCli, AppendWithUnknownOp_IsAUsageError) {
  test::TempDir tmp;
  auto r = axle({"audit", "append", "--op", "no.such", "--outcome", "success"},
                (tmp.path() / "state").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown audit op"), std::string::npos);
}

}  // namespace
}  // namespace axle::audit
