#include "axle/core/result.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace axle {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return make_error(ErrorCode::kInvalidArgument, "value must be positive");
  return v;
}

Result<int> doubled(int v) {
  AXLE_TRY(int x, parse_positive(v));
  return x * 2;
}

Result<void> check(int v) {
  AXLE_RETURN_IF_ERROR(parse_positive(v));
  return ok();
}

TEST(ResultTest, ValueIsReturned) {
  auto r = doubled(21);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 42);
}

TEST(ResultTest, TryPropagatesTheErrorUnchanged) {
  auto r = doubled(-1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message, "value must be positive");
  EXPECT_EQ(r.error().to_string(), "invalid_argument: value must be positive");
}

TEST(ResultTest, VoidResultCarriesSuccessOrError) {
  EXPECT_TRUE(check(1).ok());
  auto r = check(0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(ResultTest, MoveOnlyValuesAreSupported) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r);
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(ResultTest, ValueOrGivesFallbackOnError) {
  EXPECT_EQ(parse_positive(-5).value_or(9), 9);
  EXPECT_EQ(parse_positive(5).value_or(9), 5);
}

TEST(ResultTest, EveryCodeHasAStableName) {
  EXPECT_EQ(error_code_name(ErrorCode::kVerificationFailed), "verification_failed");
  EXPECT_EQ(error_code_name(ErrorCode::kNotFound), "not_found");
  EXPECT_EQ(error_code_name(ErrorCode::kTimeout), "timeout");
}

}  // namespace
}  // namespace axle
