#include "agent/collectors/logs/log_event_builder.h"

#include "agent/collectors/logs/log_line_parser.h"

namespace sentinel::agent::logs {
namespace {

CollectedEvent make_event(std::string_view type, std::int64_t time_ms, const LineFields& fields) {
  CollectedEvent event;
  event.type = type;
  event.time_ms = time_ms;
  event.fields = fields.to_vector();
  return event;
}

void add_line_counters(LineFields& fields, const LineCounters& lines,
                       std::uint64_t unparsed_lines) {
  const auto add = [&](std::string_view name, std::uint64_t value) {
    fields.add_int(name, static_cast<std::int64_t>(value));
  };
  add("collector.lines", lines.lines);
  add("collector.long_lines", lines.long_lines);
  add("collector.binary_lines", lines.binary_lines);
  add("collector.invalid_utf8_lines", lines.invalid_utf8_lines);
  add("collector.unparsed_lines", unparsed_lines);
}

}  // namespace

CollectedEvent LogEventBuilder::from_file_line(std::string_view line, std::string_view path,
                                               const ParseContext& context) {
  const ParsedLine parsed = parse_log_line(line, context, fields_);
  if (!parsed.well_formed) ++unparsed_lines_;
  fields_.add("log.file.path", path);
  return make_event("log", parsed.time_ms, fields_);
}

CollectedEvent LogEventBuilder::from_journal(const JournalEntry& entry) {
  const ParsedLine parsed = parse_journal_entry(entry, fields_);
  fields_.add("log.source", "journal");
  return make_event("log", parsed.time_ms, fields_);
}

CollectedEvent file_stats_event(std::string_view path, const TailerStats& stats,
                                std::uint64_t unparsed_lines, std::int64_t time_ms) {
  LineFields fields;
  fields.add("collector.name", "logs");
  fields.add("log.file.path", path);
  add_line_counters(fields, stats.lines, unparsed_lines);
  fields.add_int("collector.bytes_read", static_cast<std::int64_t>(stats.bytes_read));
  fields.add_int("collector.rotations", static_cast<std::int64_t>(stats.rotations));
  fields.add_int("collector.truncations", static_cast<std::int64_t>(stats.truncations));
  fields.add_int("collector.open_errors", static_cast<std::int64_t>(stats.open_errors));
  return make_event("collector.stats", time_ms, fields);
}

CollectedEvent journal_stats_event(const LineCounters& stats, std::uint64_t unparsed_lines,
                                   std::int64_t time_ms) {
  LineFields fields;
  fields.add("collector.name", "logs");
  fields.add("log.source", "journal");
  add_line_counters(fields, stats, unparsed_lines);
  return make_event("collector.stats", time_ms, fields);
}

}  // namespace sentinel::agent::logs
