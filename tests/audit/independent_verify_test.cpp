// "A checkpoint and a proof printed by axle verify with any independent RFC 9162
// implementation": what `axle audit checkpoint|key|prove|consistency|tail` print is checked by
// tests/audit/independent_verify/main.go, built here against Go's golang.org/x/mod/sumdb/tlog and
// sumdb/note (Debian's golang-golang-x-mod-dev), which share no code with axle.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/test_support.hpp"

namespace axle::audit {
namespace {

namespace fs = std::filesystem;
using test::run_command;

constexpr int kEntries = 9;
constexpr int kOldSize = 4;

class IndependentVerify : public ::testing::Test {
 protected:
  void SetUp() override {
    if (run_command({"sh", "-c", "command -v go"}).exit_code != 0) {
      GTEST_SKIP() << "the Go toolchain (Debian's golang-go) is not installed; scripts/setup.sh "
                      "installs it";
    }
    if (!fs::exists("/usr/share/gocode/src/golang.org/x/mod/sumdb/tlog")) {
      GTEST_SKIP() << "golang.org/x/mod (Debian's golang-golang-x-mod-dev) is not installed";
    }
    verifier_ = (tmp_.path() / "independent_verify").string();
    const std::vector<std::string> env = {"GO111MODULE=off", "GOPATH=/usr/share/gocode", "GOFLAGS=",
                                          "GOCACHE=" + (tmp_.path() / "gocache").string(),
                                          "HOME=" + tmp_.path().string()};
    auto built = run_command({"go", "build", "-o", verifier_,
                              std::string(AXLE_AUDIT_TEST_DIR) + "/independent_verify/main.go"},
                             env, 300);
    ASSERT_EQ(built.exit_code, 0) << built.err;

    state_ = (tmp_.path() / "state").string();
    for (int i = 0; i < kEntries; ++i) {
      if (i == kOldSize) checkpoint("old.cp");
      auto r = axle({"audit", "append", "--op", "key.rotate", "--outcome", "success", "--target",
                     "key-" + std::to_string(i), "--reason",
                     "rotation \"" + std::to_string(i) + "\" [scheduled]"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    checkpoint("new.cp");
    auto key = axle({"audit", "key"});
    ASSERT_EQ(key.exit_code, 0) << key.err;
    vkey_ = key.out.substr(0, key.out.find('\n'));
    auto tail = axle({"audit", "tail", "-n", std::to_string(kEntries), "--json"});
    ASSERT_EQ(tail.exit_code, 0) << tail.err;
    entries_ = nlohmann::json::parse(tail.out).at("entries");
    ASSERT_EQ(entries_.size(), static_cast<std::size_t>(kEntries));
  }

  test::CommandResult axle(std::vector<std::string> args) {
    args.insert(args.begin(), test::axle_binary());
    args.insert(args.end(), {"--state-dir", state_});
    return run_command(args);
  }

  void checkpoint(const std::string& name) {
    auto r = axle({"audit", "checkpoint"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    test::write_file(tmp_.path() / name, r.out);
  }

  // Writes entry `seq` (from `axle audit tail --json`) and its proof, then runs the Go verifier.
  test::CommandResult check_entry(int seq, bool with_consistency) {
    for (const auto& e : entries_) {
      if (e.at("seq").get<int>() == seq) test::write_file(tmp_.path() / "entry.json", e.dump());
    }
    auto proof = axle({"audit", "prove", std::to_string(seq), "--json"});
    EXPECT_EQ(proof.exit_code, 0) << proof.err;
    test::write_file(tmp_.path() / "inclusion.json", proof.out);
    std::vector<std::string> argv = {verifier_,
                                     "-vkey",
                                     vkey_,
                                     "-checkpoint",
                                     (tmp_.path() / "new.cp").string(),
                                     "-entry",
                                     (tmp_.path() / "entry.json").string(),
                                     "-inclusion",
                                     (tmp_.path() / "inclusion.json").string()};
    if (with_consistency) {
      auto consistency =
          axle({"audit", "consistency", std::to_string(kOldSize), std::to_string(kEntries)});
      EXPECT_EQ(consistency.exit_code, 0) << consistency.err;
      test::write_file(tmp_.path() / "consistency.json", consistency.out);
      argv.insert(argv.end(), {"-old-checkpoint", (tmp_.path() / "old.cp").string(), "-consistency",
                               (tmp_.path() / "consistency.json").string()});
    }
    return run_command(argv);
  }

  // Runs the verifier again on the files of the last check_entry, after `edit` changed one.
  test::CommandResult recheck_after(const std::string& file, const std::string& from,
                                    const std::string& to) {
    std::string text = test::read_file(tmp_.path() / file);
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from << " not in " << file;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    test::write_file(tmp_.path() / file, text);
    return run_command({verifier_, "-vkey", vkey_, "-checkpoint", (tmp_.path() / "new.cp").string(),
                        "-entry", (tmp_.path() / "entry.json").string(), "-inclusion",
                        (tmp_.path() / "inclusion.json").string(), "-old-checkpoint",
                        (tmp_.path() / "old.cp").string(), "-consistency",
                        (tmp_.path() / "consistency.json").string()});
  }

  test::TempDir tmp_;
  std::string verifier_;
  std::string state_;
  std::string vkey_;
  nlohmann::json entries_;
};

TEST_F(IndependentVerify, EveryEntryAndTheConsistencyProofVerifyWithGoSumdbTlog) {
  for (int seq = 0; seq < kEntries; ++seq) {
    auto r = check_entry(seq, seq == 0);
    EXPECT_EQ(r.exit_code, 0) << "entry " << seq << ": " << r.err;
    EXPECT_NE(r.out.find("inclusion: entry " + std::to_string(seq) + " is in"), std::string::npos)
        << r.out;
  }
  auto r = check_entry(kEntries - 1, true);
  EXPECT_NE(r.out.find("consistency: size " + std::to_string(kEntries) + " extends size " +
                       std::to_string(kOldSize)),
            std::string::npos)
      << r.out << r.err;
}

TEST_F(IndependentVerify, GoRefusesAChangedEntry) {
  ASSERT_EQ(check_entry(2, true).exit_code, 0);
  auto r = recheck_after("entry.json", "key-2", "key-X");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("leaf hash is not the hash of the entry"), std::string::npos) << r.err;
}

TEST_F(IndependentVerify, GoRefusesAChangedCheckpoint) {
  ASSERT_EQ(check_entry(2, true).exit_code, 0);
  auto r = recheck_after("new.cp", "\n" + std::to_string(kEntries) + "\n",
                         "\n" + std::to_string(kEntries + 1) + "\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("signature"), std::string::npos) << r.err;
}

TEST_F(IndependentVerify, GoRefusesAChangedProofHash) {
  ASSERT_EQ(check_entry(2, true).exit_code, 0);
  auto proof = nlohmann::json::parse(test::read_file(tmp_.path() / "consistency.json"));
  const std::string first = proof.at("proof").at(0).get<std::string>();
  std::string changed = first;
  changed[0] = changed[0] == 'A' ? 'B' : 'A';
  auto r = recheck_after("consistency.json", first, changed);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("consistency"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace axle::audit
