// What an nmap report (an nmap job's output or an imported file) leaves in the results: the hosts
// up with how nmap found each and the MAC it saw, as our own discovery reports them.

#include <gtest/gtest.h>

#include "sentinel/scan/nmap_xml.h"
#include "sentinel/scanner/found_results.h"

namespace sentinel::scanner {
namespace {

constexpr std::string_view kReport = R"(<?xml version="1.0"?>
<nmaprun scanner="nmap" version="7.93">
<host><status state="up" reason="arp-response"/>
<address addr="10.9.0.2" addrtype="ipv4"/><address addr="02:42:AC:11:00:02" addrtype="mac"/>
<ports><port protocol="tcp" portid="22"><state state="open" reason="syn-ack"/></port></ports></host>
<host><status state="up" reason="echo-reply"/><address addr="10.9.0.3" addrtype="ipv4"/></host>
<host><status state="up" reason="user-set"/><address addr="10.9.0.4" addrtype="ipv4"/></host>
<host><status state="down" reason="no-response"/><address addr="10.9.0.5" addrtype="ipv4"/></host>
</nmaprun>
)";

TEST(NmapResultsTest, HostsUpKeepHowNmapFoundThemAndTheirMac) {
  auto report = scan::parse_nmap_xml(kReport);
  ASSERT_TRUE(report) << report.error().message;
  JobCounters counters;
  const std::vector<FoundHost> hosts = found_hosts(*report, counters);
  ASSERT_EQ(hosts.size(), 3u) << "the host down is not a result";

  EXPECT_EQ(hosts[0].address.to_string(), "10.9.0.2");
  EXPECT_EQ(hosts[0].reason, "arp-response");
  EXPECT_EQ(hosts[0].mac, "02:42:ac:11:00:02") << "written as our discovery writes it";
  ASSERT_EQ(hosts[0].ports.size(), 1u);

  EXPECT_EQ(hosts[1].reason, "echo-reply");
  EXPECT_EQ(hosts[1].mac, "");
  EXPECT_TRUE(hosts[1].ports.empty()) << "up without open ports is still a result";
  // -Pn: nmap did not find it; like our jobs without discovery, no reason.
  EXPECT_EQ(hosts[2].reason, "");
}

}  // namespace
}  // namespace sentinel::scanner
