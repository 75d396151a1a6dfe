// Importing nmap XML reports: what is read from a report in nmap's format, and the clear errors
// (with line and column) for documents that are broken, foreign, hostile or too large.

#include "sentinel/scan/nmap_xml.h"

#include <gtest/gtest.h>

#include <string>

#include "sentinel/scan/mac_address.h"

namespace sentinel::scan {
namespace {

constexpr std::string_view kReport = R"(<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<?xml-stylesheet href="file:///usr/bin/../share/nmap/nmap.xsl" type="text/xsl"?>
<nmaprun scanner="nmap" args="nmap -sV -O -oX - 127.0.0.0/30" start="1700000000" version="7.93" xmloutputversion="1.05">
<scaninfo type="syn" protocol="tcp" numservices="1000" services="1-1000"/>
<host starttime="1700000001" endtime="1700000009"><status state="up" reason="localhost-response" reason_ttl="0"/>
<address addr="127.0.0.1" addrtype="ipv4"/>
<address addr="02:42:AC:11:00:02" addrtype="mac" vendor="Unknown"/>
<hostnames><hostname name="localhost" type="PTR"/></hostnames>
<ports><extraports state="closed" count="997"><extrareasons reason="reset" count="997"/></extraports>
<port protocol="tcp" portid="22"><state state="open" reason="syn-ack" reason_ttl="64"/><service name="ssh" product="OpenSSH" version="9.2p1 Debian 2+deb12u3" extrainfo="protocol 2.0" ostype="Linux" method="probed" conf="10"><cpe>cpe:/a:openbsd:openssh:9.2p1</cpe><cpe>cpe:/o:linux:linux_kernel</cpe></service></port>
<port protocol="tcp" portid="443"><state state="open" reason="syn-ack" reason_ttl="64"/><service name="http" product="nginx" version="1.22.1" tunnel="ssl" method="probed" conf="10"><cpe>cpe:/a:igor_sysoev:nginx:1.22.1</cpe></service><script id="ssl-cert" output="Subject: commonName=www.example.com&#xa;Not valid after:  2030-01-01T00:00:00"><elem key="sig_algo">sha256WithRSAEncryption</elem></script><script id="http-title" output="Welcome to nginx!"/></port>
<port protocol="udp" portid="53"><state state="open|filtered" reason="no-response" reason_ttl="0"/><service name="domain" method="table" conf="3"/></port>
<port protocol="sctp" portid="7"><state state="open" reason="init-ack" reason_ttl="64"/></port>
</ports>
<hostscript><script id="clock-skew" output="mean: 0s"/></hostscript>
<os><osmatch name="Linux 5.0 - 5.14" accuracy="100" line="67"/><osmatch name="Linux 4.15" accuracy="95" line="1"/></os>
</host>
<host><status state="down" reason="no-response" reason_ttl="0"/>
<address addr="::1" addrtype="ipv6"/>
</host>
<host><status state="up" reason="arp-response" reason_ttl="0"/>
<address addr="02:42:AC:11:00:03" addrtype="mac"/>
</host>
<runstats><finished time="1700000010" elapsed="10.0" exit="success"/><hosts up="1" down="1" total="2"/></runstats>
</nmaprun>
)";

TEST(NmapXml, ReadsHostsPortsServicesAndOsFromAReport) {
  Result<ScanReport> report = parse_nmap_xml(kReport);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->scanner, "nmap 7.93");
  EXPECT_EQ(report->start_ms, 1'700'000'000'000);
  EXPECT_EQ(report->end_ms, 1'700'000'010'000);
  // The host known only by its MAC address is left out.
  ASSERT_EQ(report->hosts.size(), 2u);

  const HostReport& local = report->hosts[0];
  EXPECT_EQ(local.address.to_string(), "127.0.0.1");
  EXPECT_TRUE(local.up);
  EXPECT_EQ(local.reason, "localhost-response");
  EXPECT_EQ(local.mac, "02:42:ac:11:00:02");
  EXPECT_EQ(local.hostnames, std::vector<std::string>{"localhost"});
  EXPECT_EQ(local.os, "Linux 5.0 - 5.14");
  EXPECT_EQ(local.os_accuracy, 100);
  EXPECT_EQ(local.scripts, (std::vector<ScriptOutput>{{"clock-skew", "mean: 0s"}}));
  ASSERT_EQ(local.ports.size(), 3u);  // the SCTP port is not in our model

  const PortReport& ssh = local.ports[0];
  EXPECT_EQ(ssh.port, 22);
  EXPECT_EQ(ssh.protocol, Protocol::kTcp);
  EXPECT_EQ(ssh.state, PortState::kOpen);
  EXPECT_EQ(ssh.reason, "syn-ack");
  ASSERT_TRUE(ssh.service);
  EXPECT_EQ(ssh.service->service, "ssh");
  EXPECT_EQ(ssh.service->product, "OpenSSH");
  EXPECT_EQ(ssh.service->version, "9.2p1 Debian 2+deb12u3");
  EXPECT_EQ(ssh.service->info, "protocol 2.0");
  EXPECT_EQ(ssh.service->os, "Linux");
  EXPECT_EQ(ssh.service->cpes, (std::vector<std::string>{"cpe:/a:openbsd:openssh:9.2p1",
                                                         "cpe:/o:linux:linux_kernel"}));
  EXPECT_TRUE(ssh.tunnel.empty());

  const PortReport& https = local.ports[1];
  EXPECT_EQ(https.port, 443);
  EXPECT_EQ(https.tunnel, "ssl");
  EXPECT_EQ(https.service->service, "http");
  EXPECT_EQ(https.scripts,
            (std::vector<ScriptOutput>{
                {"ssl-cert",
                 "Subject: commonName=www.example.com\nNot valid after:  2030-01-01T00:00:00"},
                {"http-title", "Welcome to nginx!"}}));
  EXPECT_TRUE(ssh.scripts.empty());

  const PortReport& dns = local.ports[2];
  EXPECT_EQ(dns.protocol, Protocol::kUdp);
  EXPECT_EQ(dns.state, PortState::kOpenFiltered);  // our UDP scanner's state of silence
  EXPECT_EQ(dns.reason, "no-response");

  const HostReport& down = report->hosts[1];
  EXPECT_EQ(down.address.to_string(), "::1");
  EXPECT_FALSE(down.up);
  EXPECT_TRUE(down.ports.empty());
}

TEST(NmapXml, NmapsStatesWeDoNotHaveReadAsFilteredWithTheStateAsReason) {
  constexpr std::string_view kIdle = R"(<?xml version="1.0"?>
<nmaprun scanner="nmap" version="7.93"><host><status state="up" reason="user-set"/>
<address addr="127.0.0.1" addrtype="ipv4"/><ports>
<port protocol="tcp" portid="80"><state state="closed|filtered" reason="no-ipid-change"/></port>
<port protocol="tcp" portid="81"><state state="unfiltered" reason="reset"/></port>
</ports></host></nmaprun>
)";
  Result<ScanReport> report = parse_nmap_xml(kIdle);
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->hosts.size(), 1u);
  ASSERT_EQ(report->hosts[0].ports.size(), 2u);
  EXPECT_EQ(report->hosts[0].ports[0].state, PortState::kFiltered);
  EXPECT_EQ(report->hosts[0].ports[0].reason, "closed|filtered");
  EXPECT_EQ(report->hosts[0].ports[1].state, PortState::kFiltered);
  EXPECT_EQ(report->hosts[0].ports[1].reason, "unfiltered");
}

// nmap -sT names a port from nmap-services without probing it (method="table"); a port that
// table calls "unknown" (39869/tcp, found when a test's listener got that port) has no service.
TEST(NmapXml, APortTheTableCallsUnknownHasNoService) {
  constexpr std::string_view kConnect = R"(<?xml version="1.0"?>
<nmaprun scanner="nmap" version="7.93"><host><status state="up" reason="user-set"/>
<address addr="127.0.0.1" addrtype="ipv4"/><ports>
<port protocol="tcp" portid="39869"><state state="open" reason="syn-ack"/><service name="unknown" method="table" conf="3"/></port>
<port protocol="tcp" portid="8080"><state state="open" reason="syn-ack"/><service name="http-proxy" method="table" conf="3"/></port>
</ports></host></nmaprun>
)";
  Result<ScanReport> report = parse_nmap_xml(kConnect);
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->hosts.size(), 1u);
  ASSERT_EQ(report->hosts[0].ports.size(), 2u);
  EXPECT_FALSE(report->hosts[0].ports[0].service);
  ASSERT_TRUE(report->hosts[0].ports[1].service);
  EXPECT_EQ(report->hosts[0].ports[1].service->service, "http-proxy");
}

void expect_refused(std::string_view xml, std::string_view words,
                    const NmapXmlLimits& limits = {}) {
  Result<ScanReport> report = parse_nmap_xml(xml, limits);
  ASSERT_FALSE(report) << xml;
  EXPECT_EQ(report.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(report.error().message.find(words), std::string::npos) << report.error().message;
}

TEST(NmapXml, BrokenOrForeignDocumentsAreRefusedWithWhereAndWhy) {
  expect_refused("", "line 1");
  expect_refused("<nmaprun><host>", "line 1, column 15");
  expect_refused("<nmaprun>\n<host><address addr=\"127.0.0.1\" addrtype=\"ipv4\"></host>",
                 "line 2");
  expect_refused("<html><body/></html>", "not an nmap XML report");
  expect_refused(R"(<nmaprun><host><address addr="300.1.2.3" addrtype="ipv4"/></host></nmaprun>)",
                 "'300.1.2.3' is not an ipv4 address");
  expect_refused(R"(<nmaprun><host><address addr="::1" addrtype="ipv4"/></host></nmaprun>)",
                 "not an ipv4 address");
  expect_refused(
      R"(<nmaprun><host><address addr="127.0.0.1" addrtype="ipv4"/><ports><port protocol="tcp" portid="70000"/></ports></host></nmaprun>)",
      "'70000' is not a port number");
  expect_refused(
      R"(<nmaprun><host><address addr="127.0.0.1" addrtype="ipv4"/><address addr="02:42:AC:11:00" addrtype="mac"/></host></nmaprun>)",
      "'02:42:AC:11:00' is not a MAC address");
}

TEST(MacAddress, ReadsSixHexPairsInEitherCaseAndNothingElse) {
  const auto mac = parse_mac("02:42:AC:11:0a:Ff");
  ASSERT_TRUE(mac);
  EXPECT_EQ(mac_to_string(*mac), "02:42:ac:11:0a:ff");
  for (const char* bad : {"", "02:42:ac:11:00", "02:42:ac:11:00:02:03", "02-42-ac-11-00-02",
                          "02:42:ac:11:00:0g", "002:42:ac:11:00:2", " 2:42:ac:11:00:02"}) {
    EXPECT_FALSE(parse_mac(bad)) << bad;
  }
}

TEST(NmapXml, EntityDeclarationsAreRefusedSoNothingExpands) {
  expect_refused(R"(<?xml version="1.0"?>
<!DOCTYPE nmaprun [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<nmaprun scanner="&b;"/>)",
                 "entity declarations are not allowed");
}

TEST(NmapXml, DocumentsOverTheLimitsAreRefusedAsAWhole) {
  NmapXmlLimits limits;
  limits.max_hosts = 1;
  expect_refused(kReport, "more than 1 hosts", limits);
  limits = {};
  limits.max_ports = 2;
  expect_refused(kReport, "more than 2 ports", limits);
  limits = {};
  limits.max_bytes = 100;
  expect_refused(kReport, "larger than 100 bytes", limits);
  limits = {};
  limits.max_text = 10;
  expect_refused(kReport, "longer than 10 characters", limits);
  std::string deep = "<nmaprun>";
  for (int i = 0; i < 40; ++i) deep += "<x>";
  expect_refused(deep, "nested too deep");
}

TEST(NmapXml, CutsALongScriptOutputAndCapsHowManyThereAre) {
  const std::string report = R"(<nmaprun><host><address addr="127.0.0.1" addrtype="ipv4"/><ports>)"
                             R"(<port protocol="tcp" portid="443"><state state="open"/>)"
                             R"(<script id="ssl-enum-ciphers" output=")" +
                             std::string(100, 'x') +
                             R"("/><script id="x" output="a"/><script id="y" output="b"/>)"
                             R"(</port></ports></host></nmaprun>)";
  NmapXmlLimits limits;
  limits.max_script_output = 10;
  Result<ScanReport> cut = parse_nmap_xml(report, limits);
  ASSERT_TRUE(cut) << cut.error().message;
  ASSERT_EQ(cut->hosts.at(0).ports.at(0).scripts.size(), 3u);
  EXPECT_EQ(cut->hosts[0].ports[0].scripts[0].output, "xxxxxxxxxx [cut]");

  limits.max_scripts = 2;
  Result<ScanReport> refused = parse_nmap_xml(report, limits);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("more than 2 script outputs"), std::string::npos)
      << refused.error().message;
}

}  // namespace
}  // namespace sentinel::scan
