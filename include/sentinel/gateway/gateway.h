#pragma once
// The HTTPS + WebSocket gateway service. Beast-free: the server lives in src/gateway/server.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "sentinel/auth/principal.h"
#include "sentinel/bus/bus.h"
#include "sentinel/common/metrics.h"
#include "sentinel/common/result.h"
#include "sentinel/gateway/router.h"
#include "sentinel/server/service.h"

namespace sentinel::gateway {

/// Listener, TLS and limits. Validated by Gateway::create.
struct GatewayOptions {
  std::string listen = "127.0.0.1:8443";  // HOST:PORT or [V6]:PORT; port 0 picks a free port
  std::string data_dir;                   // the self-signed certificate goes to data_dir/tls/
  /// Both empty: generate a self-signed certificate and key at first start, reuse afterwards.
  std::string cert_file;
  std::string key_file;
  std::string tls_min_version = "1.3";  // "1.2" only when configured
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 16 * 1024;
  int idle_timeout_s = 60;     // keep-alive wait for the next request; WebSocket ping interval x2
  int request_timeout_s = 30;  // from the end of the request head to the end of the response
  int io_threads = 2;
  int worker_threads = 2;  // handlers and authentication run here, never on I/O threads
  /// The same for the routes marked Route::long_running, apart from the others.
  int long_running_threads = 4;
  /// Long-running requests that may wait for a thread of that pool; beyond these (and the ones
  /// running) a request is answered 503 at once. 0: none waits.
  int long_running_queue = 16;
  std::string web_root;                 // the built portal; empty or missing: no static files
  std::size_t max_stream_queue = 1024;  // per WebSocket client; a client this far behind is closed
};

/// Serves the route table over HTTPS with the built-in endpoints (/healthz, /readyz, /metrics,
/// /api/v1/openapi.json) and the event stream /api/v1/stream. Lifecycle methods are called from
/// one thread; everything else is thread-safe.
class Gateway : public server::Service {
 public:
  /// Validates `options` and loads (or generates) the TLS certificate. The routes of `router` are
  /// copied; the other collaborators must outlive the gateway. `ready_check` runs on a worker
  /// thread for /readyz.
  static Result<std::unique_ptr<Gateway>> create(GatewayOptions options, const Router& router,
                                                 auth::Authenticator& authenticator, bus::Bus& bus,
                                                 MetricsRegistry& metrics,
                                                 std::function<bool()> ready_check);

  /// "HOST:PORT" actually bound (after start), e.g. "127.0.0.1:41234" when started with port 0.
  virtual std::string bound_address() const = 0;
};

}  // namespace sentinel::gateway
