#pragma once
// The stream between the agent and a confined worker child on a socketpair (the firewall
// enforcer, the scan worker): frames of a 4-byte big-endian length and a JSON payload, and the
// one form of an answer, {"ok": true, "result"} or {"ok": false, "code", "message", "reason",
// "field"}. What the requests and the other frames hold is each worker's own protocol.

#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "sentinel/common/result.h"

namespace sentinel::agent {

/// The largest frame either side accepts: a 4 MiB nft text as a JSON string, with room.
inline constexpr std::size_t kMaxWorkerFrameBytes = 16 << 20;

/// Writes one frame (blocking; MSG_NOSIGNAL, so a closed peer is an error, not SIGPIPE):
/// kUnavailable with reason "broken" when the stream is gone; kPayloadTooLarge past
/// kMaxWorkerFrameBytes.
Status write_frame(int fd, std::string_view payload);

/// Reads one frame. `timeout` bounds the whole read (nullopt: wait as long as it takes).
/// kUnavailable with reason "closed" when the stream ended between frames, "broken" when it
/// failed or ended inside one, "timeout" when the time passed; kPayloadTooLarge past
/// kMaxWorkerFrameBytes.
Result<std::string> read_frame(int fd, std::optional<std::chrono::milliseconds> timeout);

/// The frame payload of an answer: the result, or the error with its code, message, reason and
/// field.
std::string encode_response(const Result<boost::json::object>& response);
/// Parses an answer payload: the result, or the worker's error as it was (code, message,
/// reason, field); a malformed payload is kInternal naming `worker` ("the firewall worker sent
/// a malformed answer"). Pure.
Result<boost::json::object> decode_response(std::string_view payload,
                                            std::string_view worker = "the worker");

}  // namespace sentinel::agent
