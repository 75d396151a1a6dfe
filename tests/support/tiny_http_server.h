#pragma once
// An HTTP/1.1 server on 127.0.0.1 that answers each path as a test tells it to, one connection
// at a time, then closes the connection: the far end of the feed fetcher in tests. Never
// listens anywhere but loopback.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "sentinel/common/result.h"

namespace sentinel::test {

class TinyHttpServer {
 public:
  /// What one path answers.
  struct Reply {
    int status = 200;
    std::string reason = "OK";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    /// Reads the request and never answers (until the server stops): a hung feed.
    bool hang = false;
  };

  /// Binds 127.0.0.1 on a free port and serves on its own thread.
  static Result<std::unique_ptr<TinyHttpServer>> start();
  ~TinyHttpServer();
  TinyHttpServer(const TinyHttpServer&) = delete;
  TinyHttpServer& operator=(const TinyHttpServer&) = delete;

  std::uint16_t port() const { return port_; }
  /// "http://127.0.0.1:PORT" + path.
  std::string url(std::string_view path) const;
  /// Sets what `path` (the request target, query included) answers; unknown paths get 404.
  void set(const std::string& path, Reply reply);
  /// Shorthand: 200 with `body` as text/plain.
  void set_text(const std::string& path, std::string body);
  /// The request targets received so far, in order.
  std::vector<std::string> requests() const;

 private:
  TinyHttpServer(int listener, std::uint16_t port);
  void serve();
  void answer(int connection);

  int listener_;
  std::uint16_t port_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::map<std::string, Reply> replies_;
  std::vector<std::string> requests_;
  std::vector<int> hung_;
  std::thread thread_;
};

}  // namespace sentinel::test
