#pragma once
// The records the watcher child writes to the agent over its pipe: a 4-byte little-endian
// length, then a JSON object, either {"events":[{"type","time","fields":{NAME:VALUE}}],
// "checkpoint":{...}} or a log line of the child {"log":{"level":"warn","message":"..."}}
// (the child has no stderr). The agent decodes them strictly: the child is less trusted than
// the agent.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collected_event.h"
#include "sentinel/common/result.h"

namespace sentinel::agent::watch {

/// The largest record; a batch of events is split before it gets there.
inline constexpr std::size_t kMaxFrameBytes = 8 << 20;
/// Events per record, at most (one spool transaction each).
inline constexpr std::size_t kMaxEventsPerFrame = 1000;

/// The longest message of a log record, in bytes.
inline constexpr std::size_t kMaxLogMessageBytes = 1024;

/// How serious a log record is; the agent logs it at the same level.
enum class LogLevel { kDebug, kInfo, kWarn, kError };

/// "debug", "info", "warn", "error".
std::string_view to_string(LogLevel level);

/// A line the child wants logged. `message`: 1..kMaxLogMessageBytes bytes without control
/// characters (make_log_line makes one so).
struct LogLine {
  LogLevel level = LogLevel::kInfo;
  std::string message;
};

/// `message` made fit for a log record: invalid UTF-8 becomes U+FFFD, control characters '?',
/// and it is cut at a character boundary to kMaxLogMessageBytes; an empty one becomes "-".
LogLine make_log_line(LogLevel level, std::string_view message);

/// What one record carries: events, and the checkpoint that holds once they are stored; or,
/// alone, a log line.
struct WatchBatch {
  std::vector<CollectedEvent> events;
  std::optional<boost::json::object> checkpoint;
  std::optional<LogLine> log;
};

/// The bytes of one record: the log line when `batch.log` is set (its events and checkpoint
/// are then ignored). Events beyond kMaxEventsPerFrame are the caller's to split.
std::string encode_frame(const WatchBatch& batch);

/// Reassembles records from the pipe's byte stream. Not thread-safe.
class FrameReader {
 public:
  /// Adds bytes; returns every record completed by them. kInvalidArgument for a malformed or
  /// oversized record: the stream cannot be trusted after it.
  Result<std::vector<WatchBatch>> feed(std::string_view bytes);

 private:
  std::string buffer_;
};

/// Decodes one record's JSON (exposed for the fuzz target).
Result<WatchBatch> decode_batch(std::string_view json);

}  // namespace sentinel::agent::watch
