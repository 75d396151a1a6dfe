#pragma once
// The stream between the agent and its firewall enforcer worker (a socketpair), in the frames
// of agent/sandbox/worker_stream.h. The agent sends requests {"name", "args"}; the worker
// answers each with {"ok": true, "result"} or {"ok": false, "code", "message", "field"}.

#include <boost/json/object.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "agent/firewall/firewall_commands.h"
#include "agent/sandbox/worker_stream.h"
#include "sentinel/common/result.h"

namespace sentinel::agent::firewall {

// The frames and the answer form are those of every confined worker.
using agent::kMaxWorkerFrameBytes;
using agent::read_frame;
using agent::write_frame;

/// One request to the worker: a channel command, or "recover" / "maintain".
struct WorkerRequest {
  std::string name;
  boost::json::object args;
};

/// The frame payload of a request.
std::string encode_request(const WorkerRequest& request);
/// Parses a request payload; invalid_argument naming what is wrong. Pure.
Result<WorkerRequest> decode_request(std::string_view payload);

using agent::encode_response;
/// Parses an answer payload: the result, or the worker's error as it was (code, message,
/// field); a malformed payload is kInternal ("the firewall worker sent ..."). Pure.
Result<boost::json::object> decode_response(std::string_view payload);

/// The result of "recover" and "maintain": {"events": [...], "problems": [...]}.
boost::json::object encode_maintenance(const Maintenance& done);
/// Reads a "recover"/"maintain" result: each event must be event data the server accepts
/// (protocol::parse_event_data) with an `event.action` of the enforcer's own
/// (firewall.drift, firewall.rolled_back); each problem a string. Pure.
Result<Maintenance> decode_maintenance(const boost::json::object& result);

}  // namespace sentinel::agent::firewall
