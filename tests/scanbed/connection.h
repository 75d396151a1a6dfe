#pragma once
// One accepted client connection as the protocol handlers see it: buffered reads of lines and
// byte counts, writes, and pauses. Plain TCP and TLS look the same here. Every connection has a
// deadline (after which its socket is closed and every pending operation fails) and a cap on the
// bytes it will read, so that no client can hold the bed's memory or sockets for long.
//
// A rule for every coroutine of the bed: never co_await inside an if or while condition; name
// the result first (`const bool sent = co_await c.write(x); if (!sent) co_return;`). GCC 12.2
// miscompiles a coroutine that begins with `if (!co_await ...)`: its body reads its parameters
// from the wrong frame slot and crashes (seen here with Boost 1.81's awaitable).

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sentinel::scanbed {

/// The bounds every connection of a listener gets.
struct ConnectionLimits {
  std::chrono::steady_clock::duration deadline = std::chrono::seconds(30);
  std::size_t read_cap = 64 * 1024;  // bytes read over the connection's life
};

/// A client connection. Owned (through a shared_ptr) by the coroutine that serves it; used from
/// that coroutine only (the bed runs one I/O thread).
class Connection {
 public:
  virtual ~Connection() = default;

  /// Reads more bytes into buffered(). False on end of stream, error, deadline or read cap.
  boost::asio::awaitable<bool> read_more();
  /// Waits until buffered() holds at least `count` bytes. False if that cannot happen.
  boost::asio::awaitable<bool> read_at_least(std::size_t count);
  /// The next line without its "\n" or "\r\n". Empty optional on end of stream, deadline, cap, or
  /// when no line end comes within `max_length` bytes.
  boost::asio::awaitable<std::optional<std::string>> read_line(std::size_t max_length);
  /// Bytes read and not yet consumed.
  std::string& buffered() { return buffer_; }
  /// Removes and returns the first `count` buffered bytes.
  std::string consume(std::size_t count);
  /// True once the read cap stopped reading.
  bool read_capped() const { return read_capped_; }

  /// Writes all of `data`. False on error or after the deadline.
  virtual boost::asio::awaitable<bool> write(std::string_view data) = 0;
  /// Sleeps for `duration` (cut short by nothing: the next operation sees the deadline).
  virtual boost::asio::awaitable<void> pause(std::chrono::milliseconds duration) = 0;
  /// Waits until the deadline closes the connection.
  virtual boost::asio::awaitable<void> hold() = 0;
  /// Closes the socket now; pending operations fail.
  virtual void close() = 0;

  /// The bed address the client connected to, as "a.b.c.d", and its port.
  virtual std::string local_address() const = 0;
  virtual std::uint16_t local_port() const = 0;
  /// The client's address as "a.b.c.d".
  virtual std::string remote_address() const = 0;

 protected:
  explicit Connection(std::size_t read_cap) : read_cap_(read_cap) {}
  /// Reads at most `size` bytes into `data`; 0 on end of stream or error.
  virtual boost::asio::awaitable<std::size_t> read_some(char* data, std::size_t size) = 0;

 private:
  std::string buffer_;
  std::size_t read_cap_;
  std::size_t read_total_ = 0;
  bool read_capped_ = false;
};

}  // namespace sentinel::scanbed
