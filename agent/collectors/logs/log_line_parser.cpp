#include "agent/collectors/logs/log_line_parser.h"

#include "agent/collectors/logs/program_parsers.h"
#include "agent/collectors/logs/text_scan.h"

namespace sentinel::agent::logs {
namespace {

// The logging process, unless the parser named a more specific one: the kernel reports on
// crashed and killed processes, audit records on the audited one.
void add_process(LineFields& out, std::string_view hostname, std::string_view program,
                 std::string_view pid) {
  if (!hostname.empty()) out.add_unique("host.hostname", hostname);
  if (out.find("process.name") != nullptr || out.find("process.pid") != nullptr) return;
  if (!program.empty()) out.add("process.name", program);
  if (scan::parse_uint(pid)) out.add("process.pid", pid);
}

}  // namespace

ParsedLine parse_log_line(std::string_view line, const ParseContext& context, LineFields& out) {
  out.clear();
  out.add("message", line);
  ParsedLine parsed{context.now_ms, false};
  if (line.starts_with("type=") || line.starts_with("node=")) {
    out.add("event.module", "audit");
    parsed.well_formed = parse_audit(line, out, parsed.time_ms);
    return parsed;
  }
  const auto header = parse_syslog_header(line, context);
  if (!header) {
    out.add("event.module", "syslog");
    return parsed;
  }
  parsed.time_ms = header->time_ms;
  parsed.well_formed = true;
  parse_program_message(header->program, header->message, out, parsed.time_ms);
  add_process(out, header->hostname, header->program, header->pid);
  return parsed;
}

ParsedLine parse_journal_entry(const JournalEntry& entry, LineFields& out) {
  out.clear();
  out.add("message", entry.message);
  ParsedLine parsed{entry.time_ms, true};
  parse_program_message(entry.identifier, entry.message, out, parsed.time_ms);
  add_process(out, entry.hostname, entry.identifier, entry.pid);
  return parsed;
}

}  // namespace sentinel::agent::logs
