#pragma once
// The agent <-> server channel protocol: JSON text frames over one WebSocket (mutual TLS 1.3).
// Shared by sentinel-agent and sentinel-server; free of Asio and Beast. Every frame is one JSON
// object with a "type"; decoders are strict (unknown types and fields, wrong types, out-of-range
// numbers, invalid UTF-8 and oversize content are errors naming what is wrong) because the
// server decodes frames from hosts it does not control.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sentinel/common/result.h"

namespace sentinel::protocol {

/// Version spoken by this build; `hello` carries it, the server refuses what it cannot speak.
inline constexpr int kProtocolVersion = 1;
/// Limits every decoder enforces.
inline constexpr std::size_t kMaxFrameBytes = 4 << 20;  // one WebSocket message
inline constexpr std::size_t kMaxEventsPerBatch = 1000;
inline constexpr std::size_t kMaxEventBytes = 1 << 20;  // one event's data, serialised
inline constexpr std::size_t kMaxTypeLength = 64;       // "inventory.packages"
inline constexpr std::size_t kMaxJsonDepth = 16;
/// Depth an event's data may have by itself: a frame wraps it in three levels.
inline constexpr std::size_t kMaxEventDataDepth = kMaxJsonDepth - 3;
/// String limits (bytes of UTF-8).
inline constexpr std::size_t kMaxHostnameLength = 253;
inline constexpr std::size_t kMaxVersionLength = 64;      // agent_version, arch
inline constexpr std::size_t kMaxSystemNameLength = 256;  // os, kernel
inline constexpr std::size_t kMaxIdLength = 64;           // agent_id, command id
inline constexpr std::size_t kMaxPemBytes = 16 << 10;     // csr, certificate
inline constexpr std::size_t kMaxErrorBytes = 1 << 10;    // command error, goodbye message

/// One event recorded by an agent. `seq` is the agent's own, strictly increasing from 1 and never
/// reused; `time_ms` is when the agent saw it (Unix ms). `type` is lower-case dotted
/// ([a-z0-9_.]+), e.g. "inventory.packages", "agent.spool_dropped". `data` is a JSON object.
struct Event {
  std::int64_t seq = 0;
  std::int64_t time_ms = 0;
  std::string type;
  boost::json::object data;
  friend bool operator==(const Event&, const Event&) = default;
};

// ---- agent -> server -------------------------------------------------------------------------

/// First frame on every connection.
struct Hello {
  int protocol = kProtocolVersion;
  std::string agent_version;  // "0.1.0"
  std::string hostname;
  std::string os;      // "Debian GNU/Linux 12 (bookworm)"
  std::string kernel;  // "6.1.0-18-amd64"
  std::string arch;    // "x86_64"
  friend bool operator==(const Hello&, const Hello&) = default;
};

/// Consecutive events: events[i].seq == events[0].seq + i. At most kMaxEventsPerBatch.
struct EventBatch {
  std::vector<Event> events;
  friend bool operator==(const EventBatch&, const EventBatch&) = default;
};

/// The spool had to drop events [from_seq, to_seq] (never sent); covers those sequence numbers.
struct SpoolGap {
  std::int64_t from_seq = 0;
  std::int64_t to_seq = 0;
  std::int64_t dropped_bytes = 0;
  std::int64_t first_time_ms = 0;  // time of the oldest dropped event
  std::int64_t last_time_ms = 0;   // time of the newest dropped event
  friend bool operator==(const SpoolGap&, const SpoolGap&) = default;
};

/// Sent every heartbeat interval; also carries the agent's own footprint.
struct Heartbeat {
  std::int64_t time_ms = 0;
  std::int64_t spool_pending = 0;  // events not yet acknowledged
  std::int64_t spool_bytes = 0;
  std::int64_t rss_bytes = 0;
  double cpu_percent = 0;  // of one core, since the previous heartbeat
  friend bool operator==(const Heartbeat&, const Heartbeat&) = default;
};

/// The answer to a Command, matched by id.
struct CommandResult {
  std::string id;
  bool ok = false;
  boost::json::object result;  // command-specific
  std::string error;           // when !ok: why
  friend bool operator==(const CommandResult&, const CommandResult&) = default;
};

/// Asks for a new certificate before the current one expires; `csr_pem` is a PKCS#10 request
/// for the same agent id, signed by a fresh key.
struct RenewRequest {
  std::string csr_pem;
  friend bool operator==(const RenewRequest&, const RenewRequest&) = default;
};

using AgentMessage =
    std::variant<Hello, EventBatch, SpoolGap, Heartbeat, CommandResult, RenewRequest>;

// ---- server -> agent -------------------------------------------------------------------------

/// The answer to Hello. The agent resends from `next_seq` (everything below is stored).
struct Welcome {
  std::string agent_id;
  std::int64_t next_seq = 1;
  int heartbeat_s = 15;
  /// The agent's central config overrides (same keys as agent.yaml), possibly empty.
  boost::json::object config;
  friend bool operator==(const Welcome&, const Welcome&) = default;
};

/// Everything up to and including `seq` is committed on the server; the agent may forget it.
struct Ack {
  std::int64_t seq = 0;
  friend bool operator==(const Ack&, const Ack&) = default;
};

/// A command for the agent: "ping", "collect_inventory", "set_config" (args: the config object).
struct Command {
  std::string id;  // unique per server, echoed in CommandResult
  std::string name;
  boost::json::object args;
  friend bool operator==(const Command&, const Command&) = default;
};

/// The renewed client certificate (PEM) for a RenewRequest.
struct Renewed {
  std::string certificate_pem;
  friend bool operator==(const Renewed&, const Renewed&) = default;
};

/// Sent before the server closes the connection on purpose.
struct Goodbye {
  std::string code;  // "revoked", "protocol_error", "sequence_error", "flood", "shutdown"
  std::string message;
  friend bool operator==(const Goodbye&, const Goodbye&) = default;
};

using ServerMessage = std::variant<Welcome, Ack, Command, Renewed, Goodbye>;

/// Frame text of a message (compact JSON, "type" first).
std::string encode(const AgentMessage& message);
std::string encode(const ServerMessage& message);

/// Strict decoders. kInvalidArgument with a message that names the field, for example
/// "events[3].seq: must follow 41" or "type: unknown message type 'evnts'".
Result<AgentMessage> decode_agent_message(std::string_view frame);
Result<ServerMessage> decode_server_message(std::string_view frame);

/// The "type" string of each message, e.g. "hello", "events", "ack".
std::string_view message_type(const AgentMessage& message);
std::string_view message_type(const ServerMessage& message);

/// Checks an event type against [a-z0-9_.]{1,kMaxTypeLength}; the error names `field`.
Status validate_event_type(std::string_view type, std::string_view field = "type");

/// Parses one event's data as the server will: a JSON object, valid UTF-8, no duplicate keys,
/// finite numbers, depth <= kMaxEventDataDepth, serialised size <= kMaxEventBytes. The agent
/// checks each event with it before spooling, so that it never holds an event the server would
/// refuse (which would stall its channel).
Result<boost::json::object> parse_event_data(std::string_view json);

}  // namespace sentinel::protocol
