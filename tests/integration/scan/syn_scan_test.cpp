// The raw SYN scanner against listeners the test opens itself: on 127.67.0.0/27 and ::1 (Linux
// answers for all of 127/8), and inside a network namespace joined to the test by a veth pair,
// where only one address of a /24 exists, so that absent hosts really stay silent. Needs root
// (CAP_NET_RAW, and CAP_SYS_ADMIN for the namespace); nothing leaves 127/8 or that namespace.

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <net/ethernet.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <array>
#include <atomic>
#include <chrono>
#include <iostream>
#include <optional>
#include <thread>

#include "sentinel/scan/connect_scanner.h"
#include "sentinel/scan/port_scanner_factory.h"
#include "sentinel/scan/syn_scanner.h"
#include "src/scan/probe_packets.h"
#include "src/scan/raw_probe_loop.h"
#include "tests/integration/scan/scan_test_bed.h"
#include "tests/integration/scan/veth_namespace.h"

namespace sentinel::scan {
namespace {

using namespace std::chrono_literals;
using namespace sentinel::scan::testing;

std::chrono::milliseconds since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start);
}

class SynScanTest : public ::testing::Test {
 protected:
  static constexpr int kPorts = 6;
  static constexpr int kHostsWithListeners = 20;

  void SetUp() override {
    ASSERT_TRUE(open_loopback_bed("127.67.0.", kHostsWithListeners, kPorts, bed_));
  }

  TargetSet subnet() { return TargetSet::from_ranges({{ip("127.67.0.0"), ip("127.67.0.31")}}); }

  LoopbackBed bed_;
};

TEST_F(SynScanTest, FindsExactlyTheOpenPortsAndReportsTheRestClosed) {
  auto scanner = SynScanner::create(subnet(), bed_.ports, loopback_scope(), {});
  ASSERT_TRUE(scanner) << scanner.error().message;
  Collected collected;
  const auto start = std::chrono::steady_clock::now();
  const auto outcome = (*scanner)->run(collect_into(collected));
  const auto elapsed = since(start);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(*outcome, ScanOutcome::kCompleted);

  EXPECT_EQ(collected.open(), bed_.open) << "recall and precision must both be 100%";
  ASSERT_EQ(collected.states.size(), 32u * kPorts) << "every pair reported";
  for (const auto& [pair, count] : collected.reports) {
    EXPECT_EQ(count, 1) << pair.first << ":" << pair.second << " reported more than once";
  }
  for (const auto& [pair, state] : collected.states) {
    if (!bed_.open.count(pair)) {
      EXPECT_EQ(state, PortState::kClosed) << pair.first << ":" << pair.second;
    }
    EXPECT_EQ(collected.attempts[pair], 1) << "loopback loses nothing";
  }
  const ScanProgress progress = (*scanner)->progress();
  EXPECT_EQ(progress.pairs_total, 32u * kPorts);
  EXPECT_EQ(progress.pairs_done, 32u * kPorts);
  EXPECT_EQ(progress.open_found, bed_.open.size());
  EXPECT_EQ(progress.probes_sent, 32u * kPorts);
  std::cout << "[ scan     ] SYN: 32 hosts x " << kPorts << " ports (" << bed_.open.size()
            << " open) in " << elapsed.count() << " ms\n";
}

TEST_F(SynScanTest, AgreesWithTheConnectScannerOnTheSameBed) {
  Collected by_syn;
  Collected by_connect;
  {
    auto syn = SynScanner::create(subnet(), bed_.ports, loopback_scope(), {});
    ASSERT_TRUE(syn) << syn.error().message;
    ASSERT_TRUE((*syn)->run(collect_into(by_syn)));
  }
  {
    auto connect = ConnectScanner::create(subnet(), bed_.ports, loopback_scope(), {});
    ASSERT_TRUE(connect) << connect.error().message;
    ASSERT_TRUE((*connect)->run(collect_into(by_connect)));
  }
  EXPECT_EQ(by_syn.states, by_connect.states);
  EXPECT_EQ(by_syn.open(), bed_.open);
}

TEST_F(SynScanTest, TheSameResultUnderTightConcurrencyAndRateCaps) {
  SynScanOptions options;
  options.limits.max_concurrency = 3;
  options.limits.max_rate = 400;
  options.seed = 99;
  auto scanner = SynScanner::create(subnet(), bed_.ports, loopback_scope(), options);
  ASSERT_TRUE(scanner) << scanner.error().message;
  Collected collected;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE((*scanner)->run(collect_into(collected)));
  const auto elapsed = since(start);

  EXPECT_EQ(collected.open(), bed_.open);
  EXPECT_EQ(collected.states.size(), 32u * kPorts);
  // 192 probes at 400 per second take about 0.48 s; the bucket saves up 2 at most.
  EXPECT_GE(elapsed, 450ms);
  EXPECT_LE((*scanner)->progress().probes_per_second, 420);
}

TEST_F(SynScanTest, CancelStopsAScanThatWouldRunForHours) {
  SynScanOptions options;
  options.limits.max_rate = 1;  // 32 × 2000 pairs at one probe a second: about 18 hours
  std::vector<std::uint16_t> many_ports;
  for (std::uint16_t port = 30000; port < 32000; ++port) many_ports.push_back(port);
  auto scanner = SynScanner::create(subnet(), many_ports, loopback_scope(), options);
  ASSERT_TRUE(scanner) << scanner.error().message;
  expect_cancel_stops(**scanner);
}

TEST(SynScanSilentPort, IsFilteredAfterTwoRetransmissions) {
  // A listener whose accept queue is full drops new SYNs: for the scanner, a silent port.
  Listeners silent;
  const std::uint16_t port = silent.listen_on(ip("127.67.0.40"), 0, 0);
  ASSERT_NE(port, 0);
  const int filler = fill_accept_queue(ip("127.67.0.40"), port);
  ASSERT_GE(filler, 0) << std::strerror(errno);

  SynScanOptions options;
  options.limits.rtt = RttBounds{100ms, 100ms, 100ms};
  auto scanner =
      SynScanner::create(TargetSet::from_ranges({AddressRange::single(ip("127.67.0.40"))}), {port},
                         loopback_scope(), options);
  ASSERT_TRUE(scanner) << scanner.error().message;
  Collected collected;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE((*scanner)->run(collect_into(collected)));
  const auto elapsed = since(start);
  close(filler);

  const Pair key{"127.67.0.40", port};
  EXPECT_EQ(collected.states[key], PortState::kFiltered);
  EXPECT_EQ(collected.attempts[key], 3);
  EXPECT_EQ((*scanner)->progress().probes_sent, 3u);
  EXPECT_GE(elapsed, 300ms);  // three attempts, each waiting its full 100 ms timeout
}

/// Watches the loopback for the scanner's SYNs (the test's own packet socket), so that a test
/// can answer them in the scanner's place.
class SynSniffer {
 public:
  SynSniffer() {
    fd_ = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP));
    const timeval timeout{0, 100000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  ~SynSniffer() { close(fd_); }
  bool ok() const { return fd_ >= 0; }

  /// The next SYN to (host, port), waiting up to `patience`.
  std::optional<Reply> next_syn(IpAddress host, std::uint16_t port,
                                std::chrono::milliseconds patience) {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    std::array<std::uint8_t, 2048> buffer{};
    while (std::chrono::steady_clock::now() < deadline) {
      const long got = recv(fd_, buffer.data(), buffer.size(), 0);
      if (got <= 0) continue;
      const auto packet = parse_reply(std::span(buffer.data(), static_cast<std::size_t>(got)));
      if (packet && packet->kind == ReplyKind::kTcp && packet->flags == kTcpSyn &&
          packet->destination == host && packet->destination_port == port) {
        return packet;  // "source" is the scanner here
      }
    }
    return std::nullopt;
  }

 private:
  int fd_ = -1;
};

/// Sends a SYN-ACK from (host, port) to the scanner that sent `syn`, acknowledging `ack`.
bool send_syn_ack(const Reply& syn, std::uint32_t ack) {
  ProbePacket answer;
  answer.source = syn.destination;
  answer.destination = syn.source;
  answer.kind = ProbeKind::kTcpSyn;
  answer.source_port = syn.destination_port;
  answer.destination_port = syn.source_port;
  answer.cookie = 0x5eed;
  std::array<std::uint8_t, kMaxProbeBytes> packet{};
  const std::size_t length = build_probe(answer, packet);
  // Turn the SYN into a SYN-ACK and fix the TCP checksum.
  packet[20 + 8] = static_cast<std::uint8_t>(ack >> 24);
  packet[20 + 9] = static_cast<std::uint8_t>(ack >> 16);
  packet[20 + 10] = static_cast<std::uint8_t>(ack >> 8);
  packet[20 + 11] = static_cast<std::uint8_t>(ack);
  packet[20 + 13] = kTcpSyn | kTcpAck;
  packet[20 + 16] = 0;
  packet[20 + 17] = 0;
  const std::size_t segment = length - 20;
  const std::uint16_t sum = fold_checksum(checksum_add(
      {packet.data() + 20, segment}, pseudo_header_sum(answer.source, answer.destination, 6,
                                                       static_cast<std::uint32_t>(segment))));
  packet[20 + 16] = static_cast<std::uint8_t>(sum >> 8);
  packet[20 + 17] = static_cast<std::uint8_t>(sum);
  const int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
  if (fd < 0) return false;
  sockaddr_storage to{};
  const socklen_t to_length = to_sockaddr(answer.destination, 0, to);
  const bool sent = sendto(fd, packet.data(), length, 0, reinterpret_cast<sockaddr*>(&to),
                           to_length) == static_cast<long>(length);
  close(fd);
  return sent;
}

TEST(SynScanMatching, AForgedAnswerIsIgnoredAndOnlyTheRightAcknowledgmentCounts) {
  // A silent port, so that every answer the scanner sees is the test's.
  Listeners silent;
  const IpAddress host = ip("127.67.0.41");
  const std::uint16_t port = silent.listen_on(host, 0, 0);
  ASSERT_NE(port, 0);
  const int filler = fill_accept_queue(host, port);
  ASSERT_GE(filler, 0);
  const auto scan_answering = [&](std::int64_t ack_offset) {
    // A fresh sniffer per scan, so that no SYN of the previous scan is taken for this one's.
    SynSniffer sniffer;
    EXPECT_TRUE(sniffer.ok()) << std::strerror(errno);
    SynScanOptions options;
    options.limits.rtt = RttBounds{300ms, 300ms, 300ms};
    auto scanner = SynScanner::create(TargetSet::from_ranges({AddressRange::single(host)}), {port},
                                      loopback_scope(), options);
    EXPECT_TRUE(scanner) << scanner.error().message;
    Collected collected;
    std::thread scan([&] { EXPECT_TRUE((*scanner)->run(collect_into(collected))); });
    const auto syn = sniffer.next_syn(host, port, 1000ms);
    EXPECT_TRUE(syn) << "the scanner's SYN was not seen";
    if (syn) {
      EXPECT_TRUE(send_syn_ack(*syn, syn->seq + static_cast<std::uint32_t>(ack_offset)));
    }
    scan.join();
    return collected;
  };

  // Acknowledging the wrong number, as a blind forger would: still no answer.
  Collected forged = scan_answering(2);
  EXPECT_EQ(forged.states[Pair(host.to_string(), port)], PortState::kFiltered);
  EXPECT_EQ(forged.attempts[Pair(host.to_string(), port)], 3);
  // Acknowledging sequence + 1, as a real service would: open on the first attempt.
  Collected genuine = scan_answering(1);
  EXPECT_EQ(genuine.states[Pair(host.to_string(), port)], PortState::kOpen);
  EXPECT_EQ(genuine.attempts[Pair(host.to_string(), port)], 1);
  close(filler);
}

TEST(SynScanIpv6, ScansTheIpv6Loopback) {
  Listeners listeners;
  const std::uint16_t open = listeners.listen_on(ip("::1"), 0);
  ASSERT_NE(open, 0) << "no IPv6 loopback: " << std::strerror(errno);
  const std::uint16_t closed = listeners.listen_on(ip("::1"), 0);
  ASSERT_NE(closed, 0);
  listeners.close_last();

  auto scanner = SynScanner::create(TargetSet::from_ranges({AddressRange::single(ip("::1"))}),
                                    {open, closed}, loopback_scope(), {});
  ASSERT_TRUE(scanner) << scanner.error().message;
  Collected collected;
  ASSERT_TRUE((*scanner)->run(collect_into(collected)));
  EXPECT_EQ(collected.states[Pair("::1", open)], PortState::kOpen);
  EXPECT_EQ(collected.states[Pair("::1", closed)], PortState::kClosed);
  EXPECT_EQ(collected.states.size(), 2u);
}

TEST(SynScanScope, RefusesTargetsOutsideTheScopeBeforeAnyPacket) {
  auto scanner = SynScanner::create(TargetSet::from_ranges({{ip("127.67.0.0"), ip("127.67.1.0")}}),
                                    {80}, *ScanScope::parse("127.67.0.0/24"), {});
  ASSERT_FALSE(scanner);
  EXPECT_EQ(scanner.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(scanner.error().message.find("127.67.1.0"), std::string::npos);
  EXPECT_TRUE(scanner.error().reason.empty()) << "a scope refusal must not look like a privilege";
}

TEST(PortScannerFactory, PicksSynWithRawSocketsAndConnectWhenRawIsNotAllowed) {
  const auto targets = TargetSet::from_ranges({AddressRange::single(ip("127.67.0.1"))});
  auto chosen = make_port_scanner(targets, {1}, loopback_scope());
  ASSERT_TRUE(chosen) << chosen.error().message;
  EXPECT_EQ(chosen->method, ScanMethod::kTcpSyn) << chosen->reason;
  EXPECT_NE(dynamic_cast<SynScanner*>(chosen->scanner.get()), nullptr);

  PortScanOptions options;
  options.allow_raw = false;
  auto connect = make_port_scanner(targets, {1}, loopback_scope(), options);
  ASSERT_TRUE(connect) << connect.error().message;
  EXPECT_EQ(connect->method, ScanMethod::kTcpConnect);
  EXPECT_NE(dynamic_cast<ConnectScanner*>(connect->scanner.get()), nullptr);

  auto outside = make_port_scanner(targets, {1}, *ScanScope::parse("10.0.0.0/8"));
  ASSERT_FALSE(outside) << "a plan error is returned, never fallen back from";
  EXPECT_EQ(outside.error().code, ErrorCode::kPermissionDenied);
}

/// Drops CAP_NET_RAW from the calling process (all sets), as an unprivileged agent would run.
bool drop_net_raw() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  const unsigned bit = 1u << (CAP_NET_RAW % 32);
  data[CAP_NET_RAW / 32].effective &= ~bit;
  data[CAP_NET_RAW / 32].permitted &= ~bit;
  data[CAP_NET_RAW / 32].inheritable &= ~bit;
  return syscall(SYS_capset, &header, data) == 0;
}

TEST(SynScanPrivileges, WithoutCapNetRawCreateSaysSoAndTheFactoryFallsBack) {
  // In a child, so that the test process keeps its capabilities.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (!drop_net_raw()) _exit(10);
    const auto targets = TargetSet::from_ranges({AddressRange::single(ip("127.67.0.1"))});
    auto syn = SynScanner::create(targets, {1}, loopback_scope(), {});
    if (syn) _exit(11);
    if (syn.error().code != ErrorCode::kPermissionDenied) _exit(12);
    if (syn.error().reason != kRawSocketsUnavailable) _exit(13);
    if (syn.error().message.find("CAP_NET_RAW") == std::string::npos) _exit(14);
    auto chosen = make_port_scanner(targets, {1}, loopback_scope());
    if (!chosen || chosen->method != ScanMethod::kTcpConnect) _exit(15);
    if (chosen->reason.find("CAP_NET_RAW") == std::string::npos) _exit(16);
    Collected collected;
    if (!chosen->scanner->run(collect_into(collected)) || collected.states.size() != 1) _exit(17);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "10 capset, 11 created anyway, 12 code, 13 reason, 14 message, 15-17 fallback";
}

TEST_F(NamespaceScanTest, TheListenerIsOpenItsNeighbourClosedAndAbsentHostsFiltered) {
  SynScanOptions options;
  options.limits.rtt = RttBounds{200ms, 100ms, 300ms};
  auto scanner =
      SynScanner::create(the_subnet_but_us(), {open_port_, closed_port_}, scope(), options);
  ASSERT_TRUE(scanner) << scanner.error().message;
  Collected collected;
  // The scan's counters when it gave up on its first absent pair after all its attempts (the
  // broadcast address is filtered at once: the kernel refuses to send there).
  const int attempts = options.limits.max_retries + 1;
  std::optional<ScanProgress> at_first_filtered;
  const PortResultHandler collect = collect_into(collected);
  const auto start = std::chrono::steady_clock::now();
  const auto outcome = (*scanner)->run([&](const PortResult& result) {
    if (result.state == PortState::kFiltered && result.attempts == attempts && !at_first_filtered) {
      at_first_filtered = (*scanner)->progress();
    }
    collect(result);
  });
  const auto elapsed = since(start);
  ASSERT_TRUE(outcome) << outcome.error().message;

  ASSERT_EQ(collected.states.size(), 255u * 2);
  const std::string here = present().to_string();
  EXPECT_EQ(collected.states[Pair(here, open_port_)], PortState::kOpen);
  EXPECT_EQ(collected.states[Pair(here, closed_port_)], PortState::kClosed);
  int filtered = 0;
  for (const auto& [pair, state] : collected.states) {
    if (pair.first == here) continue;
    EXPECT_EQ(state, PortState::kFiltered) << pair.first << ":" << pair.second;
    filtered += state == PortState::kFiltered;
  }
  EXPECT_EQ(filtered, 254 * 2);
  // All absent hosts in parallel, not one after the other (which would take minutes): when the
  // first absent pair had used its three attempts, probes had gone to many other pairs too. A
  // pair gets at most three probes, so one pair at a time would mean at most three probes per
  // pair done.
  ASSERT_TRUE(at_first_filtered.has_value());
  EXPECT_GT(at_first_filtered->probes_sent,
            static_cast<std::uint64_t>(attempts) * at_first_filtered->pairs_done)
      << "only " << at_first_filtered->probes_sent << " probes for "
      << at_first_filtered->pairs_done << " pairs done: no other pair was in flight";
  std::cout << "[ scan     ] SYN: /24 behind a veth, 1 host present, " << filtered
            << " pairs filtered, in " << elapsed.count() << " ms; at the first filtered pair "
            << at_first_filtered->probes_sent << " probes sent, " << at_first_filtered->pairs_done
            << " pairs done\n";
}

}  // namespace
}  // namespace sentinel::scan
