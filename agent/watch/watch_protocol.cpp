#include "agent/watch/watch_protocol.h"

#include <fmt/format.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "agent/collectors/logs/line_sanitizer.h"
#include "sentinel/common/text.h"
#include "sentinel/protocol/agent_protocol.h"

namespace sentinel::agent::watch {
namespace {

constexpr std::size_t kHeaderBytes = 4;
constexpr std::size_t kMaxFields = 256;
constexpr std::size_t kMaxFieldName = 128;

std::string header(std::size_t size) {
  std::string out(kHeaderBytes, '\0');
  for (std::size_t i = 0; i < kHeaderBytes; ++i)
    out[i] = static_cast<char>((size >> (8 * i)) & 0xff);
  return out;
}

Result<CollectedEvent> decode_event(const boost::json::value& value, std::size_t index) {
  const std::string where = fmt::format("events[{}]", index);
  if (!value.is_object()) return invalid_argument(where + ": not an object");
  const boost::json::object& object = value.get_object();
  const auto* type = object.if_contains("type");
  const auto* time = object.if_contains("time");
  const auto* fields = object.if_contains("fields");
  if (type == nullptr || !type->is_string()) return invalid_argument(where + ".type: not a string");
  if (time == nullptr || !time->is_int64())
    return invalid_argument(where + ".time: not an integer");
  if (fields == nullptr || !fields->is_object()) {
    return invalid_argument(where + ".fields: not an object");
  }
  if (object.size() != 3) return invalid_argument(where + ": unknown members");
  CollectedEvent event;
  event.type = std::string(type->get_string());
  SENTINEL_TRY(protocol::validate_event_type(event.type, where + ".type"));
  event.time_ms = time->get_int64();
  if (fields->get_object().size() > kMaxFields) {
    return invalid_argument(where + fmt::format(".fields: more than {}", kMaxFields));
  }
  for (const auto& [name, field] : fields->get_object()) {
    if (name.empty() || name.size() > kMaxFieldName) {
      return invalid_argument(where + ".fields: a name is empty or too long");
    }
    if (!field.is_string()) {
      return invalid_argument(where + fmt::format(".fields.{}: not a string", std::string(name)));
    }
    event.fields.push_back({std::string(name), std::string(field.get_string())});
  }
  return event;
}

Result<LogLine> decode_log(const boost::json::value& value) {
  if (!value.is_object()) return invalid_argument("log: not an object", "log");
  const boost::json::object& object = value.get_object();
  const auto* level = object.if_contains("level");
  const auto* message = object.if_contains("message");
  if (level == nullptr || !level->is_string()) {
    return invalid_argument("log.level: not a string", "log.level");
  }
  if (message == nullptr || !message->is_string()) {
    return invalid_argument("log.message: not a string", "log.message");
  }
  if (object.size() != 2) return invalid_argument("log: unknown members", "log");
  LogLine line;
  const std::string_view level_name = level->get_string();
  if (level_name == "debug") {
    line.level = LogLevel::kDebug;
  } else if (level_name == "info") {
    line.level = LogLevel::kInfo;
  } else if (level_name == "warn") {
    line.level = LogLevel::kWarn;
  } else if (level_name == "error") {
    line.level = LogLevel::kError;
  } else {
    return invalid_argument("log.level: not debug, info, warn or error", "log.level");
  }
  const std::string_view text = message->get_string();
  if (text.empty() || text.size() > kMaxLogMessageBytes) {
    return invalid_argument(fmt::format("log.message: empty or over {} bytes", kMaxLogMessageBytes),
                            "log.message");
  }
  if (has_control_character(text)) {
    return invalid_argument("log.message: holds a control character", "log.message");
  }
  line.message = std::string(text);
  return line;
}

}  // namespace

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

LogLine make_log_line(LogLevel level, std::string_view message) {
  // The record is JSON text: invalid UTF-8 (a path named in bytes) would make the agent refuse
  // the stream, so it is replaced like a log line's.
  std::string scratch;
  logs::LineDefects defects;
  const std::string_view text = logs::sanitize_line(
      message, logs::SanitizeOptions{.max_bytes = kMaxLogMessageBytes}, scratch, defects);
  LogLine line{level, std::string(text)};
  // The sanitiser keeps TAB and auditd's 0x1D; a log line has no use for either.
  for (char& c : line.message) {
    if (is_control_character(c)) c = '?';
  }
  if (line.message.empty()) line.message = "-";
  return line;
}

std::string encode_frame(const WatchBatch& batch) {
  if (batch.log) {
    const std::string json = boost::json::serialize(
        boost::json::object{{"log", boost::json::object{{"level", to_string(batch.log->level)},
                                                        {"message", batch.log->message}}}});
    return header(json.size()) + json;
  }
  boost::json::array events;
  events.reserve(batch.events.size());
  for (const CollectedEvent& event : batch.events) {
    boost::json::object fields;
    for (const detection::Field& field : event.fields) fields[field.name] = field.value;
    events.push_back(boost::json::object{
        {"type", event.type}, {"time", event.time_ms}, {"fields", std::move(fields)}});
  }
  boost::json::object record{{"events", std::move(events)}};
  if (batch.checkpoint) record["checkpoint"] = *batch.checkpoint;
  std::string json = boost::json::serialize(record);
  return header(json.size()) + json;
}

Result<WatchBatch> decode_batch(std::string_view json) {
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(json, ec);
  if (ec) return invalid_argument(fmt::format("watch record: {}", ec.message()));
  if (!root.is_object()) return invalid_argument("watch record: not an object");
  const boost::json::object& object = root.get_object();
  if (const auto* log = object.if_contains("log")) {
    if (object.size() != 1)
      return invalid_argument("watch record: a log record with other members");
    SENTINEL_ASSIGN(line, decode_log(*log));
    WatchBatch batch;
    batch.log = std::move(line);
    return batch;
  }
  const auto* events = object.if_contains("events");
  if (events == nullptr || !events->is_array()) {
    return invalid_argument("watch record: events is not a list");
  }
  if (events->get_array().size() > kMaxEventsPerFrame) {
    return invalid_argument("watch record: too many events");
  }
  WatchBatch batch;
  for (std::size_t i = 0; i < events->get_array().size(); ++i) {
    SENTINEL_ASSIGN(event, decode_event(events->get_array()[i], i));
    batch.events.push_back(std::move(event));
  }
  if (const auto* checkpoint = object.if_contains("checkpoint")) {
    if (!checkpoint->is_object()) return invalid_argument("watch record: checkpoint not an object");
    batch.checkpoint = checkpoint->get_object();
  }
  if (object.size() != 1 + (batch.checkpoint ? 1 : 0)) {
    return invalid_argument("watch record: unknown members");
  }
  return batch;
}

Result<std::vector<WatchBatch>> FrameReader::feed(std::string_view bytes) {
  buffer_.append(bytes);
  std::vector<WatchBatch> out;
  std::size_t offset = 0;
  while (buffer_.size() - offset >= kHeaderBytes) {
    std::size_t size = 0;
    for (std::size_t i = 0; i < kHeaderBytes; ++i) {
      size |= static_cast<std::size_t>(static_cast<unsigned char>(buffer_[offset + i])) << (8 * i);
    }
    if (size > kMaxFrameBytes) {
      return invalid_argument(fmt::format("watch record of {} bytes is over the limit", size));
    }
    if (buffer_.size() - offset - kHeaderBytes < size) break;
    SENTINEL_ASSIGN(batch,
                    decode_batch(std::string_view(buffer_).substr(offset + kHeaderBytes, size)));
    out.push_back(std::move(batch));
    offset += kHeaderBytes + size;
  }
  buffer_.erase(0, offset);
  return out;
}

}  // namespace sentinel::agent::watch
