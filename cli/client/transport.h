#pragma once
// Internal to sentinel_client: the TLS connection shared by ApiClient and StreamClient. Includes
// Asio and Beast, so only the client's .cpp files include it.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "client/api_client.h"
#include "sentinel/common/result.h"

namespace sentinel::client::detail {

/// The server's address, parsed from the base URL.
struct Endpoint {
  std::string host;  // IPv6 without brackets
  std::string port;
  std::string origin;       // "https://host:port", for messages
  std::string host_header;  // value of the Host header
};

/// Parses "https://HOST[:PORT][/]"; kInvalidArgument for anything else.
Result<Endpoint> parse_base_url(std::string_view url);

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

/// A client TLS context from the options: protocol versions, trust anchors, verification.
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const ClientOptions& options);

/// Resolves, connects and completes the TLS handshake of `stream` (new, unconnected) within the
/// connect timeout, checking the certificate against the endpoint's host name or IP address.
Status connect_tls(boost::asio::io_context& io, TlsStream& stream, const Endpoint& endpoint,
                   const ClientOptions& options);

/// Starts one asynchronous operation through `start(handler)` and runs `io` until it completes;
/// returns its error code. Timeouts come from the tcp_stream's expiry.
template <typename Start>
boost::system::error_code run_one(boost::asio::io_context& io, Start&& start) {
  boost::system::error_code result = boost::asio::error::would_block;
  std::forward<Start>(start)([&result](boost::system::error_code ec, auto&&...) { result = ec; });
  io.restart();
  // Only until this operation completes: other work (a WebSocket's handshake timer, say) may
  // stay pending and must not hold the caller.
  while (result == boost::asio::error::would_block && io.run_one() > 0) {
  }
  return result;
}

/// Whether `ec` means that the peer closed or reset the connection.
bool is_closed(const boost::system::error_code& ec);

/// The Error for a failed I/O step: "<doing> <origin>: <why>", with reason kTimedOut or
/// kConnectionClosed where they apply.
Error io_error(std::string_view doing, const boost::system::error_code& ec,
               const Endpoint& endpoint, std::chrono::milliseconds timeout);

}  // namespace sentinel::client::detail
