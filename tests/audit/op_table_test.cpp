#include "axle/audit/op_table.hpp"

#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace axle::audit {
namespace {

TEST(OpTable, Builtin_IsTheShippedDataFile) {
  const auto shipped =
      OpTable::load(std::filesystem::path(AXLE_AUDIT_SOURCE_DIR) / "data/audit_ops.json");
  ASSERT_TRUE(shipped.ok()) << shipped.error().message;
  const OpTable& builtin = OpTable::builtin();
  ASSERT_FALSE(builtin.ops().empty());
  ASSERT_EQ(builtin.ops().size(), shipped->ops().size());
  for (const auto& [op, cls] : shipped->ops()) {
    auto b = builtin.classify(op);
    ASSERT_TRUE(b.ok()) << op;
    EXPECT_EQ(b->level, cls.level) << op;
    EXPECT_EQ(b->second_confirmation, cls.second_confirmation) << op;
  }
}

TEST(OpTable, Classify_KnownOpGivesLevelAndConfirmation) {
  auto c = OpTable::builtin().classify("key.export");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->level, Level::kCritical);
  EXPECT_TRUE(c->second_confirmation);
}

TEST(OpTable, Classify_UnknownOpIsInvalidArgument) {
  auto c = OpTable::builtin().classify("nope");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kInvalidArgument);
}

TEST(OpTable, FromJson_ReadsACustomTable) {
  auto t = OpTable::from_json(
      R"({"format":"axle-audit-ops/1","ops":{"door.open":{"level":"HIGH","second_confirmation":true}}})");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->classify("door.open")->level, Level::kHigh);
}

TEST(OpTable, FromJson_RefusesBadTables) {
  for (
      const char* bad : {
          "not json",
          R"({"ops":{}})",
          R"({"format":"axle-audit-ops/2","ops":{}})",
          R"({"format":"axle-audit-ops/1","ops":{},"extra":1})",
          R"({"format":"axle-audit-ops/1","ops":{"A.upper":{"level":"LOW"}}})",
          R"({"format":"axle-audit-ops/1","ops":{"a":{"level":"HUGE"}}})",
          R"({"format":"axle-audit-ops/1","ops":{"a":{"second_confirmation":true}}})",
          R"({"format":"axle-audit-ops/1","ops":{"a":{"level":"LOW","typo":1}}})",
          R"({"format":"axle-audit-ops/1","ops":{"a":{"level":"LOW","second_confirmation":"yes"}}})",
      }) {
    EXPECT_FALSE(OpTable::from_json(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace axle::audit
