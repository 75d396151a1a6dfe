// UDP in scan jobs through the API on a real server (SQLite and PostgreSQL): a job with TCP and
// UDP ports finds the test's TCP listeners and UDP responders on 127.68.60.x (UDP ports that
// answer are open, bound ones that stay silent open|filtered, unbound ones closed by the ICMP
// port unreachable of the loopback and not stored), its diff keys ports by protocol, an nmap
// report's open|filtered UDP port keeps its state, sentinelctl runs such a job, and with service
// detection on (the default) a DNS and an NTP server on 127.68.63.1 are named in the results and
// by sentinelctl. Every target is in 127.0.0.0/8.

#include <gtest/gtest.h>

#include <memory>

#include "tests/integration/scan/udp_responders.h"
#include "tests/integration/scan/udp_services.h"
#include "tests/integration/scanner/scanner_support.h"
#include "tests/integration/sentinelctl_fixture.h"

namespace sentinel::test {
namespace {

namespace json = boost::json;
using scan::testing::UdpResponders;
using scan::testing::unbound_ports;

scan::IpAddress ip(const std::string& text) { return *scan::IpAddress::parse(text); }

/// "address proto/port state" of every port of a results document.
std::set<std::string> port_states(const json::value& results) {
  std::set<std::string> out;
  for (const auto& host : results.at("hosts").as_array()) {
    for (const auto& port : host.at("ports").as_array()) {
      out.insert(std::string(host.at("address").as_string()) + " " +
                 std::string(port.at("protocol").as_string()) + "/" +
                 std::to_string(port.at("port").as_int64()) + " " +
                 std::string(port.at("state").as_string()));
    }
  }
  return out;
}

std::string entry(const std::string& address, const char* protocol, std::uint16_t port,
                  const char* state) {
  return address + " " + protocol + "/" + std::to_string(port) + " " + state;
}

/// Three UDP ports of 127.68.60.1-3 and one TCP port: on .1 a TCP listener, a UDP responder on
/// `answers` and a silent UDP socket on `silent`; on .2 a responder on `silent` (in a set of its
/// own, so that a test can close it); `closed` is bound nowhere.
struct MixedBed {
  std::uint16_t answers = 0;
  std::uint16_t silent = 0;
  std::uint16_t closed = 0;
  TcpListener tcp;
  UdpResponders first;
  std::unique_ptr<UdpResponders> second = std::make_unique<UdpResponders>();

  ::testing::AssertionResult open() {
    const std::vector<std::uint16_t> ports = unbound_ports(ip("127.68.60.1"), 3);
    if (ports.size() != 3) return ::testing::AssertionFailure() << "no free UDP ports";
    answers = ports[0];
    silent = ports[1];
    closed = ports[2];
    tcp = TcpListener::open("127.68.60.1");
    if (first.open(ip("127.68.60.1"), answers, true) != answers ||
        first.open(ip("127.68.60.1"), silent, false) != silent ||
        second->open(ip("127.68.60.2"), silent, true) != silent) {
      return ::testing::AssertionFailure() << "binding the UDP sockets: " << std::strerror(errno);
    }
    first.start();
    second->start();
    return ::testing::AssertionSuccess();
  }

  std::string spec() const {
    return "T:" + std::to_string(tcp.port()) + ",U:" + port_list({answers, silent, closed});
  }
};

class ScannerUdpTest : public ScannerApiTest {};

TEST_P(ScannerUdpTest, AJobWithTcpAndUdpPortsFindsTheListenersAndTheResponders) {
  MixedBed bed;
  ASSERT_TRUE(bed.open());
  client::ApiClient root = admin();
  const std::int64_t id = start_scan(root, {"127.68.60.1-3"}, bed.spec());
  ASSERT_GT(id, 0);
  const json::value done = wait_completed(root, id);
  const auto& progress = done.at("progress");
  // Every address x every port of both protocols.
  EXPECT_EQ(progress.at("pairs_total").as_int64(), 3 * 4) << done;
  EXPECT_EQ(progress.at("pairs_done").as_int64(), 3 * 4) << done;
  EXPECT_EQ(progress.at("hosts_done").as_int64(), 3) << done;
  EXPECT_EQ(progress.at("open_found").as_int64(), 3) << done;
  const std::string method(done.at("method").as_string());
  EXPECT_TRUE(method == "syn+udp" || method == "connect+udp") << done;

  const json::value found = results(root, id);
  EXPECT_EQ(port_states(found),
            (std::set<std::string>{entry("127.68.60.1", "tcp", bed.tcp.port(), "open"),
                                   entry("127.68.60.1", "udp", bed.answers, "open"),
                                   entry("127.68.60.1", "udp", bed.silent, "open|filtered"),
                                   entry("127.68.60.2", "udp", bed.silent, "open")}))
      << found;
  EXPECT_EQ(found.at("open_ports").as_int64(), 3) << found;
  EXPECT_EQ(found.at("hosts_up").as_int64(), 3) << found;

  // The same job with the responder of .2 gone: its UDP port closes, and nothing else changes.
  bed.second.reset();
  const std::int64_t again = start_scan(root, {"127.68.60.1-3"}, bed.spec());
  ASSERT_GT(again, 0);
  wait_completed(root, again);
  auto diff = root.get("/api/v1/scans/" + std::to_string(again) + "/diff");
  ASSERT_TRUE(diff && diff->status == 200) << (diff ? diff->body : diff.error().message);
  const json::value changes = body_of(*diff);
  EXPECT_EQ(changes.at("previous_id").as_int64(), id) << changes;
  ASSERT_EQ(changes.at("changes").as_array().size(), 1u) << changes;
  const auto& change = changes.at("changes").at(0);
  EXPECT_EQ(change.at("action").as_string(), "port_closed");
  EXPECT_EQ(change.at("address").as_string(), "127.68.60.2");
  EXPECT_EQ(change.at("protocol").as_string(), "udp");
  EXPECT_EQ(change.at("port").as_int64(), bed.silent);
}

TEST_P(ScannerUdpTest, AnUnboundUdpPortIsClosedAndASilentHostShowsNothing) {
  UdpResponders silent_only;
  const std::vector<std::uint16_t> ports = unbound_ports(ip("127.68.61.1"), 2);
  ASSERT_EQ(ports.size(), 2u);
  ASSERT_EQ(silent_only.open(ip("127.68.61.2"), ports[0], false), ports[0]);
  silent_only.start();
  client::ApiClient root = admin();

  // Nothing bound on .1: the loopback's ICMP port unreachable says so at once, which shows the
  // host is there, and no port of it is stored.
  const std::int64_t closed = start_scan(root, {"127.68.61.1"}, "U:" + port_list(ports));
  ASSERT_GT(closed, 0);
  EXPECT_EQ(wait_completed(root, closed).at("method").as_string(), "udp");
  const json::value none = results(root, closed);
  EXPECT_EQ(none.at("hosts_up").as_int64(), 1) << none;
  EXPECT_TRUE(port_states(none).empty()) << none;

  // .2 only ever stays silent on the one port scanned: scanned without host discovery (nmap
  // -Pn) nothing shows it is there, so neither it nor an open|filtered port of it is reported.
  const auto silent_reply = post_scan(root, {{"targets", {"127.68.61.2"}},
                                             {"ports", "U:" + port_list({ports[0]})},
                                             {"discovery", false}});
  ASSERT_EQ(silent_reply.status, 202) << silent_reply.body;
  const std::int64_t silent = body_of(silent_reply).at("id").as_int64();
  wait_completed(root, silent);
  const json::value nothing = results(root, silent);
  EXPECT_EQ(nothing.at("hosts_up").as_int64(), 0) << nothing;
  // Host discovery finds it (loopback answers a ping): its silence is open|filtered, as nmap
  // lists it on a host its ping found.
  const std::int64_t found = start_scan(root, {"127.68.61.2"}, "U:" + port_list({ports[0]}));
  ASSERT_GT(found, 0);
  wait_completed(root, found);
  EXPECT_EQ(port_states(results(root, found)),
            std::set<std::string>{entry("127.68.61.2", "udp", ports[0], "open|filtered")});
  // Scanned together with its closed port, the same silence is open|filtered.
  const std::int64_t both = start_scan(root, {"127.68.61.2"}, "U:" + port_list(ports));
  ASSERT_GT(both, 0);
  wait_completed(root, both);
  EXPECT_EQ(port_states(results(root, both)),
            std::set<std::string>{entry("127.68.61.2", "udp", ports[0], "open|filtered")});
}

TEST_P(ScannerUdpTest, AnImportedOpenFilteredUdpPortKeepsItsState) {
  // What nmap -sU -sT writes for a host with an open TCP port, an open and a silent UDP port,
  // and a UDP port whose ICMP answer nmap could not read (closed|filtered: not stored).
  const std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<nmaprun scanner="nmap" args="nmap -sU -sT -p T:22,U:53,161,162 -oX - 127.68.62.1" start="1700000000" version="7.93" xmloutputversion="1.05">
<host starttime="1700000001" endtime="1700000009"><status state="up" reason="user-set" reason_ttl="0"/>
<address addr="127.68.62.1" addrtype="ipv4"/>
<ports>
<port protocol="tcp" portid="22"><state state="open" reason="syn-ack" reason_ttl="64"/><service name="ssh" method="table" conf="3"/></port>
<port protocol="udp" portid="53"><state state="open" reason="udp-response" reason_ttl="64"/><service name="domain" method="table" conf="3"/></port>
<port protocol="udp" portid="161"><state state="open|filtered" reason="no-response" reason_ttl="0"/><service name="snmp" method="table" conf="3"/></port>
<port protocol="udp" portid="162"><state state="closed|filtered" reason="no-response" reason_ttl="0"/></port>
</ports>
</host>
<runstats><finished time="1700000010" elapsed="10.0" exit="success"/><hosts up="1" down="0" total="1"/></runstats>
</nmaprun>
)";
  const auto reply = post_raw("/api/v1/scans/import", xml, "application/xml", admin_token());
  ASSERT_EQ(reply.status, 201) << reply.body;
  const json::value imported = body_of(reply);
  EXPECT_EQ(imported.at("progress").at("open_found").as_int64(), 2) << imported;

  client::ApiClient root = admin();
  const json::value found = results(root, imported.at("id").as_int64());
  EXPECT_EQ(port_states(found),
            (std::set<std::string>{entry("127.68.62.1", "tcp", 22, "open"),
                                   entry("127.68.62.1", "udp", 53, "open"),
                                   entry("127.68.62.1", "udp", 161, "open|filtered")}))
      << found;
  EXPECT_EQ(found.at("open_ports").as_int64(), 2) << found;
  for (const auto& port : found.at("hosts").at(0).at("ports").as_array()) {
    if (port.at("port").as_int64() == 161) {
      EXPECT_EQ(port.at("service").at("service").as_string(), "snmp") << port;
    }
  }
}

class SentinelctlUdpScanTest : public WithSentinelctl<ScannerApiTest> {};

TEST_P(SentinelctlUdpScanTest, RunFollowShowsTheStateOfEveryPort) {
  MixedBed bed;
  ASSERT_TRUE(bed.open());
  const CommandOutput ran = ctl({"scan", "run", "127.68.60.1", "--ports", bed.spec(), "--follow"});
  ASSERT_EQ(ran.exit_code, 0) << ran.out << ran.err;
  EXPECT_NE(ran.err.find("100.0%"), std::string::npos) << ran.err;
  for (const char* heading : {"HOST", "PORT", "PROTO", "STATE", "SERVICE"}) {
    EXPECT_NE(ran.out.find(heading), std::string::npos) << heading << " in " << ran.out;
  }
  EXPECT_NE(ran.out.find("1 host answered, 2 open ports, 1 open|filtered"), std::string::npos)
      << ran.out;
  // The silent port's row: its number, then udp and its state.
  const auto row = ran.out.find(" " + std::to_string(bed.silent) + " ");
  ASSERT_NE(row, std::string::npos) << ran.out;
  const std::string line = ran.out.substr(row, ran.out.find('\n', row) - row);
  EXPECT_NE(line.find("udp"), std::string::npos) << line;
  EXPECT_NE(line.find("open|filtered"), std::string::npos) << line;
}

/// A DNS server on 53 and on a high port (where the port scan's datagram is not a query it
/// answers, so the scan hears silence), and an NTP server on 123, on 127.68.63.1.
struct UdpServicesBed {
  std::uint16_t dns_high = 0;
  UdpResponders services;

  ::testing::AssertionResult open() {
    const std::vector<std::uint16_t> free = unbound_ports(ip("127.68.63.1"), 1);
    if (free.size() != 1) return ::testing::AssertionFailure() << "no free UDP port";
    dns_high = free[0];
    using scan::testing::dns_server;
    if (services.serve(ip("127.68.63.1"), 53, dns_server("9.18.28-1~deb12u2-Debian")) != 53 ||
        services.serve(ip("127.68.63.1"), dns_high, dns_server("9.18.28-1~deb12u2-Debian")) !=
            dns_high ||
        services.serve(ip("127.68.63.1"), 123, scan::testing::ntp_server()) != 123) {
      return ::testing::AssertionFailure() << "binding the UDP services: " << std::strerror(errno);
    }
    services.start();
    return ::testing::AssertionSuccess();
  }

  std::string spec() const { return "U:53,123," + std::to_string(dns_high); }
};

class SentinelctlUdpServicesTest : public WithSentinelctl<ScannerApiTest> {};

TEST_P(SentinelctlUdpServicesTest, AJobNamesUdpServicesAndOpensThePortsThatAnswered) {
  start_server({"--scan-scope", kScanScope});  // service detection on, as by default
  UdpServicesBed bed;
  ASSERT_TRUE(bed.open());
  client::ApiClient root = admin();
  const std::int64_t id = start_scan(root, {"127.68.63.1"}, bed.spec());
  ASSERT_GT(id, 0);
  wait_completed(root, id);
  const json::value found = results(root, id);
  // The high port was silent to the port scan; its answer to version.bind opened it.
  EXPECT_EQ(port_states(found),
            (std::set<std::string>{entry("127.68.63.1", "udp", 53, "open"),
                                   entry("127.68.63.1", "udp", 123, "open"),
                                   entry("127.68.63.1", "udp", bed.dns_high, "open")}))
      << found;
  EXPECT_EQ(found.at("open_ports").as_int64(), 3) << found;
  std::map<std::int64_t, json::value> services;
  for (const auto& port : found.at("hosts").at(0).at("ports").as_array()) {
    services[port.at("port").as_int64()] = port.at("service");
  }
  for (const std::int64_t dns : {std::int64_t{53}, std::int64_t{bed.dns_high}}) {
    const json::value& named = services[dns];
    ASSERT_TRUE(named.is_object()) << dns << ": " << found;
    EXPECT_EQ(named.at("service").as_string(), "domain") << named;
    EXPECT_EQ(named.at("product").as_string(), "ISC BIND") << named;
    EXPECT_EQ(named.at("version").as_string(), "9.18.28-1~deb12u2") << named;
  }
  const json::value& ntp = services[123];
  ASSERT_TRUE(ntp.is_object()) << found;
  EXPECT_EQ(ntp.at("service").as_string(), "ntp") << ntp;
  EXPECT_EQ(ntp.at("product").as_string(), "NTP") << ntp;

  // sentinelctl shows them without knowing anything about UDP detection.
  const CommandOutput ran = ctl({"scan", "run", "127.68.63.1", "--ports", bed.spec(), "--follow"});
  ASSERT_EQ(ran.exit_code, 0) << ran.out << ran.err;
  const auto row = ran.out.find(" " + std::to_string(bed.dns_high) + " ");
  ASSERT_NE(row, std::string::npos) << ran.out;
  const std::string line = ran.out.substr(row, ran.out.find('\n', row) - row);
  for (const char* shown : {"udp", "open", "domain", "ISC BIND", "9.18.28-1~deb12u2"}) {
    EXPECT_NE(line.find(shown), std::string::npos) << shown << " in " << line;
  }
  EXPECT_EQ(line.find("open|filtered"), std::string::npos) << line;
}

SENTINEL_BOTH_BACKENDS(ScannerUdpTest);
SENTINEL_BOTH_BACKENDS(SentinelctlUdpScanTest);
SENTINEL_BOTH_BACKENDS(SentinelctlUdpServicesTest);

}  // namespace
}  // namespace sentinel::test
