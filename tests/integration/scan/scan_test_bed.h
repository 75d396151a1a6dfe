#pragma once
// What the scan integration tests share: listeners that a test opens itself on loopback
// addresses (Linux answers for all of 127/8 without configuration), and result collection.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "sentinel/scan/port_scanner.h"
#include "sentinel/scan/scan_scope.h"
#include "src/scan/socket_util.h"

namespace sentinel::scan::testing {

/// An (address text, port) key of collected results.
using Pair = std::pair<std::string, std::uint16_t>;

inline IpAddress ip(const char* text) { return *IpAddress::parse(text); }

inline ScanScope loopback_scope() { return *ScanScope::parse("127.0.0.0/8 ::1"); }

/// Listening sockets that the test owns; closed on destruction.
class Listeners {
 public:
  Listeners() = default;
  Listeners(const Listeners&) = delete;
  Listeners& operator=(const Listeners&) = delete;
  ~Listeners() {
    for (const int fd : fds_) close(fd);
  }

  /// Listens on (address, port); port 0 lets the kernel choose. Returns the port, 0 on failure.
  std::uint16_t listen_on(IpAddress address, std::uint16_t port, int backlog = 64) {
    const int fd = socket(address.is_v4() ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    fds_.push_back(fd);
    sockaddr_storage storage{};
    socklen_t length = to_sockaddr(address, port, storage);
    if (bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0) return 0;
    if (listen(fd, backlog) != 0) return 0;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return 0;
    return ntohs(address.is_v4() ? reinterpret_cast<sockaddr_in*>(&storage)->sin_port
                                 : reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
  }

  /// Closes the listener last opened.
  void close_last() {
    close(fds_.back());
    fds_.pop_back();
  }

 private:
  std::vector<int> fds_;
};

/// Every result of a scan, by pair.
struct Collected {
  std::map<Pair, PortState> states;
  std::map<Pair, int> reports;
  std::map<Pair, int> attempts;

  std::set<Pair> open() const {
    std::set<Pair> found;
    for (const auto& [pair, state] : states) {
      if (state == PortState::kOpen) found.insert(pair);
    }
    return found;
  }
};

inline PortResultHandler collect_into(Collected& collected) {
  return [&collected](const PortResult& result) {
    const Pair key{result.address.to_string(), result.port};
    collected.states[key] = result.state;
    ++collected.reports[key];
    collected.attempts[key] = result.attempts;
  };
}

/// Runs `scanner`, which must be one that could not finish for hours (a rate of one probe a
/// second over thousands of pairs), on a thread; cancels it once it has sent a probe and joins
/// it (a cancel that did nothing hangs here until the test's timeout). Expects the run to end
/// cancelled, to have sent probes to under 1% of its pairs and to have reported exactly the
/// pairs it counts as done.
inline void expect_cancel_stops(PortScanner& scanner) {
  std::atomic<std::uint64_t> reported{0};
  Result<ScanOutcome> outcome = ScanOutcome::kCompleted;
  std::thread scan([&] { outcome = scanner.run([&](const PortResult&) { ++reported; }); });
  // Cancel a running scan, not one that has not started (which would stop at once anyway).
  while (scanner.progress().probes_sent == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  scanner.cancel();
  scan.join();

  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(*outcome, ScanOutcome::kCancelled);
  const ScanProgress after = scanner.progress();
  // A scan that ran to the end would have sent a probe to every pair.
  EXPECT_LT(after.probes_sent * 100, after.pairs_total) << "it stopped, not finished the scan";
  EXPECT_LT(after.pairs_done * 100, after.pairs_total);
  EXPECT_EQ(reported.load(), after.pairs_done);
}

/// Fills the accept queue of a listener opened with backlog 0 on (address, port): from then on
/// the kernel drops new SYNs to it, so the port never answers. Returns the filling client
/// socket (the caller closes it), or -1.
inline int fill_accept_queue(IpAddress address, std::uint16_t port) {
  const int filler = socket(address.is_v4() ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (filler < 0) return -1;
  sockaddr_storage storage{};
  const socklen_t length = to_sockaddr(address, port, storage);
  if (connect(filler, reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    close(filler);
    return -1;
  }
  // The final ACK lands the connection in the queue shortly after connect() returns.
  usleep(50 * 1000);
  return filler;
}

/// Listeners on loopback "hosts" `prefix`1 .. `prefix``hosts` (prefix like "127.66.0."), on
/// about a third of (host, port) pairs, a different mix on every host.
struct LoopbackBed {
  /// Ports the kernel handed out on `prefix`1: free there and without a wildcard listener, so
  /// every host of the subnet can listen on them too.
  std::vector<std::uint16_t> ports;
  std::set<Pair> open;
  Listeners listeners;
};

/// Opens `bed` with `port_count` ports; a failure names the pair that could not listen.
inline ::testing::AssertionResult open_loopback_bed(const std::string& prefix, int hosts,
                                                    int port_count, LoopbackBed& bed) {
  {
    Listeners probe_ports;  // closed at the end of this block, before listening for real
    const std::string first = prefix + "1";
    for (int k = 0; k < port_count; ++k) {
      const std::uint16_t port = probe_ports.listen_on(ip(first.c_str()), 0);
      if (port == 0) return ::testing::AssertionFailure() << first << ": " << std::strerror(errno);
      bed.ports.push_back(port);
    }
  }
  for (int host = 1; host <= hosts; ++host) {
    const std::string address = prefix + std::to_string(host);
    for (int k = 0; k < port_count; ++k) {
      if ((host + 2 * k) % 3 != 0) continue;
      if (bed.listeners.listen_on(ip(address.c_str()), bed.ports[k]) != bed.ports[k]) {
        return ::testing::AssertionFailure()
               << address << ":" << bed.ports[k] << " " << std::strerror(errno);
      }
      bed.open.insert({address, bed.ports[k]});
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace sentinel::scan::testing
