// Runs the real `axle` binary as a user would and checks what it prints and how it exits.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace axle {
namespace {

using test::CommandResult;
using test::run_command;
using test::TempDir;

// Runs axle with a private state dir and no inherited AXLE_* settings.
CommandResult axle(std::vector<std::string> args, std::vector<std::string> env = {}) {
  args.insert(args.begin(), test::axle_binary());
  env.push_back("AXLE_CONFIG=");
  return run_command(args, env, 120);
}

int count_lines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

TEST(CliTest, HelpExplainsAndShowsAnExample) {
  auto r = axle({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Example:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Exit codes"), std::string::npos);
  for (const char* cmd : {"version", "demo", "config"}) {
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
  }
}

TEST(CliTest, EverySubcommandHasHelpWithAnExample) {
  for (auto args : std::vector<std::vector<std::string>>{{"version", "--help"},
                                                         {"demo", "--help"},
                                                         {"config", "--help"},
                                                         {"config", "show", "--help"},
                                                         {"config", "keys", "--help"}}) {
    auto r = axle(args);
    EXPECT_EQ(r.exit_code, 0) << args[0];
    EXPECT_NE(r.out.find("Example:"), std::string::npos) << args[0] << " " << r.out;
  }
}

TEST(CliTest, UsageErrorsExitWith2AndOneLineOnStderr) {
  for (auto args : std::vector<std::vector<std::string>>{{},
                                                         {"no-such-command"},
                                                         {"version", "--no-such-flag"},
                                                         {"--log-level", "loud", "version"}}) {
    auto r = axle(args);
    EXPECT_EQ(r.exit_code, 2) << (args.empty() ? "(none)" : args[0]) << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("axle --help"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

// CLI11 alone would wrap "-1" into an unsigned option (18446744073709551615 messages to publish);
// every whole-number option refuses it, and fractions and words, naming its minimum.
TEST(CliTest, WholeNumberOptionsRefuseNegativeFractionalAndNonNumericValues) {
  TempDir dir;
  struct Case {
    std::vector<std::string> args;  // "N" marks the value under test
    std::string minimum;
  };
  const std::vector<Case> cases = {
      {{"topic", "echo", "any/topic", "-n", "N"}, "0"},
      {{"topic", "bw", "any/topic", "-n", "N"}, "0"},
      {{"topic", "pub", "any/topic", "hi", "-n", "N"}, "1"},
      {{"audit", "tail", "-n", "N"}, "1"},
      {{"audit", "prove", "N"}, "0"},
      {{"audit", "prove", "0", "--size", "N"}, "0"},
      {{"audit", "consistency", "N", "1"}, "0"},
      {{"audit", "consistency", "1", "N"}, "0"},
      {{"audit", "reveal", "N", "--master-key-file", "k", "--actor", "a"}, "0"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> values = {"-1", "1.5", "x", "18446744073709551616"};
    if (c.minimum == "1") values.push_back("0");
    for (const std::string& value : values) {
      std::vector<std::string> args = {"--state-dir", dir.path().string()};
      for (const std::string& a : c.args) args.push_back(a == "N" ? value : a);
      auto r = axle(args);
      const std::string what = c.args[0] + " " + c.args[1] + " with " + value;
      EXPECT_EQ(r.exit_code, 2) << what << ": " << r.err;
      EXPECT_EQ(count_lines(r.err), 1) << what << ": " << r.err;
      EXPECT_NE(r.err.find("must be a whole number of at least " + c.minimum + ", got " + value),
                std::string::npos)
          << what << ": " << r.err;
    }
  }
}

TEST(CliTest, VersionJsonHasEveryField) {
  auto r = axle({"version", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"version", "git_commit", "build_type", "compiler", "openssl_version",
                          "fips_provider_available"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["version"], "0.1.0");
  EXPECT_NE(j["openssl_version"].get<std::string>().find("OpenSSL 3"), std::string::npos);
  EXPECT_TRUE(j["fips_provider_available"].is_boolean());
}

TEST(CliTest, VersionTextNamesOpenSsl) {
  auto r = axle({"version"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("OpenSSL 3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FIPS provider"), std::string::npos) << r.out;
}

TEST(CliTest, ConfigShowReportsSourcesOfValues) {
  TempDir dir;
  test::write_file(dir.path() / "axle.toml", "[log]\nformat = \"json\"\n");
  auto r = axle({"--config", (dir.path() / "axle.toml").string(), "--state-dir", "/tmp/s", "config",
                 "show", "--json"},
                {"AXLE_LOG_LEVEL=info"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["values"]["log.format"]["value"], "json");
  EXPECT_EQ(j["values"]["log.format"]["source"], "file");
  EXPECT_EQ(j["values"]["log.level"]["source"], "environment");
  EXPECT_EQ(j["values"]["state_dir"]["value"], "/tmp/s");
  EXPECT_EQ(j["values"]["state_dir"]["source"], "command line");
  EXPECT_EQ(j["file"], (dir.path() / "axle.toml").string());
}

TEST(CliTest, ConfigShowJsonWithoutAFileSaysNull) {
  TempDir dir;
  auto r = axle({"--state-dir", dir.path().string(), "config", "show", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["file"].is_null()) << r.out;
  EXPECT_EQ(j["values"]["log.level"]["source"], "default");
}

TEST(CliTest, BadConfigurationFailsWithOneLineSayingWhatToDo) {
  auto r = axle({"config", "show"}, {"AXLE_LOG_LEVLE=debug"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("AXLE_LOG_LEVLE"), std::string::npos);
  EXPECT_NE(r.err.find("axle config keys"), std::string::npos);
}

TEST(CliTest, ErrorsAreJsonOnStdoutWithJsonFlag) {
  auto r = axle({"config", "show", "--json"}, {"AXLE_CRYPTO_FIPS=maybe"});
  EXPECT_EQ(r.exit_code, 1);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["error"]["code"], "invalid_argument");
}

TEST(CliTest, FipsModeWithoutProviderIsAClearError) {
  auto v = nlohmann::json::parse(axle({"version", "--json"}).out);
  if (v["fips_provider_available"].get<bool>()) {
    GTEST_SKIP() << "this machine has OpenSSL's FIPS provider; the refusal path is not reachable";
  }
  TempDir dir;
  auto r = axle({"--state-dir", dir.path().string(), "demo"}, {"AXLE_CRYPTO_FIPS=true"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("FIPS"), std::string::npos) << r.err;
}

TEST(CliTest, ConfigKeysListsEveryKey) {
  auto r = axle({"config", "keys", "--json"});
  ASSERT_EQ(r.exit_code, 0);
  auto j = nlohmann::json::parse(r.out);
  ASSERT_GE(j.size(), 4u);
  for (const auto& k : j) {
    EXPECT_FALSE(k["description"].get<std::string>().empty());
  }
}

TEST(CliTest, DemoDerivesSignsVerifiesAndFinishes) {
  TempDir dir;
  auto r = axle({"--state-dir", (dir.path() / "state").string(), "demo"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("axle/identity-signing@v1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("still to come"), std::string::npos);
  EXPECT_EQ(r.out.find(" NO"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "state/demo/document.json"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "state/demo/ed25519.pub.pem"));
}

TEST(CliTest, DemoJsonReportsEveryCheckPassing) {
  TempDir dir;
  auto r = axle({"--state-dir", dir.path().string(), "demo", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["derived_keys"].size(), 3u);
  ASSERT_EQ(j["signatures"].size(), 3u);
  for (const auto& s : j["signatures"]) {
    EXPECT_EQ(s["verified"], true);
    EXPECT_EQ(s["tamper_refused"], true);
  }
  // The DER signatures were checked by the openssl CLI, which the setup script installs.
  EXPECT_EQ(j["signatures"][0]["openssl_cli"], "verified");
  EXPECT_EQ(j["signatures"][1]["openssl_cli"], "verified");
  EXPECT_EQ(j["aead"]["tamper_refused"], true);
  // Identity: a real-name document that verifies, is refused as a replay the second time and
  // when altered; the device certificate accepted by the openssl CLI.
  EXPECT_EQ(j["identity"]["verified"], true);
  EXPECT_EQ(j["identity"]["replay_exit_code"], 16);
  EXPECT_EQ(j["identity"]["tampered_exit_code"], 11);
  EXPECT_EQ(j["identity"]["openssl_verify_certificate"], "OK");
  EXPECT_EQ(j["identity"]["edid"].get<std::string>().rfind("EDID-v2:", 0), 0U);
  for (const auto& s : j["identity"]["sources"]) {
    EXPECT_TRUE(s.contains("verdict")) << s;
  }
  // Audit: the demo's sensitive operations (identity creation among them) are in a log that
  // verifies against a signed checkpoint, with a checked inclusion proof.
  EXPECT_GE(j["audit"]["entries_appended"].get<int>(), 3);
  EXPECT_EQ(j["audit"]["log_verified"], true);
  EXPECT_EQ(j["audit"]["proof_verified"], true);
  EXPECT_EQ(j["audit"]["forged_proof_refused"], true);
  auto proof = axle({"audit", "verify-proof", (dir.path() / "demo/audit-proof.json").string()});
  EXPECT_EQ(proof.exit_code, 0) << proof.err;
  auto verify = axle({"--state-dir", dir.path().string(), "audit", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
}

TEST(CliTest, DemoRefusesAStateDirOfOtherUsers) {
  TempDir dir;
  std::filesystem::permissions(dir.path(), std::filesystem::perms::all);
  auto r = axle({"--state-dir", dir.path().string(), "demo"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("chmod 700"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace axle
