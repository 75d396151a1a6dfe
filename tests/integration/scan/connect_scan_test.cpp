// The connect() scanner against real listeners that the test opens on 127.66.0.0/27 and ::1
// (Linux answers for all of 127/8 without configuration). Nothing leaves the loopback.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <set>
#include <thread>
#include <tuple>
#include <vector>

#include "sentinel/scan/connect_scanner.h"

namespace sentinel::scan {
namespace {

using namespace std::chrono_literals;

using Pair = std::pair<std::string, std::uint16_t>;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

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
    socklen_t length = 0;
    if (address.is_v4()) {
      auto* in = reinterpret_cast<sockaddr_in*>(&storage);
      in->sin_family = AF_INET;
      in->sin_port = htons(port);
      in->sin_addr.s_addr = htonl(static_cast<std::uint32_t>(address.value()));
      length = sizeof(sockaddr_in);
    } else {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons(port);
      std::uint8_t bytes[16];
      address.to_bytes(bytes);
      std::memcpy(in6->sin6_addr.s6_addr, bytes, 16);
      length = sizeof(sockaddr_in6);
    }
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

struct Collected {
  std::map<Pair, PortState> states;
  std::map<Pair, int> reports;
  std::map<Pair, int> attempts;
};

PortResultHandler collect_into(Collected& collected) {
  return [&collected](const PortResult& result) {
    const Pair key{result.address.to_string(), result.port};
    collected.states[key] = result.state;
    ++collected.reports[key];
    collected.attempts[key] = result.attempts;
  };
}

ScanScope loopback_scope() { return *ScanScope::parse("127.0.0.0/8 ::1"); }

class ConnectScanTest : public ::testing::Test {
 protected:
  static constexpr int kPorts = 6;
  static constexpr int kHostsWithListeners = 20;

  void SetUp() override {
    // Ports the kernel hands out on 127.66.0.1 are free there and have no wildcard listener,
    // so every other host of the subnet can listen on them too.
    {
      Listeners probe_ports;  // closed at the end of this block, before listening for real
      for (int k = 0; k < kPorts; ++k) {
        const std::uint16_t port = probe_ports.listen_on(ip("127.66.0.1"), 0);
        ASSERT_NE(port, 0) << std::strerror(errno);
        ports_.push_back(port);
      }
    }
    for (int host = 1; host <= kHostsWithListeners; ++host) {
      const std::string address = "127.66.0." + std::to_string(host);
      for (int k = 0; k < kPorts; ++k) {
        // About a third of the pairs are open, a different mix on every host.
        if ((host + 2 * k) % 3 != 0) continue;
        ASSERT_EQ(listeners_.listen_on(ip(address.c_str()), ports_[k]), ports_[k])
            << address << ":" << ports_[k] << " " << std::strerror(errno);
        open_.insert({address, ports_[k]});
      }
    }
  }

  TargetSet subnet() { return TargetSet::from_ranges({{ip("127.66.0.0"), ip("127.66.0.31")}}); }

  std::vector<std::uint16_t> ports_;
  Listeners listeners_;
  std::set<Pair> open_;
};

TEST_F(ConnectScanTest, FindsExactlyTheOpenPortsAndReportsTheRestClosed) {
  auto scanner = ConnectScanner::create(subnet(), ports_, loopback_scope(), {});
  ASSERT_TRUE(scanner) << scanner.error().message;
  Collected collected;
  const auto start = std::chrono::steady_clock::now();
  const auto outcome = (*scanner)->run(collect_into(collected));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(*outcome, ScanOutcome::kCompleted);

  std::set<Pair> found_open;
  for (const auto& [pair, state] : collected.states) {
    if (state == PortState::kOpen) found_open.insert(pair);
  }
  EXPECT_EQ(found_open, open_) << "recall and precision must both be 100%";
  ASSERT_EQ(collected.states.size(), 32u * kPorts) << "every pair reported";
  for (const auto& [pair, count] : collected.reports) {
    EXPECT_EQ(count, 1) << pair.first << ":" << pair.second << " reported more than once";
  }
  for (const auto& [pair, state] : collected.states) {
    if (!open_.count(pair)) {
      EXPECT_EQ(state, PortState::kClosed) << pair.first << ":" << pair.second;
    }
  }
  const ScanProgress progress = (*scanner)->progress();
  EXPECT_EQ(progress.pairs_total, 32u * kPorts);
  EXPECT_EQ(progress.pairs_done, 32u * kPorts);
  EXPECT_EQ(progress.open_found, open_.size());
  EXPECT_GE(progress.probes_sent, 32u * kPorts);
  std::cout << "[ scan     ] 32 hosts x " << kPorts << " ports (" << open_.size() << " open) in "
            << std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count() / 1000.0
            << " ms, " << progress.probes_sent << " probes\n";
}

TEST_F(ConnectScanTest, TheSameResultUnderTightConcurrencyAndRateCaps) {
  ConnectScanOptions options;
  options.limits.max_concurrency = 3;
  options.limits.max_rate = 400;
  options.seed = 99;
  auto scanner = ConnectScanner::create(subnet(), ports_, loopback_scope(), options);
  ASSERT_TRUE(scanner) << scanner.error().message;
  Collected collected;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE((*scanner)->run(collect_into(collected)));
  const auto elapsed = std::chrono::steady_clock::now() - start;

  std::set<Pair> found_open;
  for (const auto& [pair, state] : collected.states) {
    if (state == PortState::kOpen) found_open.insert(pair);
  }
  EXPECT_EQ(found_open, open_);
  EXPECT_EQ(collected.states.size(), 32u * kPorts);
  // 192 probes at 400 per second take about 0.48 s; the bucket saves up 2 at most.
  EXPECT_GE(elapsed, 450ms);
  EXPECT_LE((*scanner)->progress().probes_per_second, 420);
}

TEST_F(ConnectScanTest, CancelStopsALongScanPromptly) {
  ConnectScanOptions options;
  options.limits.max_rate = 2000;  // 32 × 2000 pairs would take 32 s
  std::vector<std::uint16_t> many_ports;
  for (std::uint16_t port = 30000; port < 32000; ++port) many_ports.push_back(port);
  auto scanner = ConnectScanner::create(subnet(), many_ports, loopback_scope(), options);
  ASSERT_TRUE(scanner) << scanner.error().message;
  ConnectScanner& running = **scanner;

  std::atomic<std::uint64_t> reported{0};
  std::chrono::steady_clock::time_point returned;
  Result<ScanOutcome> outcome = ScanOutcome::kCompleted;
  std::thread scan([&] {
    outcome = running.run([&](const PortResult&) { ++reported; });
    returned = std::chrono::steady_clock::now();
  });
  std::this_thread::sleep_for(300ms);
  const ScanProgress midway = running.progress();
  const auto cancelled_at = std::chrono::steady_clock::now();
  running.cancel();
  scan.join();

  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(*outcome, ScanOutcome::kCancelled);
  EXPECT_LT(returned - cancelled_at, 200ms);
  EXPECT_GT(midway.pairs_done, 0u) << "the scan was running";
  EXPECT_LT(running.progress().pairs_done, running.progress().pairs_total / 4);
  EXPECT_EQ(reported.load(), running.progress().pairs_done);
}

TEST_F(ConnectScanTest, APortThatNeverAnswersIsFilteredAfterTwoRetransmissions) {
  // A listener whose accept queue is full drops new SYNs: for the scanner, a silent port.
  Listeners silent;
  const std::uint16_t port = silent.listen_on(ip("127.66.0.40"), 0, 0);
  ASSERT_NE(port, 0);
  const int filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  inet_pton(AF_INET, "127.66.0.40", &address.sin_addr);
  ASSERT_EQ(connect(filler, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  std::this_thread::sleep_for(50ms);  // the final ACK lands the connection in the queue

  ConnectScanOptions options;
  options.limits.rtt = RttBounds{100ms, 100ms, 100ms};
  auto scanner =
      ConnectScanner::create(TargetSet::from_ranges({AddressRange::single(ip("127.66.0.40"))}),
                             {port}, loopback_scope(), options);
  ASSERT_TRUE(scanner);
  Collected collected;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE((*scanner)->run(collect_into(collected)));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  close(filler);

  const Pair key{"127.66.0.40", port};
  EXPECT_EQ(collected.states[key], PortState::kFiltered);
  EXPECT_EQ(collected.attempts[key], 3);
  EXPECT_EQ((*scanner)->progress().probes_sent, 3u);
  EXPECT_GE(elapsed, 300ms);
  EXPECT_LT(elapsed, 1s);
}

TEST(ConnectScanIpv6, ScansTheIpv6Loopback) {
  Listeners listeners;
  const std::uint16_t open = listeners.listen_on(ip("::1"), 0);
  ASSERT_NE(open, 0) << "no IPv6 loopback: " << std::strerror(errno);
  const std::uint16_t closed = listeners.listen_on(ip("::1"), 0);
  ASSERT_NE(closed, 0);
  listeners.close_last();

  auto scanner = ConnectScanner::create(TargetSet::from_ranges({AddressRange::single(ip("::1"))}),
                                        {open, closed}, loopback_scope(), {});
  ASSERT_TRUE(scanner) << scanner.error().message;
  Collected collected;
  ASSERT_TRUE((*scanner)->run(collect_into(collected)));
  EXPECT_EQ(collected.states[Pair("::1", open)], PortState::kOpen);
  EXPECT_EQ(collected.states[Pair("::1", closed)], PortState::kClosed);
  EXPECT_EQ(collected.states.size(), 2u);
}

}  // namespace
}  // namespace sentinel::scan
