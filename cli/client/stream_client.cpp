#include "client/stream_client.h"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "client/transport.h"

namespace sentinel::client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

constexpr std::chrono::seconds kCloseTimeout{2};

// A refused upgrade, with the status and the API error the server gave.
Error upgrade_refused(const websocket::response_type& response, const detail::Endpoint& endpoint) {
  HttpReply reply;
  reply.status = static_cast<int>(response.result_int());
  reply.body = response.body();
  std::string message = "the server refused the stream at " + endpoint.origin + ": HTTP " +
                        std::to_string(reply.status);
  if (const auto api = reply.api_error()) message += ": " + api->message + " (" + api->code + ")";
  switch (reply.status) {
    case 401:
      return unauthenticated(std::move(message));
    case 403:
      return permission_denied(std::move(message));
    default:
      return unavailable(std::move(message));
  }
}

}  // namespace

struct StreamClient::Impl {
  detail::Endpoint endpoint;
  std::shared_ptr<asio::ssl::context> tls;
  asio::io_context io;
  websocket::stream<detail::TlsStream> socket;
  beast::flat_buffer buffer;
  bool reading = false;  // an async_read is outstanding (it outlives a timed-out next_message)
  bool read_done = false;
  boost::system::error_code read_error;

  Impl(detail::Endpoint where, std::shared_ptr<asio::ssl::context> context)
      : endpoint(std::move(where)), tls(std::move(context)), socket(io, *tls) {}

  // Runs the I/O loop until `done` or the deadline.
  void run_until(const bool& done, std::chrono::steady_clock::time_point deadline) {
    while (!done) {
      if (io.stopped()) io.restart();
      if (io.run_one_until(deadline) == 0 && std::chrono::steady_clock::now() >= deadline) return;
    }
  }
};

StreamClient::StreamClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StreamClient::StreamClient(StreamClient&&) noexcept = default;
StreamClient& StreamClient::operator=(StreamClient&&) noexcept = default;
StreamClient::~StreamClient() = default;

Result<StreamClient> StreamClient::connect(const ApiClient& api, std::string_view path) {
  const ClientOptions& options = api.options();
  SENTINEL_ASSIGN(endpoint, detail::parse_base_url(options.base_url));
  SENTINEL_ASSIGN(tls, detail::make_tls_context(options));
  auto impl = std::make_unique<Impl>(std::move(endpoint), std::move(tls));
  auto& socket = impl->socket;
  SENTINEL_TRY(detail::connect_tls(impl->io, socket.next_layer(), impl->endpoint, options));

  // From here the WebSocket's own timeouts apply, not the TCP stream's.
  beast::get_lowest_layer(socket).expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = options.connect_timeout;
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  socket.set_option(timeouts);
  socket.set_option(websocket::stream_base::decorator(
      [user_agent = options.user_agent, token = options.bearer_token,
       cookies = api.cookie_header()](websocket::request_type& request) {
        request.set(beast::http::field::user_agent, user_agent);
        if (!token.empty())
          request.set(beast::http::field::authorization, "Bearer " + token.reveal());
        if (!cookies.empty()) request.set(beast::http::field::cookie, cookies.reveal());
      }));
  websocket::response_type response;
  const auto ec = detail::run_one(impl->io, [&](auto handler) {
    socket.async_handshake(response, impl->endpoint.host_header, path, std::move(handler));
  });
  if (ec == websocket::error::upgrade_declined) return upgrade_refused(response, impl->endpoint);
  if (ec) {
    return detail::io_error("cannot open the stream at", ec, impl->endpoint,
                            options.connect_timeout);
  }
  return StreamClient(std::move(impl));
}

Result<std::string> StreamClient::next_message(std::chrono::milliseconds timeout) {
  Impl& impl = *impl_;
  if (!impl.reading) {
    impl.reading = true;
    impl.read_done = false;
    impl.buffer.clear();
    impl.socket.async_read(impl.buffer, [&impl](boost::system::error_code ec, std::size_t) {
      impl.read_error = ec;
      impl.read_done = true;
    });
  }
  impl.run_until(impl.read_done, std::chrono::steady_clock::now() + timeout);
  if (!impl.read_done) {
    Error error =
        unavailable("no stream message within " + std::to_string(timeout.count()) + " ms");
    error.reason = std::string(kTimedOut);
    return error;
  }
  impl.reading = false;
  if (impl.read_error == websocket::error::closed) {
    Error error = unavailable("the server closed the stream at " + impl.endpoint.origin);
    error.reason = std::string(kConnectionClosed);
    return error;
  }
  if (impl.read_error) {
    return detail::io_error("cannot read the stream from", impl.read_error, impl.endpoint, timeout);
  }
  return beast::buffers_to_string(impl.buffer.data());
}

void StreamClient::close() {
  Impl& impl = *impl_;
  if (!impl.socket.is_open()) return;
  auto closed = std::make_shared<bool>(false);  // outlives this call if the close times out
  impl.socket.async_close(websocket::close_code::normal,
                          [closed](boost::system::error_code) { *closed = true; });
  impl.run_until(*closed, std::chrono::steady_clock::now() + kCloseTimeout);
  boost::system::error_code ignored;
  beast::get_lowest_layer(impl.socket).socket().close(ignored);
}

}  // namespace sentinel::client
