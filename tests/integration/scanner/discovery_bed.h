#pragma once
// A local segment for scan tests: a network namespace joined to the test's own by a
// veth pair on 10.231.N.0/24 (N from the pid; this side is .1). In the namespace .2 has a TCP
// listener, .3 exists but drops every IP packet (only ARP finds it); more such addresses can be
// added. Removed when destroyed, and before it is made (what a crashed run left). The `ip`
// steps and the removal are veth_namespace.h's, shared with NamespaceScanTest.

#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/integration/scan/veth_namespace.h"
#include "tests/integration/scanner/scanner_support.h"
#include "tests/support/process.h"

namespace sentinel::test {

/// The hosts of a job's results document, by address.
inline std::map<std::string, boost::json::object> hosts_by_address(
    const boost::json::value& results) {
  std::map<std::string, boost::json::object> out;
  for (const auto& host : results.at("hosts").as_array()) {
    out[std::string(host.at("address").as_string())] = host.as_object();
  }
  return out;
}

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
      if (auto done = scan::testing::ip_command(step); !done) return done;
    }
    for (const int octet : {2, 3}) {
      if (auto added = add_address(octet); !added) return added;
    }
    std::string dropped = subnet_ + "3";
    for (const int octet : silent) dropped += ", " + subnet_ + std::to_string(octet);
    const std::string table = "sx" + tag_;
    const auto firewall = scan::testing::ip_command(
        {"netns", "exec", namespace_, "nft",
         "add table inet " + table + "; add chain inet " + table +
             " input { type filter hook input priority 0; policy accept; }; add rule inet " +
             table + " input ip daddr { " + dropped + " } drop"});
    if (!firewall) return firewall;
    {
      scan::testing::InNamespace inside(namespace_);
      if (!inside.entered()) return ::testing::AssertionFailure() << std::strerror(errno);
      listener_ = TcpListener::open(subnet_ + "2");
    }
    closed_ = listener_->port() == 65535 ? 1 : listener_->port() + 1;
    mac_ = scan::testing::link_mac(namespace_, peer_link_);
    if (mac_.empty()) return ::testing::AssertionFailure() << "no MAC for " << peer_link_;
    return ::testing::AssertionSuccess();
  }

  /// Gives the namespace's end the address .`octet`.
  ::testing::AssertionResult add_address(int octet) {
    return scan::testing::ip_command(
        {"-n", namespace_, "addr", "add", address(octet) + "/24", "dev", peer_link_});
  }

  /// "10.231.N.`octet`".
  std::string address(int octet) const { return subnet_ + std::to_string(octet); }
  /// "10.231.N.0/24".
  std::string network() const { return subnet_ + "0/24"; }
  /// The listener at .2.
  const TcpListener& listener() const { return *listener_; }
  std::uint16_t open_port() const { return listener_->port(); }
  /// A port nothing listens on at .2.
  std::uint16_t closed_port() const { return closed_; }

  /// Whether `hosts` (hosts_by_address of a job over .2-.6 with the open and the closed port,
  /// before add_address added any) are what host discovery finds: exactly .2 and .3, both by
  /// "arp-response" with the namespace's MAC, .2 with the open port alone, .3 without ports.
  ::testing::AssertionResult found_by_discovery(
      const std::map<std::string, boost::json::object>& hosts) const {
    if (hosts.size() != 2 || !hosts.contains(address(2)) || !hosts.contains(address(3))) {
      return ::testing::AssertionFailure()
             << "hosts " << addresses_of(hosts) << ", not " << address(2) << " and " << address(3);
    }
    for (const auto& [found, host] : hosts) {
      if (host.at("reason") != boost::json::value("arp-response") ||
          host.at("mac") != boost::json::value(mac_)) {
        return ::testing::AssertionFailure()
               << found << " not by arp-response with MAC " << mac_ << ": " << host;
      }
    }
    if (auto open = only_the_open_port(hosts.at(address(2))); !open) return open;
    if (!hosts.at(address(3)).at("ports").as_array().empty()) {
      return ::testing::AssertionFailure() << address(3) << " has ports: " << hosts.at(address(3));
    }
    return ::testing::AssertionSuccess();
  }

  /// Whether `hosts` (as for found_by_discovery, with "discovery": false) are what a scan of
  /// every address finds: .2 alone, with the open port, and nothing known of how it was found.
  ::testing::AssertionResult found_without_discovery(
      const std::map<std::string, boost::json::object>& hosts) const {
    if (hosts.size() != 1 || !hosts.contains(address(2))) {
      return ::testing::AssertionFailure()
             << "hosts " << addresses_of(hosts) << ", not " << address(2) << " alone";
    }
    const boost::json::object& only = hosts.at(address(2));
    if (!only.at("mac").is_null() || !only.at("reason").is_null()) {
      return ::testing::AssertionFailure() << "a MAC or reason without discovery: " << only;
    }
    return only_the_open_port(only);
  }

 private:
  ::testing::AssertionResult only_the_open_port(const boost::json::object& host) const {
    const auto& ports = host.at("ports").as_array();
    if (ports.size() != 1 || ports[0].at("port").as_int64() != listener_->port()) {
      return ::testing::AssertionFailure()
             << "not the open port " << listener_->port() << " alone: " << host;
    }
    return ::testing::AssertionSuccess();
  }

  static std::string addresses_of(const std::map<std::string, boost::json::object>& hosts) {
    std::string out = "{";
    for (const auto& [found, host] : hosts) out += " " + found;
    return out + " }";
  }

  void remove() { scan::testing::remove_veth_namespace(namespace_, host_link_); }

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
