#include "axle/core/log.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace axle::log {
namespace {

TEST(LogTest, TextFormatHasLevelMessageAndFields) {
  auto line = render(Level::kInfo, "identity generated", {{"mode", "anonymous"}, {"n", "3"}},
                     Format::kText);
  EXPECT_EQ(line, "info  identity generated mode=anonymous n=3");
}

TEST(LogTest, TextFormatQuotesValuesWithSpaces) {
  auto line = render(Level::kWarn, "m", {{"path", "a b"}}, Format::kText);
  EXPECT_EQ(line, "warn  m path=\"a b\"");
}

TEST(LogTest, JsonFormatIsOneParseableObject) {
  auto line = render(Level::kError, "disk \"full\"", {{"dir", "/var/lib/axle"}}, Format::kJson);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["level"], "error");
  EXPECT_EQ(j["msg"], "disk \"full\"");
  EXPECT_EQ(j["dir"], "/var/lib/axle");
}

TEST(LogTest, SecretLookingFieldsAreRedacted) {
  for (const char* name : {"key", "device_secret", "password", "signing_seed", "prk", "token"}) {
    auto line = render(Level::kInfo, "m", {{name, "deadbeef"}}, Format::kText);
    EXPECT_EQ(line.find("deadbeef"), std::string::npos) << name << ": " << line;
    EXPECT_NE(line.find("[redacted]"), std::string::npos) << name;
  }
  // Public identifiers are not secrets.
  auto line = render(Level::kInfo, "m", {{"key_id", "abcd"}}, Format::kText);
  EXPECT_NE(line.find("abcd"), std::string::npos);
}

TEST(LogTest, PemPrivateKeysAreCutFromAnyText) {
  std::string text =
      "loaded -----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY----- "
      "and -----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
  auto line = render(Level::kInfo, text, {{"detail", text}}, Format::kJson);
  EXPECT_EQ(line.find("MC4CAQAw"), std::string::npos) << line;
  EXPECT_NE(line.find("[redacted private key]"), std::string::npos);
  EXPECT_NE(line.find("BEGIN CERTIFICATE"), std::string::npos) << "certificates may be logged";
}

TEST(LogTest, AddedRedactorsApply) {
  add_redactor([](std::string& t) {
    auto p = t.find("hunter2");
    if (p != std::string::npos) t.replace(p, 7, "*******");
  });
  auto line = render(Level::kInfo, "password is hunter2", {}, Format::kText);
  EXPECT_EQ(line.find("hunter2"), std::string::npos);
}

TEST(LogTest, ParsesLevelsAndFormats) {
  EXPECT_EQ(*parse_level("debug"), Level::kDebug);
  EXPECT_FALSE(parse_level("loud").ok());
  EXPECT_EQ(*parse_format("json"), Format::kJson);
  EXPECT_FALSE(parse_format("xml").ok());
}

}  // namespace
}  // namespace axle::log
