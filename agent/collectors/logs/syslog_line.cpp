#include "agent/collectors/logs/syslog_line.h"

#include <time.h>

#include "agent/collectors/logs/text_scan.h"

namespace sentinel::agent::logs {
namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
constexpr std::int64_t kFutureSlackMs = 7 * kDayMs;

// `count` digits at `at` as a number; -1 when any is not a digit or the text is too short.
int digits(std::string_view text, std::size_t at, std::size_t count) {
  if (at + count > text.size()) return -1;
  int value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[at + i];
    if (!scan::is_digit(c)) return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

// 1..12 for "Jan".."Dec", 0 otherwise.
unsigned month_of(std::string_view name) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (unsigned i = 0; i < 12; ++i) {
    if (name == kMonths[i]) return i + 1;
  }
  return 0;
}

bool valid_time_of_day(int hour, int minute, int second) {
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 60;
}

// Milliseconds of ".123456" at `at` (any number of digits, the first three counted); `at`
// advances past it. 0 when there is no fraction.
int fraction_ms(std::string_view text, std::size_t& at) {
  if (at >= text.size() || text[at] != '.') return 0;
  ++at;
  int ms = 0;
  int taken = 0;
  while (at < text.size() && scan::is_digit(text[at])) {
    if (taken < 3) {
      ms = ms * 10 + (text[at] - '0');
      ++taken;
    }
    ++at;
  }
  while (taken < 3) {
    ms *= 10;
    ++taken;
  }
  return ms;
}

// The civil year of a day count (Howard Hinnant's civil_from_days).
std::int64_t year_of_days(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

}  // namespace

std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

ParseContext local_parse_context(std::int64_t now_ms) {
  ParseContext context;
  context.now_ms = now_ms;
  const time_t seconds = static_cast<time_t>(floor_div(now_ms, 1000));
  struct tm local {};
  if (::localtime_r(&seconds, &local) != nullptr) {
    context.utc_offset_seconds = static_cast<std::int32_t>(local.tm_gmtoff);
  }
  return context;
}

std::optional<std::int64_t> parse_rfc3164_time(std::string_view text, const ParseContext& context,
                                               std::size_t& length) {
  // "Mmm dd hh:mm:ss" with dd as " 6", "06" or (leniently) "6".
  if (text.size() < 14 || text[3] != ' ') return std::nullopt;
  const unsigned month = month_of(text.substr(0, 3));
  if (month == 0) return std::nullopt;
  std::size_t at = 4;
  if (text[at] == ' ') ++at;
  int day = digits(text, at, 2);
  if (day >= 0 && at + 2 < text.size() && text[at + 2] == ' ') {
    at += 3;
  } else {
    day = digits(text, at, 1);
    if (day < 0 || at + 1 >= text.size() || text[at + 1] != ' ') return std::nullopt;
    at += 2;
  }
  const int hour = digits(text, at, 2);
  const int minute = digits(text, at + 3, 2);
  const int second = digits(text, at + 6, 2);
  if (at + 8 > text.size() || text[at + 2] != ':' || text[at + 5] != ':' || day < 1 || day > 31 ||
      !valid_time_of_day(hour, minute, second)) {
    return std::nullopt;
  }
  at += 8;
  const int ms = fraction_ms(text, at);
  length = at;

  const std::int64_t offset_ms = static_cast<std::int64_t>(context.utc_offset_seconds) * 1000;
  const std::int64_t local_now_ms = context.now_ms + offset_ms;
  const std::int64_t year_now = year_of_days(floor_div(local_now_ms, kDayMs));
  const auto at_year = [&](std::int64_t year) {
    const std::int64_t days = days_from_civil(year, month, static_cast<unsigned>(day));
    return days * kDayMs + ((hour * 60 + minute) * 60 + second) * 1000LL + ms - offset_ms;
  };
  // Syslog leaves the year out: take the one that puts the line in the year before now, allowing
  // for clocks a week apart (December lines read in January belong to last year).
  std::int64_t time = at_year(year_now);
  if (time > context.now_ms + kFutureSlackMs) {
    time = at_year(year_now - 1);
  } else if (const std::int64_t next = at_year(year_now + 1);
             next <= context.now_ms + kFutureSlackMs) {
    time = next;
  }
  return time;
}

std::optional<std::int64_t> parse_rfc3339_time(std::string_view text, std::size_t& length) {
  const int year = digits(text, 0, 4);
  const int month = digits(text, 5, 2);
  const int day = digits(text, 8, 2);
  const int hour = digits(text, 11, 2);
  const int minute = digits(text, 14, 2);
  const int second = digits(text, 17, 2);
  if (year < 0 || text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || text[13] != ':' ||
      text[16] != ':' || month < 1 || month > 12 || day < 1 || day > 31 ||
      !valid_time_of_day(hour, minute, second)) {
    return std::nullopt;
  }
  std::size_t at = 19;
  const int ms = fraction_ms(text, at);
  if (at >= text.size()) return std::nullopt;
  std::int64_t offset_seconds = 0;
  if (text[at] == 'Z' || text[at] == 'z') {
    ++at;
  } else if (text[at] == '+' || text[at] == '-') {
    const int sign = text[at] == '+' ? 1 : -1;
    const int offset_hours = digits(text, at + 1, 2);
    if (offset_hours < 0 || offset_hours > 23) return std::nullopt;
    std::size_t minutes_at = at + 3;
    if (minutes_at < text.size() && text[minutes_at] == ':') ++minutes_at;
    const int offset_minutes = digits(text, minutes_at, 2);
    if (offset_minutes < 0 || offset_minutes > 59) return std::nullopt;
    offset_seconds = sign * (offset_hours * 3600 + offset_minutes * 60);
    at = minutes_at + 2;
  } else {
    return std::nullopt;
  }
  length = at;
  const std::int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return (days * 86400 + (hour * 60 + minute) * 60 + second - offset_seconds) * 1000 + ms;
}

std::optional<SyslogHeader> parse_syslog_header(std::string_view line,
                                                const ParseContext& context) {
  // "<PRI>" when a line was written raw from the wire.
  if (line.size() > 2 && line[0] == '<') {
    std::size_t close = 1;
    while (close < line.size() && close <= 4 && scan::is_digit(line[close])) ++close;
    if (close > 1 && close < line.size() && line[close] == '>') line.remove_prefix(close + 1);
  }
  SyslogHeader header;
  std::size_t length = 0;
  std::optional<std::int64_t> time;
  if (!line.empty() && scan::is_digit(line[0])) {
    time = parse_rfc3339_time(line, length);
  } else {
    time = parse_rfc3164_time(line, context, length);
  }
  if (!time || length >= line.size() || line[length] != ' ') return std::nullopt;
  header.time_ms = *time;
  std::string_view rest = line.substr(length + 1);
  header.hostname = scan::take_word(rest);
  if (header.hostname.empty()) return std::nullopt;

  // The tag: "prog[pid]: ", "prog: ", or none (a message that does not start with one).
  std::size_t end = 0;
  while (end < rest.size() && rest[end] != ':' && rest[end] != '[' && rest[end] != ' ') ++end;
  if (end > 0 && end < rest.size() && rest[end] == '[') {
    const std::size_t close = rest.find(']', end + 1);
    if (close != std::string_view::npos && close + 1 < rest.size() && rest[close + 1] == ':') {
      header.program = rest.substr(0, end);
      header.pid = rest.substr(end + 1, close - end - 1);
      rest.remove_prefix(close + 2);
      scan::consume(rest, " ");
      header.message = rest;
      return header;
    }
  } else if (end > 0 && end < rest.size() && rest[end] == ':') {
    header.program = rest.substr(0, end);
    rest.remove_prefix(end + 1);
    scan::consume(rest, " ");
    header.message = rest;
    return header;
  }
  header.message = rest;
  return header;
}

}  // namespace sentinel::agent::logs
