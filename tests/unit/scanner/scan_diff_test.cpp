// The diff between two scans of one scope, and the scan.change events made of it.

#include "sentinel/scanner/scan_diff.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "src/scanner/scan_events.h"

namespace sentinel::scanner {
namespace {

scan::IpAddress ip(const char* text) { return *scan::IpAddress::parse(text); }

FoundPort open_port(std::uint16_t port, std::string service = {}, std::string version = {}) {
  FoundPort found{.port = port};
  if (!service.empty()) found.service = scan::ServiceInfo{.service = service, .version = version};
  return found;
}

FoundHost host(const char* address, std::vector<FoundPort> ports) {
  return {.address = ip(address), .ports = std::move(ports)};
}

std::vector<std::string> summary(const std::vector<ScanChange>& changes) {
  std::vector<std::string> out;
  for (const ScanChange& change : changes) {
    std::string line = std::string(to_string(change.action)) + " " + change.address.to_string();
    if (change.port) line += ":" + std::to_string(*change.port);
    out.push_back(line);
  }
  return out;
}

TEST(ScanDiffTest, IdenticalScansHaveNoChanges) {
  const std::vector<FoundHost> scan = {host("127.68.0.1", {open_port(22), open_port(80)}),
                                       host("127.68.0.2", {})};
  EXPECT_TRUE(diff_scans(scan, scan).empty());
}

TEST(ScanDiffTest, PortsOpenedAndClosedOnAHostInBoth) {
  const auto changes = diff_scans({host("127.68.0.1", {open_port(22), open_port(80)})},
                                  {host("127.68.0.1", {open_port(80), open_port(8080)})});
  EXPECT_EQ(summary(changes),
            (std::vector<std::string>{"port_closed 127.68.0.1:22", "port_opened 127.68.0.1:8080"}));
}

TEST(ScanDiffTest, NewAndGoneHostsCarryTheirPorts) {
  const auto changes = diff_scans({host("127.68.0.9", {open_port(25)})},
                                  {host("127.68.0.10", {open_port(443), open_port(22)})});
  EXPECT_EQ(summary(changes),
            (std::vector<std::string>{"host_gone 127.68.0.9", "port_closed 127.68.0.9:25",
                                      "host_new 127.68.0.10", "port_opened 127.68.0.10:22",
                                      "port_opened 127.68.0.10:443"}));
}

TEST(ScanDiffTest, OrderIsNumericByAddressNotTextual) {
  const auto changes =
      diff_scans({}, {host("127.68.0.10", {}), host("127.68.0.9", {}), host("127.68.0.100", {})});
  EXPECT_EQ(summary(changes),
            (std::vector<std::string>{"host_new 127.68.0.9", "host_new 127.68.0.10",
                                      "host_new 127.68.0.100"}));
}

TEST(ScanDiffTest, ServiceChangesAreSeenButDetailsAloneAreNot) {
  FoundPort ssh_old = open_port(22, "ssh", "8.9");
  FoundPort ssh_new = open_port(22, "ssh", "9.2");
  FoundPort http = open_port(80, "http");
  FoundPort http_more = http;
  http_more.service->info = "protocol 1.1";  // extra info is not the service
  const auto changes =
      diff_scans({host("127.68.0.1", {ssh_old, http})}, {host("127.68.0.1", {ssh_new, http_more})});
  ASSERT_EQ(summary(changes), std::vector<std::string>{"service_changed 127.68.0.1:22"});
  ASSERT_TRUE(changes[0].before && changes[0].after);
  EXPECT_EQ(changes[0].before->version, "8.9");
  EXPECT_EQ(changes[0].after->version, "9.2");
}

TEST(ScanDiffTest, HostsWithoutPortsComeAndGoWhenBothJobsFoundHostsFirst) {
  const std::vector<FoundHost> before = {host("127.68.0.1", {open_port(22)}),
                                         host("127.68.0.2", {})};
  const std::vector<FoundHost> after = {host("127.68.0.1", {open_port(22)}),
                                        host("127.68.0.3", {})};
  EXPECT_EQ(summary(diff_scans(before, after, HostBasis::kAll)),
            (std::vector<std::string>{"host_gone 127.68.0.2", "host_new 127.68.0.3"}));
}

TEST(ScanDiffTest, BetweenJobsThatLookedForHostsDifferentlyOnlyHostsWithOpenPortsCount) {
  // Before: found live hosts first (.2 up without open ports). After: every address scanned,
  // .2 silent on the ports, .4 gone with its port, .5 new with one.
  const std::vector<FoundHost> discovered = {host("127.68.0.1", {open_port(22)}),
                                             host("127.68.0.2", {}),
                                             host("127.68.0.4", {open_port(80)})};
  const std::vector<FoundHost> scanned = {host("127.68.0.1", {open_port(22)}),
                                          host("127.68.0.5", {open_port(443)})};
  EXPECT_EQ(summary(diff_scans(discovered, scanned, HostBasis::kWithOpenPorts)),
            (std::vector<std::string>{"host_gone 127.68.0.4", "port_closed 127.68.0.4:80",
                                      "host_new 127.68.0.5", "port_opened 127.68.0.5:443"}));
  // The other way round: the host found up without ports is not new.
  EXPECT_EQ(summary(diff_scans(scanned, discovered, HostBasis::kWithOpenPorts)),
            (std::vector<std::string>{"host_new 127.68.0.4", "port_opened 127.68.0.4:80",
                                      "host_gone 127.68.0.5", "port_closed 127.68.0.5:443"}));
}

TEST(ScanDiffTest, TheBasisFollowsHowBothJobsLookedForHosts) {
  EXPECT_EQ(host_basis(true, true), HostBasis::kAll);
  EXPECT_EQ(host_basis(false, false), HostBasis::kAll);
  EXPECT_EQ(host_basis(std::nullopt, false), HostBasis::kAll);  // older jobs scanned everything
  EXPECT_EQ(host_basis(true, false), HostBasis::kWithOpenPorts);
  EXPECT_EQ(host_basis(false, true), HostBasis::kWithOpenPorts);
  EXPECT_EQ(host_basis(std::nullopt, true), HostBasis::kWithOpenPorts);
}

// A job split across agents some of which predate host discovery looked for hosts in some
// shards and not in others: hosts without open ports say nothing against any other job.
TEST(ScanDiffTest, AJobWithShardsWithoutDiscoveryComparesOnlyHostsWithOpenPorts) {
  const ScanJob discovered{.discovery = true};
  const ScanJob every_address{.discovery = false};
  const ScanJob partial{.discovery = true, .discovery_partial = true};
  EXPECT_EQ(host_basis(&discovered, discovered), HostBasis::kAll);
  EXPECT_EQ(host_basis(&every_address, discovered), HostBasis::kWithOpenPorts);
  EXPECT_EQ(host_basis(nullptr, every_address), HostBasis::kAll);
  EXPECT_EQ(host_basis(&discovered, partial), HostBasis::kWithOpenPorts);
  EXPECT_EQ(host_basis(&partial, discovered), HostBasis::kWithOpenPorts);
  EXPECT_EQ(host_basis(&every_address, partial), HostBasis::kWithOpenPorts);
  EXPECT_EQ(host_basis(&partial, partial), HostBasis::kWithOpenPorts);
}

TEST(ScanDiffTest, NoServiceOnEitherSideIsNoChange) {
  EXPECT_TRUE(
      diff_scans({host("127.68.0.1", {open_port(22)})}, {host("127.68.0.1", {open_port(22)})})
          .empty());
  const auto named = diff_scans({host("127.68.0.1", {open_port(22)})},
                                {host("127.68.0.1", {open_port(22, "ssh")})});
  EXPECT_EQ(summary(named), std::vector<std::string>{"service_changed 127.68.0.1:22"});
}

TEST(ScanDiffTest, TcpAndUdpOfOnePortAreDifferentPorts) {
  FoundPort dns_udp = open_port(53);
  dns_udp.protocol = scan::Protocol::kUdp;
  const auto changes =
      diff_scans({host("127.68.0.1", {open_port(53)})}, {host("127.68.0.1", {dns_udp})});
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].action, ChangeAction::kPortClosed);
  EXPECT_EQ(changes[0].protocol, scan::Protocol::kTcp);
  EXPECT_EQ(changes[1].action, ChangeAction::kPortOpened);
  EXPECT_EQ(changes[1].protocol, scan::Protocol::kUdp);
}

TEST(ScanChangeEventsTest, EachChangeBecomesANetworkEventWithEcsFields) {
  ScanDiff diff{.id = 7,
                .previous_id = 5,
                .changes = diff_scans({host("127.68.0.1", {open_port(22, "ssh")})},
                                      {host("127.68.0.1", {open_port(8080, "http")})})};
  const auto events = change_events(diff, 1767225600000);
  ASSERT_EQ(events.size(), 2u);
  for (const events::NewEvent& event : events) {
    EXPECT_EQ(event.type, "scan.change");
    EXPECT_EQ(event.time_ms, 1767225600000);
    EXPECT_TRUE(event.agent_id.empty());
    EXPECT_FALSE(event.seq);
  }
  const auto closed = boost::json::parse(events[0].data_json).as_object();
  EXPECT_EQ(closed.at("event.category").as_string(), "network");
  EXPECT_EQ(closed.at("event.action").as_string(), "port_closed");
  EXPECT_EQ(closed.at("destination.ip").as_string(), "127.68.0.1");
  EXPECT_EQ(closed.at("destination.port").as_int64(), 22);
  EXPECT_EQ(closed.at("network.transport").as_string(), "tcp");
  EXPECT_EQ(closed.at("service.name").as_string(), "ssh");
  EXPECT_EQ(closed.at("scan.id").as_int64(), 7);
  EXPECT_EQ(closed.at("scan.previous_id").as_int64(), 5);
  const auto opened = boost::json::parse(events[1].data_json).as_object();
  EXPECT_EQ(opened.at("event.action").as_string(), "port_opened");
  EXPECT_EQ(opened.at("destination.port").as_int64(), 8080);
  EXPECT_EQ(opened.at("service.name").as_string(), "http");
}

TEST(ScanDiffTest, APageKeepsTheOrderAndCountsTheWholeDiff) {
  ScanDiff diff{.id = 7, .previous_id = 6};
  diff.changes = diff_scans({host("127.68.0.9", {open_port(25)})},
                            {host("127.68.0.10", {open_port(443), open_port(22)})});
  const ScanDiffPage middle = page_of(diff, {.limit = 2, .offset = 1});
  EXPECT_EQ(middle.id, 7);
  EXPECT_EQ(middle.previous_id, 6);
  EXPECT_EQ(summary(middle.changes),
            (std::vector<std::string>{"port_closed 127.68.0.9:25", "host_new 127.68.0.10"}));
  EXPECT_EQ(middle.total, 5);
  const auto count = [&](ChangeAction action) {
    return middle.counts.at(static_cast<std::size_t>(action));
  };
  EXPECT_EQ(count(ChangeAction::kHostGone), 1);
  EXPECT_EQ(count(ChangeAction::kPortClosed), 1);
  EXPECT_EQ(count(ChangeAction::kHostNew), 1);
  EXPECT_EQ(count(ChangeAction::kPortOpened), 2);
  EXPECT_EQ(count(ChangeAction::kServiceChanged), 0);

  const ScanDiffPage last = page_of(diff, {.limit = 100, .offset = 4});
  EXPECT_EQ(summary(last.changes), (std::vector<std::string>{"port_opened 127.68.0.10:443"}));
  const ScanDiffPage past = page_of(diff, {.limit = 100, .offset = 5});
  EXPECT_TRUE(past.changes.empty());
  EXPECT_EQ(past.total, 5) << "the totals do not depend on the page";
}

TEST(ScanChangeEventsTest, HostChangesHaveNoPortFields) {
  ScanDiff diff{.id = 2, .previous_id = 1, .changes = diff_scans({host("127.68.0.4", {})}, {})};
  const auto events = change_events(diff, 1);
  ASSERT_EQ(events.size(), 1u);
  const auto data = boost::json::parse(events[0].data_json).as_object();
  EXPECT_EQ(data.at("event.action").as_string(), "host_gone");
  EXPECT_FALSE(data.contains("destination.port"));
  EXPECT_FALSE(data.contains("network.transport"));
}

TEST(ScanChangeEventsTest, TheBusMessageIsWhatDetectionReads) {
  const events::StoredEvent stored{.id = 41,
                                   .agent_id = "",
                                   .time_ms = 1767225600000,
                                   .received_ms = 1767225600001,
                                   .type = "scan.change",
                                   .data_json = R"({"event.action":"port_opened"})"};
  const auto message = boost::json::parse(event_message(stored)).as_object();
  EXPECT_EQ(message.at("type").as_string(), "event");
  const auto& event = message.at("event").as_object();
  EXPECT_EQ(event.at("id").as_int64(), 41);
  EXPECT_EQ(event.at("time").as_int64(), 1767225600000);
  EXPECT_EQ(event.at("type").as_string(), "scan.change");
  EXPECT_EQ(event.at("data").at("event.action").as_string(), "port_opened");
}

}  // namespace
}  // namespace sentinel::scanner
