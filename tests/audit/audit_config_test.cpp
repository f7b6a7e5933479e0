// The audit settings that come from the configuration: the SD-ID (audit.sd_id) and the origin of
// a new log (audit.origin), through the real `axle` binary and its environment overrides.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace axle::audit {
namespace {

test::CommandResult axle(const std::vector<std::string>& args, const std::string& state,
                         std::vector<std::string> env = {}) {
  std::vector<std::string> argv{test::axle_binary(), "--state-dir", state};
  argv.insert(argv.end(), args.begin(), args.end());
  env.emplace_back("AXLE_CONFIG=");
  return test::run_command(argv, env, 60);
}

TEST(AuditConfig, SdIdFromConfiguration_IsTheElementOfNewEvents) {
  test::TempDir tmp;
  const std::string state = (tmp.path() / "state").string();
  const std::vector<std::string> env = {"AXLE_AUDIT_SD_ID=fleetaudit@54321"};
  ASSERT_EQ(axle({"audit", "append", "--op", "key.generate", "--outcome", "success"}, state, env)
                .exit_code,
            0);
  // An explicit --sd-id wins over the configuration.
  ASSERT_EQ(axle({"audit", "append", "--op", "key.generate", "--outcome", "success", "--sd-id",
                  "other@1"},
                 state, env)
                .exit_code,
            0);
  auto tail = axle({"audit", "tail", "--json"}, state, env);
  ASSERT_EQ(tail.exit_code, 0) << tail.err;
  const auto entries = nlohmann::json::parse(tail.out).at("entries");
  ASSERT_EQ(entries.size(), 2U);
  EXPECT_NE(entries[0].at("message").get<std::string>().find("[fleetaudit@54321 op="),
            std::string::npos);
  EXPECT_NE(entries[1].at("message").get<std::string>().find("[other@1 op="), std::string::npos);
}

TEST(AuditConfig, InvalidSdId_IsAUsageErrorNamingTheKey) {
  test::TempDir tmp;
  auto r = axle({"audit", "append", "--op", "key.generate", "--outcome", "success"},
                (tmp.path() / "state").string(), {"AXLE_AUDIT_SD_ID=no-enterprise-number"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("audit.sd_id"), std::string::npos) << r.err;
}

TEST(AuditConfig, OriginFromConfiguration_NamesTheLogAndIsFixedOnceCreated) {
  test::TempDir tmp;
  const std::string state = (tmp.path() / "state").string();
  const std::vector<std::string> env = {"AXLE_AUDIT_ORIGIN=example.com/audit/gw-1"};
  ASSERT_EQ(axle({"audit", "append", "--op", "key.generate", "--outcome", "success"}, state, env)
                .exit_code,
            0);
  auto cp = axle({"audit", "checkpoint"}, state, env);
  ASSERT_EQ(cp.exit_code, 0) << cp.err;
  EXPECT_EQ(cp.out.rfind("example.com/audit/gw-1\n1\n", 0), 0U) << cp.out;
  auto key = axle({"audit", "key"}, state, env);
  EXPECT_EQ(key.out.rfind("example.com/audit/gw-1+", 0), 0U) << key.out;

  auto other = axle({"audit", "checkpoint"}, state, {"AXLE_AUDIT_ORIGIN=example.com/audit/gw-2"});
  EXPECT_NE(other.exit_code, 0);
  EXPECT_NE(other.err.find("example.com/audit/gw-1"), std::string::npos) << other.err;
}

}  // namespace
}  // namespace axle::audit
