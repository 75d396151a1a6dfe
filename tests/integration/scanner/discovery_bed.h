#pragma once
// A local segment for scan tests: a network namespace joined to the test's own by a
// veth pair on 10.231.N.0/24 (N from the pid; this side is .1). In the namespace .2 has a TCP
// listener, .3 exists but drops every IP packet (only ARP finds it); more such addresses can be
// added. Removed when destroyed, and before it is made (what a crashed run left).

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "tests/integration/scan/veth_namespace.h"
#include "tests/integration/scanner/scanner_support.h"
#include "tests/support/process.h"

namespace sentinel::test {

class DiscoveryBed {
 public:
  /// `tag`: three letters that keep this bed's namespace, links and nft table apart from other
  /// suites'. Call up() before use.
  explicit DiscoveryBed(const std::string& tag)
      : tag_(tag),
        namespace_("sx" + tag + std::to_string(::getpid())),
        host_link_("sh" + tag + std::to_string(::getpid())),
        peer_link_("sp" + tag + std::to_string(::getpid())),
        subnet_("10.231." + std::to_string(::getpid() % 250 + 1) + ".") {}
  ~DiscoveryBed() {
    listener_.reset();
    remove();
  }
  DiscoveryBed(const DiscoveryBed&) = delete;
  DiscoveryBed& operator=(const DiscoveryBed&) = delete;

  /// Makes the segment; `silent` are the last octets (besides 3) that drop every IP packet once
  /// they exist (add_address).
  ::testing::AssertionResult up(const std::vector<int>& silent = {}) {
    remove();
    for (const std::vector<std::string>& step : std::vector<std::vector<std::string>>{
             {"netns", "add", namespace_},
             {"link", "add", host_link_, "type", "veth", "peer", "name", peer_link_},
             {"link", "set", peer_link_, "netns", namespace_},
             {"addr", "add", subnet_ + "1/24", "dev", host_link_},
             {"link", "set", host_link_, "up"},
             {"-n", namespace_, "link", "set", peer_link_, "up"}}) {
      if (auto done = ip(step); !done) return done;
    }
    for (const int octet : {2, 3}) {
      if (auto added = add_address(octet); !added) return added;
    }
    std::string dropped = subnet_ + "3";
    for (const int octet : silent) dropped += ", " + subnet_ + std::to_string(octet);
    const std::string table = "sx" + tag_;
    const auto firewall = run_command(
        {"ip", "netns", "exec", namespace_, "nft",
         "add table inet " + table + "; add chain inet " + table +
             " input { type filter hook input priority 0; policy accept; }; add rule inet " +
             table + " input ip daddr { " + dropped + " } drop"});
    if (!firewall) return ::testing::AssertionFailure() << firewall.error().message;
    if (firewall->exit_code != 0) return ::testing::AssertionFailure() << firewall->err;
    {
      scan::testing::InNamespace inside(namespace_);
      if (!inside.entered()) return ::testing::AssertionFailure() << std::strerror(errno);
      listener_ = TcpListener::open(subnet_ + "2");
    }
    closed_ = listener_->port() == 65535 ? 1 : listener_->port() + 1;
    const auto shown = run_command({"ip", "-n", namespace_, "-o", "link", "show", peer_link_});
    if (!shown || shown->exit_code != 0) return ::testing::AssertionFailure() << "ip link show";
    const auto at = shown->out.find("link/ether ");
    if (at == std::string::npos) return ::testing::AssertionFailure() << shown->out;
    mac_ = shown->out.substr(at + 11, 17);
    return ::testing::AssertionSuccess();
  }

  /// Gives the namespace's end the address .`octet`.
  ::testing::AssertionResult add_address(int octet) {
    return ip({"-n", namespace_, "addr", "add", address(octet) + "/24", "dev", peer_link_});
  }

  /// "10.231.N.`octet`".
  std::string address(int octet) const { return subnet_ + std::to_string(octet); }
  /// "10.231.N.0/24".
  std::string network() const { return subnet_ + "0/24"; }
  /// The MAC of the namespace's end, as results write it ("02:...").
  const std::string& mac() const { return mac_; }
  /// The listener at .2.
  const TcpListener& listener() const { return *listener_; }
  std::uint16_t open_port() const { return listener_->port(); }
  /// A port nothing listens on at .2.
  std::uint16_t closed_port() const { return closed_; }

 private:
  static ::testing::AssertionResult ip(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), "ip");
    const auto result = run_command(arguments);
    if (!result) return ::testing::AssertionFailure() << result.error().message;
    if (result->exit_code != 0) return ::testing::AssertionFailure() << result->err;
    return ::testing::AssertionSuccess();
  }

  void remove() {
    [[maybe_unused]] const auto netns = run_command({"ip", "netns", "del", namespace_});
    [[maybe_unused]] const auto link = run_command({"ip", "link", "del", host_link_});
  }

  std::string tag_;
  std::string namespace_;
  std::string host_link_;
  std::string peer_link_;
  std::string subnet_;
  std::string mac_;
  std::optional<TcpListener> listener_;
  std::uint16_t closed_ = 0;
};

}  // namespace sentinel::test
