#pragma once
// The agent's end of the channel transport: one WebSocket over mutual TLS 1.3 to the server's
// agent channel. Beast-free header; the transport lives in channel_connection.cpp. What frames
// mean is the protocol's (sentinel/protocol/agent_protocol.h).

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"

namespace sentinel::agent {

/// Error reasons of ChannelConnection.
inline constexpr std::string_view kChannelTimeout = "timeout";
inline constexpr std::string_view kChannelClosed = "connection_closed";

/// Where the channel is and what the agent proves itself with.
struct ChannelEndpoint {
  std::string host;
  std::string port;
  std::string path = "/agent/v1/channel";
  std::string ca_file;    // PEM: the agent CA, the only trust anchor for the server
  std::string cert_file;  // PEM: this agent's client certificate (chain)
  std::string key_file;   // PEM: its private key, any type OpenSSL loads (EC P-256 expected)
  std::chrono::milliseconds connect_timeout{10'000};
  std::size_t max_frame_bytes = 4 << 20;
  std::string source_address;  // optional local address to bind (tests use 127.0.0.x)
  /// Nothing received from the server (frames or pongs to our pings) for this long closes the
  /// connection, so that a vanished server is noticed; zero turns it off.
  std::chrono::milliseconds idle_timeout{120'000};
};

/// One WebSocket over mutual TLS 1.3 to the agent channel. The server certificate must chain to
/// ca_file and carry extended key usage serverAuth; the host name is not checked (the CA is
/// private to this deployment and issues serverAuth certificates only to the channel). Owns one
/// I/O thread. send() and receive() may be called concurrently from two threads; close() and
/// is_open() from any thread.
class ChannelConnection {
 public:
  /// Connects, verifies the server and upgrades, all within endpoint.connect_timeout.
  /// kInvalidArgument for unreadable TLS files, kUnavailable when the connection fails.
  static Result<std::unique_ptr<ChannelConnection>> open(const ChannelEndpoint& endpoint);

  ChannelConnection(const ChannelConnection&) = delete;
  ChannelConnection& operator=(const ChannelConnection&) = delete;
  ~ChannelConnection();  // closes

  /// Writes one text frame; returns when it is written to the socket or fails (kUnavailable).
  /// Blocking on purpose: a slow server slows the caller down (back-pressure). After `timeout`
  /// the Error has reason kChannelTimeout and the connection is closed (a frame may have been
  /// partly written); on a closed connection the reason is kChannelClosed.
  Status send(std::string frame, std::chrono::milliseconds timeout);

  /// The next text frame. kChannelTimeout when none arrived within `timeout` (the connection
  /// stays usable); kChannelClosed when the connection ended (the message says how: the
  /// server's close code and reason, or the failure), and for every call after that.
  Result<std::string> receive(std::chrono::milliseconds timeout);

  /// Sends a WebSocket close (waiting up to two seconds for the answer) and drops the
  /// connection. Idempotent.
  void close();

  /// False once the connection has ended or close() was called.
  bool is_open() const;

  /// The server's addresses as this connection knows them: the remote address it is connected
  /// to first, then every other address the endpoint's host resolved to (IPv4-mapped IPv6 as
  /// the socket reports it). Fixed once open() returned.
  const std::vector<std::string>& server_addresses() const;

 private:
  struct Impl;
  explicit ChannelConnection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sentinel::agent
