// The hostile listeners. They exist to prove that a scanner bounds its time and memory per
// connection: each would hold a careless client forever. The connection's own deadline is what
// finally frees the bed's side.

#include "sentinel/common/crypto.h"
#include "tests/scanbed/protocols/protocols.h"

namespace sentinel::scanbed {
namespace {

constexpr std::size_t kChunk = 16 * 1024;
constexpr char kSlowBanner[] = "220 slow.scanbed.test ESMTP ready\r\n";

// Printable filler for the endless banner: a line that never reaches its end.
std::string endless_chunk() {
  std::string chunk(kChunk, 'A');
  for (std::size_t i = 0; i < chunk.size(); ++i) chunk[i] = static_cast<char>('A' + i % 26);
  return chunk;
}

boost::asio::awaitable<void> endless_banner(Connection& connection) {
  const std::string chunk = "SSH-2.0-" + endless_chunk();
  std::string_view next = chunk;  // the prefix once, then the filler forever
  for (;;) {
    const bool written = co_await connection.write(next);
    if (!written) co_return;
    next = std::string_view(chunk).substr(8);
  }
}

boost::asio::awaitable<void> slow_banner(Connection& connection) {
  const std::string_view banner = kSlowBanner;
  for (std::size_t i = 0;; i = (i + 1) % banner.size()) {
    const bool written = co_await connection.write(banner.substr(i, 1));
    if (!written) co_return;
    co_await connection.pause(std::chrono::seconds(1));
  }
}

boost::asio::awaitable<void> tls_garbage(Connection& connection) {
  const bool hello = co_await connection.read_more();
  if (!hello) co_return;
  // A handshake record header claiming more than TLS allows, then noise, forever.
  std::string noise = std::string("\x16\x03\x03\xff\xff", 5) + crypto::random_bytes(kChunk);
  for (;;) {
    const bool written = co_await connection.write(noise);
    if (!written) co_return;
    noise = crypto::random_bytes(kChunk);
  }
}

boost::asio::awaitable<void> silent(Connection& connection) {
  for (;;) {
    const bool more = co_await connection.read_more();
    if (!more) break;
    connection.buffered().clear();
  }
  if (connection.read_capped()) co_await connection.hold();
}

}  // namespace

// Not a coroutine (see serve_protocol in bed_server.cpp): returns the behaviour's awaitable.
boost::asio::awaitable<void> serve_hostile(Connection& connection, Hostility hostility) {
  switch (hostility) {
    case Hostility::kEndlessBanner:
      return endless_banner(connection);
    case Hostility::kSlowBanner:
      return slow_banner(connection);
    case Hostility::kTlsGarbage:
      return tls_garbage(connection);
    case Hostility::kSilent:
      return silent(connection);
  }
  return silent(connection);
}

}  // namespace sentinel::scanbed
