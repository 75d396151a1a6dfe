// The Beast HTTPS server: listener, HTTP/1.1 sessions, hand-off to the worker pools and to the
// event stream. Everything that is not I/O lives in the Beast-free core (dispatcher.h).

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/container/static_vector.hpp>
#include <thread>

#include "../builtin_routes.h"
#include "../dispatcher.h"
#include "../logger.h"
#include "../long_running_lane.h"
#include "../response_head.h"
#include "../security_headers.h"
#include "../target.h"
#include "listen_address.h"
#include "sentinel/gateway/gateway.h"
#include "stream.h"
#include "tls.h"

namespace sentinel::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kAwaitable = asio::as_tuple(asio::use_awaitable);
constexpr auto kDrainWait = std::chrono::seconds(10);
constexpr auto kShutdownWait = std::chrono::seconds(2);

/// What every session shares. Owned jointly by the gateway and its coroutines.
struct ServerState {
  GatewayOptions options;
  asio::ssl::context ssl{asio::ssl::context::tls_server};
  std::unique_ptr<Dispatcher> dispatcher;
  std::shared_ptr<StreamHub> hub;
  MetricsRegistry* metrics = nullptr;
  auth::Authenticator* authenticator = nullptr;
  asio::any_io_executor workers;  // the worker pool
  /// The pool of the Route::long_running handlers.
  asio::any_io_executor long_running_workers;
  /// The requests admitted to that pool; beyond its bound they are refused at once.
  std::unique_ptr<LongRunningLane> long_running_lane;
  std::atomic<bool> draining{false};
  std::atomic<int> in_flight{0};
};

/// Counts a request as in flight for drain() while alive.
class InFlight {
 public:
  explicit InFlight(std::atomic<int>& counter) : counter_(&counter) { ++*counter_; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  ~InFlight() { release(); }
  void release() {
    if (counter_ != nullptr) --*counter_;
    counter_ = nullptr;
  }

 private:
  std::atomic<int>* counter_;
};

Status validate(const GatewayOptions& options) {
  SENTINEL_TRY(parse_listen(options.listen));
  if (options.tls_min_version != "1.3" && options.tls_min_version != "1.2") {
    return invalid_argument("tls min_version must be \"1.3\" or \"1.2\"", "tls_min_version");
  }
  if (options.max_body_bytes == 0 || options.max_header_bytes < 1024) {
    return invalid_argument("gateway body and header limits are too small");
  }
  if (options.idle_timeout_s <= 0 || options.request_timeout_s <= 0) {
    return invalid_argument("gateway timeouts must be positive");
  }
  if (options.io_threads <= 0 || options.worker_threads <= 0 || options.long_running_threads <= 0 ||
      options.max_stream_queue == 0) {
    return invalid_argument("gateway thread counts and stream queue must be positive");
  }
  if (options.long_running_queue < 0) {
    return invalid_argument("gateway long_running_queue must not be negative",
                            "long_running_queue");
  }
  return ok();
}

// ASCII only, as header names are; std::tolower would consult the locale for every character.
std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Takes the body out of `message`, which keeps the head.
Request to_request(HttpRequest& message, const std::string& remote, const std::string& request_id) {
  Request request;
  request.method = std::string(message.method_string());
  request.remote_address = remote;
  request.request_id = request_id;
  for (const auto& field : message) {
    std::string name = lower(field.name_string());
    const std::string_view value(field.value().data(), field.value().size());
    const auto [it, inserted] = request.headers.try_emplace(std::move(name), value);
    if (!inserted) {
      it->second += it->first == "cookie" ? "; " : ", ";
      it->second += value;
    }
  }
  request.body = std::move(message.body());
  return request;
}

Response status_error(int status, std::string reason, std::string message) {
  Response response =
      error_response(Error{ErrorCode::kInvalidArgument, std::move(message), std::move(reason), {}});
  response.status = status;
  return response;
}

// The answer to a request that could not be read, or nullopt when the connection just ended
// (closed, timed out, TLS failure): then there is nobody to answer.
std::optional<Response> read_failure_response(const boost::system::error_code& ec,
                                              const GatewayOptions& options) {
  if (ec == http::error::header_limit) {
    return status_error(
        431, "headers_too_large",
        fmt::format("request headers are larger than {} bytes", options.max_header_bytes));
  }
  if (ec == http::error::body_limit) {
    return error_response(
        {ErrorCode::kPayloadTooLarge,
         fmt::format("request body is larger than {} bytes", options.max_body_bytes),
         {},
         {}});
  }
  if (ec.category() == make_error_code(http::error::end_of_stream).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return status_error(400, "bad_request", "malformed HTTP request");
  }
  return std::nullopt;
}

/// A response as it goes on the wire: the head, then the body unless it answers a HEAD request.
struct WireResponse {
  Response response;
  std::string head;
  bool head_only = false;

  // Not a std::array: for exactly that type Asio's async_write keeps offering both buffers, the
  // written head as an empty first one, and Beast's flat_stream then writes nothing, forever, when
  // the body is larger than what it coalesces (16 KB).
  boost::container::static_vector<asio::const_buffer, 2> buffers() const {
    boost::container::static_vector<asio::const_buffer, 2> out{asio::buffer(head)};
    if (!head_only && !response.body.empty()) out.push_back(asio::buffer(response.body));
    return out;
  }
};

// `response` with the security headers and the request id, or nullopt (logged) when it cannot be
// sent. The head and a body of up to 16 KB then leave in one write, one TLS record.
std::optional<WireResponse> to_wire(Response response, std::string_view path,
                                    std::string_view request_id, bool head, bool keep_alive,
                                    unsigned version) {
  const auto security = security_headers(response, path);
  const auto reason = http::obsolete_reason(static_cast<http::status>(response.status));
  const HeadOptions options{std::string_view(reason.data(), reason.size()), request_id, version,
                            keep_alive, head};
  Result<std::string> wire_head = serialize_head(response, security, options);
  if (!wire_head) {
    gateway_log().error("response not sent request_id={} status={} error=\"{}\"", request_id,
                        response.status, wire_head.error().message);
    return std::nullopt;
  }
  return WireResponse{std::move(response), std::move(*wire_head), head};
}

// Writes `response` (see to_wire); returns false when the connection failed.
asio::awaitable<bool> write_response(TlsStream& stream, Response response, std::string path,
                                     std::string request_id, bool head, bool keep_alive,
                                     unsigned version) {
  const std::optional<WireResponse> wire =
      to_wire(std::move(response), path, request_id, head, keep_alive, version);
  if (!wire) co_return false;
  auto [ec, written] = co_await asio::async_write(stream, wire->buffers(), kAwaitable);
  co_return !ec;
}

// After refusing a request whose bytes were not all read (413, 431, 400), reads and discards what
// the client is still sending, for a bounded time and amount, before closing. Closing with unread
// input makes the kernel send a reset that can destroy the refusal before the client reads it.
asio::awaitable<void> linger_before_close(TlsStream& stream) {
  constexpr std::size_t kMaxDiscard = 16 << 20;
  std::size_t discarded = 0;
  std::array<char, 64 * 1024> sink;
  beast::get_lowest_layer(stream).expires_after(kShutdownWait);
  while (discarded < kMaxDiscard) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kAwaitable);
    if (ec) break;
    discarded += n;
  }
}

asio::awaitable<Dispatched> dispatch_on_pool(std::shared_ptr<ServerState> state, Request request) {
  co_return state->dispatcher->dispatch(request);
}

/// An authentication outcome; co_spawn needs a default-constructible result type.
struct Authenticated {
  std::optional<auth::Principal> principal;
  Error error;
};

asio::awaitable<Authenticated> authenticate_on_pool(std::shared_ptr<ServerState> state,
                                                    Request request) {
  try {
    auto principal = authenticate(request, *state->authenticator);
    if (principal) co_return Authenticated{std::move(*principal), {}};
    co_return Authenticated{std::nullopt, std::move(principal).error()};
  } catch (const std::exception& e) {
    gateway_log().error("authentication threw request_id={} error=\"{}\"", request.request_id,
                        e.what());
    co_return Authenticated{std::nullopt, internal_error("internal error")};
  }
}

// A browser sends Origin on WebSocket upgrades; refuse other sites (cross-site hijacking).
bool same_origin(const Request& request) {
  const std::string_view origin = request.header("origin");
  if (origin.empty()) return true;
  const std::size_t scheme = origin.find("://");
  return scheme != std::string_view::npos && origin.substr(scheme + 3) == request.header("host");
}

// Authenticates an upgrade to the event stream and hands the connection over to it.
asio::awaitable<void> upgrade_to_stream(std::shared_ptr<ServerState> state, TlsStream stream,
                                        HttpRequest message, Request request) {
  Response refusal;
  if (!same_origin(request)) {
    refusal = error_response(permission_denied("cross-origin stream requests are refused"));
  } else {
    Authenticated caller = co_await asio::co_spawn(
        state->workers, authenticate_on_pool(state, request), asio::use_awaitable);
    if (caller.principal) {
      // Transient failures (database down) keep the stream; ended credentials close it.
      CredentialCheck still_valid = [state, request] {
        try {
          auto principal = authenticate(request, *state->authenticator);
          return principal || principal.error().code != ErrorCode::kUnauthenticated;
        } catch (const std::exception&) {
          return true;
        }
      };
      const std::string request_id = request.request_id;
      co_await serve_stream(state->hub, std::move(stream), std::move(message),
                            std::move(*caller.principal), request_id, state->workers,
                            std::move(still_valid));
      co_return;
    }
    refusal = error_response(caller.error);
  }
  co_await write_response(stream, std::move(refusal), request.path, request.request_id, false,
                          false, message.version());
  beast::get_lowest_layer(stream).expires_after(kShutdownWait);
  co_await stream.async_shutdown(kAwaitable);
}

asio::awaitable<void> run_session(std::shared_ptr<ServerState> state, tcp::socket socket) {
  boost::system::error_code endpoint_error;
  const std::string remote = socket.remote_endpoint(endpoint_error).address().to_string();
  const GatewayOptions& options = state->options;
  TlsStream stream(std::move(socket), state->ssl);
  // Asio asks OpenSSL to free its record buffers whenever a read or a write completes: two ~17 KB
  // allocations per request on a keep-alive connection. Keep them while the connection lives.
  SSL_clear_mode(stream.native_handle(), SSL_MODE_RELEASE_BUFFERS);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(options.request_timeout_s));
  if (auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kAwaitable); ec) {
    gateway_log().debug("tls handshake failed remote={} error=\"{}\"", remote, ec.message());
    co_return;
  }
  beast::flat_buffer buffer;
  RequestIdSource request_ids;
  for (;;) {
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(options.idle_timeout_s));
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    parser.body_limit(options.max_body_bytes);
    auto [read_error, header_bytes] =
        co_await http::async_read_header(stream, buffer, parser, kAwaitable);
    if (read_error) {
      if (auto refusal = read_failure_response(read_error, options)) {
        co_await write_response(stream, std::move(*refusal), "/", request_ids.next(), false, false,
                                11);
        co_await linger_before_close(stream);
      }
      break;
    }
    InFlight in_flight(state->in_flight);
    const auto started = Clock::now();
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(options.request_timeout_s));
    const auto& head = parser.get();
    const std::string request_id = accept_request_id(head["x-request-id"], request_ids);
    const unsigned version = head.version();
    const bool is_head = head.method() == http::verb::head;
    if (beast::iequals(head[http::field::expect], "100-continue")) {
      http::response<http::empty_body> proceed{http::status::continue_, version};
      co_await http::async_write(stream, proceed, kAwaitable);
    }
    auto [body_error, body_bytes] = co_await http::async_read(stream, buffer, parser, kAwaitable);
    if (body_error) {
      if (auto refusal = read_failure_response(body_error, options)) {
        co_await write_response(stream, std::move(*refusal), "/", request_id, false, false,
                                version);
        co_await linger_before_close(stream);
      }
      break;
    }
    HttpRequest message = parser.release();
    Request request = to_request(message, remote, request_id);
    if (Status target = parse_target(message.target(), request); !target) {
      co_await write_response(stream, error_response(target.error()), "/", request_id, false, false,
                              version);
      break;
    }
    if (beast::websocket::is_upgrade(message)) {
      if (request.path == kStreamPath) {
        in_flight.release();
        co_await upgrade_to_stream(state, std::move(stream), std::move(message),
                                   std::move(request));
        co_return;
      }
    }
    const std::string path = request.path;
    const std::string method = request.method;
    // Cheap answers from memory are given here; the rest may block, so goes to the workers.
    // (Not a conditional expression: g++ 12 miscompiles co_await inside one.)
    std::optional<Dispatched> result = state->dispatcher->dispatch_quick(request);
    bool long_running = false;
    bool refused = false;
    if (!result) {
      // A route that waits for seconds by design waits on its own pool, so that a few of them
      // cannot hold up every other request; and only so many wait for that pool, so that a flood
      // of them is refused at once rather than each holding its connection until its turn.
      const Route* waiting_route = state->dispatcher->long_running(request);
      if (waiting_route == nullptr) {
        result = co_await asio::co_spawn(
            state->workers, dispatch_on_pool(state, std::move(request)), asio::use_awaitable);
      } else {
        // Given back when the pool is done with the request, before its answer is written.
        const LanePlace place(*state->long_running_lane);
        long_running = place.admitted();
        if (long_running) {
          result = co_await asio::co_spawn(state->long_running_workers,
                                           dispatch_on_pool(state, std::move(request)),
                                           asio::use_awaitable);
        } else {
          refused = true;
          result = Dispatched{state->long_running_lane->refuse(waiting_route->pattern, method),
                              waiting_route->pattern};
        }
      }
    }
    const int status = result->response.status;
    const bool keep_alive = message.keep_alive() && !state->draining;
    // Counted before the answer leaves: a client that reads /metrics right after its answer
    // must find its request there.
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    record_request(*state->metrics, result->route, method, status, seconds, long_running);
    // Written here rather than by write_response(): a coroutine frame less per request.
    const std::optional<WireResponse> wire =
        to_wire(std::move(result->response), path, request_id, is_head, keep_alive, version);
    bool written = false;
    if (wire) {
      auto [write_error, write_size] =
          co_await asio::async_write(stream, wire->buffers(), kAwaitable);
      written = !write_error;
    }
    if (refused) {
      // Counted in sentinel_http_long_running_refused_total; a flood must not flood the log too.
      gateway_log().debug("long-running request refused request_id={} method={} route=\"{}\"",
                          request_id, method, result->route);
    } else if (status >= 500) {
      gateway_log().warn("request request_id={} method={} route=\"{}\" status={}", request_id,
                         method, result->route, status);
    }
    if (!written || !keep_alive) break;
  }
  beast::get_lowest_layer(stream).expires_after(kShutdownWait);
  co_await stream.async_shutdown(kAwaitable);
}

void log_failure(std::string_view what, std::exception_ptr failure) {
  if (!failure) return;
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    gateway_log().error("{} failed error=\"{}\"", what, e.what());
  } catch (...) {
    gateway_log().error("{} failed", what);
  }
}

// Hands the connections to the I/O contexts in turn. Each context is run by one thread, so a
// session's handlers never run concurrently: it needs no strand (whose shared state every handler
// would pay for).
asio::awaitable<void> accept_loop(std::shared_ptr<ServerState> state, tcp::acceptor* acceptor,
                                  std::vector<asio::any_io_executor> io_executors) {
  for (std::size_t next = 0;; next = (next + 1) % io_executors.size()) {
    auto [ec, socket] = co_await acceptor->async_accept(io_executors[next], kAwaitable);
    if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
    if (ec) {
      gateway_log().warn("accept failed error=\"{}\"", ec.message());
      continue;
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, run_session(state, std::move(socket)),
                   [](std::exception_ptr failure) { log_failure("session", failure); });
  }
}

class GatewayImpl final : public Gateway {
 public:
  GatewayImpl(std::shared_ptr<ServerState> state, tcp::endpoint endpoint)
      : pool_(static_cast<std::size_t>(state->options.worker_threads)),
        long_running_pool_(static_cast<std::size_t>(state->options.long_running_threads)),
        io_contexts_(make_io_contexts(state->options.io_threads)),
        endpoint_(endpoint),
        state_(std::move(state)) {
    state_->workers = pool_.get_executor();
    state_->long_running_workers = long_running_pool_.get_executor();
  }
  ~GatewayImpl() override { stop(); }

  std::string_view name() const override { return "gateway"; }

  Status start() override {
    boost::system::error_code ec;
    acceptor_.open(endpoint_.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint_, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return unavailable(
          fmt::format("cannot listen on {}: {}", state_->options.listen, ec.message()));
    }
    bound_ = acceptor_.local_endpoint(ec);
    state_->hub->start();
    std::vector<asio::any_io_executor> io_executors;
    for (const auto& context : io_contexts_) io_executors.push_back(context->get_executor());
    asio::co_spawn(acceptor_.get_executor(),
                   accept_loop(state_, &acceptor_, std::move(io_executors)),
                   [](std::exception_ptr failure) { log_failure("accept loop", failure); });
    for (const auto& context : io_contexts_) {
      // Without a guard, a context that has no connection yet would return from run() at once.
      keep_running_.push_back(asio::make_work_guard(*context));
      threads_.emplace_back([context = context.get()] { context->run(); });
    }
    gateway_log().info("listening address={} tls_min={}", bound_address(),
                       state_->options.tls_min_version);
    return ok();
  }

  void drain() override {
    if (threads_.empty() || state_->draining.exchange(true)) return;
    asio::post(acceptor_.get_executor(), [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
    });
    const auto deadline = Clock::now() + kDrainWait;
    while (state_->in_flight > 0 && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    state_->hub->close_all();
    const auto streams_deadline = Clock::now() + kShutdownWait;
    while (state_->hub->size() > 0 && Clock::now() < streams_deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    gateway_log().info("drained in_flight={} streams={}", state_->in_flight.load(),
                       state_->hub->size());
  }

  void stop() override {
    if (stopped_) return;
    stopped_ = true;
    state_->hub->stop();
    for (const auto& context : io_contexts_) context->stop();
    for (auto& thread : threads_) thread.join();
    threads_.clear();
    keep_running_.clear();
    pool_.join();
    long_running_pool_.join();
  }

  std::string bound_address() const override {
    const auto address = bound_.address();
    if (address.is_v6()) return fmt::format("[{}]:{}", address.to_string(), bound_.port());
    return fmt::format("{}:{}", address.to_string(), bound_.port());
  }

 private:
  static std::vector<std::unique_ptr<asio::io_context>> make_io_contexts(int count) {
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    for (int i = 0; i < count; ++i) {
      contexts.push_back(std::make_unique<asio::io_context>(1));  // 1: one thread runs it
    }
    return contexts;
  }

  asio::thread_pool pool_;
  asio::thread_pool long_running_pool_;  // Route::long_running handlers, apart from the others
  std::vector<std::unique_ptr<asio::io_context>> io_contexts_;  // one per I/O thread
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running_;
  tcp::acceptor acceptor_{*io_contexts_.front()};
  tcp::endpoint endpoint_;
  tcp::endpoint bound_;
  std::shared_ptr<ServerState> state_;
  std::vector<std::thread> threads_;
  bool stopped_ = false;
};

}  // namespace

Result<std::unique_ptr<Gateway>> Gateway::create(GatewayOptions options, const Router& router,
                                                 auth::Authenticator& authenticator, bus::Bus& bus,
                                                 MetricsRegistry& metrics,
                                                 std::function<bool()> ready_check) {
  SENTINEL_TRY(validate(options));
  SENTINEL_ASSIGN(endpoint, parse_listen(options.listen));
  SENTINEL_ASSIGN(table, build_route_table(router, metrics, std::move(ready_check)));
  SENTINEL_ASSIGN(files, ensure_tls_files(options.data_dir, options.cert_file, options.key_file));
  auto state = std::make_shared<ServerState>();
  SENTINEL_TRY(configure_tls(state->ssl.native_handle(), files, options.tls_min_version));
  std::filesystem::path web_root;
  if (std::error_code ec;
      !options.web_root.empty() && std::filesystem::is_directory(options.web_root, ec)) {
    web_root = options.web_root;
    gateway_log().info("serving the portal web_root=\"{}\"", options.web_root);
  } else if (!options.web_root.empty()) {
    // Say so at once: otherwise a typo here shows up only as a 404 in someone's browser.
    gateway_log().warn("gateway.web_root \"{}\" is not a directory: the portal is not served",
                       options.web_root);
  }
  state->dispatcher = std::make_unique<Dispatcher>(std::move(table), authenticator, web_root);
  state->hub = std::make_shared<StreamHub>(bus, metrics, options.max_stream_queue,
                                           std::chrono::seconds(options.idle_timeout_s));
  state->long_running_lane = std::make_unique<LongRunningLane>(options.long_running_threads,
                                                               options.long_running_queue, metrics);
  state->metrics = &metrics;
  state->authenticator = &authenticator;
  state->options = std::move(options);
  return std::unique_ptr<Gateway>(std::make_unique<GatewayImpl>(std::move(state), endpoint));
}

}  // namespace sentinel::gateway
