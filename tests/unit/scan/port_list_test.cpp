#include "sentinel/scan/port_list.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/support/temp_dir.h"

namespace sentinel::scan {
namespace {

using Ports = std::vector<std::uint16_t>;

TEST(PortList, ParsesPortsAndRanges) {
  const auto list = PortList::parse("22, 80,8000-8003,443,80");
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->tcp, (Ports{22, 80, 443, 8000, 8001, 8002, 8003}));
  EXPECT_TRUE(list->udp.empty());
}

TEST(PortList, DashMeansEveryPortAndOpenEndsWork) {
  EXPECT_EQ(PortList::parse("-")->tcp.size(), 65535u);
  EXPECT_EQ(PortList::parse("1-65535")->tcp.size(), 65535u);
  EXPECT_EQ(PortList::parse("65530-")->tcp, (Ports{65530, 65531, 65532, 65533, 65534, 65535}));
  EXPECT_EQ(PortList::parse("-3")->tcp, (Ports{1, 2, 3}));
}

TEST(PortList, ProtocolPrefixesApplyToTheEntriesAfterThem) {
  const auto list = PortList::parse("21,T:22,80,U:53,161-162,T:443");
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->tcp, (Ports{21, 22, 80, 443}));
  EXPECT_EQ(list->udp, (Ports{53, 161, 162}));
  EXPECT_EQ(PortList::parse("53", Protocol::kUdp)->udp, (Ports{53}));
}

TEST(PortList, FormatRoundTrips) {
  const auto list = PortList::parse("T:22,80-82,443,U:53,67-68");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->format(), "T:22,80-82,443,U:53,67-68");
  EXPECT_EQ(*PortList::parse(list->format()), *list);
}

TEST(PortList, NamesEveryBadEntry) {
  const auto list = PortList::parse("22,0,70000,http,90-80,,S:80,T:,1-2-3", Protocol::kTcp, "p");
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().field, "p");
  const std::string& message = list.error().message;
  EXPECT_NE(message.find("8 invalid port entries"), std::string::npos) << message;
  EXPECT_NE(message.find("port entry '0': port 0 cannot be scanned"), std::string::npos) << message;
  EXPECT_NE(message.find("port entry '70000': port 70000 is above 65535"), std::string::npos)
      << message;
  EXPECT_NE(message.find("port entry 'http': 'http' is not a port number"), std::string::npos)
      << message;
  EXPECT_NE(message.find("port entry '90-80': the range runs backwards"), std::string::npos)
      << message;
  EXPECT_NE(message.find("port entry '': the entry is empty"), std::string::npos) << message;
  EXPECT_NE(message.find("port entry 'S:80': only the protocol prefixes"), std::string::npos)
      << message;
  EXPECT_NE(message.find("port entry 'T:': the entry is empty"), std::string::npos) << message;
  EXPECT_NE(message.find("port entry '1-2-3'"), std::string::npos) << message;
  EXPECT_FALSE(PortList::parse(""));
  EXPECT_FALSE(PortList::parse("   "));
}

class TopPortsTest : public ::testing::Test {
 protected:
  std::filesystem::path write_services(const std::string& text) {
    auto path = dir_.path() / "nmap-services";
    std::ofstream(path) << text;
    return path;
  }

  test::TempDir dir_;
};

TEST_F(TopPortsTest, RanksByFrequencyFromTheServicesFile) {
  const auto path = write_services(
      "# comment line\n"
      "ssh\t22/tcp\t0.182286\t# Secure Shell\n"
      "http\t80/tcp\t0.484143\n"
      "domain\t53/udp\t0.213496\n"
      "telnet\t23/tcp\t0.221265\n"
      "weird line without fields\n"
      "rare\t9999/tcp\t0.000001\n"
      "https\t443/tcp\t0.208669\n"
      "broken\t444/tcp\tnot-a-number\n");
  const auto top3 = top_ports(3, Protocol::kTcp, path);
  ASSERT_TRUE(top3) << top3.error().message;
  EXPECT_EQ(top3->tcp, (Ports{23, 80, 443}));
  EXPECT_TRUE(top3->udp.empty());
  EXPECT_EQ(top_ports(1, Protocol::kUdp, path)->udp, (Ports{53}));
  // More than the file lists: the file's ports, then the lowest port numbers.
  EXPECT_EQ(top_ports(7, Protocol::kTcp, path)->tcp, (Ports{1, 2, 22, 23, 80, 443, 9999}));
}

TEST_F(TopPortsTest, ReadsAServicesFileWithCrlfLinesAndIndentedComments) {
  const auto path = write_services(
      "  #echo\t7/tcp\t0.9\t# commented out\r\n"
      "first\t8001/tcp\t0.5\r\n"
      "second\t8002/tcp\t0.4\r\n");
  EXPECT_EQ(top_ports(2, Protocol::kTcp, path)->tcp, (Ports{8001, 8002}));
}

TEST_F(TopPortsTest, FallsBackToTheBuiltInListWithoutTheFile) {
  const auto top = top_ports(10, Protocol::kTcp, dir_.path() / "absent");
  ASSERT_TRUE(top);
  EXPECT_EQ(top->tcp.size(), 10u);
  const Ports expected_first(builtin_common_ports(Protocol::kTcp).begin(),
                             builtin_common_ports(Protocol::kTcp).begin() + 10);
  for (const std::uint16_t port : expected_first) {
    EXPECT_TRUE(std::count(top->tcp.begin(), top->tcp.end(), port)) << port;
  }
  EXPECT_EQ(top_ports(1000, Protocol::kTcp, dir_.path() / "absent")->tcp.size(), 1000u);
  EXPECT_EQ(top_ports(5, Protocol::kUdp, dir_.path() / "absent")->udp.front(), 53);
}

TEST_F(TopPortsTest, RefusesCountsOutOfRange) {
  EXPECT_FALSE(top_ports(0, Protocol::kTcp));
  EXPECT_FALSE(top_ports(65536, Protocol::kTcp));
  EXPECT_EQ(top_ports(65535, Protocol::kTcp, dir_.path() / "absent")->tcp.size(), 65535u);
}

TEST(TopPorts, ReadsTheInstalledNmapTableWhenPresent) {
  if (!std::filesystem::exists(kNmapServicesPath)) GTEST_SKIP() << "nmap is not installed";
  const auto top = top_ports(100, Protocol::kTcp);
  ASSERT_TRUE(top);
  EXPECT_EQ(top->tcp.size(), 100u);
  for (const std::uint16_t port : {21, 22, 23, 25, 80, 443, 3389}) {
    EXPECT_TRUE(std::count(top->tcp.begin(), top->tcp.end(), port)) << port;
  }
}

}  // namespace
}  // namespace sentinel::scan
