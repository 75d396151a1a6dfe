// The agent channel listener: accepts agents' connections (WebSocket over mutual TLS 1.3, one
// per agent), sets up the TLS context (the policy lives in agent_tls.cpp), and keeps the registry
// of live connections that drain() and stop() reach. Each connection is served by
// agent_connection.cpp; no Beast here.

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <thread>
#include <vector>

#include "../logger.h"
#include "agent_connection.h"
#include "agent_tls.h"
#include "listen_address.h"
#include "sentinel/gateway/agent_channel.h"
#include "tls.h"

namespace sentinel::gateway {
namespace agent_channel {

// ---- the registry of live connections -----------------------------------------------------------

bool ListenerState::admit() {
  std::lock_guard lock(mutex);
  if (connections >= options.max_connections) return false;
  ++connections;
  publish_locked();
  return true;
}

void ListenerState::release() {
  std::lock_guard lock(mutex);
  --connections;
  publish_locked();
}

void ListenerState::publish_locked() {
  metrics->set_gauge("sentinel_agent_channel_connections", "Open agent channel connections", {},
                     static_cast<double>(connections));
}

std::size_t ListenerState::connection_count() const {
  std::lock_guard lock(mutex);
  return connections;
}

bool ListenerState::enroll(const std::shared_ptr<ChannelLink>& link,
                           std::shared_ptr<ChannelSession> session, std::function<void()> notify,
                           bool& draining_now) {
  std::lock_guard lock(mutex);
  if (stopping) {
    link->bind(std::move(session), nullptr);  // so that finish() reaches on_close
    return false;
  }
  links.emplace(link.get(), link);
  link->bind(std::move(session), std::move(notify));
  draining_now = draining;
  return true;
}

void ListenerState::stop_notifications() {
  std::lock_guard lock(mutex);
  stopping = true;
  for (const auto& [key, weak] : links) {
    if (auto link = weak.lock()) link->unbind();
  }
}

void ListenerState::withdraw(const ChannelLink* link) {
  std::lock_guard lock(mutex);
  links.erase(link);
}

void ListenerState::for_each_link(const std::function<void(ChannelLink&)>& visit) {
  std::lock_guard lock(mutex);
  for (const auto& [key, weak] : links) {
    if (auto link = weak.lock()) visit(*link);
  }
}

ConnectionSlot::ConnectionSlot(std::shared_ptr<ListenerState> state) : state_(std::move(state)) {}

ConnectionSlot::~ConnectionSlot() {
  {
    std::lock_guard lock(state_->mutex);
    state_->wires.erase(wire_);
  }
  state_->release();
}

void ConnectionSlot::hold(const std::shared_ptr<Wire>& wire) {
  std::lock_guard lock(state_->mutex);
  wire_ = wire.get();
  state_->wires.emplace(wire_, wire);
}

}  // namespace agent_channel

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using agent_channel::ChannelLink;
using agent_channel::CloseCause;
using agent_channel::ListenerState;
using agent_channel::Wire;

constexpr auto kAwaitable = asio::as_tuple(asio::use_awaitable);
constexpr auto kDrainWait = std::chrono::seconds(10);
constexpr auto kStopWait = std::chrono::seconds(2);

/// Ends every connection at once (stop()): its session, if any, closes with kStopped.
void abort_connections(ListenerState& state) {
  std::vector<std::shared_ptr<Wire>> wires;
  {
    std::lock_guard lock(state.mutex);
    for (const auto& [key, weak] : state.wires) {
      if (auto wire = weak.lock()) wires.push_back(std::move(wire));
    }
  }
  for (auto& wire : wires) agent_channel::abort_connection(std::move(wire));
}

/// Closes the sessions whose coroutines could not end (a `done` never called). After stop().
void finish_links(ListenerState& state) {
  std::vector<std::shared_ptr<ChannelLink>> links;
  {
    std::lock_guard lock(state.mutex);
    for (const auto& [key, weak] : state.links) {
      if (auto link = weak.lock()) links.push_back(std::move(link));
    }
  }
  for (const auto& link : links) link->finish();
}

void log_failure(std::string_view what, std::exception_ptr failure) {
  if (!failure) return;
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    gateway_log().error("agent channel {} failed error=\"{}\"", what, e.what());
  } catch (...) {
    gateway_log().error("agent channel {} failed", what);
  }
}

asio::awaitable<void> accept_loop(std::shared_ptr<ListenerState> state, tcp::acceptor* acceptor) {
  for (;;) {
    auto [ec, socket] =
        co_await acceptor->async_accept(asio::make_strand(acceptor->get_executor()), kAwaitable);
    if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
    if (ec) {
      gateway_log().warn("agent channel accept failed error=\"{}\"", ec.message());
      continue;
    }
    if (!state->admit()) {
      agent_channel::count_refused(*state->metrics, "max_connections");
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, agent_channel::serve_connection(state, std::move(socket)),
                   [](std::exception_ptr failure) { log_failure("connection", failure); });
  }
}

// ---- the service --------------------------------------------------------------------------------

Status validate(const AgentChannelOptions& options) {
  SENTINEL_TRY(parse_listen(options.listen));
  if (options.ca_file.empty()) return invalid_argument("the agent CA file is required", "ca_file");
  if (options.cert_file.empty() || options.key_file.empty()) {
    return invalid_argument("the channel certificate and key files are required", "cert_file");
  }
  if (options.max_frame_bytes < 1024 || options.max_frame_bytes > (std::size_t{1} << 30)) {
    return invalid_argument("max_frame_bytes must be between 1024 and 1073741824",
                            "max_frame_bytes");
  }
  if (options.max_connections == 0) {
    return invalid_argument("max_connections must be positive", "max_connections");
  }
  if (options.send_queue_frames == 0) {
    return invalid_argument("send_queue_frames must be positive", "send_queue_frames");
  }
  if (options.handshake_timeout_s <= 0) {
    return invalid_argument("handshake_timeout_s must be positive", "handshake_timeout_s");
  }
  if (options.idle_timeout_s <= 0) {
    return invalid_argument("idle_timeout_s must be positive", "idle_timeout_s");
  }
  if (options.io_threads <= 0) return invalid_argument("io_threads must be positive", "io_threads");
  if (options.worker_threads <= 0) {
    return invalid_argument("worker_threads must be positive", "worker_threads");
  }
  return ok();
}

class AgentListenerImpl final : public AgentChannelListener {
 public:
  AgentListenerImpl(std::shared_ptr<ListenerState> state, tcp::endpoint endpoint)
      : pool_(static_cast<std::size_t>(state->options.worker_threads)),
        endpoint_(endpoint),
        state_(std::move(state)) {
    state_->workers = pool_.get_executor();
  }
  ~AgentListenerImpl() override { stop(); }

  std::string_view name() const override { return "agent_channel"; }

  Status start() override {
    if (!threads_.empty() || stopped_)
      return internal_error("the agent channel was started before");
    boost::system::error_code ec;
    acceptor_->open(endpoint_.protocol(), ec);
    if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_->bind(endpoint_, ec);
    if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return unavailable(
          fmt::format("cannot listen on {}: {}", state_->options.listen, ec.message()));
    }
    bound_ = acceptor_->local_endpoint(ec);
    {
      std::lock_guard lock(state_->mutex);
      state_->publish_locked();
    }
    asio::co_spawn(*ioc_, accept_loop(state_, acceptor_.get()),
                   [](std::exception_ptr failure) { log_failure("accept loop", failure); });
    for (int i = 0; i < state_->options.io_threads; ++i) {
      threads_.emplace_back([this] { ioc_->run(); });
    }
    gateway_log().info("agent channel listening address={}", bound_address());
    return ok();
  }

  void drain() override {
    if (threads_.empty() || state_->draining.exchange(true)) return;
    asio::post(*ioc_, [this] {
      boost::system::error_code ignored;
      acceptor_->close(ignored);
    });
    state_->for_each_link([](ChannelLink& link) {
      link.request_close(CloseCause::kGoingAway, "the server is shutting down");
    });
    const auto deadline = Clock::now() + kDrainWait;
    while (state_->connection_count() > 0 && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    gateway_log().info("agent channel drained connections={}", state_->connection_count());
  }

  void stop() override {
    if (stopped_) return;
    stopped_ = true;
    if (!threads_.empty()) {
      state_->draining = true;
      asio::post(*ioc_, [this] {
        boost::system::error_code ignored;
        acceptor_->close(ignored);
      });
      abort_connections(*state_);
      const auto deadline = Clock::now() + kStopWait;
      while (state_->connection_count() > 0 && Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    // Nothing may post to the I/O context once it starts going away.
    state_->stop_notifications();
    ioc_->stop();
    for (auto& thread : threads_) thread.join();
    threads_.clear();
    // open() and on_close() in flight finish first; their completions go to the stopped context.
    pool_.join();
    finish_links(*state_);
    acceptor_.reset();
    ioc_.reset();
  }

  std::string bound_address() const override {
    const auto address = bound_.address();
    if (address.is_v6()) return fmt::format("[{}]:{}", address.to_string(), bound_.port());
    return fmt::format("{}:{}", address.to_string(), bound_.port());
  }

  std::size_t connection_count() const override { return state_->connection_count(); }

 private:
  asio::thread_pool pool_;
  std::unique_ptr<asio::io_context> ioc_ = std::make_unique<asio::io_context>();
  std::unique_ptr<tcp::acceptor> acceptor_ = std::make_unique<tcp::acceptor>(*ioc_);
  tcp::endpoint endpoint_;
  tcp::endpoint bound_;
  std::shared_ptr<ListenerState> state_;
  std::vector<std::thread> threads_;
  bool stopped_ = false;
};

}  // namespace

Result<std::unique_ptr<AgentChannelListener>> AgentChannelListener::create(
    AgentChannelOptions options, ChannelHandler& handler, MetricsRegistry& metrics) {
  SENTINEL_TRY(validate(options));
  SENTINEL_ASSIGN(endpoint, parse_listen(options.listen));
  auto state = std::make_shared<ListenerState>();
  SENTINEL_TRY(configure_tls(state->ssl.native_handle(),
                             TlsFiles{options.cert_file, options.key_file}, "1.3"));
  SENTINEL_TRY(configure_agent_tls(state->ssl.native_handle(), options.ca_file, options.cert_file));
  state->handler = &handler;
  state->metrics = &metrics;
  state->options = std::move(options);
  return std::unique_ptr<AgentChannelListener>(
      std::make_unique<AgentListenerImpl>(std::move(state), endpoint));
}

}  // namespace sentinel::gateway
