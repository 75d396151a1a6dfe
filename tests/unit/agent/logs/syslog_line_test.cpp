// Syslog timestamps: RFC 3339 offsets and the year that RFC 3164 leaves out.

#include "agent/collectors/logs/syslog_line.h"

#include <gtest/gtest.h>

namespace sentinel::agent::logs {
namespace {

constexpr std::int64_t kDay = 86400000;

std::int64_t utc_ms(int year, unsigned month, unsigned day, int hour = 0, int minute = 0,
                    int second = 0) {
  return days_from_civil(year, month, day) * kDay + ((hour * 60 + minute) * 60 + second) * 1000LL;
}

std::int64_t rfc3164(std::string_view text, ParseContext context) {
  std::size_t length = 0;
  const auto time = parse_rfc3164_time(text, context, length);
  EXPECT_TRUE(time) << text;
  return time.value_or(-1);
}

TEST(SyslogTime, DaysFromCivilMatchesKnownDates) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(2025, 11, 26) * 86400, 1764115200);
}

TEST(SyslogTime, Rfc3164TakesTheYearOfNow) {
  const ParseContext context{utc_ms(2026, 6, 15, 12)};
  EXPECT_EQ(rfc3164("Jun 15 11:00:00", context), utc_ms(2026, 6, 15, 11));
  EXPECT_EQ(rfc3164("Jan  2 03:04:05", context), utc_ms(2026, 1, 2, 3, 4, 5));
}

TEST(SyslogTime, Rfc3164DecemberReadInJanuaryIsLastYear) {
  const ParseContext context{utc_ms(2026, 1, 2, 8)};
  EXPECT_EQ(rfc3164("Dec 31 23:59:59", context), utc_ms(2025, 12, 31, 23, 59, 59));
}

TEST(SyslogTime, Rfc3164JanuaryReadOnNewYearsEveIsNextYear) {
  // A sender whose clock is a little ahead.
  const ParseContext context{utc_ms(2025, 12, 31, 23, 59)};
  EXPECT_EQ(rfc3164("Jan  1 00:00:30", context), utc_ms(2026, 1, 1, 0, 0, 30));
}

TEST(SyslogTime, Rfc3164IsLocalTime) {
  // 10:00 at UTC+02:00 is 08:00 UTC.
  const ParseContext context{utc_ms(2026, 6, 15, 12), 7200};
  EXPECT_EQ(rfc3164("Jun 15 10:00:00", context), utc_ms(2026, 6, 15, 8));
}

TEST(SyslogTime, Rfc3164RejectsMalformedTimes) {
  const ParseContext context{utc_ms(2026, 6, 15)};
  std::size_t length = 0;
  for (const char* bad : {"Foo 15 10:00:00", "Jun 32 10:00:00", "Jun 15 24:00:00", "Jun 15 10:60",
                          "Jun 15 1:00:00", "Jun"}) {
    EXPECT_FALSE(parse_rfc3164_time(bad, context, length)) << bad;
  }
}

TEST(SyslogTime, Rfc3339WithOffsetsAndFractions) {
  std::size_t length = 0;
  EXPECT_EQ(parse_rfc3339_time("2026-11-26T01:02:03.123456+00:00 host", length),
            utc_ms(2026, 11, 26, 1, 2, 3) + 123);
  EXPECT_EQ(length, 32u);
  EXPECT_EQ(parse_rfc3339_time("2026-11-26T01:02:03+05:30", length),
            utc_ms(2026, 11, 25, 19, 32, 3));
  EXPECT_EQ(parse_rfc3339_time("2026-11-26T01:02:03.9Z", length),
            utc_ms(2026, 11, 26, 1, 2, 3) + 900);
  EXPECT_FALSE(parse_rfc3339_time("2026-11-26T01:02:03", length)) << "no offset";
  EXPECT_FALSE(parse_rfc3339_time("2026-11-26T01:02:03+25:00", length));
  EXPECT_FALSE(parse_rfc3339_time("2026/11/26T01:02:03Z", length));
}

TEST(SyslogHeader, SplitsHostTagPidAndMessage) {
  const auto header = parse_syslog_header(
      "2026-11-26T01:02:03.000000+00:00 web1 postfix/smtpd[1234]: connect from x", {});
  ASSERT_TRUE(header);
  EXPECT_EQ(header->hostname, "web1");
  EXPECT_EQ(header->program, "postfix/smtpd");
  EXPECT_EQ(header->pid, "1234");
  EXPECT_EQ(header->message, "connect from x");
  EXPECT_FALSE(parse_syslog_header("2026-11-26T01:02:03Z", {})) << "no host";
}

}  // namespace
}  // namespace sentinel::agent::logs
