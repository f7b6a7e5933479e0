#include "axle/audit/redaction.hpp"

#include <gtest/gtest.h>

namespace axle::audit {
namespace {

SecretBytes master(std::uint8_t fill = 0x42) {
  return SecretBytes(std::vector<std::uint8_t>(32, fill));
}

TEST(Redaction, L2MasksEmailPhoneAndIp) {
  auto out = mask_l2(
      "mail alice.smith@example.com from 192.0.2.77 or 2001:db8:85a3::8a2e:370:7334, "
      "call +49 170 1234567");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "mail a***@example.com from 192.0.2.* or 2001:db8:*, call +** *** *****67");
}

TEST(Redaction, L2LeavesOrdinaryTextAndShortNumbersAlone) {
  EXPECT_EQ(*mask_l2("door 12 opened at level 3"), "door 12 opened at level 3");
}

TEST(Redaction, L2ExtraRulesApply_AndBadPatternIsAnError) {
  auto out = mask_l2("vin WDB1234567890ABCD", {{R"(WDB[0-9A-Z]{14})", "WDB<vin>"}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "vin WDB<vin>");
  EXPECT_FALSE(mask_l2("x", {{"(", ""}}).ok());
}

TEST(Redaction, L3RoundTripsAndStoresTheKeyId) {
  auto token = seal_l3(master(), "2026-11-25", "actor", "edid:alice");
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_EQ(token->rfind("l3:v1:d2026-11-25:", 0), 0U);
  EXPECT_EQ(token->find("alice"), std::string::npos);
  auto plain = open_l3(master(), "actor", *token);
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(*plain, "edid:alice");
}

TEST(Redaction, L3WrongMasterOrOtherField_IsRefused) {
  const auto token = *seal_l3(master(), "2026-11-25", "actor", "edid:alice");
  auto wrong_key = open_l3(master(0x43), "actor", token);
  ASSERT_FALSE(wrong_key.ok());
  EXPECT_EQ(wrong_key.error().code, ErrorCode::kVerificationFailed);
  EXPECT_FALSE(open_l3(master(), "target", token).ok());  // moved to another field
}

TEST(Redaction, KeyRotatesAcrossDays_AndEveryDayStillOpens) {
  auto k1 = l3_day_key(master(), "2026-11-25");
  auto k2 = l3_day_key(master(), "2026-11-26");
  ASSERT_TRUE(k1.ok() && k2.ok());
  EXPECT_FALSE(k1->equals(*k2));
  const auto t1 = *seal_l3(master(), "2026-11-25", "actor", "one");
  const auto t2 = *seal_l3(master(), "2026-11-26", "actor", "two");
  EXPECT_EQ(*open_l3(master(), "actor", t1), "one");
  EXPECT_EQ(*open_l3(master(), "actor", t2), "two");
  // Claiming another day's key id breaks the tag.
  std::string moved = t1;
  moved.replace(moved.find("2026-11-25"), 10, "2026-11-26");
  EXPECT_FALSE(open_l3(master(), "actor", moved).ok());
  EXPECT_FALSE(l3_day_key(master(), "2026-02-30").ok());
  EXPECT_FALSE(l3_day_key(SecretBytes(std::vector<std::uint8_t>(16, 1)), "2026-11-25").ok());
}

TEST(Redaction, StandardPolicy_EncryptsActorAndTargetAndMasksReason_BeforeLogging) {
  AuditEvent e;
  e.op = "data.export";
  e.outcome = "success";
  e.actor = "edid:alice";
  e.target = "user bob@example.org";
  e.reason = "requested by bob@example.org";
  const auto key = master();
  ASSERT_TRUE(redact_event(e, RedactionPolicy::standard(), &key, "2026-11-25").ok());
  EXPECT_TRUE(is_l3_token(e.actor));
  EXPECT_TRUE(is_l3_token(e.target));
  EXPECT_EQ(e.reason, "requested by b***@example.org");
  // The protected form is what goes into the RFC 5424 message.
  auto m = to_syslog(e, OpTable::builtin());
  ASSERT_TRUE(m.ok()) << m.error().message;
  auto text = format_rfc5424(*m);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->find("alice"), std::string::npos);
  auto back = from_syslog(*parse_rfc5424(*text));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*open_l3(key, "actor", back->actor), "edid:alice");
  AuditEvent no_key = e;
  no_key.actor = "edid:x";
  EXPECT_FALSE(redact_event(no_key, RedactionPolicy::standard(), nullptr, "2026-11-25").ok());
}

}  // namespace
}  // namespace axle::audit
