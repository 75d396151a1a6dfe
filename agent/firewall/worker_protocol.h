#pragma once
// The stream between the agent and its firewall enforcer worker (a socketpair): frames of a
// 4-byte big-endian length and JSON. The agent sends requests {"name", "args"}; the worker
// answers each with {"ok": true, "result"} or {"ok": false, "code", "message", "field"}.

#include <boost/json/object.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "agent/firewall/firewall_commands.h"
#include "sentinel/common/result.h"

namespace sentinel::agent::firewall {

/// The largest frame either side accepts: a 4 MiB nft text as a JSON string, with room.
inline constexpr std::size_t kMaxWorkerFrameBytes = 16 << 20;

/// One request to the worker: a channel command, or "recover" / "maintain".
struct WorkerRequest {
  std::string name;
  boost::json::object args;
};

/// The frame payload of a request.
std::string encode_request(const WorkerRequest& request);
/// Parses a request payload; invalid_argument naming what is wrong. Pure.
Result<WorkerRequest> decode_request(std::string_view payload);

/// The frame payload of an answer: the result, or the error with its code, message and field.
std::string encode_response(const Result<boost::json::object>& response);
/// Parses an answer payload: the result, or the worker's error as it was (code, message,
/// field); a malformed payload is kInternal. Pure.
Result<boost::json::object> decode_response(std::string_view payload);

/// The result of "recover" and "maintain": {"events": [...], "problems": [...]}.
boost::json::object encode_maintenance(const Maintenance& done);
/// Reads a "recover"/"maintain" result: each event must be event data the server accepts
/// (protocol::parse_event_data) with an `event.action` of the enforcer's own
/// (firewall.drift, firewall.rolled_back); each problem a string. Pure.
Result<Maintenance> decode_maintenance(const boost::json::object& result);

/// Writes one frame (blocking; MSG_NOSIGNAL, so a closed peer is an error, not SIGPIPE):
/// kUnavailable with reason "broken" when the stream is gone.
Status write_frame(int fd, std::string_view payload);

/// Reads one frame. `timeout` bounds the whole read (nullopt: wait as long as it takes).
/// kUnavailable with reason "closed" when the stream ended between frames, "broken" when it
/// failed or ended inside one, "timeout" when the time passed; kPayloadTooLarge past
/// kMaxWorkerFrameBytes.
Result<std::string> read_frame(int fd, std::optional<std::chrono::milliseconds> timeout);

}  // namespace sentinel::agent::firewall
