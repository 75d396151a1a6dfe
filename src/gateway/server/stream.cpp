#include "stream.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/serialize.hpp>
#include <deque>

#include "../logger.h"

namespace sentinel::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

constexpr auto kAwaitable = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxClientMessage = 4096;

/// Bus topic -> permission a client needs to receive it.
struct Topic {
  std::string_view name;
  std::string_view permission;
};
constexpr Topic kTopics[] = {
    {"audit", "audit:read"},
    {"agent", "agents:read"},
    {"event", "events:read"},
    {"alert", "alerts:read"},
    {"scan", "scans:read"},
    {"firewall", "firewall:read"}};

asio::awaitable<bool> check_credentials(CredentialCheck still_valid) { co_return still_valid(); }

}  // namespace

/// One WebSocket client. Every member is touched only on the connection's strand, except
/// `principal_` (immutable) which the hub reads on the bus thread.
class StreamConnection {
 public:
  StreamConnection(TlsStream stream, auth::Principal principal, std::size_t max_queue,
                   asio::any_io_executor workers, CredentialCheck still_valid)
      : socket_(std::move(stream)),
        wake_(socket_.get_executor()),
        principal_(std::move(principal)),
        max_queue_(max_queue),
        workers_(std::move(workers)),
        still_valid_(std::move(still_valid)) {}

  const auth::Principal& principal() const { return principal_; }
  websocket::stream<TlsStream>& socket() { return socket_; }

  /// Queues a message; past the bound, marks the client as too slow. Strand only.
  void push(std::shared_ptr<const std::string> message) {
    if (close_code_ != websocket::close_code::none) return;
    if (queue_.size() >= max_queue_) {
      close(websocket::close_code::policy_error);
      return;
    }
    queue_.push_back(std::move(message));
    wake_.cancel();
  }

  /// Asks the writer to close with `code`. Strand only.
  void close(websocket::close_code code) {
    if (close_code_ == websocket::close_code::none) close_code_ = code;
    wake_.cancel();
  }

  /// Called when the reader stops: the peer closed or the connection failed. Strand only.
  void reader_done() {
    peer_gone_ = true;
    wake_.cancel();
  }

  /// Sends queued messages until a close is requested or the peer is gone; re-checks the
  /// credentials every kStreamRecheckInterval. Strand only.
  asio::awaitable<void> write_loop() {
    auto next_check = std::chrono::steady_clock::now() + kStreamRecheckInterval;
    while (!peer_gone_ && close_code_ == websocket::close_code::none) {
      if (std::chrono::steady_clock::now() >= next_check) {
        const bool valid =
            co_await asio::co_spawn(workers_, check_credentials(still_valid_), asio::use_awaitable);
        if (!valid) close(websocket::close_code::policy_error);
        next_check = std::chrono::steady_clock::now() + kStreamRecheckInterval;
        continue;
      }
      if (queue_.empty()) {
        wake_.expires_at(next_check);
        co_await wake_.async_wait(kAwaitable);
        continue;
      }
      const std::shared_ptr<const std::string> message = std::move(queue_.front());
      queue_.pop_front();
      socket_.text(true);
      auto [ec, written] = co_await socket_.async_write(asio::buffer(*message), kAwaitable);
      if (ec) {
        beast::get_lowest_layer(socket_).close();  // ends the reader too
        co_return;
      }
    }
    if (peer_gone_) co_return;
    co_await socket_.async_close(websocket::close_reason(close_code_), kAwaitable);
  }

 private:
  websocket::stream<TlsStream> socket_;
  asio::steady_timer wake_;
  const auth::Principal principal_;
  const std::size_t max_queue_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  const asio::any_io_executor workers_;
  const CredentialCheck still_valid_;
  websocket::close_code close_code_ = websocket::close_code::none;
  bool peer_gone_ = false;
};

namespace {

// Reads and discards client messages; this keeps control frames (ping, pong, close) flowing.
asio::awaitable<void> read_loop(std::shared_ptr<StreamConnection> connection) {
  beast::flat_buffer buffer;
  for (;;) {
    auto [ec, read] = co_await connection->socket().async_read(buffer, kAwaitable);
    if (ec) break;
    buffer.consume(buffer.size());
  }
  connection->reader_done();
}

}  // namespace

StreamHub::StreamHub(bus::Bus& bus, MetricsRegistry& metrics, std::size_t max_queue,
                     std::chrono::seconds idle_timeout)
    : bus_(bus), metrics_(metrics), max_queue_(max_queue), idle_timeout_(idle_timeout) {}

void StreamHub::start() {
  for (const Topic& topic : kTopics) {
    subscriptions_.push_back(
        bus_.subscribe(std::string(topic.name),
                       [this, permission = topic.permission](const bus::Message& message) {
                         deliver(message, permission);
                       }));
  }
  publish_size(0);
}

void StreamHub::stop() { subscriptions_.clear(); }

void StreamHub::close_all() {
  std::lock_guard lock(mutex_);
  for (const auto& [key, weak] : connections_) {
    if (auto connection = weak.lock()) {
      asio::post(connection->socket().get_executor(),
                 [connection] { connection->close(websocket::close_code::going_away); });
    }
  }
}

std::size_t StreamHub::size() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

void StreamHub::add(const std::shared_ptr<StreamConnection>& connection) {
  std::size_t size = 0;
  {
    std::lock_guard lock(mutex_);
    connections_.emplace(connection.get(), connection);
    size = connections_.size();
  }
  publish_size(size);
}

void StreamHub::remove(const StreamConnection* connection) {
  std::size_t size = 0;
  {
    std::lock_guard lock(mutex_);
    connections_.erase(connection);
    size = connections_.size();
  }
  publish_size(size);
}

void StreamHub::publish_size(std::size_t size) {
  metrics_.set_gauge("sentinel_stream_clients", "Connected WebSocket stream clients", {},
                     static_cast<double>(size));
}

void StreamHub::deliver(const bus::Message& message, std::string_view permission) {
  const auto payload = std::make_shared<const std::string>(message.payload);
  std::lock_guard lock(mutex_);
  for (const auto& [key, weak] : connections_) {
    auto connection = weak.lock();
    if (!connection || !connection->principal().has(permission)) continue;
    asio::post(connection->socket().get_executor(),
               [connection, payload] { connection->push(payload); });
  }
}

asio::awaitable<void> serve_stream(std::shared_ptr<StreamHub> hub, TlsStream stream,
                                   HttpRequest upgrade, auth::Principal principal,
                                   std::string request_id, asio::any_io_executor workers,
                                   CredentialCheck still_valid) {
  const std::string user = principal.username;
  auto connection =
      std::make_shared<StreamConnection>(std::move(stream), std::move(principal), hub->max_queue(),
                                         std::move(workers), std::move(still_valid));
  auto& socket = connection->socket();
  beast::get_lowest_layer(socket).expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = std::chrono::seconds(10);
  timeouts.idle_timeout = hub->idle_timeout();
  timeouts.keep_alive_pings = true;
  socket.set_option(timeouts);
  socket.read_message_max(kMaxClientMessage);
  socket.set_option(websocket::stream_base::decorator(
      [request_id](websocket::response_type& res) { res.set("X-Request-Id", request_id); }));
  auto [ec] = co_await socket.async_accept(upgrade, kAwaitable);
  if (ec) {
    gateway_log().debug("stream upgrade failed request_id={} error=\"{}\"", request_id,
                        ec.message());
    co_return;
  }
  gateway_log().info("stream open request_id={} user={}", request_id, user);
  connection->push(std::make_shared<const std::string>(
      boost::json::serialize(boost::json::object{{"type", "hello"}, {"user", user}})));
  hub->add(connection);
  asio::co_spawn(socket.get_executor(), read_loop(connection), asio::detached);
  co_await connection->write_loop();
  hub->remove(connection.get());
  gateway_log().info("stream closed request_id={} user={}", request_id, user);
}

}  // namespace sentinel::gateway
