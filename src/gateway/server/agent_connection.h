#pragma once
// One agent channel connection and what it shares with its listener. Private to the gateway
// server: included only by agent_connection.cpp (the TLS handshake, the WebSocket upgrade, the
// session's open and close, the read and write loops, the close handshake) and
// agent_listener.cpp (accepting, the TLS context, the registry of live connections). No Beast
// here: only agent_connection.cpp touches the WebSocket.
//
// Each connection is one coroutine on its own strand that reads (one frame at a time, waiting for
// ChannelSession's `done` before the next read) and one writer coroutine on the same strand that
// drains the bounded send queue. The thread-safe half (ChannelLink) is what the agents service
// holds; it never owns Asio objects, so it may outlive the listener.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "sentinel/common/metrics.h"
#include "sentinel/common/result.h"
#include "sentinel/gateway/agent_channel.h"

namespace sentinel::gateway::agent_channel {

/// Why a connection ended.
enum class CloseCause {
  kPeerClosed,      // the agent sent a WebSocket close
  kConnectionLost,  // TCP or TLS failure
  kIdleTimeout,     // nothing received (frames or pongs) within idle_timeout_s
  kProtocolError,   // a malformed WebSocket frame
  kFrameTooLarge,   // over max_frame_bytes
  kBinaryFrame,     // only text frames carry the protocol
  kSessionError,    // ChannelSession's done(error)
  kSendQueueFull,   // the agent does not read fast enough
  kServerClosed,    // ChannelSink::close
  kGoingAway,       // drain()
  kStopped,         // stop() without drain()
};

/// The `reason` label of sentinel_agent_channel_closes_total; a closed set.
std::string_view label(CloseCause cause);

/// Counts a connection refused before a session opened, by `reason` (a closed set of labels).
void count_refused(MetricsRegistry& metrics, std::string_view reason);

/// What the writer coroutine does next.
struct WriterStep {
  enum Kind { kFrame, kClose, kStop, kWait } kind = kWait;
  std::string frame;                        // kFrame
  CloseCause cause = CloseCause::kStopped;  // kClose: gives the close code and reason
};

/// The agents service's handle on a connection (ChannelSink) and the state the connection's
/// coroutines share with other threads. Thread-safe. Holds no Asio object: it may outlive the
/// listener (then send() returns false).
class ChannelLink final : public ChannelSink, public std::enable_shared_from_this<ChannelLink> {
 public:
  ChannelLink(std::string remote, std::size_t queue_limit);

  bool send(std::string frame) override;
  void close(std::string goodbye_frame) override;
  std::string remote_address() const override;

  /// Records why the connection ends and wakes the writer, which sends what is queued and then a
  /// WebSocket close (the queue is dropped when it is full). The first cause wins.
  void request_close(CloseCause cause, std::string detail);

  /// The connection cannot carry anything more (the peer closed or it failed): the writer stops.
  void abandon(CloseCause cause, std::string detail);

  /// The reader has stopped; the writer stops after a requested close frame.
  void reader_finished();

  /// Writer coroutine only.
  WriterStep next_step();

  bool closing() const;
  CloseCause cause() const;

  /// "label: detail", the reason handed to on_close and logged.
  std::string reason() const;

  /// Connects the link to its connection's strand: `notify` posts a wake-up there.
  void bind(std::shared_ptr<ChannelSession> session, std::function<void()> notify);

  /// Forgets the strand; from then on nothing is posted (the I/O context may be going away).
  void unbind();

  /// Calls on_close once (when a session is attached) and refuses further sends.
  void finish();

  /// Hands a frame to the session; the status arrives through complete_frame().
  void deliver(std::string frame);

  /// Called once per frame, from any thread.
  void complete_frame(Status status);

  /// The status of the frame being processed, once `done` was called. Reader coroutine only.
  std::optional<Status> take_frame_status();

 private:
  void request_close_locked(CloseCause cause, std::string detail);
  void notify_locked();

  const std::string remote_;
  const std::size_t queue_limit_;
  mutable std::mutex mutex_;
  std::deque<std::string> queue_;
  std::function<void()> notify_;
  std::shared_ptr<ChannelSession> session_;
  std::optional<Status> frame_status_;
  CloseCause cause_ = CloseCause::kStopped;
  std::string detail_;
  bool closing_ = false;
  bool close_sent_ = false;
  bool abandoned_ = false;
  bool reader_finished_ = false;
  bool finished_ = false;
};

/// The socket and timers of one connection (agent_connection.cpp). Touched only on the
/// connection's strand; owned by its coroutines, so it dies with them, inside the I/O context.
class Wire;

/// What every connection shares, and the registry of live connections. Owned jointly by the
/// listener and its coroutines; the methods are in agent_listener.cpp.
struct ListenerState {
  AgentChannelOptions options;
  boost::asio::ssl::context ssl{boost::asio::ssl::context::tls_server};
  ChannelHandler* handler = nullptr;
  MetricsRegistry* metrics = nullptr;
  boost::asio::any_io_executor workers;
  std::atomic<bool> draining{false};

  mutable std::mutex mutex;  // guards the four below
  bool stopping = false;
  std::size_t connections = 0;
  std::map<const Wire*, std::weak_ptr<Wire>> wires;                // every connection
  std::map<const ChannelLink*, std::weak_ptr<ChannelLink>> links;  // sessions that opened

  /// Takes a connection slot; false at max_connections.
  bool admit();
  void release();
  void publish_locked();
  std::size_t connection_count() const;

  /// Registers an opened session and binds its link to the strand. False when stop() has begun
  /// (nothing may be posted any more; the caller finishes the link). Sets `draining_now` when
  /// drain() has begun.
  bool enroll(const std::shared_ptr<ChannelLink>& link, std::shared_ptr<ChannelSession> session,
              std::function<void()> notify, bool& draining_now);
  /// Unbinds every link: after this nothing posts to the I/O context.
  void stop_notifications();
  void withdraw(const ChannelLink* link);
  /// Calls `visit` with every registered link that is still alive, under the registry's lock.
  void for_each_link(const std::function<void(ChannelLink&)>& visit);
};

/// Holds a connection slot (taken by admit()) for the life of the connection coroutine, and
/// lists its Wire so that stop() can reach it.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(std::shared_ptr<ListenerState> state);
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ~ConnectionSlot();

  void hold(const std::shared_ptr<Wire>& wire);

 private:
  std::shared_ptr<ListenerState> state_;
  const Wire* wire_ = nullptr;
};

/// Serves one accepted connection (whose slot admit() took) to its end: handshake, upgrade,
/// session, frames, close. Runs on the socket's strand.
boost::asio::awaitable<void> serve_connection(std::shared_ptr<ListenerState> state,
                                              boost::asio::ip::tcp::socket socket);

/// Ends `wire`'s connection at once (stop()), on its strand: its session, if any, closes with
/// kStopped.
void abort_connection(std::shared_ptr<Wire> wire);

}  // namespace sentinel::gateway::agent_channel
