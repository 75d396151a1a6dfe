#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "tests/scanbed/socket_connection.h"

namespace sentinel::scanbed {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 4096;

tcp::socket& lowest(tcp::socket& socket) { return socket; }
tcp::socket& lowest(asio::ssl::stream<tcp::socket>& stream) { return stream.next_layer(); }

}  // namespace

// ---- Connection: buffering on top of read_some -------------------------------------------------

asio::awaitable<bool> Connection::read_more() {
  if (read_total_ >= read_cap_) {
    read_capped_ = true;
    co_return false;
  }
  char chunk[kReadChunk];
  const std::size_t want = std::min(sizeof(chunk), read_cap_ - read_total_);
  const std::size_t got = co_await read_some(chunk, want);
  if (got == 0) co_return false;
  read_total_ += got;
  buffer_.append(chunk, got);
  co_return true;
}

asio::awaitable<bool> Connection::read_at_least(std::size_t count) {
  bool open = true;
  while (open && buffer_.size() < count) open = co_await read_more();
  co_return open;
}

asio::awaitable<std::optional<std::string>> Connection::read_line(std::size_t max_length) {
  std::size_t searched = 0;
  for (;;) {
    const std::size_t end = buffer_.find('\n', searched);
    if (end != std::string::npos && end <= max_length) {
      std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      co_return line;
    }
    if (buffer_.size() > max_length) co_return std::nullopt;
    searched = buffer_.size();
    const bool more = co_await read_more();
    if (!more) co_return std::nullopt;
  }
}

std::string Connection::consume(std::size_t count) {
  count = std::min(count, buffer_.size());
  std::string head = buffer_.substr(0, count);
  buffer_.erase(0, count);
  return head;
}

// ---- SocketConnection
// -----------------------------------------------------------------------------

template <typename Stream>
SocketConnection<Stream>::SocketConnection(Stream stream, const ConnectionLimits& limits)
    : Connection(limits.read_cap),
      stream_(std::move(stream)),
      deadline_(lowest(stream_).get_executor()),
      deadline_at_(std::chrono::steady_clock::now() + limits.deadline) {
  boost::system::error_code ignored;
  local_ = lowest(stream_).local_endpoint(ignored);
  remote_ = lowest(stream_).remote_endpoint(ignored);
}

template <typename Stream>
SocketConnection<Stream>::~SocketConnection() {
  deadline_.cancel();
}

template <typename Stream>
void SocketConnection<Stream>::start_deadline() {
  deadline_.expires_at(deadline_at_);
  std::weak_ptr<SocketConnection> weak = this->weak_from_this();
  deadline_.async_wait([weak](const boost::system::error_code& error) {
    if (error) return;
    if (auto self = weak.lock()) self->close();
  });
}

template <typename Stream>
asio::awaitable<std::size_t> SocketConnection<Stream>::read_some(char* data, std::size_t size) {
  auto [error, count] = co_await stream_.async_read_some(asio::buffer(data, size), kUseTuple);
  co_return error ? 0 : count;
}

template <typename Stream>
asio::awaitable<bool> SocketConnection<Stream>::write(std::string_view data) {
  auto [error, count] = co_await asio::async_write(stream_, asio::buffer(data), kUseTuple);
  co_return !error && count == data.size();
}

template <typename Stream>
asio::awaitable<void> SocketConnection<Stream>::pause(std::chrono::milliseconds duration) {
  asio::steady_timer timer(lowest(stream_).get_executor(), duration);
  co_await timer.async_wait(kUseTuple);
}

template <typename Stream>
asio::awaitable<void> SocketConnection<Stream>::hold() {
  asio::steady_timer timer(lowest(stream_).get_executor(), deadline_at_);
  co_await timer.async_wait(kUseTuple);
}

template <typename Stream>
void SocketConnection<Stream>::close() {
  boost::system::error_code ignored;
  lowest(stream_).close(ignored);
}

template <typename Stream>
std::string SocketConnection<Stream>::local_address() const {
  return local_.address().to_string();
}

template <typename Stream>
std::uint16_t SocketConnection<Stream>::local_port() const {
  return local_.port();
}

template <typename Stream>
std::string SocketConnection<Stream>::remote_address() const {
  return remote_.address().to_string();
}

template class SocketConnection<tcp::socket>;
template class SocketConnection<asio::ssl::stream<tcp::socket>>;

}  // namespace sentinel::scanbed
