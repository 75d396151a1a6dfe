#pragma once
// One log line (or journal entry) into the flat fields of a `log` event (ADR 0004): the syslog
// header, then the parser of the program that logged it. Pure functions of their input.

#include <cstdint>
#include <string_view>

#include "agent/collectors/logs/journal_reader.h"
#include "agent/collectors/logs/line_fields.h"
#include "agent/collectors/logs/syslog_line.h"

namespace sentinel::agent::logs {

/// What parse_log_line found besides the fields.
struct ParsedLine {
  std::int64_t time_ms = 0;  // the line's own time; context.now_ms when it has none
  /// A syslog header (or an audit record) was read. A line without one still becomes an event
  /// (module "syslog", the line as message), but is counted as unparsed.
  bool well_formed = false;
};

/// Parses one sanitised line of a log file into `out`, which is cleared first: `message` (the
/// line itself, always), `host.hostname`, `process.name` and `process.pid` from the header,
/// `event.module`, and the fields of that module's parser. auditd's own lines
/// ("type=... msg=audit(...): ...") are read without a syslog header.
ParsedLine parse_log_line(std::string_view line, const ParseContext& context, LineFields& out);

/// The same for a journal entry: `message` is its MESSAGE, the program its identifier.
ParsedLine parse_journal_entry(const JournalEntry& entry, LineFields& out);

}  // namespace sentinel::agent::logs
