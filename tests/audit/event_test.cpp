#include "axle/audit/event.hpp"

#include <gtest/gtest.h>

namespace axle::audit {
namespace {

AuditEvent sample() {
  AuditEvent e;
  e.op = "identity.revoke";
  e.outcome = "success";
  e.target = "edid:abc";
  e.privilege = "admin";
  e.authn_method = "mtls";
  e.actor = "edid:operator-1";
  e.reason = "lost device \"7\" [field]";
  e.message = "revoked by operator";
  e.timestamp = "2026-11-25T00:10:46.123Z";
  e.hostname = "gw-1";
  return e;
}

TEST(AuditEvent, ToSyslog_UsesAuditFacilityLevelSeverityAndOpAsMsgid) {
  auto m = to_syslog(sample(), OpTable::builtin());
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->facility, 13);
  EXPECT_EQ(m->severity, 4);  // HIGH -> warning
  EXPECT_EQ(m->msgid, "identity.revoke");
  const SdElement* sd = m->find("audit@32473");
  ASSERT_NE(sd, nullptr);
  EXPECT_EQ(*sd->find("level"), "HIGH");
  EXPECT_EQ(*sd->find("second_confirmation"), "true");
}

TEST(AuditEvent, RoundTripThroughText_KeepsEveryField) {
  auto m = to_syslog(sample(), OpTable::builtin());
  ASSERT_TRUE(m.ok());
  auto text = format_rfc5424(*m);
  ASSERT_TRUE(text.ok());
  auto parsed = parse_rfc5424(*text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  auto e = from_syslog(*parsed);
  ASSERT_TRUE(e.ok()) << e.error().message;
  const AuditEvent s = sample();
  EXPECT_EQ(e->op, s.op);
  EXPECT_EQ(e->outcome, s.outcome);
  EXPECT_EQ(e->target, s.target);
  EXPECT_EQ(e->privilege, s.privilege);
  EXPECT_EQ(e->authn_method, s.authn_method);
  EXPECT_EQ(e->actor, s.actor);
  EXPECT_EQ(e->reason, s.reason);
  EXPECT_EQ(e->message, s.message);
  EXPECT_EQ(e->timestamp, s.timestamp);
  EXPECT_EQ(e->level, Level::kHigh);
  EXPECT_TRUE(e->second_confirmation);
}

TEST(AuditEvent, ConfigurableSdId_IsUsedBothWays) {
  EventOptions opts{"acme@55555"};
  auto m = to_syslog(sample(), OpTable::builtin(), opts);
  ASSERT_TRUE(m.ok());
  EXPECT_NE(m->find("acme@55555"), nullptr);
  EXPECT_FALSE(from_syslog(*m).ok());  // default SD-ID is not there
  EXPECT_TRUE(from_syslog(*m, opts).ok());
  EXPECT_FALSE(to_syslog(sample(), OpTable::builtin(), EventOptions{"acme"}).ok());
}

TEST(AuditEvent, UnknownOpOrOutcome_IsRefused) {
  AuditEvent e = sample();
  e.op = "made.up";
  EXPECT_FALSE(to_syslog(e, OpTable::builtin()).ok());
  e = sample();
  e.outcome = "maybe";
  EXPECT_FALSE(to_syslog(e, OpTable::builtin()).ok());
}

TEST(AuditEvent, FromSyslog_RefusesUnknownOrRepeatedParams) {
  SyslogMessage m;
  m.structured_data.push_back(
      {"audit@32473", {{"op", "key.export"}, {"outcome", "success"}, {"colour", "red"}}});
  EXPECT_FALSE(from_syslog(m).ok());
  m.structured_data[0].params = {{"op", "key.export"}, {"outcome", "success"}, {"op", "x"}};
  EXPECT_FALSE(from_syslog(m).ok());
  m.structured_data[0].params = {{"op", "key.export"}, {"outcome", "success"}};
  EXPECT_TRUE(from_syslog(m).ok());
}

}  // namespace
}  // namespace axle::audit
