#pragma once
// Turns lines read by a FileTailer or a JournalReader into the `log` events the agent spools, and
// their counters into `collector.stats` events (ADR 0004).

#include <cstdint>
#include <string_view>

#include "agent/collectors/collected_event.h"
#include "agent/collectors/logs/file_tailer.h"
#include "agent/collectors/logs/journal_reader.h"
#include "agent/collectors/logs/line_fields.h"
#include "agent/collectors/logs/syslog_line.h"

namespace sentinel::agent::logs {

/// Builds `log` events, reusing its parse buffers from line to line, and counts the lines whose
/// header it could not read. Not thread-safe.
class LogEventBuilder {
 public:
  /// A `log` event for one sanitised line of the file at `path` (`log.file.path`).
  CollectedEvent from_file_line(std::string_view line, std::string_view path,
                                const ParseContext& context);

  /// A `log` event for one journal entry (`log.source: journal`).
  CollectedEvent from_journal(const JournalEntry& entry);

  /// Lines without a readable syslog header (or audit record) so far.
  std::uint64_t unparsed_lines() const { return unparsed_lines_; }

 private:
  LineFields fields_;
  std::uint64_t unparsed_lines_ = 0;
};

/// A `collector.stats` event for one file: `collector.name: logs`, `log.file.path`, and the
/// tailer's counters since it started (`collector.lines`, `collector.long_lines`,
/// `collector.binary_lines`, `collector.invalid_utf8_lines`, `collector.unparsed_lines`,
/// `collector.bytes_read`, `collector.rotations`, `collector.truncations`,
/// `collector.open_errors`).
CollectedEvent file_stats_event(std::string_view path, const TailerStats& stats,
                                std::uint64_t unparsed_lines, std::int64_t time_ms);

/// The same for the journal (`log.source: journal`, the line counters only).
CollectedEvent journal_stats_event(const LineCounters& stats, std::uint64_t unparsed_lines,
                                   std::int64_t time_ms);

}  // namespace sentinel::agent::logs
