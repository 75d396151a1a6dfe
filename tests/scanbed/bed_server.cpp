// Listening sockets are bound up front so that the ready file can promise every one of them.
// TLS-wrapped HTTP ports peek at the first byte, as nginx does, to answer plain HTTP with the
// servers' "plain HTTP to an HTTPS port" page; other TLS ports go straight to the handshake.

#include "tests/scanbed/bed_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string_view>
#include <vector>

#include "tests/scanbed/protocols/protocols.h"
#include "tests/scanbed/socket_connection.h"
#include "tests/scanbed/tls_identity.h"

namespace sentinel::scanbed {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr int kBacklog = 1024;
constexpr std::uint8_t kTlsHandshakeRecord = 0x16;
constexpr std::uint8_t kSslV2Hello = 0x80;

// What one listening socket serves: a service, or a hostile behaviour.
struct Listener {
  tcp::acceptor acceptor;
  const ServiceSpec* service = nullptr;  // null for a hostile listener
  std::string_view hostname;
  Hostility hostility = Hostility::kSilent;
};

// Logs what escaped a connection's coroutine; the bed keeps serving.
struct LogEscape {
  void operator()(const std::exception_ptr& escaped) const {
    if (!escaped) return;
    try {
      std::rethrow_exception(escaped);
    } catch (const std::exception& error) {
      spdlog::warn("scanbed connection failed: {}", error.what());
    }
  }
};

// Not a coroutine: each case returns the handler's awaitable for the caller to co_await.
asio::awaitable<void> serve_protocol(Connection& connection, ServeContext context) {
  switch (context.service.protocol) {
    case Protocol::kSsh:
      return serve_ssh(connection, context);
    case Protocol::kHttp:
      return serve_http(connection, context);
    case Protocol::kSmtp:
      return serve_smtp(connection, context);
    case Protocol::kFtp:
      return serve_ftp(connection, context);
    case Protocol::kPop3:
      return serve_pop3(connection, context);
    case Protocol::kImap:
      return serve_imap(connection, context);
    case Protocol::kMysql:
      return serve_mysql(connection, context);
    case Protocol::kPostgresql:
      return serve_postgresql(connection, context);
    case Protocol::kRedis:
      return serve_redis(connection, context);
  }
  return serve_ssh(connection, context);  // unreachable: every protocol is listed
}

}  // namespace

struct BedServer::State {
  asio::io_context io{1};
  std::unique_ptr<asio::ssl::context> tls;
  BedLimits limits;
  std::vector<std::unique_ptr<Listener>> listeners;
  std::size_t active = 0;
};

namespace {

// Holds one of the bed's connection slots for a connection's life.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(std::size_t& active) : active_(active) { ++active_; }
  ~ConnectionSlot() { --active_; }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  std::size_t& active_;
};

asio::awaitable<void> serve_tls(tcp::socket socket, asio::ssl::context* tls,
                                ConnectionLimits limits, ServeContext context) {
  auto connection = std::make_shared<TlsConnection>(
      asio::ssl::stream<tcp::socket>(std::move(socket), *tls), limits);
  connection->start_deadline();
  auto [error] =
      co_await connection->stream().async_handshake(asio::ssl::stream_base::server, kUseTuple);
  if (error) co_return;
  co_await serve_protocol(*connection, context);
}

asio::awaitable<void> serve_connection(BedServer::State* state, tcp::socket socket,
                                       const Listener* listener) {
  ConnectionSlot slot(state->active);
  if (!listener->service) {
    auto connection = std::make_shared<PlainConnection>(std::move(socket), state->limits.hostile);
    connection->start_deadline();
    co_await serve_hostile(*connection, listener->hostility);
    co_return;
  }
  const ServeContext context{*listener->service, listener->hostname};
  const ConnectionLimits& limits = state->limits.service;
  if (!context.service.tls) {
    auto connection = std::make_shared<PlainConnection>(std::move(socket), limits);
    connection->start_deadline();
    co_await serve_protocol(*connection, context);
    co_return;
  }
  if (context.service.protocol != Protocol::kHttp) {
    co_await serve_tls(std::move(socket), state->tls.get(), limits, context);
    co_return;
  }
  auto plain = std::make_shared<PlainConnection>(std::move(socket), limits);
  plain->start_deadline();
  std::uint8_t first = 0;
  auto [error, count] = co_await plain->stream().async_receive(
      asio::buffer(&first, 1), tcp::socket::message_peek, kUseTuple);
  if (error || count == 0) co_return;
  if (first == kTlsHandshakeRecord || first == kSslV2Hello) {
    co_await serve_tls(std::move(plain->stream()), state->tls.get(), limits, context);
  } else {
    co_await serve_plain_http_on_tls_port(*plain, context);
  }
}

asio::awaitable<void> accept_loop(BedServer::State* state, Listener* listener) {
  for (;;) {
    auto [error, socket] = co_await listener->acceptor.async_accept(kUseTuple);
    if (error == asio::error::operation_aborted || error == asio::error::bad_descriptor) {
      co_return;
    }
    if (error) {
      // Out of descriptors, most likely: back off instead of spinning on the error.
      asio::steady_timer pause(state->io, std::chrono::milliseconds(100));
      co_await pause.async_wait(kUseTuple);
      continue;
    }
    if (state->active >= state->limits.max_connections) continue;  // `socket` closes here
    asio::co_spawn(state->io, serve_connection(state, std::move(socket), listener), LogEscape{});
  }
}

Result<std::unique_ptr<Listener>> bind_listener(asio::io_context& io, std::uint32_t address,
                                                std::uint16_t port) {
  const tcp::endpoint endpoint(asio::ip::address_v4(address), port);
  auto listener = std::make_unique<Listener>(Listener{tcp::acceptor(io)});
  boost::system::error_code error;
  listener->acceptor.open(endpoint.protocol(), error);
  if (!error) listener->acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error) listener->acceptor.bind(endpoint, error);
  if (!error) listener->acceptor.listen(kBacklog, error);
  if (error) {
    return unavailable(
        fmt::format("cannot listen on {}:{}: {}", format_ipv4(address), port, error.message()));
  }
  return listener;
}

}  // namespace

BedServer::BedServer(std::unique_ptr<State> state) : state_(std::move(state)) {}
BedServer::~BedServer() = default;

Result<std::unique_ptr<BedServer>> BedServer::create(const BedPlan& plan, const BedLimits& limits) {
  auto state = std::make_unique<State>();
  state->limits = limits;
  SENTINEL_ASSIGN(tls, make_tls_context("scanbed.test"));
  state->tls = std::move(tls);
  for (const HostPlan& host : plan.hosts) {
    for (const PortPlan& port : host.ports) {
      SENTINEL_ASSIGN(listener, bind_listener(state->io, host.address, port.port));
      listener->service = &port.service;
      listener->hostname = host.hostname;
      state->listeners.push_back(std::move(listener));
    }
  }
  for (const HostilePlan& hostile : plan.hostile) {
    for (std::uint16_t port : hostile.ports) {
      SENTINEL_ASSIGN(listener, bind_listener(state->io, hostile.address, port));
      listener->hostility = hostile.hostility;
      state->listeners.push_back(std::move(listener));
    }
  }
  return std::unique_ptr<BedServer>(new BedServer(std::move(state)));
}

std::size_t BedServer::listener_count() const { return state_->listeners.size(); }

void BedServer::run() {
  for (const auto& listener : state_->listeners) {
    asio::co_spawn(state_->io, accept_loop(state_.get(), listener.get()), LogEscape{});
  }
  asio::signal_set signals(state_->io, SIGINT, SIGTERM);
  signals.async_wait([this](const boost::system::error_code& error, int signal) {
    if (error) return;
    spdlog::info("scanbed: signal {}, stopping", signal);
    state_->io.stop();
  });
  state_->io.run();
}

}  // namespace sentinel::scanbed
