#pragma once
// The HTTP/1.x head of a gateway response, written directly into one string: the gateway's own
// answers do not need a general-purpose serializer, whose per-field allocations and buffer
// sequences cost more than the rest of a small answer. Beast-free, so that it is unit tested.

#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "sentinel/gateway/http.h"

namespace sentinel::gateway {

/// A header whose name and value outlive the call (static strings, or the response's own).
using HeaderView = std::pair<std::string_view, std::string_view>;

/// What the head depends on besides the Response.
struct HeadOptions {
  std::string_view reason;      // the status line's reason phrase, e.g. "OK"
  std::string_view request_id;  // the X-Request-Id value
  unsigned version = 11;        // HTTP/1.0 (10) or HTTP/1.1 (11)
  bool keep_alive = true;
  bool head_request = false;  // HEAD: Content-Length of the body, which is not sent
};

/// The status line, the header fields and the empty line that ends them, byte for byte as Beast's
/// serializer writes the equivalent message: Content-Type when set; the response's headers, then
/// `extra`, with fields of the same name (any case) kept together in order of first appearance
/// and values trimmed of spaces and tabs; X-Request-Id; Connection when the version's default
/// does not hold; Content-Length (always: "0" on a 204 too, as Beast's prepare_payload wrote). The
/// gateway owns X-Request-Id, Connection, Content-Length and Transfer-Encoding: those in the
/// response's headers are dropped. kInvalidArgument for a 1xx, 204 or 304 response with a body, or a response header
/// or content type containing CR, LF or NUL (which would split it into forged fields).
Result<std::string> serialize_head(const Response& response, std::span<const HeaderView> extra,
                                   const HeadOptions& options);

}  // namespace sentinel::gateway
