#pragma once
// The header of a syslog line as rsyslog writes it to a file:
//   RFC 3164:  "Nov 26 01:02:03 host prog[pid]: message"   (local time, no year)
//   RFC 3339:  "2026-11-26T01:02:03.123456+00:00 host prog[pid]: message"   (Debian 12 default)

#include <cstdint>
#include <optional>
#include <string_view>

namespace sentinel::agent::logs {

/// What the parsers need besides the line. A plain value; build one per poll.
struct ParseContext {
  /// Now, in Unix milliseconds: the time of lines without one, and the reference from which an
  /// RFC 3164 timestamp's year is inferred.
  std::int64_t now_ms = 0;
  /// This host's offset from UTC at now_ms, in seconds: RFC 3164 timestamps are local time.
  /// (A fixed offset: lines written around a DST change may be off by the change.)
  std::int32_t utc_offset_seconds = 0;
};

/// A ParseContext for this host at `now_ms`, with the local UTC offset (localtime_r).
ParseContext local_parse_context(std::int64_t now_ms);

/// The parts of a syslog line. Views into the line.
struct SyslogHeader {
  std::int64_t time_ms = 0;
  std::string_view hostname;
  std::string_view program;  // the tag without "[pid]"; empty when the line has no tag
  std::string_view pid;      // the digits between brackets, or empty
  std::string_view message;  // after "tag: "; the rest of the line when there is no tag
};

/// Parses an optional "<PRI>", an RFC 3164 or RFC 3339 timestamp, the host and the tag. nullopt
/// when the line does not start with a timestamp and a host.
std::optional<SyslogHeader> parse_syslog_header(std::string_view line, const ParseContext& context);

/// "Nov 26 01:02:03" (day space- or zero-padded, optional fraction) at the start of `text`, as
/// Unix ms: local time per `context`, in the year that puts it at most 7 days after now.
/// `length` receives how many characters it spans. nullopt when malformed.
std::optional<std::int64_t> parse_rfc3164_time(std::string_view text, const ParseContext& context,
                                               std::size_t& length);

/// "2026-11-26T01:02:03[.fraction](Z|+hh:mm|-hh:mm)" at the start of `text`, as Unix ms.
/// `length` receives how many characters it spans. nullopt when malformed.
std::optional<std::int64_t> parse_rfc3339_time(std::string_view text, std::size_t& length);

/// Days since 1970-01-01 of a proleptic Gregorian date (no range checks).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);

}  // namespace sentinel::agent::logs
