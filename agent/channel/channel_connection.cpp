#include "agent/channel/channel_connection.h"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "sentinel/common/openssl.h"

namespace sentinel::agent {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Socket = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

constexpr auto kAwaitable = asio::as_tuple(asio::use_awaitable);
constexpr auto kCloseWait = std::chrono::seconds(2);
// The read buffer keeps at most this much capacity between frames: the agent stays small.
constexpr std::size_t kKeptReadBuffer = 64 * 1024;

// The leaf must be meant for a TLS server: an explicit serverAuth extended key usage. (OpenSSL
// treats a certificate without the extension as good for every purpose.)
int verify_server(int preverified, X509_STORE_CTX* store) {
  if (preverified != 1) return 0;
  if (X509_STORE_CTX_get_error_depth(store) != 0) return 1;
  X509* leaf = X509_STORE_CTX_get_current_cert(store);
  const bool server_auth = leaf != nullptr &&
                           (X509_get_extension_flags(leaf) & EXFLAG_XKUSAGE) != 0 &&
                           (X509_get_extended_key_usage(leaf) & XKU_SSL_SERVER) != 0;
  if (!server_auth) {
    X509_STORE_CTX_set_error(store, X509_V_ERR_INVALID_PURPOSE);
    return 0;
  }
  return 1;
}

Status configure_tls(SSL_CTX* ctx, const ChannelEndpoint& endpoint) {
  if (endpoint.ca_file.empty()) return invalid_argument("the agent CA file is required", "ca_file");
  if (endpoint.cert_file.empty() || endpoint.key_file.empty()) {
    return invalid_argument("the agent certificate and key files are required", "cert_file");
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_load_verify_locations(ctx, endpoint.ca_file.c_str(), nullptr) != 1) {
    return invalid_argument(
        fmt::format("cannot load the agent CA {}: {}", endpoint.ca_file, ssl::openssl_error()),
        "ca_file");
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, endpoint.cert_file.c_str()) != 1) {
    return invalid_argument(fmt::format("cannot load the agent certificate {}: {}",
                                        endpoint.cert_file, ssl::openssl_error()),
                            "cert_file");
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, endpoint.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return invalid_argument(
        fmt::format("cannot load the agent key {}: {}", endpoint.key_file, ssl::openssl_error()),
        "key_file");
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return invalid_argument(fmt::format("the key {} does not match the certificate {}",
                                        endpoint.key_file, endpoint.cert_file),
                            "key_file");
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_server);
  return ok();
}

Error closed_error(std::string message) {
  Error error = unavailable(std::move(message));
  error.reason = std::string(kChannelClosed);
  return error;
}

Error timeout_error(std::string message) {
  Error error = unavailable(std::move(message));
  error.reason = std::string(kChannelTimeout);
  return error;
}

std::string host_header(const ChannelEndpoint& endpoint) {
  if (endpoint.host.find(':') != std::string::npos) {
    return fmt::format("[{}]:{}", endpoint.host, endpoint.port);
  }
  return fmt::format("{}:{}", endpoint.host, endpoint.port);
}

}  // namespace

/// Every Asio object is touched only on the I/O thread; the rest is guarded by `mutex`.
struct ChannelConnection::Impl {
  // `context` is complete: a stream copies its context's certificates when it is created.
  Impl(ChannelEndpoint where, asio::ssl::context context)
      : endpoint(std::move(where)),
        origin(host_header(endpoint)),
        io(1),
        work(asio::make_work_guard(io)),
        tls(std::move(context)),
        socket(io, tls) {}

  ~Impl() {
    shut_down();
    if (thread.joinable()) thread.join();
  }

  /// Tears the connection down and ends the I/O thread without waiting for anything.
  void shut_down() {
    asio::post(io, [this] {
      boost::system::error_code ignored;
      beast::get_lowest_layer(socket).socket().close(ignored);
      work.reset();
      io.stop();
    });
  }

  void start_thread() {
    thread = std::thread([this] {
      try {
        io.run();
      } catch (const std::exception& e) {
        fail(closed_error(fmt::format("the channel to {} failed: {}", origin, e.what())));
      }
    });
  }

  /// Records the first terminal failure and wakes the waiting callers.
  void fail(Error error) {
    std::lock_guard lock(mutex);
    if (!failure) failure = std::move(error);
    changed.notify_all();
  }

  // I/O thread: the connect, TLS and WebSocket handshakes under one deadline.
  asio::awaitable<Status> connect() {
    const auto deadline = Clock::now() + endpoint.connect_timeout;
    auto& stream = beast::get_lowest_layer(socket);
    tcp::resolver resolver(io);
    auto [resolve_error, results] =
        co_await resolver.async_resolve(endpoint.host, endpoint.port, kAwaitable);
    if (resolve_error) {
      co_return unavailable(
          fmt::format("cannot resolve {}: {}", endpoint.host, resolve_error.message()));
    }
    std::optional<asio::ip::address> source;
    if (!endpoint.source_address.empty()) {
      boost::system::error_code ec;
      source = asio::ip::make_address(endpoint.source_address, ec);
      if (ec) {
        co_return invalid_argument(
            fmt::format("source address '{}' is not an IP address", endpoint.source_address),
            "source_address");
      }
    }
    boost::system::error_code connect_error = asio::error::host_not_found;
    for (const auto& entry : results) {
      const tcp::endpoint target = entry.endpoint();
      if (source && source->is_v4() != target.address().is_v4()) continue;
      boost::system::error_code ec;
      stream.socket().close(ec);
      stream.socket().open(target.protocol(), ec);
      if (!ec && source) stream.socket().bind(tcp::endpoint(*source, 0), ec);
      if (ec) {
        connect_error = ec;
        continue;
      }
      stream.expires_at(deadline);
      std::tie(connect_error) = co_await stream.async_connect(target, kAwaitable);
      if (!connect_error) break;
    }
    if (connect_error) {
      co_return unavailable(
          fmt::format("cannot connect to {}: {}", origin, connect_error.message()));
    }
    {
      boost::system::error_code ec;
      const tcp::endpoint peer = stream.socket().remote_endpoint(ec);
      if (!ec) addresses.push_back(peer.address().to_string());
      for (const auto& entry : results) {
        std::string resolved = entry.endpoint().address().to_string();
        if (std::find(addresses.begin(), addresses.end(), resolved) == addresses.end()) {
          addresses.push_back(std::move(resolved));
        }
      }
    }

    auto& tls_stream = socket.next_layer();
    boost::system::error_code not_ip;
    asio::ip::make_address(endpoint.host, not_ip);
    if (not_ip) SSL_set_tlsext_host_name(tls_stream.native_handle(), endpoint.host.c_str());
    stream.expires_at(deadline);
    auto [handshake_error] =
        co_await tls_stream.async_handshake(asio::ssl::stream_base::client, kAwaitable);
    if (handshake_error) {
      const long verify = SSL_get_verify_result(tls_stream.native_handle());
      const std::string why = verify == X509_V_OK
                                  ? handshake_error.message()
                                  : fmt::format("{} ({})", handshake_error.message(),
                                                X509_verify_cert_error_string(verify));
      co_return unavailable(fmt::format("TLS handshake with {} failed: {}", origin, why));
    }

    // From here the WebSocket's own timeouts apply, not the TCP stream's.
    stream.expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout =
        std::max<Clock::duration>(deadline - Clock::now(), std::chrono::milliseconds(1));
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    socket.set_option(timeouts);
    socket.read_message_max(endpoint.max_frame_bytes);
    socket.auto_fragment(false);
    socket.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
      request.set(beast::http::field::user_agent, "sentinel-agent");
    }));
    websocket::response_type response;
    auto [upgrade_error] =
        co_await socket.async_handshake(response, origin, endpoint.path, kAwaitable);
    if (upgrade_error == websocket::error::upgrade_declined) {
      co_return unavailable(
          fmt::format("{} refused the channel upgrade: HTTP {}", origin, response.result_int()));
    }
    if (upgrade_error) {
      co_return unavailable(
          fmt::format("cannot open the channel at {}: {}", origin, upgrade_error.message()));
    }
    timeouts.handshake_timeout = kCloseWait;  // bounds the closing handshake
    if (endpoint.idle_timeout.count() > 0) {
      timeouts.idle_timeout = endpoint.idle_timeout;
      timeouts.keep_alive_pings = true;
    }
    socket.set_option(timeouts);
    co_return ok();
  }

  // I/O thread. One frame is read ahead, no more: the next read starts when receive() takes it.
  void start_read() {
    socket.async_read(buffer, [this](boost::system::error_code ec, std::size_t) { on_read(ec); });
  }

  void on_read(boost::system::error_code ec) {
    if (ec) {
      if (ec == websocket::error::closed) {
        const websocket::close_reason& reason = socket.reason();
        fail(closed_error(
            fmt::format("the server closed the channel (code {}{}{})",
                        static_cast<int>(reason.code), reason.reason.empty() ? "" : " ",
                        std::string_view(reason.reason.data(), reason.reason.size()))));
      } else if (ec == beast::error::timeout) {
        fail(closed_error(fmt::format("nothing received from {} within the idle timeout", origin)));
      } else {
        fail(closed_error(fmt::format("the channel to {} failed: {}", origin, ec.message())));
      }
      return;
    }
    if (!socket.got_text()) {
      fail(closed_error(fmt::format("{} sent a binary frame; the channel is closed", origin)));
      beast::get_lowest_layer(socket).socket().close(ec);
      return;
    }
    const auto data = buffer.data();
    std::string frame(static_cast<const char*>(data.data()), data.size());
    buffer.consume(buffer.size());
    if (buffer.capacity() > kKeptReadBuffer) buffer.shrink_to_fit();
    std::lock_guard lock(mutex);
    inbox = std::move(frame);
    changed.notify_all();
  }

  const ChannelEndpoint endpoint;
  const std::string origin;  // "host:port", for messages and the Host header
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  asio::ssl::context tls;
  Socket socket;
  beast::flat_buffer buffer;  // I/O thread
  std::thread thread;

  std::mutex send_mutex;     // one send() at a time
  std::mutex receive_mutex;  // one receive() at a time
  mutable std::mutex mutex;  // guards the members below
  std::condition_variable changed;
  std::optional<std::string> inbox;  // a frame read ahead
  std::optional<Error> failure;      // the connection has ended: why
  bool closed = false;               // close() was called
  // Written by connect() on the I/O thread before open() returns, read-only afterwards.
  std::vector<std::string> addresses;
};

ChannelConnection::ChannelConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ChannelConnection::~ChannelConnection() { close(); }

Result<std::unique_ptr<ChannelConnection>> ChannelConnection::open(
    const ChannelEndpoint& endpoint) {
  if (endpoint.host.empty() || endpoint.port.empty()) {
    return invalid_argument("the channel host and port are required", "host");
  }
  if (endpoint.max_frame_bytes == 0) {
    return invalid_argument("max_frame_bytes must be positive", "max_frame_bytes");
  }
  asio::ssl::context tls(asio::ssl::context::tls_client);
  SENTINEL_TRY(configure_tls(tls.native_handle(), endpoint));
  auto impl = std::make_unique<Impl>(endpoint, std::move(tls));
  impl->start_thread();

  struct Outcome {
    std::mutex mutex;
    std::condition_variable done;
    std::optional<Status> status;
  };
  auto outcome = std::make_shared<Outcome>();
  asio::co_spawn(impl->io, impl->connect(), [outcome](std::exception_ptr failure, Status status) {
    if (failure) status = internal_error("the channel connect failed");
    std::lock_guard lock(outcome->mutex);
    outcome->status = std::move(status);
    outcome->done.notify_all();
  });
  {
    std::unique_lock lock(outcome->mutex);
    // The connect enforces its own deadline; the margin covers name resolution, which cannot be
    // cancelled.
    const bool finished = outcome->done.wait_for(lock, endpoint.connect_timeout + kCloseWait,
                                                 [&] { return outcome->status.has_value(); });
    if (!finished) {
      return timeout_error(fmt::format("cannot open the channel at {} within {} ms", impl->origin,
                                       endpoint.connect_timeout.count()));
    }
    if (!*outcome->status) return std::move(*outcome->status).error();
  }
  Impl* raw = impl.get();
  asio::post(impl->io, [raw] { raw->start_read(); });
  return std::unique_ptr<ChannelConnection>(new ChannelConnection(std::move(impl)));
}

Status ChannelConnection::send(std::string frame, std::chrono::milliseconds timeout) {
  Impl& impl = *impl_;
  std::lock_guard serial(impl.send_mutex);
  {
    std::lock_guard lock(impl.mutex);
    if (impl.failure) return *impl.failure;
    if (impl.closed) return closed_error("the channel was closed by this agent");
  }
  struct Write {
    std::string frame;
    bool done = false;
    boost::system::error_code error;
  };
  // Shared with the I/O thread: the write may outlive a timed-out call.
  auto write = std::make_shared<Write>();
  write->frame = std::move(frame);
  Impl* raw = &impl;
  asio::post(impl.io, [raw, write] {
    raw->socket.text(true);
    raw->socket.async_write(asio::buffer(write->frame),
                            [raw, write](boost::system::error_code ec, std::size_t) {
                              std::lock_guard lock(raw->mutex);
                              write->done = true;
                              write->error = ec;
                              raw->changed.notify_all();
                            });
  });
  std::unique_lock lock(impl.mutex);
  if (!impl.changed.wait_for(lock, timeout, [&] { return write->done; })) {
    lock.unlock();
    impl.fail(closed_error(fmt::format("a send to {} timed out after {} ms; the channel was closed",
                                       impl.origin, timeout.count())));
    asio::post(impl.io, [raw] {
      boost::system::error_code ignored;
      beast::get_lowest_layer(raw->socket).socket().close(ignored);
    });
    return timeout_error(
        fmt::format("the frame was not written to {} within {} ms", impl.origin, timeout.count()));
  }
  if (write->error) {
    if (impl.failure) return *impl.failure;
    return closed_error(fmt::format("cannot send to {}: {}", impl.origin, write->error.message()));
  }
  return ok();
}

Result<std::string> ChannelConnection::receive(std::chrono::milliseconds timeout) {
  Impl& impl = *impl_;
  std::lock_guard serial(impl.receive_mutex);
  std::unique_lock lock(impl.mutex);
  const bool ready = impl.changed.wait_for(
      lock, timeout, [&] { return impl.inbox.has_value() || impl.failure.has_value(); });
  if (impl.inbox) {
    std::string frame = std::move(*impl.inbox);
    impl.inbox.reset();
    lock.unlock();
    Impl* raw = &impl;
    asio::post(impl.io, [raw] { raw->start_read(); });
    return frame;
  }
  if (impl.failure) return *impl.failure;
  if (!ready) {
    return timeout_error(
        fmt::format("no frame from {} within {} ms", impl.origin, timeout.count()));
  }
  return timeout_error("no frame");  // unreachable: woken without a frame or a failure
}

void ChannelConnection::close() {
  Impl& impl = *impl_;
  {
    std::lock_guard lock(impl.mutex);
    if (impl.closed) return;
    impl.closed = true;
  }
  impl.fail(closed_error("the channel was closed by this agent"));
  struct Closing {
    bool done = false;
  };
  auto closing = std::make_shared<Closing>();
  Impl* raw = &impl;
  asio::post(impl.io, [raw, closing] {
    if (!raw->socket.is_open()) {
      std::lock_guard lock(raw->mutex);
      closing->done = true;
      raw->changed.notify_all();
      return;
    }
    raw->socket.async_close(websocket::close_code::normal,
                            [raw, closing](boost::system::error_code) {
                              std::lock_guard lock(raw->mutex);
                              closing->done = true;
                              raw->changed.notify_all();
                            });
  });
  {
    std::unique_lock lock(impl.mutex);
    impl.changed.wait_for(lock, kCloseWait, [&] { return closing->done || impl.io.stopped(); });
  }
  impl.shut_down();
}

const std::vector<std::string>& ChannelConnection::server_addresses() const {
  return impl_->addresses;
}

bool ChannelConnection::is_open() const {
  std::lock_guard lock(impl_->mutex);
  return !impl_->failure && !impl_->closed;
}

}  // namespace sentinel::agent
