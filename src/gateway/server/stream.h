#pragma once
// The event stream /api/v1/stream: bus messages fanned out to authenticated WebSocket clients.
// Included only by the two Beast translation units of the gateway.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "sentinel/auth/principal.h"
#include "sentinel/bus/bus.h"
#include "sentinel/common/metrics.h"

namespace sentinel::gateway {

/// The TLS connection every gateway session runs over.
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

/// The WebSocket path; not in the route table (documented in the OpenAPI description).
inline constexpr std::string_view kStreamPath = "/api/v1/stream";

class StreamConnection;

/// Re-checks the credentials a stream was opened with; blocking, runs on the worker pool. false
/// when they have ended (logout, revoked, user disabled), so that the stream is closed too.
using CredentialCheck = std::function<bool()>;

/// How often an open stream re-checks its credentials.
inline constexpr std::chrono::seconds kStreamRecheckInterval{30};

/// Subscribes to the bus topics the stream carries and pushes each message to every connected
/// client whose principal holds the topic's permission. Thread-safe.
class StreamHub {
 public:
  StreamHub(bus::Bus& bus, MetricsRegistry& metrics, std::size_t max_queue,
            std::chrono::seconds idle_timeout);

  /// Subscribes to the bus.
  void start();
  /// Closes every client with "going away".
  void close_all();
  /// Unsubscribes; waits for a delivery in progress.
  void stop();
  /// Connected clients.
  std::size_t size() const;

  std::size_t max_queue() const { return max_queue_; }
  std::chrono::seconds idle_timeout() const { return idle_timeout_; }
  void add(const std::shared_ptr<StreamConnection>& connection);
  void remove(const StreamConnection* connection);

 private:
  void deliver(const bus::Message& message, std::string_view permission);
  void publish_size(std::size_t size);

  bus::Bus& bus_;
  MetricsRegistry& metrics_;
  const std::size_t max_queue_;
  const std::chrono::seconds idle_timeout_;
  std::vector<std::unique_ptr<bus::Subscription>> subscriptions_;
  mutable std::mutex mutex_;
  std::map<const StreamConnection*, std::weak_ptr<StreamConnection>> connections_;
};

/// Upgrades `stream` (whose `upgrade` request was authenticated as `principal`) to a WebSocket and
/// serves it until either side closes or `still_valid`, run on `workers` every
/// kStreamRecheckInterval, says the credentials ended. Runs on the connection's strand.
boost::asio::awaitable<void> serve_stream(std::shared_ptr<StreamHub> hub, TlsStream stream,
                                          HttpRequest upgrade, auth::Principal principal,
                                          std::string request_id,
                                          boost::asio::any_io_executor workers,
                                          CredentialCheck still_valid);

}  // namespace sentinel::gateway
