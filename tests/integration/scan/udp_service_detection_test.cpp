// UDP service detection as nmap -sUV does it, against UDP services the test runs on
// 127.70.20.1: a DNS server (version.bind CH TXT answered), an NTP server and an SNMP agent on
// their ports, a DNS server on a high port that ignores the port scan's empty datagram, a silent
// socket, and a port that answers everything with 60 KiB of garbage. The UDP scan runs first,
// as in a job; its open and open|filtered ports are then probed, once with our built-in probes
// and once with nmap's nmap-service-probes. Nothing leaves the loopback.

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "sentinel/scan/service_detector.h"
#include "sentinel/scan/udp_scanner.h"
#include "tests/integration/scan/scan_test_bed.h"
#include "tests/integration/scan/udp_responders.h"
#include "tests/integration/scan/udp_services.h"

namespace sentinel::scan {
namespace {

using namespace std::chrono_literals;
using namespace sentinel::scan::testing;

// What BIND on Debian 12 says to version.bind, and the version nmap reads from it.
constexpr char kBindVersionText[] = "9.18.28-1~deb12u2-Debian";
constexpr char kBindVersion[] = "9.18.28-1~deb12u2";
constexpr char kSysDescr[] =
    "Linux sentinel-lab 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) "
    "x86_64";

/// What a port should read as after detection: its state and service fields.
struct Expected {
  PortState state;
  std::string service;  // empty: nothing named
  std::string product;
  std::string version;
};

/// The services of 127.70.20.1, one set per test.
class UdpServiceBed {
 public:
  ::testing::AssertionResult open() {
    const IpAddress host = ip("127.70.20.1");
    const std::vector<std::uint16_t> free = unbound_ports(host, 3);
    if (free.size() != 3) return ::testing::AssertionFailure() << "no free UDP ports";
    dns_high = free[0];
    silent = free[1];
    garbage = free[2];
    const bool bound =
        responders.serve(host, 53, dns_server(kBindVersionText)) == 53 &&
        responders.serve(host, 123, ntp_server()) == 123 &&
        responders.serve(host, 161, snmp_agent(kSysDescr)) == 161 &&
        responders.serve(host, dns_high, dns_server(kBindVersionText)) == dns_high &&
        responders.open(host, silent, false) == silent &&
        responders.serve(host, garbage, [](std::string_view) -> std::optional<std::string> {
          std::string noise(60 * 1024, '\0');
          for (std::size_t i = 0; i < noise.size(); ++i) {
            noise[i] = static_cast<char>((i * 131 + 7) % 251);
          }
          return noise;
        }) == garbage;
    if (!bound) return ::testing::AssertionFailure() << "binding: " << std::strerror(errno);
    responders.start();
    return ::testing::AssertionSuccess();
  }

  std::vector<std::uint16_t> ports() const { return {53, 123, 161, dns_high, silent, garbage}; }

  /// The UDP scan's verdicts, with the built-in payloads (so every run sends the same bytes).
  std::map<std::uint16_t, PortState> scan() const {
    UdpScanOptions options;
    options.payloads = std::make_shared<const UdpPayloads>(UdpPayloads::builtin());
    auto scanner = UdpScanner::create(TargetSet::from_ranges({AddressRange::single(ip(kHost))}),
                                      ports(), loopback_scope(), options);
    EXPECT_TRUE(scanner) << scanner.error().message;
    std::map<std::uint16_t, PortState> states;
    if (!scanner) return states;
    const auto outcome = (*scanner)->run(
        [&states](const PortResult& result) { states[result.port] = result.state; });
    EXPECT_TRUE(outcome) << outcome.error().message;
    return states;
  }

  static constexpr char kHost[] = "127.70.20.1";
  std::uint16_t dns_high = 0;
  std::uint16_t silent = 0;
  std::uint16_t garbage = 0;
  UdpResponders responders;
};

/// The scan's open and open|filtered ports as detection targets.
std::vector<ServiceTarget> targets_of(const std::map<std::uint16_t, PortState>& states) {
  std::vector<ServiceTarget> targets;
  for (const auto& [port, state] : states) {
    if (state == PortState::kOpen || state == PortState::kOpenFiltered) {
      targets.push_back({ip(UdpServiceBed::kHost), port, Protocol::kUdp, state});
    }
  }
  return targets;
}

std::map<std::uint16_t, ServiceResult> detect(std::shared_ptr<const ServiceProbes> probes,
                                              std::vector<ServiceTarget> targets) {
  ServiceDetectionOptions options;
  // A silent port costs every probe of the plan; short waits keep the test quick (loopback
  // services answer in microseconds).
  options.max_probe_wait = 300ms;
  options.answer_quiet = 200ms;
  auto detector =
      ServiceDetector::create(std::move(probes), std::move(targets), loopback_scope(), options);
  EXPECT_TRUE(detector) << detector.error().message;
  std::map<std::uint16_t, ServiceResult> results;
  if (!detector) return results;
  const Status ran = (*detector)->run([&results](const ServiceResult& result) {
    EXPECT_EQ(results.count(result.port.port), 0u) << "reported twice: " << result.port.port;
    results[result.port.port] = result;
  });
  EXPECT_TRUE(ran) << ran.error().message;
  return results;
}

void expect_ports(const std::map<std::uint16_t, ServiceResult>& results,
                  const std::map<std::uint16_t, Expected>& expected) {
  ASSERT_EQ(results.size(), expected.size());
  for (const auto& [port, want] : expected) {
    const auto found = results.find(port);
    ASSERT_NE(found, results.end()) << port;
    const PortReport& got = found->second.port;
    EXPECT_EQ(got.protocol, Protocol::kUdp) << port;
    EXPECT_EQ(to_string(got.state), to_string(want.state)) << port;
    EXPECT_EQ(got.reason, want.state == PortState::kOpen ? "udp-response" : "") << port;
    if (want.service.empty()) {
      EXPECT_FALSE(got.service) << port << " named " << got.service->service;
      continue;
    }
    ASSERT_TRUE(got.service) << port << " not named";
    EXPECT_EQ(got.service->service, want.service) << port;
    EXPECT_EQ(got.service->product, want.product) << port;
    EXPECT_EQ(got.service->version, want.version) << port;
    EXPECT_FALSE(got.service->soft) << port;
  }
}

class UdpServiceDetection : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(bed_.open());
    states_ = bed_.scan();
    // What the port scan alone can say: the high DNS port and the silent one look the same.
    const std::map<std::uint16_t, PortState> scanned = {{53, PortState::kOpen},
                                                        {123, PortState::kOpen},
                                                        {161, PortState::kOpen},
                                                        {bed_.dns_high, PortState::kOpenFiltered},
                                                        {bed_.silent, PortState::kOpenFiltered},
                                                        {bed_.garbage, PortState::kOpen}};
    ASSERT_EQ(states_, scanned);
  }

  UdpServiceBed bed_;
  std::map<std::uint16_t, PortState> states_;
};

TEST_F(UdpServiceDetection, BuiltInProbesNameDnsNtpAndSnmpAndOpenAnAnsweringPort) {
  const auto probes = std::make_shared<const ServiceProbes>(ServiceProbes::builtin());
  const auto results = detect(probes, targets_of(states_));
  expect_ports(results, {{53, {PortState::kOpen, "domain", "ISC BIND", kBindVersion}},
                         {123, {PortState::kOpen, "ntp", "NTP", "v4"}},
                         {161, {PortState::kOpen, "snmp", "SNMPv1 server", ""}},
                         {bed_.dns_high, {PortState::kOpen, "domain", "ISC BIND", kBindVersion}},
                         {bed_.silent, {PortState::kOpenFiltered, "", "", ""}},
                         {bed_.garbage, {PortState::kOpen, "", "", ""}}});
  const ServiceInfo& snmp = *results.at(161).port.service;
  EXPECT_EQ(snmp.hostname, "sentinel-lab");
  EXPECT_EQ(snmp.os, "Linux");
  const ServiceInfo& bind = *results.at(53).port.service;
  EXPECT_EQ(bind.info, "Debian Linux");
  EXPECT_EQ(bind.os, "Linux");
  ASSERT_FALSE(bind.cpes.empty());
  EXPECT_EQ(bind.cpes.front(), std::string("cpe:/a:isc:bind:") + kBindVersion);

  // The probes went out in the plan's order: version.bind first, to the high port too.
  const auto high = bed_.responders.received({UdpServiceBed::kHost, bed_.dns_high});
  ASSERT_GE(high.size(), 2u);  // the scan's empty datagrams, then the probe
  EXPECT_NE(high.back().find(std::string("\x07version\x04"
                                         "bind",
                                         13)),
            std::string::npos);
  // The silent port heard every UDP probe of the built-in set, once each.
  const auto silent = bed_.responders.received({UdpServiceBed::kHost, bed_.silent});
  const std::size_t udp_probes = probes->plan(Protocol::kUdp, bed_.silent, false, 7).size();
  EXPECT_EQ(udp_probes, 5u);
  EXPECT_EQ(silent.size(), 3u + udp_probes) << "three scan probes, then one per service probe";
}

TEST_F(UdpServiceDetection, NmapsProbeFileNamesTheSameServices) {
  Result<ServiceProbes> loaded = ServiceProbes::load(std::string(kNmapServiceProbesPath));
  ASSERT_TRUE(loaded) << "nmap's data files are installed by scripts/install-deps.sh: "
                      << loaded.error().message;
  const auto probes = std::make_shared<const ServiceProbes>(std::move(*loaded));
  const auto results = detect(probes, targets_of(states_));
  expect_ports(results, {{53, {PortState::kOpen, "domain", "ISC BIND", kBindVersion}},
                         {123, {PortState::kOpen, "ntp", "NTP", "v4"}},
                         {161, {PortState::kOpen, "snmp", "SNMPv1 server", ""}},
                         {bed_.dns_high, {PortState::kOpen, "domain", "ISC BIND", kBindVersion}},
                         {bed_.silent, {PortState::kOpenFiltered, "", "", ""}},
                         {bed_.garbage, {PortState::kOpen, "", "", ""}}});
}

TEST_F(UdpServiceDetection, CancelStopsTheProbesAndReportsEveryPortWithTheScansState) {
  // One port at a time, the silent one first: it is waiting for the answer to its first probe
  // (5 s, the built-in probes' totalwaitms) when the cancel comes; the others never start.
  std::vector<ServiceTarget> targets = {
      {ip(UdpServiceBed::kHost), bed_.silent, Protocol::kUdp, PortState::kOpenFiltered},
      {ip(UdpServiceBed::kHost), bed_.dns_high, Protocol::kUdp, PortState::kOpenFiltered},
      {ip(UdpServiceBed::kHost), 53, Protocol::kUdp, PortState::kOpen}};
  ServiceDetectionOptions options;
  options.max_concurrency = 1;
  options.max_probe_wait = 60s;
  options.port_deadline = 120s;
  auto detector =
      ServiceDetector::create(std::make_shared<const ServiceProbes>(ServiceProbes::builtin()),
                              targets, loopback_scope(), options);
  ASSERT_TRUE(detector) << detector.error().message;
  std::thread canceller([&detector] {
    while ((*detector)->progress().connections == 0) std::this_thread::sleep_for(1ms);
    (*detector)->cancel();
  });
  std::map<std::uint16_t, ServiceResult> results;
  const Status ran = (*detector)->run([&results](const ServiceResult& result) {
    EXPECT_EQ(results.count(result.port.port), 0u) << "reported twice: " << result.port.port;
    results[result.port.port] = result;
  });
  canceller.join();
  ASSERT_TRUE(ran) << ran.error().message;
  ASSERT_EQ(results.size(), 3u);
  for (const ServiceTarget& target : targets) {
    const PortReport& port = results.at(target.port).port;
    EXPECT_FALSE(port.service) << target.port;
    EXPECT_EQ(to_string(port.state), to_string(target.state)) << target.port;
  }
  EXPECT_EQ((*detector)->progress().ports_done, 3u);
  // The scan's three datagrams, then the one service probe sent before the cancel (the
  // responder's thread may read it after run() returned).
  const Pair silent{UdpServiceBed::kHost, bed_.silent};
  for (int i = 0; i < 200 && bed_.responders.received(silent).size() < 4; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(bed_.responders.received(silent).size(), 3u + 1u);
}

TEST(UdpServiceDetectionChecks, RefusesPortsAScanDoesNotReportAsWorthProbing) {
  const auto probes = std::make_shared<const ServiceProbes>(ServiceProbes::builtin());
  const IpAddress host = ip("127.70.20.2");
  auto closed = ServiceDetector::create(probes, {{host, 53, Protocol::kUdp, PortState::kClosed}},
                                        loopback_scope());
  ASSERT_FALSE(closed);
  EXPECT_EQ(closed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(closed.error().message.find("53/udp of 127.70.20.2 is closed"), std::string::npos)
      << closed.error().message;
  auto tcp = ServiceDetector::create(probes, {{host, 80, Protocol::kTcp, PortState::kOpenFiltered}},
                                     loopback_scope());
  ASSERT_FALSE(tcp);
  EXPECT_NE(tcp.error().message.find("80/tcp"), std::string::npos) << tcp.error().message;
  auto outside = ServiceDetector::create(probes, {{host, 53, Protocol::kUdp}},
                                         *ScanScope::parse("10.0.0.0/8"));
  ASSERT_FALSE(outside);
  EXPECT_EQ(outside.error().code, ErrorCode::kPermissionDenied);
}

}  // namespace
}  // namespace sentinel::scan
