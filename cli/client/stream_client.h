#pragma once
// The client of the WebSocket stream /api/v1/stream. Beast-free: the transport lives in
// stream_client.cpp.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "client/api_client.h"
#include "sentinel/common/result.h"

namespace sentinel::client {

/// A wss:// connection that receives the server's JSON event messages. Not thread-safe; movable.
class StreamClient {
 public:
  /// Opens `path` on the server of `api` with its TLS options and credentials (bearer token and
  /// cookies, e.g. the session of a login made with `api`). A refused upgrade is an Error whose
  /// message carries the HTTP status.
  static Result<StreamClient> connect(const ApiClient& api,
                                      std::string_view path = "/api/v1/stream");

  StreamClient(StreamClient&&) noexcept;
  StreamClient& operator=(StreamClient&&) noexcept;
  ~StreamClient();

  /// The next text message. Waits at most `timeout`: then the Error has reason kTimedOut and the
  /// stream stays usable. When the server closes, the Error has reason kConnectionClosed.
  Result<std::string> next_message(std::chrono::milliseconds timeout);
  /// Sends a WebSocket close and drops the connection.
  void close();

 private:
  struct Impl;
  explicit StreamClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sentinel::client
