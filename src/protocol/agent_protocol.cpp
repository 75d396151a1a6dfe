#include "sentinel/protocol/agent_protocol.h"

#include <fmt/format.h>

#include <boost/json/serializer.hpp>
#include <boost/json/value.hpp>
#include <climits>
#include <cmath>
#include <iterator>
#include <utility>

#include "object_fields.h"
#include "strict_json.h"

namespace sentinel::protocol {
namespace {

namespace json = boost::json;

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr int kMaxHeartbeatSeconds = 3600;

constexpr TextRule kIdRule{.max_bytes = kMaxIdLength};
constexpr TextRule kPemRule{.max_bytes = kMaxPemBytes, .multi_line = true};
constexpr TextRule kErrorRule{.max_bytes = kMaxErrorBytes, .allow_empty = true, .multi_line = true};

// ---- encoding --------------------------------------------------------------------------------

/// Compact JSON built by appending, so that large event data is serialised straight into the
/// frame instead of being copied into a temporary tree first.
class FrameWriter {
 public:
  explicit FrameWriter(std::string_view type) {
    out_ = "{\"type\":";
    append_json(type);
  }

  FrameWriter& integer(std::string_view key, std::int64_t value) {
    begin_member(key);
    fmt::format_to(std::back_inserter(out_), "{}", value);
    return *this;
  }
  FrameWriter& number(std::string_view key, double value) {
    begin_member(key);
    // JSON has no infinity or NaN; Boost.JSON would write them as invalid text.
    const json::value number(std::isfinite(value) ? value : 0.0);
    append_json(number);
    return *this;
  }
  FrameWriter& boolean(std::string_view key, bool value) {
    begin_member(key);
    out_ += value ? "true" : "false";
    return *this;
  }
  FrameWriter& text(std::string_view key, std::string_view value) {
    begin_member(key);
    append_json(value);
    return *this;
  }
  FrameWriter& object(std::string_view key, const json::object& value) {
    begin_member(key);
    append_json(value);
    return *this;
  }
  FrameWriter& events(const std::vector<Event>& events) {
    begin_member("events");
    out_ += '[';
    for (std::size_t i = 0; i < events.size(); ++i) {
      const Event& event = events[i];
      if (i > 0) out_ += ',';
      fmt::format_to(std::back_inserter(out_), "{{\"seq\":{},\"time\":{},\"type\":", event.seq,
                     event.time_ms);
      append_json(std::string_view(event.type));
      out_ += ",\"data\":";
      append_json(event.data);
      out_ += '}';
    }
    out_ += ']';
    return *this;
  }

  std::string finish() {
    out_ += '}';
    return std::move(out_);
  }

 private:
  void begin_member(std::string_view key) {
    out_ += ",\"";
    out_ += key;  // our own snake_case names: nothing to escape
    out_ += "\":";
  }

  template <typename T>
  void append_json(const T& value) {
    json::serializer serializer;
    if constexpr (std::is_same_v<T, std::string_view>) {
      serializer.reset(json::string_view(value.data(), value.size()));
    } else {
      serializer.reset(&value);
    }
    char buffer[4096];
    while (!serializer.done()) {
      const json::string_view part = serializer.read(buffer);
      out_.append(part.data(), part.size());
    }
  }

  std::string out_;
};

struct AgentEncoder {
  std::string operator()(const Hello& hello) const {
    return FrameWriter("hello")
        .integer("protocol", hello.protocol)
        .text("agent_version", hello.agent_version)
        .text("hostname", hello.hostname)
        .text("os", hello.os)
        .text("kernel", hello.kernel)
        .text("arch", hello.arch)
        .finish();
  }
  std::string operator()(const EventBatch& batch) const {
    return FrameWriter("events").events(batch.events).finish();
  }
  std::string operator()(const SpoolGap& gap) const {
    return FrameWriter("gap")
        .integer("from_seq", gap.from_seq)
        .integer("to_seq", gap.to_seq)
        .integer("dropped_bytes", gap.dropped_bytes)
        .integer("first_time", gap.first_time_ms)
        .integer("last_time", gap.last_time_ms)
        .finish();
  }
  std::string operator()(const Heartbeat& heartbeat) const {
    return FrameWriter("heartbeat")
        .integer("time", heartbeat.time_ms)
        .integer("spool_pending", heartbeat.spool_pending)
        .integer("spool_bytes", heartbeat.spool_bytes)
        .integer("rss_bytes", heartbeat.rss_bytes)
        .number("cpu_percent", heartbeat.cpu_percent)
        .finish();
  }
  std::string operator()(const CommandResult& result) const {
    FrameWriter writer("command_result");
    writer.text("id", result.id).boolean("ok", result.ok);
    if (result.ok) {
      writer.object("result", result.result);
    } else {
      writer.text("error", result.error);
    }
    return writer.finish();
  }
  std::string operator()(const RenewRequest& renew) const {
    return FrameWriter("renew").text("csr", renew.csr_pem).finish();
  }
};

struct ServerEncoder {
  std::string operator()(const Welcome& welcome) const {
    return FrameWriter("welcome")
        .text("agent_id", welcome.agent_id)
        .integer("next_seq", welcome.next_seq)
        .integer("heartbeat_s", welcome.heartbeat_s)
        .object("config", welcome.config)
        .finish();
  }
  std::string operator()(const Ack& ack) const {
    return FrameWriter("ack").integer("seq", ack.seq).finish();
  }
  std::string operator()(const Command& command) const {
    return FrameWriter("command")
        .text("id", command.id)
        .text("name", command.name)
        .object("args", command.args)
        .finish();
  }
  std::string operator()(const Renewed& renewed) const {
    return FrameWriter("renewed").text("certificate", renewed.certificate_pem).finish();
  }
  std::string operator()(const Goodbye& goodbye) const {
    return FrameWriter("goodbye")
        .text("code", goodbye.code)
        .text("message", goodbye.message)
        .finish();
  }
};

// ---- decoding --------------------------------------------------------------------------------

/// A name made of [a-z0-9_.], 1 to kMaxTypeLength bytes (event types, command names, codes).
Status check_name(ObjectFields& fields, std::string_view key, std::string& out) {
  SENTINEL_ASSIGN(name, fields.text(key, TextRule{.max_bytes = kMaxTypeLength}));
  SENTINEL_TRY(validate_event_type(name, fields.path_of(key)));
  out = std::move(name);
  return ok();
}

Result<Hello> decode_hello(ObjectFields& fields) {
  SENTINEL_TRY(
      fields.allow_only({"type", "protocol", "agent_version", "hostname", "os", "kernel", "arch"}));
  Hello hello;
  SENTINEL_ASSIGN(protocol, fields.integer("protocol", 1, INT_MAX));
  hello.protocol = static_cast<int>(protocol);
  SENTINEL_ASSIGN(agent_version,
                  fields.text("agent_version", TextRule{.max_bytes = kMaxVersionLength}));
  SENTINEL_ASSIGN(hostname, fields.text("hostname", TextRule{.max_bytes = kMaxHostnameLength}));
  const TextRule system{.max_bytes = kMaxSystemNameLength, .allow_empty = true};
  SENTINEL_ASSIGN(os, fields.text("os", system));
  SENTINEL_ASSIGN(kernel, fields.text("kernel", system));
  SENTINEL_ASSIGN(
      arch, fields.text("arch", TextRule{.max_bytes = kMaxVersionLength, .allow_empty = true}));
  hello.agent_version = std::move(agent_version);
  hello.hostname = std::move(hostname);
  hello.os = std::move(os);
  hello.kernel = std::move(kernel);
  hello.arch = std::move(arch);
  return hello;
}

Result<Event> decode_event(json::value& item, std::string path, std::int64_t previous_seq) {
  if (!item.is_object()) return field_error(path, "must be an object");
  ObjectFields fields(item.get_object(), path);
  SENTINEL_TRY(fields.allow_only({"seq", "time", "type", "data"}));
  Event event;
  SENTINEL_ASSIGN(seq, fields.integer("seq", 1));
  if (previous_seq > 0 && (previous_seq == kInt64Max || seq != previous_seq + 1)) {
    const std::string expected =
        previous_seq == kInt64Max ? "none" : fmt::format("{}", previous_seq + 1);
    return field_error(fields.path_of("seq"), fmt::format("must be {} (consecutive)", expected));
  }
  event.seq = seq;
  SENTINEL_ASSIGN(time_ms, fields.integer("time", 0));
  event.time_ms = time_ms;
  SENTINEL_TRY(check_name(fields, "type", event.type));
  SENTINEL_ASSIGN(data, fields.take_object("data"));
  const std::size_t size = serialized_size(data, kMaxEventBytes);
  if (size > kMaxEventBytes) {
    return field_error(fields.path_of("data"),
                       fmt::format("larger than {} bytes serialised", kMaxEventBytes));
  }
  event.data = std::move(data);
  return event;
}

Result<EventBatch> decode_events(ObjectFields& fields) {
  SENTINEL_TRY(fields.allow_only({"type", "events"}));
  SENTINEL_ASSIGN(items, fields.array("events"));
  if (items->empty() || items->size() > kMaxEventsPerBatch) {
    return invalid_argument(
        fmt::format("events: must hold 1 to {} events, got {}", kMaxEventsPerBatch, items->size()),
        "events");
  }
  EventBatch batch;
  batch.events.reserve(items->size());
  std::int64_t previous_seq = 0;
  for (std::size_t i = 0; i < items->size(); ++i) {
    SENTINEL_ASSIGN(event, decode_event((*items)[i], fmt::format("events[{}]", i), previous_seq));
    previous_seq = event.seq;
    batch.events.push_back(std::move(event));
  }
  return batch;
}

Result<SpoolGap> decode_gap(ObjectFields& fields) {
  SENTINEL_TRY(fields.allow_only(
      {"type", "from_seq", "to_seq", "dropped_bytes", "first_time", "last_time"}));
  SpoolGap gap;
  SENTINEL_ASSIGN(from_seq, fields.integer("from_seq", 1));
  SENTINEL_ASSIGN(to_seq, fields.integer("to_seq", 1));
  if (to_seq < from_seq) {
    return invalid_argument(fmt::format("to_seq: must be at least from_seq ({})", from_seq),
                            "to_seq");
  }
  SENTINEL_ASSIGN(dropped_bytes, fields.integer("dropped_bytes", 0));
  SENTINEL_ASSIGN(first_time, fields.integer("first_time", 0));
  SENTINEL_ASSIGN(last_time, fields.integer("last_time", 0));
  gap.from_seq = from_seq;
  gap.to_seq = to_seq;
  gap.dropped_bytes = dropped_bytes;
  gap.first_time_ms = first_time;
  gap.last_time_ms = last_time;
  return gap;
}

Result<Heartbeat> decode_heartbeat(ObjectFields& fields) {
  SENTINEL_TRY(fields.allow_only(
      {"type", "time", "spool_pending", "spool_bytes", "rss_bytes", "cpu_percent"}));
  Heartbeat heartbeat;
  SENTINEL_ASSIGN(time_ms, fields.integer("time", 0));
  SENTINEL_ASSIGN(spool_pending, fields.integer("spool_pending", 0));
  SENTINEL_ASSIGN(spool_bytes, fields.integer("spool_bytes", 0));
  SENTINEL_ASSIGN(rss_bytes, fields.integer("rss_bytes", 0));
  SENTINEL_ASSIGN(cpu_percent, fields.number("cpu_percent", 0));
  heartbeat.time_ms = time_ms;
  heartbeat.spool_pending = spool_pending;
  heartbeat.spool_bytes = spool_bytes;
  heartbeat.rss_bytes = rss_bytes;
  heartbeat.cpu_percent = cpu_percent;
  return heartbeat;
}

Result<CommandResult> decode_command_result(ObjectFields& fields) {
  SENTINEL_TRY(fields.allow_only({"type", "id", "ok", "result", "error"}));
  CommandResult result;
  SENTINEL_ASSIGN(id, fields.text("id", kIdRule));
  SENTINEL_ASSIGN(succeeded, fields.boolean("ok"));
  result.id = std::move(id);
  result.ok = succeeded;
  if (succeeded) {
    if (fields.has("error"))
      return invalid_argument("error: only allowed when ok is false", "error");
    if (fields.has("result")) {
      SENTINEL_ASSIGN(value, fields.take_object("result"));
      result.result = std::move(value);
    }
  } else {
    if (fields.has("result"))
      return invalid_argument("result: only allowed when ok is true", "result");
    if (fields.has("error")) {
      SENTINEL_ASSIGN(error, fields.text("error", kErrorRule));
      result.error = std::move(error);
    }
  }
  return result;
}

Result<RenewRequest> decode_renew(ObjectFields& fields) {
  SENTINEL_TRY(fields.allow_only({"type", "csr"}));
  SENTINEL_ASSIGN(csr, fields.text("csr", kPemRule));
  return RenewRequest{std::move(csr)};
}

Result<Welcome> decode_welcome(ObjectFields& fields) {
  SENTINEL_TRY(fields.allow_only({"type", "agent_id", "next_seq", "heartbeat_s", "config"}));
  Welcome welcome;
  SENTINEL_ASSIGN(agent_id, fields.text("agent_id", kIdRule));
  SENTINEL_ASSIGN(next_seq, fields.integer("next_seq", 1));
  SENTINEL_ASSIGN(heartbeat_s, fields.integer("heartbeat_s", 1, kMaxHeartbeatSeconds));
  SENTINEL_ASSIGN(config, fields.take_object("config"));
  welcome.agent_id = std::move(agent_id);
  welcome.next_seq = next_seq;
  welcome.heartbeat_s = static_cast<int>(heartbeat_s);
  welcome.config = std::move(config);
  return welcome;
}

Result<Ack> decode_ack(ObjectFields& fields) {
  SENTINEL_TRY(fields.allow_only({"type", "seq"}));
  SENTINEL_ASSIGN(seq, fields.integer("seq", 1));
  return Ack{seq};
}

Result<Command> decode_command(ObjectFields& fields) {
  SENTINEL_TRY(fields.allow_only({"type", "id", "name", "args"}));
  Command command;
  SENTINEL_ASSIGN(id, fields.text("id", kIdRule));
  command.id = std::move(id);
  SENTINEL_TRY(check_name(fields, "name", command.name));
  SENTINEL_ASSIGN(args, fields.take_object("args"));
  command.args = std::move(args);
  return command;
}

Result<Renewed> decode_renewed(ObjectFields& fields) {
  SENTINEL_TRY(fields.allow_only({"type", "certificate"}));
  SENTINEL_ASSIGN(certificate, fields.text("certificate", kPemRule));
  return Renewed{std::move(certificate)};
}

Result<Goodbye> decode_goodbye(ObjectFields& fields) {
  SENTINEL_TRY(fields.allow_only({"type", "code", "message"}));
  Goodbye goodbye;
  SENTINEL_TRY(check_name(fields, "code", goodbye.code));
  SENTINEL_ASSIGN(message, fields.text("message", kErrorRule));
  goodbye.message = std::move(message);
  return goodbye;
}

/// The frame's object and its "type", checked for size, JSON, depth and duplicate keys.
Result<json::object> parse_frame(std::string_view frame) {
  if (frame.size() > kMaxFrameBytes) {
    return invalid_argument(
        fmt::format("frame: {} bytes, more than the limit of {}", frame.size(), kMaxFrameBytes));
  }
  SENTINEL_ASSIGN(value, parse_strict_json(frame, kMaxJsonDepth, "frame"));
  if (!value.is_object()) return invalid_argument("frame: must be a JSON object");
  return std::move(value.get_object());
}

/// Wraps a message decoder so that all of them fit one table.
template <typename Variant, typename Message>
Result<Variant> as(Result<Message> decoded) {
  if (!decoded) return std::move(decoded).error();
  return Variant(std::move(decoded).value());
}

Error unknown_type(std::string_view direction, std::string_view type) {
  return invalid_argument(
      fmt::format("type: unknown {} message type {}", direction, quote_for_message(type)), "type");
}

}  // namespace

std::string encode(const AgentMessage& message) { return std::visit(AgentEncoder{}, message); }

std::string encode(const ServerMessage& message) { return std::visit(ServerEncoder{}, message); }

Result<AgentMessage> decode_agent_message(std::string_view frame) {
  SENTINEL_ASSIGN(object, parse_frame(frame));
  ObjectFields fields(object, "");
  SENTINEL_ASSIGN(type, fields.any_text("type"));
  using M = AgentMessage;
  if (type == "events") return as<M>(decode_events(fields));
  if (type == "heartbeat") return as<M>(decode_heartbeat(fields));
  if (type == "hello") return as<M>(decode_hello(fields));
  if (type == "gap") return as<M>(decode_gap(fields));
  if (type == "command_result") return as<M>(decode_command_result(fields));
  if (type == "renew") return as<M>(decode_renew(fields));
  return unknown_type("agent", type);
}

Result<ServerMessage> decode_server_message(std::string_view frame) {
  SENTINEL_ASSIGN(object, parse_frame(frame));
  ObjectFields fields(object, "");
  SENTINEL_ASSIGN(type, fields.any_text("type"));
  using M = ServerMessage;
  if (type == "ack") return as<M>(decode_ack(fields));
  if (type == "command") return as<M>(decode_command(fields));
  if (type == "welcome") return as<M>(decode_welcome(fields));
  if (type == "renewed") return as<M>(decode_renewed(fields));
  if (type == "goodbye") return as<M>(decode_goodbye(fields));
  return unknown_type("server", type);
}

std::string_view message_type(const AgentMessage& message) {
  static constexpr std::string_view kNames[] = {"hello",     "events",         "gap",
                                                "heartbeat", "command_result", "renew"};
  static_assert(std::size(kNames) == std::variant_size_v<AgentMessage>);
  return kNames[message.index()];
}

std::string_view message_type(const ServerMessage& message) {
  static constexpr std::string_view kNames[] = {"welcome", "ack", "command", "renewed", "goodbye"};
  static_assert(std::size(kNames) == std::variant_size_v<ServerMessage>);
  return kNames[message.index()];
}

Status validate_event_type(std::string_view type, std::string_view field) {
  const auto fail = [&] {
    return invalid_argument(fmt::format("{}: must match [a-z0-9_.]{{1,{}}}", field, kMaxTypeLength),
                            std::string(field));
  };
  if (type.empty() || type.size() > kMaxTypeLength) return fail();
  for (const char c : type) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return fail();
  }
  return ok();
}

Result<json::object> parse_event_data(std::string_view text) {
  if (text.size() > kMaxEventBytes * 6) {
    // Far beyond any text whose compact form could fit; refuse before parsing it.
    return invalid_argument(
        fmt::format("data: {} bytes, more than the limit of {}", text.size(), kMaxEventBytes),
        "data");
  }
  SENTINEL_ASSIGN(value, parse_strict_json(text, kMaxEventDataDepth, "data", true));
  if (!value.is_object()) return invalid_argument("data: must be a JSON object", "data");
  if (serialized_size(value.get_object(), kMaxEventBytes) > kMaxEventBytes) {
    return invalid_argument(fmt::format("data: larger than {} bytes serialised", kMaxEventBytes),
                            "data");
  }
  return std::move(value.get_object());
}

}  // namespace sentinel::protocol
