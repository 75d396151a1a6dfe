// NDP discovery of IPv6 hosts on a local segment: the veth pair of veth_namespace.h with a
// unique-local /64 on both ends (nodad, so that the addresses are usable at once), the test's
// end ::1, some addresses inside the namespace and the rest of the targets absent. Only the
// test's own namespace is targeted.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "sentinel/scan/host_discovery.h"
#include "tests/integration/scan/veth_namespace.h"

namespace sentinel::scan {
namespace {

using namespace std::chrono_literals;
using namespace sentinel::scan::testing;

struct Found {
  std::map<std::string, HostState> states;
  std::map<std::string, std::string> reasons;
  std::map<std::string, std::string> macs;
  std::map<std::string, int> reports;
};

HostResultHandler collect_hosts(Found& found) {
  return [&found](const HostResult& result) {
    const std::string key = result.address.to_string();
    found.states[key] = result.state;
    found.reasons[key] = std::string(result.reason);
    if (result.mac) found.macs[key] = mac_to_string(*result.mac);
    ++found.reports[key];
  };
}

/// NamespaceScanTest's veth pair with fd00:5ca0:N::/64 on it: ::1 ours, ::2 in the namespace.
class NdpNamespaceTest : public NamespaceScanTest {
 protected:
  void SetUp() override {
    NamespaceScanTest::SetUp();
    if (HasFatalFailure()) return;
    char prefix[32];
    std::snprintf(prefix, sizeof(prefix), "fd00:5ca0:%x::", getpid() % 0xfffe + 1);
    prefix_ = prefix;
    inner_link_ = "sxn" + std::to_string(getpid());
    ASSERT_TRUE(ip_command({"-6", "addr", "add", prefix_ + "1/64", "dev", host_link_, "nodad"}));
    ASSERT_TRUE(add_inside(2));
    // The namespace's MAC, which answers must carry.
    inner_mac_ = namespace_mac();
    ASSERT_FALSE(inner_mac_.empty());
  }

  ::testing::AssertionResult add_inside(int last) {
    return in_namespace({"-6", "addr", "add", v6_text(last) + "/64", "dev", inner_link_, "nodad"});
  }
  std::string v6_text(int last) const {
    char text[8];
    std::snprintf(text, sizeof(text), "%x", last);
    return prefix_ + text;
  }
  IpAddress v6(int last) const { return ip(v6_text(last).c_str()); }
  ScanScope v6_scope() const { return *ScanScope::parse(prefix_ + "/64"); }
  DiscoveryOptions fast() const {
    DiscoveryOptions options;
    options.limits.rtt = RttBounds{200ms, 100ms, 300ms};
    return options;
  }

  std::string prefix_;
  std::string inner_link_;
  std::string inner_mac_;
};

TEST_F(NdpNamespaceTest, FindsExactlyTheAddressesInTheNamespaceWithTheirMac) {
  ASSERT_TRUE(add_inside(5));
  const auto targets = TargetSet::from_ranges({{v6(2), v6(9)}});
  auto discovery = HostDiscovery::create(targets, v6_scope(), fast());
  ASSERT_TRUE(discovery) << discovery.error().message;
  ASSERT_EQ((*discovery)->method(), DiscoveryMethod::kRaw);
  EXPECT_NE((*discovery)->method_reason().find("NDP on " + host_link_ + " (" + prefix_ + "1/64)"),
            std::string::npos)
      << (*discovery)->method_reason();
  Found found;
  const auto start = std::chrono::steady_clock::now();
  const auto outcome = (*discovery)->run(collect_hosts(found));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(*outcome, ScanOutcome::kCompleted);

  ASSERT_EQ(found.states.size(), 8u);
  for (int last = 2; last <= 9; ++last) {
    const std::string address = v6(last).to_string();
    EXPECT_EQ(found.reports[address], 1) << address;
    if (last == 2 || last == 5) {
      EXPECT_EQ(found.states[address], HostState::kUp) << address;
      EXPECT_EQ(found.reasons[address], "ndp-response") << address;
      EXPECT_EQ(found.macs[address], inner_mac_) << address;
    } else {
      EXPECT_EQ(found.states[address], HostState::kDown) << address;
      EXPECT_EQ(found.reasons[address], "no-response") << address;
      EXPECT_EQ(found.macs.count(address), 0u) << address;
    }
  }
  const DiscoveryProgress progress = (*discovery)->progress();
  EXPECT_EQ(progress.hosts_up, 2u);
  // Bounded work: NDP settles every target, so no IP probe is sent, and no target gets more
  // than the two solicitations of one retry.
  EXPECT_GE(progress.probes_sent, 8u);
  EXPECT_LE(progress.probes_sent, 16u);
  std::cout << "[ scan     ] NDP discovery of 8 addresses behind a veth in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms, "
            << progress.probes_sent << " solicitations\n";
}

TEST_F(NdpNamespaceTest, OneDiscoveryAsksIpv4NeighboursByArpAndIpv6NeighboursByNdp) {
  const auto targets = TargetSet::from_ranges({{address(2), address(4)}, {v6(2), v6(4)}});
  auto discovery = HostDiscovery::create(
      targets, *ScanScope::parse(subnet_ + "0/24 " + prefix_ + "/64"), fast());
  ASSERT_TRUE(discovery) << discovery.error().message;
  const std::string& method = (*discovery)->method_reason();
  EXPECT_NE(method.find("ARP on " + host_link_), std::string::npos) << method;
  EXPECT_NE(method.find("NDP on " + host_link_), std::string::npos) << method;
  Found found;
  ASSERT_TRUE((*discovery)->run(collect_hosts(found)));
  ASSERT_EQ(found.states.size(), 6u);
  EXPECT_EQ(found.states[present().to_string()], HostState::kUp);
  EXPECT_EQ(found.reasons[present().to_string()], "arp-response");
  EXPECT_EQ(found.macs[present().to_string()], inner_mac_);
  EXPECT_EQ(found.states[v6(2).to_string()], HostState::kUp);
  EXPECT_EQ(found.reasons[v6(2).to_string()], "ndp-response");
  EXPECT_EQ(found.macs[v6(2).to_string()], inner_mac_);
  for (const IpAddress absent : {address(3), address(4), v6(3), v6(4)}) {
    EXPECT_EQ(found.states[absent.to_string()], HostState::kDown) << absent.to_string();
    EXPECT_EQ(found.reports[absent.to_string()], 1) << absent.to_string();
  }
  EXPECT_EQ((*discovery)->progress().hosts_up, 2u);
}

TEST_F(NdpNamespaceTest, FindsAHostWhoseFirewallDropsEveryIpProbeButNeighbourDiscovery) {
  // The namespace drops all IPv6 input except neighbour discovery (which IPv6 cannot go
  // without): every ping, SYN and ACK goes unanswered.
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"add", "table", "inet", "deaf"},
        std::vector<std::string>{"add", "chain", "inet", "deaf", "input",
                                 "{ type filter hook input priority 0; policy drop; }"},
        std::vector<std::string>{"add", "rule", "inet", "deaf", "input", "icmpv6", "type",
                                 "{ nd-neighbor-solicit, nd-neighbor-advert }", "accept"}}) {
    std::vector<std::string> arguments{"ip", "netns", "exec", namespace_, "nft"};
    arguments.insert(arguments.end(), command.begin(), command.end());
    const auto result = test::run_command(arguments);
    ASSERT_TRUE(result && result->exit_code == 0) << (result ? result->err : "cannot run nft");
  }
  const auto targets = TargetSet::from_ranges({{v6(2), v6(3)}});
  auto discovery = HostDiscovery::create(targets, v6_scope(), fast());
  ASSERT_TRUE(discovery) << discovery.error().message;
  Found found;
  ASSERT_TRUE((*discovery)->run(collect_hosts(found)));
  EXPECT_EQ(found.states[v6(2).to_string()], HostState::kUp);
  EXPECT_EQ(found.reasons[v6(2).to_string()], "ndp-response");
  EXPECT_EQ(found.macs[v6(2).to_string()], inner_mac_);
  EXPECT_EQ(found.states[v6(3).to_string()], HostState::kDown);

  // By IP probes alone it looks like the absent one.
  DiscoveryOptions by_ip_options = fast();
  by_ip_options.ndp = false;
  auto by_ip = HostDiscovery::create(targets, v6_scope(), by_ip_options);
  ASSERT_TRUE(by_ip) << by_ip.error().message;
  EXPECT_EQ((*by_ip)->method_reason().find("NDP"), std::string::npos);
  Found silent;
  ASSERT_TRUE((*by_ip)->run(collect_hosts(silent)));
  EXPECT_EQ(silent.states[v6(2).to_string()], HostState::kDown)
      << silent.reasons[v6(2).to_string()];
}

/// Sends forged Neighbor Advertisements from inside the namespace, hop limit 255, until
/// stopped: the kind an attacker on the link can send.
class AdvertisementForger {
 public:
  struct Forgery {
    IpAddress target;
    IpAddress destination;
    std::uint8_t flags = 0;  // 0x40 solicited, 0x20 override
  };

  AdvertisementForger(std::string name, std::string link, std::vector<Forgery> forgeries)
      : thread_([this, name = std::move(name), link = std::move(link),
                 forgeries = std::move(forgeries)] { forge(name, link, forgeries); }) {}
  ~AdvertisementForger() {
    stop_.store(true);
    thread_.join();
  }
  int sent() const { return sent_.load(); }
  bool failed() const { return failed_.load(); }

 private:
  void forge(const std::string& name, const std::string& link,
             const std::vector<Forgery>& forgeries) {
    InNamespace inside(name);
    const int fd =
        inside.entered() ? socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6) : -1;
    const int hops = 255;
    if (fd < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, link.c_str(),
                   static_cast<socklen_t>(link.size())) != 0 ||
        setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) != 0 ||
        setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) != 0) {
      failed_.store(true);
      if (fd >= 0) close(fd);
      return;
    }
    while (!stop_.load()) {
      for (const Forgery& forgery : forgeries) {
        // Type 136, code 0, checksum (the kernel's), flags, target, target link-layer option.
        std::uint8_t message[32] = {136, 0, 0, 0, forgery.flags};
        std::uint8_t target[16];
        forgery.target.to_bytes(target);
        std::copy(std::begin(target), std::end(target), message + 8);
        const std::uint8_t option[8] = {2, 1, 0x02, 0xba, 0xdb, 0xad, 0x00, 0x01};
        std::copy(std::begin(option), std::end(option), message + 24);
        sockaddr_in6 to{};
        to.sin6_family = AF_INET6;
        std::uint8_t destination[16];
        forgery.destination.to_bytes(destination);
        std::copy(std::begin(destination), std::end(destination), to.sin6_addr.s6_addr);
        if (sendto(fd, message, sizeof(message), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)) ==
            static_cast<long>(sizeof(message))) {
          sent_.fetch_add(1);
        }
      }
      std::this_thread::sleep_for(10ms);
    }
    close(fd);
  }

  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  std::atomic<int> sent_{0};
  std::thread thread_;
};

TEST_F(NdpNamespaceTest, AddressesNotAskedAboutAndUnsolicitedAnnouncementsAddNoHost) {
  // ::99 exists in the namespace but is not a target; while the sweep runs, the namespace
  // also claims it, an address outside the prefix and an absent target (::4) in forged
  // advertisements: solicited ones to our address for the first two, an unsolicited
  // announcement to all nodes for ::4.
  ASSERT_TRUE(add_inside(0x99));
  const IpAddress outside = ip((prefix_.substr(0, prefix_.size() - 1) + "1::5").c_str());
  AdvertisementForger forger(
      namespace_, inner_link_,
      {{v6(0x99), v6(1), 0x60}, {outside, v6(1), 0x60}, {v6(4), ip("ff02::1"), 0x20}});
  const auto targets = TargetSet::from_ranges({{v6(2), v6(8)}});
  auto discovery = HostDiscovery::create(targets, v6_scope(), fast());
  ASSERT_TRUE(discovery) << discovery.error().message;
  Found found;
  ASSERT_TRUE((*discovery)->run(collect_hosts(found)));
  ASSERT_FALSE(forger.failed()) << "cannot send from the namespace";
  EXPECT_GT(forger.sent(), 0);

  ASSERT_EQ(found.states.size(), 7u);  // the targets, and nothing else
  EXPECT_EQ(found.states.count(v6(0x99).to_string()), 0u);
  EXPECT_EQ(found.states.count(outside.to_string()), 0u);
  EXPECT_EQ(found.states[v6(2).to_string()], HostState::kUp);
  EXPECT_EQ(found.macs[v6(2).to_string()], inner_mac_);
  EXPECT_EQ(found.states[v6(4).to_string()], HostState::kDown) << found.reasons[v6(4).to_string()];
  EXPECT_EQ((*discovery)->progress().hosts_up, 1u);
}

TEST_F(NdpNamespaceTest, WithoutRawSocketsIpv6NeighboursFallBackToConnect) {
  DiscoveryOptions options = fast();
  options.allow_raw = false;
  auto discovery =
      HostDiscovery::create(TargetSet::from_ranges({{v6(2), v6(3)}}), v6_scope(), options);
  ASSERT_TRUE(discovery) << discovery.error().message;
  EXPECT_EQ((*discovery)->method(), DiscoveryMethod::kUnprivileged);
  EXPECT_EQ((*discovery)->method_reason().find("NDP"), std::string::npos);
  Found found;
  ASSERT_TRUE((*discovery)->run(collect_hosts(found)));
  ASSERT_EQ(found.states.size(), 2u);
  EXPECT_EQ(found.states[v6(2).to_string()], HostState::kUp) << found.reasons[v6(2).to_string()];
  EXPECT_EQ(found.macs.count(v6(2).to_string()), 0u);
  EXPECT_EQ(found.states[v6(3).to_string()], HostState::kDown);
}

}  // namespace
}  // namespace sentinel::scan
