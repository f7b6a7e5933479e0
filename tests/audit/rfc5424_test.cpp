#include "axle/audit/rfc5424.hpp"

#include <gtest/gtest.h>

#include <string>

namespace axle::audit {
namespace {

const std::string kBom = "\xEF\xBB\xBF";

// Parses `text`, formats it again and expects the same bytes.
SyslogMessage expect_round_trip(const std::string& text) {
  auto parsed = parse_rfc5424(text);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message) << "\n" << text;
  if (!parsed) return {};
  auto formatted = format_rfc5424(*parsed);
  EXPECT_TRUE(formatted.ok());
  if (formatted) {
    EXPECT_EQ(*formatted, text);
  }
  return *parsed;
}

// RFC 5424 §6.5, Example 1 (the "BOM" of the RFC text is the three octets EF BB BF).
TEST(Rfc5424, Section65Example1_WithoutStructuredData_RoundTrips) {
  const auto m =
      expect_round_trip("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - " + kBom +
                        "'su root' failed for lonvick on /dev/pts/8");
  EXPECT_EQ(m.facility, 4);
  EXPECT_EQ(m.severity, 2);
  EXPECT_EQ(m.hostname, "mymachine.example.com");
  EXPECT_EQ(m.app_name, "su");
  EXPECT_EQ(m.procid, "");
  EXPECT_EQ(m.msgid, "ID47");
  EXPECT_TRUE(m.structured_data.empty());
  EXPECT_TRUE(m.msg_utf8);
  EXPECT_EQ(*m.msg, "'su root' failed for lonvick on /dev/pts/8");
}

TEST(Rfc5424, Section65Example2_OffsetTimestampAndMsgAny_RoundTrips) {
  const auto m = expect_round_trip(
      "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the "
      "do-nuts.");
  EXPECT_EQ(m.facility, 20);
  EXPECT_EQ(m.severity, 5);
  EXPECT_EQ(m.timestamp, "2003-08-24T05:14:15.000003-07:00");
  EXPECT_EQ(m.msgid, "");
  EXPECT_FALSE(m.msg_utf8);
  EXPECT_EQ(*m.msg, "%% It's time to make the do-nuts.");
}

TEST(Rfc5424, Section65Example3_StructuredDataAndMsg_RoundTrips) {
  const auto m = expect_round_trip(
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 "
      "iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] " +
      kBom + "An application event log entry...");
  ASSERT_EQ(m.structured_data.size(), 1U);
  EXPECT_EQ(m.structured_data[0].id, "exampleSDID@32473");
  ASSERT_EQ(m.structured_data[0].params.size(), 3U);
  EXPECT_EQ(*m.structured_data[0].find("eventSource"), "Application");
}

TEST(Rfc5424, Section65Example4_TwoElementsNoMsg_RoundTrips) {
  const auto m = expect_round_trip(
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 "
      "iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 "
      "class=\"high\"]");
  ASSERT_EQ(m.structured_data.size(), 2U);
  EXPECT_EQ(*m.structured_data[1].find("class"), "high");
  EXPECT_FALSE(m.msg.has_value());
}

TEST(Rfc5424, ParamValueEscaping_QuoteBackslashBracket_RoundTrip) {
  SyslogMessage m;
  m.structured_data.push_back({"x@32473", {{"v", "a\"b\\c]d"}}});
  auto text = format_rfc5424(m);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "<110>1 - - - - - [x@32473 v=\"a\\\"b\\\\c\\]d\"]");
  auto back = parse_rfc5424(*text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, m);
}

TEST(Rfc5424, BackslashBeforeOtherCharacter_IsKeptLiterally) {
  // §6.3.3: a backslash before any other character is treated as a backslash.
  auto m = parse_rfc5424("<13>1 - - - - - [x@1 v=\"a\\nb\"]");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m->structured_data[0].find("v"), "a\\nb");
}

TEST(Rfc5424, AllNilValues_Parse) {
  auto m = expect_round_trip("<0>1 - - - - - -");
  EXPECT_TRUE(m.timestamp.empty());
  EXPECT_FALSE(m.msg.has_value());
}

TEST(Rfc5424, EmptyMsgAfterSpace_IsKeptDistinctFromNoMsg) {
  auto m = expect_round_trip("<0>1 - - - - - - ");
  ASSERT_TRUE(m.msg.has_value());
  EXPECT_EQ(*m.msg, "");
}

TEST(Rfc5424, MsgAnyWithInvalidUtf8_IsAccepted) {
  auto m = expect_round_trip("<0>1 - - - - - - \xFF\xFE raw");
  EXPECT_FALSE(m.msg_utf8);
}

struct BadCase {
  const char* why;
  std::string text;
};

class Rfc5424Rejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(Rfc5424Rejects, MalformedMessage_IsRefused) {
  auto m = parse_rfc5424(GetParam().text);
  EXPECT_FALSE(m.ok()) << GetParam().why;
  if (!m.ok()) {
    EXPECT_EQ(m.error().code, ErrorCode::kInvalidArgument);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Strict, Rfc5424Rejects,
    ::testing::Values(
        BadCase{"PRIVAL above 191", "<192>1 - - - - - -"},
        BadCase{"PRIVAL leading zero", "<034>1 - - - - - -"},
        BadCase{"PRIVAL four digits", "<1000>1 - - - - - -"}, BadCase{"no PRI", "1 - - - - - -"},
        BadCase{"version 2", "<34>2 - - - - - -"},
        BadCase{"lower-case t", "<34>1 2003-10-11t22:14:15.003Z - - - - -"},
        BadCase{"lower-case z", "<34>1 2003-10-11T22:14:15.003z - - - - -"},
        BadCase{"seven fraction digits", "<34>1 2003-10-11T22:14:15.0000003Z - - - - -"},
        BadCase{"leap second", "<34>1 2003-10-11T23:59:60Z - - - - -"},
        BadCase{"February 30", "<34>1 2003-02-30T22:14:15Z - - - - -"},
        BadCase{"February 29 in a common year", "<34>1 2003-02-29T22:14:15Z - - - - -"},
        BadCase{"no offset", "<34>1 2003-10-11T22:14:15 - - - - -"},
        BadCase{"hostname 256 octets", "<34>1 - " + std::string(256, 'h') + " - - - -"},
        BadCase{"app-name 49 octets", "<34>1 - - " + std::string(49, 'a') + " - - -"},
        BadCase{"procid 129 octets", "<34>1 - - - " + std::string(129, 'p') + " - -"},
        BadCase{"msgid 33 octets", "<34>1 - - - - " + std::string(33, 'm') + " -"},
        BadCase{"SD-NAME 33 octets", "<34>1 - - - - - [" + std::string(30, 'n') + "@123]"},
        BadCase{"SD-ID without @ and not IANA", "<34>1 - - - - - [mine a=\"1\"]"},
        BadCase{"SD-ID with bad enterprise number", "<34>1 - - - - - [x@12a]"},
        BadCase{"repeated SD-ID", "<34>1 - - - - - [x@1][x@1]"},
        BadCase{"unescaped bracket", "<34>1 - - - - - [x@1 a=\"]\"]"},
        BadCase{"unterminated value", "<34>1 - - - - - [x@1 a=\"abc]"},
        BadCase{"unquoted value", "<34>1 - - - - - [x@1 a=b]"},
        BadCase{"param value not UTF-8", "<34>1 - - - - - [x@1 a=\"\xC0\xAF\"]"},
        BadCase{"BOM then invalid UTF-8", "<34>1 - - - - - - \xEF\xBB\xBF\xED\xA0\x80"},
        BadCase{"missing structured data", "<34>1 - - - -"},
        BadCase{"text after SD without space", "<34>1 - - - - - -x"},
        BadCase{"double space", "<34>1  - - - - -"},
        BadCase{"control character in hostname", "<34>1 - ho\x01st - - - -"}));

TEST(Rfc5424, MessageOverLimit_IsRefused) {
  const std::string text = "<0>1 - - - - - - " + std::string(100, 'x');
  EXPECT_TRUE(parse_rfc5424(text).ok());
  EXPECT_FALSE(parse_rfc5424(text, Rfc5424Limits{50}).ok());
}

TEST(Rfc5424, FormatRefusesLoneDashField_BecauseItWouldReadBackAsNil) {
  SyslogMessage m;
  m.hostname = "-";
  EXPECT_FALSE(format_rfc5424(m).ok());
}

TEST(Rfc5424, FormatRefusesMsgAnyStartingWithBom) {
  SyslogMessage m;
  m.msg = kBom + "x";
  EXPECT_FALSE(format_rfc5424(m).ok());
  m.msg_utf8 = true;
  EXPECT_TRUE(format_rfc5424(m).ok());
}

TEST(Rfc5424, FormatRefusesFieldsOverRfcLimits) {
  SyslogMessage m;
  m.msgid = std::string(33, 'm');
  EXPECT_FALSE(format_rfc5424(m).ok());
  m.msgid = std::string(32, 'm');
  EXPECT_TRUE(format_rfc5424(m).ok());
  m.structured_data.push_back({"a@1", {{"bad name", "v"}}});
  EXPECT_FALSE(format_rfc5424(m).ok());
}

TEST(Rfc5424, ValidateTimestamp_AcceptsLeapDayAndOffsets) {
  EXPECT_TRUE(validate_timestamp("2024-02-29T00:00:00Z").ok());
  EXPECT_TRUE(validate_timestamp("2000-02-29T23:59:59.999999+14:00").ok());
  EXPECT_FALSE(validate_timestamp("1900-02-29T00:00:00Z").ok());
  EXPECT_FALSE(validate_timestamp("2024-13-01T00:00:00Z").ok());
  EXPECT_FALSE(validate_timestamp("2024-01-01T00:00:00+24:00").ok());
}

}  // namespace
}  // namespace axle::audit
