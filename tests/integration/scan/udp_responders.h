#pragma once
// UDP sockets that integration tests open on loopback addresses: responders that answer every
// datagram (as a DNS server answers a query), services that answer in their protocol
// (udp_services.h), bound sockets that never answer, and ports that nothing is bound to, which
// the kernel answers with an ICMP port unreachable. Shared by the engine's UDP scan tests and
// the scanner service's UDP job tests.

#include <poll.h>
#include <sys/eventfd.h>

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/scan/scan_test_bed.h"

namespace sentinel::scan::testing {

/// The port a bound socket holds; 0 on failure.
inline std::uint16_t bound_port(int fd, bool v4) {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return 0;
  return ntohs(v4 ? reinterpret_cast<sockaddr_in*>(&storage)->sin_port
                  : reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
}

/// `count` distinct UDP ports on `address` that nothing is bound to (the kernel's choice, all
/// held until the last is chosen, then released). Empty on failure.
inline std::vector<std::uint16_t> unbound_ports(IpAddress address, int count) {
  std::vector<int> fds;
  std::vector<std::uint16_t> ports;
  for (int i = 0; i < count; ++i) {
    const int fd = socket(address.is_v4() ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) break;
    fds.push_back(fd);
    sockaddr_storage storage{};
    const socklen_t length = to_sockaddr(address, 0, storage);
    if (bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0) break;
    ports.push_back(bound_port(fd, address.is_v4()));
  }
  for (const int fd : fds) close(fd);
  if (ports.size() != static_cast<std::size_t>(count)) ports.clear();
  return ports;
}

/// What a protocol responder sends back for a request; nullopt: nothing.
using UdpReply = std::function<std::optional<std::string>(std::string_view request)>;

/// UDP sockets the test owns, served by one thread: answering ones send every datagram back
/// with the DNS response bit set, protocol ones what their UdpReply says, silent ones only keep
/// what they receive.
class UdpResponders {
 public:
  UdpResponders() : stop_fd_(eventfd(0, EFD_CLOEXEC)) {}
  UdpResponders(const UdpResponders&) = delete;
  UdpResponders& operator=(const UdpResponders&) = delete;
  ~UdpResponders() {
    const std::uint64_t one = 1;
    if (thread_.joinable()) {
      [[maybe_unused]] const auto written = write(stop_fd_, &one, sizeof(one));
      thread_.join();
    }
    for (const Socket& socket : sockets_) close(socket.fd);
    close(stop_fd_);
  }

  /// Binds (address, port), port 0 letting the kernel choose; returns the port, 0 on failure.
  /// Call before start().
  std::uint16_t open(IpAddress address, std::uint16_t port, bool answers) {
    if (!answers) return serve(address, port, UdpReply());
    return serve(address, port, [](std::string_view request) -> std::optional<std::string> {
      std::string echo(request);
      if (echo.size() > 2) echo[2] = static_cast<char>(echo[2] | 0x80);  // QR: a response
      return echo;
    });
  }

  /// Binds (address, port) for a service that answers with `reply` (none: silent); returns the
  /// port, 0 on failure. Call before start().
  std::uint16_t serve(IpAddress address, std::uint16_t port, UdpReply reply) {
    const int fd = socket(address.is_v4() ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    sockaddr_storage storage{};
    const socklen_t length = to_sockaddr(address, port, storage);
    if (bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0) {
      close(fd);
      return 0;
    }
    const std::uint16_t chosen = bound_port(fd, address.is_v4());
    sockets_.push_back({fd, Pair{address.to_string(), chosen}, std::move(reply)});
    return chosen;
  }

  void start() {
    thread_ = std::thread([this] { serve(); });
  }

  /// The datagrams (address, port) has received so far.
  std::vector<std::string> received(const Pair& key) {
    std::lock_guard lock(mutex_);
    return received_[key];
  }

 private:
  struct Socket {
    int fd;
    Pair key;
    UdpReply reply;
  };

  void serve() {
    std::vector<pollfd> polled;
    for (const Socket& socket : sockets_) polled.push_back({socket.fd, POLLIN, 0});
    polled.push_back({stop_fd_, POLLIN, 0});
    while (poll(polled.data(), polled.size(), -1) >= 0) {
      if (polled.back().revents != 0) return;
      for (std::size_t i = 0; i < sockets_.size(); ++i) {
        if (polled[i].revents != 0) answer(sockets_[i]);
      }
    }
  }

  void answer(const Socket& socket) {
    char buffer[65536];
    sockaddr_storage peer{};
    socklen_t length = sizeof(peer);
    const ssize_t size = recvfrom(socket.fd, buffer, sizeof(buffer), MSG_DONTWAIT,
                                  reinterpret_cast<sockaddr*>(&peer), &length);
    if (size < 0) return;
    {
      std::lock_guard lock(mutex_);
      received_[socket.key].emplace_back(buffer, static_cast<std::size_t>(size));
    }
    if (!socket.reply) return;
    const std::optional<std::string> reply =
        socket.reply(std::string_view(buffer, static_cast<std::size_t>(size)));
    if (!reply) return;
    sendto(socket.fd, reply->data(), reply->size(), 0, reinterpret_cast<sockaddr*>(&peer), length);
  }

  int stop_fd_;
  std::vector<Socket> sockets_;
  std::thread thread_;
  std::mutex mutex_;
  std::map<Pair, std::vector<std::string>> received_;
};

}  // namespace sentinel::scan::testing
