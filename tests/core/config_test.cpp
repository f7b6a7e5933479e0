#include "axle/core/config.hpp"

#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace axle {
namespace {

using test::TempDir;
using test::write_file;

ConfigLoadOptions no_defaults() {
  ConfigLoadOptions o;
  o.use_default_file = false;
  return o;
}

TEST(ConfigTest, DefaultsApplyWithoutFileOrEnvironment) {
  auto cfg = Config::load(no_defaults());
  ASSERT_TRUE(cfg.ok()) << cfg.error().to_string();
  EXPECT_EQ(cfg->get("log.level"), "warn");
  EXPECT_EQ(cfg->get("log.format"), "text");
  EXPECT_FALSE(cfg->get_bool("crypto.fips"));
  EXPECT_FALSE(cfg->get("state_dir").empty());
  EXPECT_EQ(cfg->entry("log.level").source, ConfigSource::kDefault);
}

TEST(ConfigTest, FileValuesOverrideDefaults) {
  TempDir dir;
  write_file(dir.path() / "axle.toml",
             "state_dir = \"/tmp/x\"\n[log]\nlevel = \"debug\"\n[crypto]\nfips = false\n");
  auto opts = no_defaults();
  opts.file = dir.path() / "axle.toml";
  auto cfg = Config::load(opts);
  ASSERT_TRUE(cfg.ok()) << cfg.error().to_string();
  EXPECT_EQ(cfg->get("state_dir"), "/tmp/x");
  EXPECT_EQ(cfg->get("log.level"), "debug");
  EXPECT_EQ(cfg->entry("log.level").source, ConfigSource::kFile);
  EXPECT_EQ(cfg->file(), opts.file);
}

TEST(ConfigTest, PrecedenceIsFileThenEnvironmentThenCommandLine) {
  TempDir dir;
  write_file(dir.path() / "axle.toml", "[log]\nlevel = \"debug\"\nformat = \"json\"\n");
  auto opts = no_defaults();
  opts.file = dir.path() / "axle.toml";
  opts.environment = {"AXLE_LOG_LEVEL=error", "AXLE_CRYPTO_FIPS=no", "PATH=/usr/bin"};
  opts.command_line = {{"log.level", "trace"}};
  auto cfg = Config::load(opts);
  ASSERT_TRUE(cfg.ok()) << cfg.error().to_string();
  EXPECT_EQ(cfg->get("log.level"), "trace");
  EXPECT_EQ(cfg->entry("log.level").source, ConfigSource::kCommandLine);
  EXPECT_EQ(cfg->get("log.format"), "json");
  EXPECT_EQ(cfg->get("crypto.fips"), "false");
  EXPECT_EQ(cfg->entry("crypto.fips").source, ConfigSource::kEnvironment);
}

TEST(ConfigTest, UnknownFileKeyIsAnErrorNamingTheKey) {
  TempDir dir;
  write_file(dir.path() / "axle.toml", "[log]\nlevle = \"debug\"\n");
  auto opts = no_defaults();
  opts.file = dir.path() / "axle.toml";
  auto cfg = Config::load(opts);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(cfg.error().message.find("log.levle"), std::string::npos) << cfg.error().message;
}

TEST(ConfigTest, UnknownAxleEnvironmentVariableIsAnError) {
  auto opts = no_defaults();
  opts.environment = {"AXLE_LOG_LEVLE=debug"};
  auto cfg = Config::load(opts);
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().message.find("AXLE_LOG_LEVLE"), std::string::npos);
}

TEST(ConfigTest, BadValuesAreRefusedWithTheAllowedOnes) {
  auto opts = no_defaults();
  opts.environment = {"AXLE_LOG_LEVEL=loud"};
  auto cfg = Config::load(opts);
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().message.find("trace|debug|info|warn|error|off"), std::string::npos);

  opts.environment = {"AXLE_CRYPTO_FIPS=maybe"};
  cfg = Config::load(opts);
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().message.find("true or false"), std::string::npos);
}

TEST(ConfigTest, InvalidTomlReportsLine) {
  TempDir dir;
  write_file(dir.path() / "axle.toml", "[log]\nlevel = \n");
  auto opts = no_defaults();
  opts.file = dir.path() / "axle.toml";
  auto cfg = Config::load(opts);
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().message.find("axle.toml:2:"), std::string::npos) << cfg.error().message;
}

TEST(ConfigTest, UnsupportedValueTypeIsRefused) {
  TempDir dir;
  write_file(dir.path() / "axle.toml", "state_dir = [\"a\"]\n");
  auto opts = no_defaults();
  opts.file = dir.path() / "axle.toml";
  auto cfg = Config::load(opts);
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().message.find("state_dir"), std::string::npos);
}

TEST(ConfigTest, ExplicitFileMustExist) {
  auto opts = no_defaults();
  opts.file = "/nonexistent/axle.toml";
  auto cfg = Config::load(opts);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.error().code, ErrorCode::kNotFound);
}

TEST(ConfigTest, AxleConfigVariableNamesTheFile) {
  TempDir dir;
  write_file(dir.path() / "c.toml", "[log]\nformat = \"json\"\n");
  auto opts = no_defaults();
  opts.environment = {"AXLE_CONFIG=" + (dir.path() / "c.toml").string()};
  auto cfg = Config::load(opts);
  ASSERT_TRUE(cfg.ok()) << cfg.error().to_string();
  EXPECT_EQ(cfg->get("log.format"), "json");
}

TEST(ConfigTest, EveryKeyIsDocumentedWithAnEnvironmentName) {
  ASSERT_FALSE(config_keys().empty());
  for (const auto& spec : config_keys()) {
    EXPECT_FALSE(spec.doc.empty()) << spec.key;
    EXPECT_EQ(config_env_name(spec.key).rfind("AXLE_", 0), 0u);
  }
  EXPECT_EQ(config_env_name("log.level"), "AXLE_LOG_LEVEL");
}

}  // namespace
}  // namespace axle
