// Host discovery on loopback (every 127/8 address is a live host) and in a veth-joined network
// namespace where one address of a /24 exists: raw probes, ARP on the veth's segment, and the
// unprivileged fallbacks (ICMP datagram sockets where ping_group_range allows them, then
// connect()).

#include "sentinel/scan/host_discovery.h"

#include <gtest/gtest.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "tests/integration/scan/scan_test_bed.h"
#include "tests/integration/scan/veth_namespace.h"

namespace sentinel::scan {
namespace {

using namespace std::chrono_literals;
using namespace sentinel::scan::testing;

struct Found {
  std::map<std::string, HostState> states;
  std::map<std::string, std::string> reasons;
  std::map<std::string, int> reports;
  std::map<std::string, Duration> rtts;
  std::map<std::string, std::string> macs;
};

HostResultHandler collect_hosts(Found& found) {
  return [&found](const HostResult& result) {
    const std::string key = result.address.to_string();
    found.states[key] = result.state;
    found.reasons[key] = std::string(result.reason);
    found.rtts[key] = result.rtt;
    if (result.mac) found.macs[key] = mac_to_string(*result.mac);
    ++found.reports[key];
  };
}

TEST(HostDiscoveryLoopback, EveryLoopbackAddressIsUpWithTheReasonOfItsFirstAnswer) {
  const auto targets = TargetSet::from_ranges(
      {{ip("127.67.2.0"), ip("127.67.2.63")}, AddressRange::single(ip("::1"))});
  auto discovery = HostDiscovery::create(targets, loopback_scope(), {});
  ASSERT_TRUE(discovery) << discovery.error().message;
  EXPECT_EQ((*discovery)->method(), DiscoveryMethod::kRaw) << (*discovery)->method_reason();
  Found found;
  const auto outcome = (*discovery)->run(collect_hosts(found));
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(*outcome, ScanOutcome::kCompleted);
  ASSERT_EQ(found.states.size(), 65u);
  for (const auto& [address, state] : found.states) {
    EXPECT_EQ(state, HostState::kUp) << address;
    EXPECT_EQ(found.reports[address], 1) << address;
    const std::string& reason = found.reasons[address];
    EXPECT_TRUE(reason == "echo-reply" || reason == "rst") << address << ": " << reason;
    EXPECT_GT(found.rtts[address].count(), 0) << address;
  }
  const DiscoveryProgress progress = (*discovery)->progress();
  EXPECT_EQ(progress.hosts_total, 65u);
  EXPECT_EQ(progress.hosts_done, 65u);
  EXPECT_EQ(progress.hosts_up, 65u);
}

TEST(HostDiscoveryLoopback, EachProbeAloneFindsTheHost) {
  const auto targets = TargetSet::from_ranges({{ip("127.67.3.1"), ip("127.67.3.4")}});
  DiscoveryOptions echo_only;
  echo_only.syn_port = 0;
  echo_only.ack_port = 0;
  DiscoveryOptions syn_only;
  syn_only.icmp_echo = false;
  syn_only.ack_port = 0;
  DiscoveryOptions ack_only;
  ack_only.icmp_echo = false;
  ack_only.syn_port = 0;
  for (const auto& [options, reason] : {std::pair{echo_only, "echo-reply"},
                                        std::pair{syn_only, "rst"}, std::pair{ack_only, "rst"}}) {
    auto discovery = HostDiscovery::create(targets, loopback_scope(), options);
    ASSERT_TRUE(discovery) << discovery.error().message;
    Found found;
    ASSERT_TRUE((*discovery)->run(collect_hosts(found)));
    ASSERT_EQ(found.states.size(), 4u);
    for (const auto& [address, state] : found.states) {
      EXPECT_EQ(state, HostState::kUp) << address << " " << reason;
      EXPECT_EQ(found.reasons[address], reason) << address;
    }
  }
}

TEST(HostDiscoveryLoopback, WithoutRawSocketsConnectFindsTheHosts) {
  DiscoveryOptions options;
  options.allow_raw = false;
  auto discovery = HostDiscovery::create(
      TargetSet::from_ranges({{ip("127.67.4.1"), ip("127.67.4.8")}}), loopback_scope(), options);
  ASSERT_TRUE(discovery) << discovery.error().message;
  EXPECT_EQ((*discovery)->method(), DiscoveryMethod::kUnprivileged);
  EXPECT_NE((*discovery)->method_reason().find("connect() to 22,80,443"), std::string::npos)
      << (*discovery)->method_reason();
  Found found;
  ASSERT_TRUE((*discovery)->run(collect_hosts(found)));
  ASSERT_EQ(found.states.size(), 8u);
  for (const auto& [address, state] : found.states) {
    EXPECT_EQ(state, HostState::kUp) << address;
    EXPECT_EQ(found.reports[address], 1) << address;
  }
}

TEST(HostDiscoveryLoopback, RefusesTargetsOutsideTheScope) {
  auto discovery = HostDiscovery::create(
      TargetSet::from_ranges({AddressRange::single(ip("10.9.9.9"))}), loopback_scope(), {});
  ASSERT_FALSE(discovery);
  EXPECT_EQ(discovery.error().code, ErrorCode::kPermissionDenied);
}

/// Records, inside the test's namespace, the ARP requests that arrive on its end of the veth,
/// in arrival order: which of our targets was asked when.
class ArpRequestCapture {
 public:
  /// Opens the capture in `namespace_name` on `link` (the namespace's end of the veth).
  ArpRequestCapture(const std::string& namespace_name, const std::string& link) {
    InNamespace inside(namespace_name);
    if (!inside.entered()) return;
    fd_ = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP));
    if (fd_ < 0) return;
    // Room for every request of the sweep (a few hundred) until the test reads them.
    const int room = 8 << 20;
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &room, sizeof(room));
    sockaddr_ll local{};
    local.sll_family = AF_PACKET;
    local.sll_protocol = htons(ETH_P_ARP);
    local.sll_ifindex = static_cast<int>(if_nametoindex(link.c_str()));
    if (local.sll_ifindex == 0 || bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local))) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~ArpRequestCapture() {
    if (fd_ >= 0) close(fd_);
  }
  ArpRequestCapture(const ArpRequestCapture&) = delete;
  ArpRequestCapture& operator=(const ArpRequestCapture&) = delete;
  bool ok() const { return fd_ >= 0; }

  /// The target addresses (host byte order) of the requests from `sender` received so far, in
  /// order; false in `complete` when the kernel dropped any packet of the capture.
  std::vector<std::uint32_t> requests_from(std::uint32_t sender, bool& complete) {
    std::vector<std::uint32_t> targets;
    std::array<std::uint8_t, 256> packet{};
    for (;;) {
      const long got = recv(fd_, packet.data(), packet.size(), MSG_DONTWAIT);
      if (got < 0) break;
      // RFC 826 for IPv4 over Ethernet: op at 6, sender IP at 14, target IP at 24.
      if (got < 28 || packet[6] != 0 || packet[7] != 1) continue;
      const auto word = [&](std::size_t at) {
        return (std::uint32_t{packet[at]} << 24) | (std::uint32_t{packet[at + 1]} << 16) |
               (std::uint32_t{packet[at + 2]} << 8) | packet[at + 3];
      };
      if (word(14) == sender) targets.push_back(word(24));
    }
    tpacket_stats stats{};
    socklen_t length = sizeof(stats);
    complete =
        getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &stats, &length) == 0 && stats.tp_drops == 0;
    return targets;
  }

 private:
  int fd_ = -1;
};

TEST_F(NamespaceScanTest, DiscoveryFindsThePresentAddressUpAndTheAbsentOnesDown) {
  DiscoveryOptions options;
  options.limits.rtt = RttBounds{200ms, 100ms, 300ms};
  auto discovery = HostDiscovery::create(the_subnet_but_us(), scope(), options);
  ASSERT_TRUE(discovery) << discovery.error().message;
  ASSERT_EQ((*discovery)->method(), DiscoveryMethod::kRaw);
  // The /24 is on our end of the veth: ARP asks it.
  EXPECT_NE((*discovery)->method_reason().find("ARP on " + host_link_), std::string::npos)
      << (*discovery)->method_reason();
  ArpRequestCapture capture(namespace_, "sxn" + std::to_string(getpid()));
  ASSERT_TRUE(capture.ok()) << std::strerror(errno);
  Found found;
  // The requests sent when the present host's answer was taken.
  std::uint64_t sent_when_up = 0;
  const HostResultHandler collect = collect_hosts(found);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE((*discovery)->run([&](const HostResult& result) {
    if (result.state == HostState::kUp) sent_when_up = (*discovery)->progress().probes_sent;
    collect(result);
  }));
  const auto elapsed = std::chrono::steady_clock::now() - start;

  ASSERT_EQ(found.states.size(), 255u);
  const std::string here = present().to_string();
  EXPECT_EQ(found.states[here], HostState::kUp);
  EXPECT_EQ(found.reasons[here], "arp-response");
  for (const auto& [address, state] : found.states) {
    EXPECT_EQ(found.reports[address], 1) << address;
    if (address == here) continue;
    EXPECT_EQ(state, HostState::kDown) << address;
    // Silence, or (the subnet's broadcast address) a send the kernel refuses.
    const std::string& reason = found.reasons[address];
    EXPECT_TRUE(reason == "no-response" || reason == "no-route") << address << ": " << reason;
  }
  EXPECT_EQ((*discovery)->progress().hosts_up, 1u);

  // All hosts at once, not one after the other (two waits of up to 300 ms per absent host: that
  // would take minutes). The present host is the sweep's first target (it asks in address
  // order): one at a time, its answer would have been taken with one request sent.
  EXPECT_GT(sent_when_up, 1u) << "no other request was in flight with the present host's";
  // And ARP asked every host of the segment (.2 to .254; .0 and .255 are not hosts on it) once
  // before it asked any of them again, then the silent ones once more.
  bool complete = false;
  const std::vector<std::uint32_t> asked =
      capture.requests_from(static_cast<std::uint32_t>(address(1).value()), complete);
  ASSERT_TRUE(complete) << "the capture dropped requests";
  // The sweep's requests; the kernel asks for .0 itself when a raw probe goes there.
  std::vector<int> segment;  // last octets, in order
  for (const std::uint32_t target : asked) {
    const int last = static_cast<int>(target & 255);
    if (last >= 2 && last <= 254) segment.push_back(last);
  }
  std::map<int, int> times_asked;  // by last octet
  std::size_t first_repeat = segment.size();
  for (std::size_t i = 0; i < segment.size(); ++i) {
    if (++times_asked[segment[i]] == 2 && first_repeat == segment.size()) first_repeat = i;
  }
  EXPECT_EQ(first_repeat, 253u) << "a host was asked again after " << first_repeat
                                << " requests, before every host had been asked once";
  ASSERT_EQ(times_asked.size(), 253u);
  const int present_last = static_cast<int>(static_cast<std::uint32_t>(present().value()) & 255);
  int asked_wrongly = 0;
  for (const auto& [last, times] : times_asked) {
    // The present host answers the first request (a second one only if its answer came late).
    const bool right = last == present_last ? times >= 1 && times <= 1 + options.limits.max_retries
                                            : times == 1 + options.limits.max_retries;
    if (!right) {
      ++asked_wrongly;
      ADD_FAILURE() << subnet_ << last << " asked " << times << " times";
    }
  }
  EXPECT_EQ(asked_wrongly, 0);
  std::cout << "[ scan     ] discovery of a /24 behind a veth in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms, "
            << segment.size() << " ARP requests from the sweep, " << sent_when_up
            << " sent when the present host's answer was taken\n";
}

TEST_F(NamespaceScanTest, ArpFindsAHostWhoseFirewallDropsEveryIpProbe) {
  // The namespace's host drops all IP input (and so every ping, SYN and ACK); ARP is not IP.
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"add", "table", "inet", "deaf"},
        std::vector<std::string>{"add", "chain", "inet", "deaf", "input",
                                 "{ type filter hook input priority 0; policy drop; }"}}) {
    std::vector<std::string> arguments{"ip", "netns", "exec", namespace_, "nft"};
    arguments.insert(arguments.end(), command.begin(), command.end());
    const auto result = test::run_command(arguments);
    ASSERT_TRUE(result && result->exit_code == 0) << (result ? result->err : "cannot run nft");
  }
  const auto targets = TargetSet::from_ranges({{address(2), address(4)}});
  DiscoveryOptions options;
  options.limits.rtt = RttBounds{200ms, 100ms, 300ms};
  auto discovery = HostDiscovery::create(targets, scope(), options);
  ASSERT_TRUE(discovery) << discovery.error().message;
  Found found;
  ASSERT_TRUE((*discovery)->run(collect_hosts(found)));
  EXPECT_EQ(found.states[present().to_string()], HostState::kUp);
  EXPECT_EQ(found.reasons[present().to_string()], "arp-response");
  EXPECT_GT(found.rtts[present().to_string()].count(), 0);
  EXPECT_EQ(found.macs[present().to_string()], namespace_mac());
  EXPECT_EQ(found.macs.count(address(3).to_string()), 0u);
  EXPECT_EQ(found.states[address(3).to_string()], HostState::kDown);
  EXPECT_EQ(found.states[address(4).to_string()], HostState::kDown);
  EXPECT_EQ((*discovery)->progress().hosts_up, 1u);

  // By IP probes alone it looks like the absent ones.
  options.arp = false;
  auto by_ip = HostDiscovery::create(targets, scope(), options);
  ASSERT_TRUE(by_ip) << by_ip.error().message;
  EXPECT_EQ((*by_ip)->method_reason().find("ARP"), std::string::npos);
  Found silent;
  ASSERT_TRUE((*by_ip)->run(collect_hosts(silent)));
  EXPECT_EQ(silent.states[present().to_string()], HostState::kDown)
      << silent.reasons[present().to_string()];
}

TEST_F(NamespaceScanTest, UnprivilegedDiscoveryUsesConnectWhenPingSocketsAreNotAllowed) {
  DiscoveryOptions options;
  options.allow_raw = false;
  options.limits.rtt = RttBounds{200ms, 100ms, 300ms};
  const auto targets = TargetSet::from_ranges({{address(2), address(5)}});
  auto discovery = HostDiscovery::create(targets, scope(), options);
  ASSERT_TRUE(discovery) << discovery.error().message;
  std::ifstream range_file("/proc/sys/net/ipv4/ping_group_range");
  std::string low;
  range_file >> low;
  if (low != "0") {
    EXPECT_NE((*discovery)->method_reason().find("ping_group_range"), std::string::npos)
        << (*discovery)->method_reason();
  }
  Found found;
  ASSERT_TRUE((*discovery)->run(collect_hosts(found)));
  ASSERT_EQ(found.states.size(), 4u);
  EXPECT_EQ(found.states[present().to_string()], HostState::kUp);
  EXPECT_EQ(found.reasons[present().to_string()], low == "0" ? "echo-reply" : "rst")
      << "its ports 22, 80 and 443 are closed: the refusal proves it is there";
  for (int last = 3; last <= 5; ++last) {
    EXPECT_EQ(found.states[address(last).to_string()], HostState::kDown) << last;
  }
}

TEST_F(NamespaceScanTest, UnprivilegedDiscoveryPingsWhereThePingGroupRangeAllows) {
  // Inside the namespace, whose ping_group_range the test may set without touching the
  // machine's: ping the test's end of the veth (.1), the namespace's own address (.2) and an
  // absent one (.3).
  Found found;
  std::string method_reason;
  std::thread inside_thread([&] {
    InNamespace inside(namespace_);
    ASSERT_TRUE(inside.entered());
    {
      std::ofstream range("/proc/sys/net/ipv4/ping_group_range");
      range << "0 2147483647\n";
    }
    DiscoveryOptions options;
    options.allow_raw = false;
    options.limits.rtt = RttBounds{200ms, 100ms, 300ms};
    auto discovery =
        HostDiscovery::create(TargetSet::from_ranges({{address(1), address(3)}}), scope(), options);
    ASSERT_TRUE(discovery) << discovery.error().message;
    method_reason = (*discovery)->method_reason();
    ASSERT_TRUE((*discovery)->run(collect_hosts(found)));
  });
  inside_thread.join();
  EXPECT_NE(method_reason.find("ICMP echo (datagram socket)"), std::string::npos) << method_reason;
  ASSERT_EQ(found.states.size(), 3u);
  EXPECT_EQ(found.states[address(1).to_string()], HostState::kUp);
  EXPECT_EQ(found.reasons[address(1).to_string()], "echo-reply");
  EXPECT_EQ(found.states[present().to_string()], HostState::kUp);
  EXPECT_EQ(found.reasons[present().to_string()], "echo-reply");
  EXPECT_EQ(found.states[address(3).to_string()], HostState::kDown);
  EXPECT_EQ(found.reasons[address(3).to_string()], "no-response");
}

}  // namespace
}  // namespace sentinel::scan
