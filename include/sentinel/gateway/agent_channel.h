#pragma once
// The agent channel listener: one WebSocket per agent over mutual TLS 1.3, on its own port.
// The gateway owns the sockets, TLS and framing; the agents service owns what frames mean
// (ChannelHandler). Beast-free: the server lives in src/gateway/server/agent_listener.cpp
// (accepting) and agent_connection.cpp (one connection).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "sentinel/common/metrics.h"
#include "sentinel/common/result.h"
#include "sentinel/server/service.h"

namespace sentinel::gateway {

/// The verified client certificate of a connecting agent.
struct PeerCertificate {
  std::string common_name;         // the agent id the CA put into the subject CN
  std::string serial_hex;          // lower-case hex, no leading zeros
  std::string fingerprint_sha256;  // lower-case hex of the DER certificate
  std::int64_t not_after_ms = 0;
};

/// The gateway's half of one agent connection. Thread-safe; may outlive the connection (then
/// send() returns false and close() does nothing).
class ChannelSink {
 public:
  virtual ~ChannelSink() = default;
  /// Queues one text frame. False when the connection is closed or its send queue is full; a
  /// full queue closes the connection (the agent reconnects and resends what was not acked).
  virtual bool send(std::string frame) = 0;
  /// Sends `goodbye_frame` (when not empty) and closes. Idempotent.
  virtual void close(std::string goodbye_frame) = 0;
  virtual std::string remote_address() const = 0;
};

/// The service's half of one agent connection.
class ChannelSession {
 public:
  virtual ~ChannelSession() = default;
  /// One received text frame. `done` must be called exactly once, from any thread; the gateway
  /// reads the next frame of this connection only after that, so a slow consumer slows this one
  /// agent down (TCP back-pressure) and never makes the gateway buffer or drop its data.
  /// done(error) closes the connection; the error's message says why (it is logged).
  virtual void on_frame(std::string frame, std::function<void(Status)> done) = 0;
  /// The connection ended (either side, any reason). Called once, after the last on_frame.
  virtual void on_close(std::string_view reason) = 0;
};

/// What the agents service supplies. Thread-safe.
class ChannelHandler {
 public:
  virtual ~ChannelHandler() = default;
  /// Called during the TLS handshake after the chain verified against the CA, on an I/O
  /// thread: must be quick and must not block (in-memory revocation check). False refuses the
  /// handshake.
  virtual bool certificate_allowed(const PeerCertificate& peer) = 0;
  /// Called after the WebSocket upgrade, on a worker thread (may use the database). An error
  /// closes the connection with the error's message in a "goodbye" frame.
  virtual Result<std::shared_ptr<ChannelSession>> open(const PeerCertificate& peer,
                                                       std::shared_ptr<ChannelSink> sink) = 0;
};

/// Listener settings. The server certificate must be signed by the CA in `ca_file`, which is
/// also the only trust anchor for client certificates.
struct AgentChannelOptions {
  std::string listen = "127.0.0.1:8444";  // HOST:PORT; port 0 picks a free port
  std::string ca_file;                    // PEM: the agent CA certificate
  std::string cert_file;                  // PEM: the channel's server certificate (chain)
  std::string key_file;                   // PEM: its private key
  std::size_t max_frame_bytes = 4 << 20;  // larger frames close the connection
  std::size_t max_connections = 20000;    // beyond this, new connections are refused
  std::size_t send_queue_frames = 256;    // per connection
  int handshake_timeout_s = 10;           // TCP accept to WebSocket upgrade done
  int idle_timeout_s = 90;                // nothing received (frames or pongs): closed
  int io_threads = 1;
  int worker_threads = 2;                 // ChannelHandler::open runs here
};

/// The listener service. Lifecycle methods from one thread; everything else thread-safe.
class AgentChannelListener : public server::Service {
 public:
  /// Validates `options` and loads the TLS files. `handler` must outlive the listener.
  static Result<std::unique_ptr<AgentChannelListener>> create(AgentChannelOptions options,
                                                              ChannelHandler& handler,
                                                              MetricsRegistry& metrics);
  /// "HOST:PORT" actually bound (after start).
  virtual std::string bound_address() const = 0;
  /// Connections currently open.
  virtual std::size_t connection_count() const = 0;
};

}  // namespace sentinel::gateway
