// The UDP scanner against UDP sockets the test opens on 127.70.0.0/16 and ::1: responders that
// answer every datagram (as a DNS server answers a query), bound sockets that never answer, and
// ports nothing is bound to, which the kernel answers with an ICMP port unreachable. Nothing
// leaves the loopback.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include "sentinel/scan/port_scanner_factory.h"
#include "sentinel/scan/udp_scanner.h"
#include "tests/integration/scan/scan_test_bed.h"
#include "tests/integration/scan/udp_responders.h"

namespace sentinel::scan {
namespace {

using namespace std::chrono_literals;
using namespace sentinel::scan::testing;

enum class Role { kAnswers, kSilent, kUnbound };

PortState expected_state(Role role) {
  return role == Role::kAnswers  ? PortState::kOpen
         : role == Role::kSilent ? PortState::kOpenFiltered
                                 : PortState::kClosed;
}

/// Hosts 127.70.`subnet`.1..`hosts` × `port_count` ports; (host, port k) answers, is silent or
/// is unbound by (host + k) % 3. Hosts up to `hosts` + 2 are scanned, the last two with nothing
/// bound. The payloads are the built-in ones, so that every run sends the same bytes.
class UdpBed {
 public:
  ::testing::AssertionResult open(int subnet, int hosts, int port_count) {
    prefix_ = "127.70." + std::to_string(subnet) + ".";
    hosts_ = hosts;
    ports = unbound_ports(ip((prefix_ + "1").c_str()), port_count);
    if (ports.empty())
      return ::testing::AssertionFailure() << "no free ports: " << std::strerror(errno);
    for (int host = 1; host <= hosts + 2; ++host) {
      const std::string address = prefix_ + std::to_string(host);
      for (int k = 0; k < port_count; ++k) {
        const Role role = host > hosts ? Role::kUnbound : static_cast<Role>((host + k) % 3);
        expected[{address, ports[k]}] = expected_state(role);
        if (role == Role::kUnbound) continue;
        if (responders.open(ip(address.c_str()), ports[k], role == Role::kAnswers) != ports[k]) {
          return ::testing::AssertionFailure()
                 << address << ":" << ports[k] << " " << std::strerror(errno);
        }
      }
    }
    responders.start();
    return ::testing::AssertionSuccess();
  }

  TargetSet targets() const {
    return TargetSet::from_ranges(
        {{ip((prefix_ + "1").c_str()), ip((prefix_ + std::to_string(hosts_ + 2)).c_str())}});
  }

  std::vector<std::uint16_t> ports;
  std::map<Pair, PortState> expected;
  UdpResponders responders;

 private:
  std::string prefix_;
  int hosts_ = 0;
};

UdpScanOptions builtin_payloads() {
  UdpScanOptions options;
  options.payloads = std::make_shared<const UdpPayloads>(UdpPayloads::builtin());
  return options;
}

std::size_t count(const std::map<Pair, PortState>& states, PortState state) {
  return static_cast<std::size_t>(std::count_if(
      states.begin(), states.end(), [&](const auto& entry) { return entry.second == state; }));
}

TEST(UdpScan, ReadsEveryPortExactlyOpenClosedOrOpenFiltered) {
  UdpBed bed;
  ASSERT_TRUE(bed.open(0, 6, 6));
  auto scanner = UdpScanner::create(bed.targets(), bed.ports, loopback_scope(), builtin_payloads());
  ASSERT_TRUE(scanner) << scanner.error().message;
  Collected collected;
  const auto outcome = (*scanner)->run(collect_into(collected));
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(*outcome, ScanOutcome::kCompleted);

  ASSERT_EQ(collected.states.size(), bed.expected.size()) << "every pair reported";
  for (const auto& [pair, state] : bed.expected) {
    EXPECT_EQ(to_string(collected.states[pair]), to_string(state))
        << pair.first << ":" << pair.second;
    EXPECT_EQ(collected.reports[pair], 1) << pair.first << ":" << pair.second;
  }
  const ScanProgress progress = (*scanner)->progress();
  EXPECT_EQ(progress.pairs_total, bed.expected.size());
  EXPECT_EQ(progress.pairs_done, bed.expected.size());
  EXPECT_EQ(progress.open_found, count(bed.expected, PortState::kOpen));
  // Each silent pair costs 1 + max_retries probes; every other pair one.
  EXPECT_EQ(progress.probes_sent,
            bed.expected.size() + 2 * count(bed.expected, PortState::kOpenFiltered));
}

TEST(UdpScan, ASilentPortGetsThreeProbesAndConfirmationTwoMoreWhenLoopbackIsNotTrusted) {
  UdpBed bed;
  ASSERT_TRUE(bed.open(1, 3, 3));
  Pair quiet;
  for (const auto& [pair, state] : bed.expected) {
    if (state == PortState::kOpenFiltered) quiet = pair;
  }
  ASSERT_FALSE(quiet.first.empty());

  Collected trusted;
  auto scanner = UdpScanner::create(bed.targets(), bed.ports, loopback_scope(), builtin_payloads());
  ASSERT_TRUE(scanner) << scanner.error().message;
  ASSERT_TRUE((*scanner)->run(collect_into(trusted)));
  EXPECT_EQ(trusted.states[quiet], PortState::kOpenFiltered);
  EXPECT_EQ(trusted.attempts[quiet], 3);
  EXPECT_EQ(bed.responders.received(quiet).size(), 3u) << "the port saw every probe";

  // The loopback is not rationed, but the confirmation path must give the same answers.
  UdpScanOptions options = builtin_payloads();
  options.icmp.trust_loopback = false;
  options.icmp.confirm_interval = 20ms;
  Collected confirmed;
  scanner = UdpScanner::create(bed.targets(), bed.ports, loopback_scope(), options);
  ASSERT_TRUE(scanner) << scanner.error().message;
  ASSERT_TRUE((*scanner)->run(collect_into(confirmed)));
  for (const auto& [pair, state] : bed.expected) {
    EXPECT_EQ(to_string(confirmed.states[pair]), to_string(state))
        << pair.first << ":" << pair.second;
  }
  EXPECT_EQ(confirmed.attempts[quiet], 5);
  EXPECT_EQ(bed.responders.received(quiet).size(), 3u + 5u);
}

TEST(UdpScan, AWellKnownPortsPayloadReachesTheServiceAndOtherPortsGetEmptyDatagrams) {
  UdpResponders responders;
  const IpAddress host = ip("127.70.2.1");
  const std::uint16_t dns_port = responders.open(host, 0, true);
  const std::uint16_t other_port = responders.open(host, 0, false);
  ASSERT_NE(dns_port, 0) << std::strerror(errno);
  ASSERT_NE(other_port, 0) << std::strerror(errno);
  responders.start();

  // The test's DNS server listens on a high port: give that port the payloads of port 53.
  UdpPayloads payloads = UdpPayloads::builtin();
  std::vector<std::string> dns;
  for (const std::string_view payload : payloads.for_port(53)) dns.emplace_back(payload);
  ASSERT_FALSE(dns.empty());
  payloads.set(dns_port, dns);
  payloads.set(other_port, {});
  UdpScanOptions options;
  options.payloads = std::make_shared<const UdpPayloads>(std::move(payloads));

  auto scanner = UdpScanner::create(TargetSet::from_ranges({AddressRange::single(host)}),
                                    {dns_port, other_port}, loopback_scope(), options);
  ASSERT_TRUE(scanner) << scanner.error().message;
  Collected collected;
  ASSERT_TRUE((*scanner)->run(collect_into(collected)));
  EXPECT_EQ(collected.states[Pair("127.70.2.1", dns_port)], PortState::kOpen);
  EXPECT_EQ(collected.states[Pair("127.70.2.1", other_port)], PortState::kOpenFiltered);

  const auto seen = responders.received({"127.70.2.1", dns_port});
  ASSERT_EQ(seen.size(), 1u) << "answered at the first probe";
  const std::string& query = seen[0];
  EXPECT_EQ(query, dns[0]);
  // A DNS query: a 12-byte header with QR clear and opcode QUERY, at least one question.
  ASSERT_GE(query.size(), 12u);
  EXPECT_EQ(static_cast<unsigned char>(query[2]) & 0xf8, 0) << "QR = 0, opcode = 0";
  EXPECT_GE((static_cast<unsigned char>(query[4]) << 8) | static_cast<unsigned char>(query[5]), 1);

  const auto empty = responders.received({"127.70.2.1", other_port});
  ASSERT_EQ(empty.size(), 3u);
  for (const std::string& datagram : empty) EXPECT_TRUE(datagram.empty());
}

TEST(UdpScan, AHundredPortsOfOneLoopbackHost) {
  UdpResponders responders;
  const IpAddress host = ip("127.70.3.1");
  const std::vector<std::uint16_t> ports = unbound_ports(host, 100);
  ASSERT_EQ(ports.size(), 100u) << std::strerror(errno);
  std::map<Pair, PortState> expected;
  for (int k = 0; k < 100; ++k) {
    const Role role = k % 20 == 0 ? Role::kAnswers : k % 20 == 1 ? Role::kSilent : Role::kUnbound;
    if (role != Role::kUnbound) {
      ASSERT_EQ(responders.open(host, ports[k], role == Role::kAnswers), ports[k])
          << std::strerror(errno);
    }
    expected[{"127.70.3.1", ports[k]}] = expected_state(role);
  }
  responders.start();

  auto scanner = UdpScanner::create(TargetSet::from_ranges({AddressRange::single(host)}), ports,
                                    loopback_scope(), {});
  ASSERT_TRUE(scanner) << scanner.error().message;
  Collected collected;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE((*scanner)->run(collect_into(collected)));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  for (const auto& [pair, state] : expected) {
    EXPECT_EQ(to_string(collected.states[pair]), to_string(state)) << pair.second;
  }
  std::cout << "[ scan     ] UDP 1 loopback host x 100 ports (5 open, 5 open|filtered, 90 closed) "
            << "in "
            << std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count() / 1000.0
            << " ms, " << (*scanner)->progress().probes_sent << " probes, payloads from "
            << (*scanner)->payload_origin() << "\n";
}

TEST(UdpScan, TheSameResultsUnderTightConcurrencyAndRateCaps) {
  UdpBed bed;
  ASSERT_TRUE(bed.open(4, 4, 4));
  UdpScanOptions options = builtin_payloads();
  options.limits.max_concurrency = 2;
  options.limits.max_rate = 300;
  options.seed = 42;
  auto scanner = UdpScanner::create(bed.targets(), bed.ports, loopback_scope(), options);
  ASSERT_TRUE(scanner) << scanner.error().message;
  Collected collected;
  ASSERT_TRUE((*scanner)->run(collect_into(collected)));
  ASSERT_EQ(collected.states.size(), bed.expected.size());
  for (const auto& [pair, state] : bed.expected) {
    EXPECT_EQ(to_string(collected.states[pair]), to_string(state))
        << pair.first << ":" << pair.second;
  }
}

TEST(UdpScan, ScansTheIpv6Loopback) {
  UdpResponders responders;
  const IpAddress host = ip("::1");
  const std::vector<std::uint16_t> ports = unbound_ports(host, 3);
  ASSERT_EQ(ports.size(), 3u) << "no IPv6 loopback: " << std::strerror(errno);
  const std::uint16_t open = ports[0];
  const std::uint16_t silent = ports[1];
  const std::uint16_t closed = ports[2];
  ASSERT_EQ(responders.open(host, open, true), open);
  ASSERT_EQ(responders.open(host, silent, false), silent);
  responders.start();

  auto scanner = UdpScanner::create(TargetSet::from_ranges({AddressRange::single(host)}),
                                    {open, silent, closed}, loopback_scope(), builtin_payloads());
  ASSERT_TRUE(scanner) << scanner.error().message;
  Collected collected;
  ASSERT_TRUE((*scanner)->run(collect_into(collected)));
  EXPECT_EQ(collected.states[Pair("::1", open)], PortState::kOpen);
  EXPECT_EQ(collected.states[Pair("::1", silent)], PortState::kOpenFiltered);
  EXPECT_EQ(collected.states[Pair("::1", closed)], PortState::kClosed);
  EXPECT_EQ(collected.states.size(), 3u);
}

TEST(UdpScan, CancelFromAnotherThreadStopsTheScan) {
  UdpScanOptions options = builtin_payloads();
  options.limits.max_rate = 2000;  // 256 × 1000 pairs would take two minutes
  std::vector<std::uint16_t> many_ports;
  for (std::uint16_t port = 30000; port < 31000; ++port) many_ports.push_back(port);
  auto scanner =
      UdpScanner::create(TargetSet::from_ranges({{ip("127.70.5.0"), ip("127.70.5.255")}}),
                         many_ports, loopback_scope(), options);
  ASSERT_TRUE(scanner) << scanner.error().message;
  UdpScanner& running = **scanner;

  std::atomic<std::uint64_t> reported{0};
  Result<ScanOutcome> outcome = ScanOutcome::kCompleted;
  std::atomic<bool> returned{false};
  std::thread scan([&] {
    outcome = running.run([&](const PortResult&) { ++reported; });
    returned = true;
  });
  while (running.progress().pairs_done == 0 && !returned) std::this_thread::sleep_for(10ms);
  running.cancel();
  scan.join();

  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(*outcome, ScanOutcome::kCancelled);
  EXPECT_LT(running.progress().pairs_done, running.progress().pairs_total);
  EXPECT_EQ(reported.load(), running.progress().pairs_done);
  EXPECT_FALSE(running.run([](const PortResult&) {})) << "a scanner runs once";
}

TEST(UdpScan, TheFactoryHandsOutTheUdpScanner) {
  PortScanOptions options;
  options.udp_payloads = std::make_shared<const UdpPayloads>(UdpPayloads::builtin());
  const std::vector<std::uint16_t> closed = unbound_ports(ip("127.70.6.1"), 1);
  ASSERT_EQ(closed.size(), 1u);
  auto chosen =
      make_udp_port_scanner(TargetSet::from_ranges({AddressRange::single(ip("127.70.6.1"))}),
                            closed, loopback_scope(), options);
  ASSERT_TRUE(chosen) << chosen.error().message;
  EXPECT_EQ(chosen->method, ScanMethod::kUdp);
  EXPECT_EQ(to_string(chosen->method), "udp");
  EXPECT_NE(chosen->reason.find("builtin"), std::string::npos) << chosen->reason;
  Collected collected;
  ASSERT_TRUE(chosen->scanner->run(collect_into(collected)));
  EXPECT_EQ(collected.states[Pair("127.70.6.1", closed[0])], PortState::kClosed);

  auto outside = make_udp_port_scanner(
      TargetSet::from_ranges({AddressRange::single(ip("10.0.0.1"))}), {53}, loopback_scope());
  ASSERT_FALSE(outside);
  EXPECT_EQ(outside.error().code, ErrorCode::kPermissionDenied);
}

}  // namespace
}  // namespace sentinel::scan
