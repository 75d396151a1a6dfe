// One agent channel connection: the TLS handshake (the policy is agent_tls.cpp's), the WebSocket
// upgrade, the session's open and close on the worker pool, the read and write loops with their
// limits, and the close handshake. The only Beast translation unit of the channel; see
// agent_connection.h for how the halves of a connection fit together.

#include "agent_connection.h"

#include <fmt/format.h>
#include <openssl/err.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "../logger.h"
#include "agent_tls.h"

namespace sentinel::gateway::agent_channel {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Socket = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

namespace {

constexpr auto kAwaitable = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kChannelPath = "/agent/v1/channel";
constexpr std::uint32_t kMaxUpgradeHeaderBytes = 8192;
constexpr auto kRefusalWait = std::chrono::seconds(2);
// A read buffer larger than this is released after its frame: idle agents must stay cheap.
constexpr std::size_t kKeptReadBuffer = 64 * 1024;
constexpr std::size_t kReadChunk = 64 * 1024;

websocket::close_code close_code(CloseCause cause) {
  switch (cause) {
    case CloseCause::kBinaryFrame:
      return websocket::close_code::unknown_data;
    case CloseCause::kFrameTooLarge:
      return websocket::close_code::too_big;
    case CloseCause::kSessionError:
    case CloseCause::kSendQueueFull:
      return websocket::close_code::policy_error;
    case CloseCause::kGoingAway:
    case CloseCause::kStopped:
      return websocket::close_code::going_away;
    default:
      return websocket::close_code::normal;
  }
}

void count_close(MetricsRegistry& metrics, CloseCause cause) {
  metrics.count("sentinel_agent_channel_closes_total", "Agent channel sessions closed, by reason",
                {{"reason", std::string(label(cause))}});
}

void count_frame_in(MetricsRegistry& metrics) {
  metrics.count("sentinel_agent_channel_frames_received_total", "Text frames received from agents",
                {});
}

void count_frame_out(MetricsRegistry& metrics) {
  metrics.count("sentinel_agent_channel_frames_sent_total", "Text frames sent to agents", {});
}

/// Completes one on_frame exactly once: by the session's `done`, by an exception from on_frame,
/// or, when the session drops `done` without calling it, with an error (so the connection closes
/// instead of hanging).
class FrameCompletion {
 public:
  explicit FrameCompletion(std::shared_ptr<ChannelLink> link) : link_(std::move(link)) {}
  FrameCompletion(const FrameCompletion&) = delete;
  FrameCompletion& operator=(const FrameCompletion&) = delete;
  ~FrameCompletion() {
    complete(internal_error("the session dropped a frame without completing it"));
  }

  void complete(Status status) {
    if (completed_.exchange(true)) return;
    link_->complete_frame(std::move(status));
  }

 private:
  std::shared_ptr<ChannelLink> link_;
  std::atomic<bool> completed_{false};
};

}  // namespace

std::string_view label(CloseCause cause) {
  switch (cause) {
    case CloseCause::kPeerClosed:
      return "peer_closed";
    case CloseCause::kConnectionLost:
      return "connection_lost";
    case CloseCause::kIdleTimeout:
      return "idle_timeout";
    case CloseCause::kProtocolError:
      return "protocol_error";
    case CloseCause::kFrameTooLarge:
      return "frame_too_large";
    case CloseCause::kBinaryFrame:
      return "binary_frame";
    case CloseCause::kSessionError:
      return "session_error";
    case CloseCause::kSendQueueFull:
      return "send_queue_full";
    case CloseCause::kServerClosed:
      return "server_closed";
    case CloseCause::kGoingAway:
      return "going_away";
    case CloseCause::kStopped:
      return "stopped";
  }
  return "unknown";
}

void count_refused(MetricsRegistry& metrics, std::string_view reason) {
  metrics.count("sentinel_agent_channel_refused_total",
                "Agent channel connections refused before a session opened",
                {{"reason", std::string(reason)}});
}

// ---- the thread-safe half of a connection -------------------------------------------------------

ChannelLink::ChannelLink(std::string remote, std::size_t queue_limit)
    : remote_(std::move(remote)), queue_limit_(queue_limit) {}

bool ChannelLink::send(std::string frame) {
  std::lock_guard lock(mutex_);
  if (closing_ || finished_) return false;
  if (queue_.size() >= queue_limit_) {
    request_close_locked(CloseCause::kSendQueueFull,
                         fmt::format("the send queue is full ({} frames)", queue_limit_));
    return false;
  }
  queue_.push_back(std::move(frame));
  // A non-empty queue means the writer has not gone idle yet and will look again.
  if (queue_.size() == 1) notify_locked();
  return true;
}

void ChannelLink::close(std::string goodbye_frame) {
  std::lock_guard lock(mutex_);
  if (closing_ || finished_) return;
  if (!goodbye_frame.empty()) queue_.push_back(std::move(goodbye_frame));
  request_close_locked(CloseCause::kServerClosed, "closed by the server");
}

std::string ChannelLink::remote_address() const { return remote_; }

void ChannelLink::request_close(CloseCause cause, std::string detail) {
  std::lock_guard lock(mutex_);
  request_close_locked(cause, std::move(detail));
}

void ChannelLink::abandon(CloseCause cause, std::string detail) {
  std::lock_guard lock(mutex_);
  if (!closing_) {
    closing_ = true;
    cause_ = cause;
    detail_ = std::move(detail);
  }
  abandoned_ = true;
  queue_.clear();
  notify_locked();
}

void ChannelLink::reader_finished() {
  std::lock_guard lock(mutex_);
  reader_finished_ = true;
  notify_locked();
}

WriterStep ChannelLink::next_step() {
  std::lock_guard lock(mutex_);
  WriterStep step;
  if (abandoned_) {
    step.kind = WriterStep::kStop;
  } else if (!queue_.empty()) {
    step.kind = WriterStep::kFrame;
    step.frame = std::move(queue_.front());
    queue_.pop_front();
  } else if (closing_ && !close_sent_) {
    close_sent_ = true;
    step.kind = WriterStep::kClose;
    step.cause = cause_;
  } else if (close_sent_ || reader_finished_) {
    step.kind = WriterStep::kStop;
  }
  return step;
}

bool ChannelLink::closing() const {
  std::lock_guard lock(mutex_);
  return closing_;
}

CloseCause ChannelLink::cause() const {
  std::lock_guard lock(mutex_);
  return cause_;
}

std::string ChannelLink::reason() const {
  std::lock_guard lock(mutex_);
  return fmt::format("{}: {}", label(cause_), detail_);
}

void ChannelLink::bind(std::shared_ptr<ChannelSession> session, std::function<void()> notify) {
  std::lock_guard lock(mutex_);
  session_ = std::move(session);
  notify_ = std::move(notify);
  if (!queue_.empty() || closing_) notify_locked();
}

void ChannelLink::unbind() {
  std::lock_guard lock(mutex_);
  notify_ = nullptr;
}

void ChannelLink::finish() {
  std::shared_ptr<ChannelSession> session;
  std::string why;
  {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    finished_ = true;
    if (!closing_) {
      closing_ = true;
      cause_ = CloseCause::kStopped;
      detail_ = "the listener stopped";
    }
    queue_.clear();
    notify_ = nullptr;
    session = std::move(session_);
    why = fmt::format("{}: {}", label(cause_), detail_);
  }
  if (!session) return;
  try {
    session->on_close(why);
  } catch (const std::exception& e) {
    gateway_log().error("agent channel on_close threw error=\"{}\"", e.what());
  }
}

void ChannelLink::deliver(std::string frame) {
  std::shared_ptr<ChannelSession> session;
  {
    std::lock_guard lock(mutex_);
    session = session_;
  }
  auto completion = std::make_shared<FrameCompletion>(shared_from_this());
  if (!session) {
    completion->complete(internal_error("no session"));
    return;
  }
  try {
    session->on_frame(std::move(frame),
                      [completion](Status status) { completion->complete(std::move(status)); });
  } catch (const std::exception& e) {
    completion->complete(internal_error(fmt::format("on_frame threw: {}", e.what())));
  }
}

void ChannelLink::complete_frame(Status status) {
  std::lock_guard lock(mutex_);
  frame_status_ = std::move(status);
  notify_locked();
}

std::optional<Status> ChannelLink::take_frame_status() {
  std::lock_guard lock(mutex_);
  std::optional<Status> status = std::move(frame_status_);
  frame_status_.reset();
  return status;
}

void ChannelLink::request_close_locked(CloseCause cause, std::string detail) {
  if (closing_ || finished_) return;
  closing_ = true;
  cause_ = cause;
  detail_ = std::move(detail);
  if (cause == CloseCause::kSendQueueFull) queue_.clear();
  notify_locked();
}

void ChannelLink::notify_locked() {
  if (notify_) notify_();
}

// ---- the strand-side half of a connection -------------------------------------------------------

/// The socket and timers of one connection. Touched only on the connection's strand; owned by
/// its coroutines (never by other threads), so it dies with them, inside the I/O context.
class Wire : public std::enable_shared_from_this<Wire> {
 public:
  Wire(tcp::socket socket, asio::ssl::context& ssl)
      : socket(std::move(socket), ssl),
        writer_wake(this->socket.get_executor()),
        reader_wake(this->socket.get_executor()),
        close_deadline(this->socket.get_executor()) {}
  Wire(const Wire&) = delete;
  Wire& operator=(const Wire&) = delete;
  ~Wire() {
    // Only a coroutine that did not end normally (an exception, stop()) gets here unfinished.
    if (link) link->finish();
  }

  /// Something changed in the link: the waiting coroutines re-check. Arms the close deadline
  /// once a close is under way, so that a peer that stops reading cannot hold the writer.
  void wake() {
    writer_wake.cancel();
    reader_wake.cancel();
    if (link && link->closing()) arm_close_deadline();
  }

  void arm_close_deadline() {
    if (deadline_armed) return;
    deadline_armed = true;
    close_deadline.expires_after(close_grace);
    close_deadline.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      if (ec) return;
      if (auto wire = weak.lock()) {
        boost::system::error_code ignored;
        beast::get_lowest_layer(wire->socket).socket().close(ignored);
      }
    });
  }

  PeerCheck check;  // declared first: the TLS verify callback points here
  Socket socket;
  asio::steady_timer writer_wake;
  asio::steady_timer reader_wake;
  asio::steady_timer close_deadline;
  std::chrono::seconds close_grace{5};
  bool deadline_armed = false;
  bool writer_done = false;
  std::shared_ptr<ChannelLink> link;
};

void abort_connection(std::shared_ptr<Wire> wire) {
  auto executor = wire->socket.get_executor();
  asio::post(executor, [wire = std::move(wire)] {
    if (wire->link) wire->link->abandon(CloseCause::kStopped, "the listener stopped");
    boost::system::error_code ignored;
    beast::get_lowest_layer(wire->socket).socket().close(ignored);
  });
}

namespace {

/// How a read loop ended.
struct ReadEnd {
  CloseCause cause = CloseCause::kConnectionLost;
  std::string detail;
  bool abandon = true;  // the connection cannot carry a close frame any more
};

ReadEnd classify_read_error(const boost::system::error_code& ec, Socket& socket) {
  if (ec == websocket::error::closed) {
    const websocket::close_reason& peer = socket.reason();
    return {CloseCause::kPeerClosed,
            fmt::format("the agent closed the connection (code {}{}{})",
                        static_cast<int>(peer.code), peer.reason.empty() ? "" : " ",
                        std::string_view(peer.reason.data(), peer.reason.size())),
            true};
  }
  if (ec == beast::error::timeout) {
    return {CloseCause::kIdleTimeout, "nothing received within the idle timeout", true};
  }
  if (ec.category() == websocket::make_error_code(websocket::error::closed).category()) {
    return {CloseCause::kProtocolError, "malformed WebSocket frame: " + ec.message(), true};
  }
  return {CloseCause::kConnectionLost, ec.message(), true};
}

// Waits for the session's `done` for the frame just delivered. Strand only: the check and the
// wait cannot be split by the wake-up, which is posted to the same strand.
asio::awaitable<Status> frame_done(std::shared_ptr<Wire> wire) {
  for (;;) {
    if (auto status = wire->link->take_frame_status()) co_return std::move(*status);
    wire->reader_wake.expires_at(Clock::time_point::max());
    co_await wire->reader_wake.async_wait(kAwaitable);
  }
}

asio::awaitable<ReadEnd> read_loop(std::shared_ptr<ListenerState> state,
                                   std::shared_ptr<Wire> wire) {
  beast::flat_buffer buffer;
  for (;;) {
    // Piece by piece, so that the limit is ours to enforce (Beast's own check fails the stream
    // during the TLS teardown, which hides why) and a huge frame is never buffered whole.
    do {
      auto [ec, size] = co_await wire->socket.async_read_some(buffer, kReadChunk, kAwaitable);
      if (ec) co_return classify_read_error(ec, wire->socket);
      if (!wire->socket.got_text()) {
        co_return ReadEnd{CloseCause::kBinaryFrame, "the agent sent a binary frame", false};
      }
      if (buffer.size() > state->options.max_frame_bytes) {
        co_return ReadEnd{
            CloseCause::kFrameTooLarge,
            fmt::format("a frame was larger than {} bytes", state->options.max_frame_bytes), false};
      }
    } while (!wire->socket.is_message_done());
    const auto data = buffer.data();
    std::string frame(static_cast<const char*>(data.data()), data.size());
    buffer.consume(buffer.size());
    if (buffer.capacity() > kKeptReadBuffer) buffer.shrink_to_fit();
    count_frame_in(*state->metrics);
    wire->link->deliver(std::move(frame));
    Status status = co_await frame_done(wire);
    if (!status) co_return ReadEnd{CloseCause::kSessionError, status.error().message, false};
  }
}

asio::awaitable<void> write_loop(std::shared_ptr<ListenerState> state, std::shared_ptr<Wire> wire) {
  ChannelLink& link = *wire->link;
  for (bool running = true; running;) {
    WriterStep step = link.next_step();
    switch (step.kind) {
      case WriterStep::kFrame: {
        wire->socket.text(true);
        auto [ec, written] =
            co_await wire->socket.async_write(asio::buffer(step.frame), kAwaitable);
        if (ec) {
          link.abandon(CloseCause::kConnectionLost, "write failed: " + ec.message());
          boost::system::error_code ignored;
          beast::get_lowest_layer(wire->socket).socket().close(ignored);  // ends the reader too
          running = false;
        } else {
          count_frame_out(*state->metrics);
        }
        break;
      }
      case WriterStep::kClose: {
        wire->arm_close_deadline();
        websocket::close_reason reason(close_code(step.cause));
        reason.reason = std::string(label(step.cause));
        co_await wire->socket.async_close(reason, kAwaitable);
        running = false;
        break;
      }
      case WriterStep::kStop:
        running = false;
        break;
      case WriterStep::kWait:
        wire->writer_wake.expires_at(Clock::time_point::max());
        co_await wire->writer_wake.async_wait(kAwaitable);
        break;
    }
  }
  wire->writer_done = true;
  wire->reader_wake.cancel();
}

asio::awaitable<void> writer_finished(std::shared_ptr<Wire> wire) {
  while (!wire->writer_done) {
    wire->reader_wake.expires_at(Clock::time_point::max());
    co_await wire->reader_wake.async_wait(kAwaitable);
  }
}

/// An open() outcome; co_spawn needs a default-constructible result type.
struct Opened {
  std::shared_ptr<ChannelSession> session;
  Error error;
};

asio::awaitable<Opened> open_on_pool(ChannelHandler* handler, PeerCertificate peer,
                                     std::shared_ptr<ChannelSink> sink) {
  try {
    auto session = handler->open(peer, std::move(sink));
    if (!session) co_return Opened{nullptr, std::move(session).error()};
    if (!*session) co_return Opened{nullptr, internal_error("the agents service gave no session")};
    co_return Opened{std::move(*session), {}};
  } catch (const std::exception& e) {
    gateway_log().error("agent channel open threw agent={} error=\"{}\"", peer.common_name,
                        e.what());
    co_return Opened{nullptr, internal_error("internal error")};
  }
}

asio::awaitable<void> close_on_pool(std::shared_ptr<ChannelLink> link) {
  link->finish();
  co_return;
}

/// {"type":"goodbye","code":...,"message":...}: the protocol's Goodbye, built here because the
/// gateway does not depend on the protocol library.
std::string goodbye_frame(const Error& error) {
  boost::json::object goodbye;
  goodbye["type"] = "goodbye";
  goodbye["code"] = error.client_code();
  goodbye["message"] = error.message;
  return boost::json::serialize(goodbye);
}

// Answers a request that is not a channel upgrade, then closes.
asio::awaitable<void> refuse_request(std::shared_ptr<Wire> wire, http::status status,
                                     std::string body) {
  auto& tls = wire->socket.next_layer();
  http::response<http::string_body> response{status, 11};
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.keep_alive(false);
  response.body() = std::move(body);
  response.prepare_payload();
  beast::get_lowest_layer(tls).expires_after(kRefusalWait);
  co_await http::async_write(tls, response, kAwaitable);
  co_await tls.async_shutdown(kAwaitable);
}

// Closes a connection whose session was refused by open(): the goodbye frame, then a close.
asio::awaitable<void> refuse_session(std::shared_ptr<Wire> wire, Error error) {
  wire->arm_close_deadline();  // an agent that does not read cannot hold the connection
  wire->socket.text(true);
  const std::string frame = goodbye_frame(error);
  auto [ec, written] = co_await wire->socket.async_write(asio::buffer(frame), kAwaitable);
  if (ec) co_return;
  websocket::close_reason reason(websocket::close_code::policy_error);
  reason.reason = "open_refused";
  co_await wire->socket.async_close(reason, kAwaitable);
}

}  // namespace

asio::awaitable<void> serve_connection(std::shared_ptr<ListenerState> state, tcp::socket socket) {
  ConnectionSlot slot(state);
  const AgentChannelOptions& options = state->options;
  boost::system::error_code endpoint_error;
  const std::string remote = socket.remote_endpoint(endpoint_error).address().to_string();
  auto wire = std::make_shared<Wire>(std::move(socket), state->ssl);
  slot.hold(wire);
  wire->close_grace = std::chrono::seconds(options.handshake_timeout_s);
  auto& tls = wire->socket.next_layer();
  tls.set_verify_callback([handler = state->handler, check = &wire->check](
                              bool preverified, asio::ssl::verify_context& context) {
    return verify_agent_certificate(preverified, context.native_handle(), *handler, *check);
  });

  // TLS and the upgrade request share one deadline: accept to upgrade.
  const auto deadline = Clock::now() + std::chrono::seconds(options.handshake_timeout_s);
  beast::get_lowest_layer(tls).expires_at(deadline);
  auto [handshake_error] = co_await tls.async_handshake(asio::ssl::stream_base::server, kAwaitable);
  // Under TLS 1.3 the server may finish its handshake before it has judged a missing client
  // certificate; only a connection whose certificate passed our callback goes on.
  SSL* native = tls.native_handle();
  const bool verified = !handshake_error && wire->check.verified &&
                        SSL_get0_peer_certificate(native) != nullptr &&
                        SSL_get_verify_result(native) == X509_V_OK;
  if (!verified) {
    if (handshake_error.category() == asio::error::get_ssl_category() &&
        ERR_GET_REASON(handshake_error.value()) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
      wire->check.refusal = "no client certificate";
    }
    const bool certificate = !wire->check.refusal.empty() || !handshake_error;
    count_refused(*state->metrics, certificate ? "certificate" : "tls");
    if (certificate) {
      gateway_log().info(
          "agent channel refused remote={} cn={} reason=\"{}\"", remote,
          wire->check.peer.common_name,
          wire->check.refusal.empty() ? "no client certificate" : wire->check.refusal);
    } else {
      gateway_log().debug("agent channel tls handshake failed remote={} error=\"{}\"", remote,
                          handshake_error.message());
    }
    co_return;
  }
  const PeerCertificate peer = wire->check.peer;

  beast::flat_buffer buffer;
  http::request_parser<http::empty_body> parser;
  parser.header_limit(kMaxUpgradeHeaderBytes);
  auto [read_error, read] = co_await http::async_read(tls, buffer, parser, kAwaitable);
  if (read_error) {
    count_refused(*state->metrics, "bad_request");
    gateway_log().debug("agent channel upgrade not read remote={} agent={} error=\"{}\"", remote,
                        peer.common_name, read_error.message());
    co_return;
  }
  const auto& request = parser.get();
  if (!websocket::is_upgrade(request) || request.target() != kChannelPath) {
    count_refused(*state->metrics, "not_found");
    co_await refuse_request(wire, http::status::not_found, "not found\n");
    co_return;
  }
  if (state->draining) {
    count_refused(*state->metrics, "draining");
    co_await refuse_request(wire, http::status::service_unavailable, "shutting down\n");
    co_return;
  }

  // From here the WebSocket's own timeouts apply, not the TCP stream's.
  beast::get_lowest_layer(tls).expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout =
      std::max<Clock::duration>(deadline - Clock::now(), std::chrono::milliseconds(1));
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  wire->socket.set_option(timeouts);
  wire->socket.read_message_max(0);  // read_loop enforces max_frame_bytes
  wire->socket.auto_fragment(false);
  auto [accept_error] = co_await wire->socket.async_accept(request, kAwaitable);
  if (accept_error) {
    count_refused(*state->metrics, "upgrade");
    gateway_log().debug("agent channel upgrade failed remote={} agent={} error=\"{}\"", remote,
                        peer.common_name, accept_error.message());
    co_return;
  }
  timeouts.handshake_timeout = wire->close_grace;  // also bounds the closing handshake
  timeouts.idle_timeout = std::chrono::seconds(options.idle_timeout_s);
  timeouts.keep_alive_pings = true;
  wire->socket.set_option(timeouts);

  auto link = std::make_shared<ChannelLink>(remote, options.send_queue_frames);
  Opened opened = co_await asio::co_spawn(state->workers, open_on_pool(state->handler, peer, link),
                                          asio::use_awaitable);
  if (!opened.session) {
    link->finish();  // refuses whatever the handler kept the sink for
    count_refused(*state->metrics, "open_refused");
    gateway_log().info("agent channel session refused remote={} agent={} error=\"{}\"", remote,
                       peer.common_name, opened.error.message);
    co_await refuse_session(wire, std::move(opened.error));
    co_return;
  }

  wire->link = link;
  auto notify = [executor = wire->socket.get_executor(), weak = std::weak_ptr<Wire>(wire)] {
    asio::post(executor, [weak] {
      if (auto wire = weak.lock()) wire->wake();
    });
  };
  bool draining_now = false;
  if (!state->enroll(link, std::move(opened.session), std::move(notify), draining_now)) {
    link->finish();
    co_return;
  }
  if (draining_now) link->request_close(CloseCause::kGoingAway, "the server is shutting down");
  gateway_log().info("agent channel open remote={} agent={}", remote, peer.common_name);
  asio::co_spawn(wire->socket.get_executor(), write_loop(state, wire),
                 [](std::exception_ptr failure) {
                   if (!failure) return;
                   try {
                     std::rethrow_exception(failure);
                   } catch (const std::exception& e) {
                     gateway_log().error("agent channel writer failed error=\"{}\"", e.what());
                   }
                 });

  ReadEnd end = co_await read_loop(state, wire);
  if (end.abandon) {
    link->abandon(end.cause, std::move(end.detail));
  } else {
    link->request_close(end.cause, std::move(end.detail));
  }
  link->reader_finished();
  wire->arm_close_deadline();
  co_await writer_finished(wire);
  wire->close_deadline.cancel();
  state->withdraw(link.get());
  link->unbind();

  const CloseCause cause = link->cause();
  const std::string reason = link->reason();
  count_close(*state->metrics, cause);
  if (cause == CloseCause::kPeerClosed || cause == CloseCause::kGoingAway ||
      cause == CloseCause::kServerClosed) {
    gateway_log().info("agent channel closed remote={} agent={} reason=\"{}\"", remote,
                       peer.common_name, reason);
  } else {
    gateway_log().warn("agent channel closed remote={} agent={} reason=\"{}\"", remote,
                       peer.common_name, reason);
  }
  co_await asio::co_spawn(state->workers, close_on_pool(link), asio::use_awaitable);
}

}  // namespace sentinel::gateway::agent_channel
