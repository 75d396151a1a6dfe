#pragma once
// The Connection over a real socket: plain TCP or TLS (asio::ssl over TCP). Only the listener
// creates these; handlers see the Connection interface.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "tests/scanbed/connection.h"

namespace sentinel::scanbed {

/// A Connection over `Stream` (tcp::socket or ssl::stream<tcp::socket>). Create with
/// std::make_shared, then call start_deadline() once. Used from one thread.
template <typename Stream>
class SocketConnection final : public Connection,
                               public std::enable_shared_from_this<SocketConnection<Stream>> {
 public:
  SocketConnection(Stream stream, const ConnectionLimits& limits);
  ~SocketConnection() override;

  /// Arms the deadline: when it passes, the socket is closed. The timer holds only a weak
  /// reference, so a finished connection is freed at once.
  void start_deadline();
  /// The underlying stream, e.g. for the TLS handshake.
  Stream& stream() { return stream_; }

  boost::asio::awaitable<bool> write(std::string_view data) override;
  boost::asio::awaitable<void> pause(std::chrono::milliseconds duration) override;
  boost::asio::awaitable<void> hold() override;
  void close() override;
  std::string local_address() const override;
  std::uint16_t local_port() const override;
  std::string remote_address() const override;

 protected:
  boost::asio::awaitable<std::size_t> read_some(char* data, std::size_t size) override;

 private:
  Stream stream_;
  boost::asio::steady_timer deadline_;
  std::chrono::steady_clock::time_point deadline_at_;
  boost::asio::ip::tcp::endpoint local_;
  boost::asio::ip::tcp::endpoint remote_;
};

using PlainConnection = SocketConnection<boost::asio::ip::tcp::socket>;
using TlsConnection = SocketConnection<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>>;

}  // namespace sentinel::scanbed
