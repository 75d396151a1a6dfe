#include "sentinel/scan/port_names.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace sentinel::scan {
namespace {

constexpr std::string_view kTable =
    "# written for this test\n"
    "https-alt\t8443/tcp\t0.000600\t# HTTPS Alternate\n"
    "pcsync-http\t8444/tcp\t0.000050\n"
    "domain\t53/udp\t0.213496\n"
    "domain\t53/tcp\t0.048463\n"
    "unknown\t9999/tcp\t0.000100\n"
    "often\t7000/tcp\t0.000200\n"
    "seldom\t7000/tcp\t0.000100\n"
    "beta\t7001/tcp\t0.000100\n"
    "alpha\t7001/tcp\t0.000100\n";

TEST(PortNamesTest, NamesEachPortOfEachProtocolAsNmapServicesDoes) {
  const PortNames names = PortNames::parse(kTable);
  EXPECT_EQ(names.name(Protocol::kTcp, 8443), "https-alt");
  EXPECT_EQ(names.name(Protocol::kTcp, 8444), "pcsync-http");
  EXPECT_EQ(names.name(Protocol::kUdp, 53), "domain");
  EXPECT_EQ(names.name(Protocol::kTcp, 53), "domain");
  EXPECT_EQ(names.name(Protocol::kUdp, 8443), "");
  EXPECT_EQ(names.name(Protocol::kTcp, 1), "");
}

TEST(PortNamesTest, APortNamedTwiceTakesItsCommonerNameAndUnknownIsNoName) {
  const PortNames names = PortNames::parse(kTable);
  EXPECT_EQ(names.name(Protocol::kTcp, 7000), "often");
  EXPECT_EQ(names.name(Protocol::kTcp, 7001), "alpha");  // equal frequencies: byte order
  EXPECT_EQ(names.name(Protocol::kTcp, 9999), "");
}

TEST(PortNamesTest, WithoutTheFileThereAreNoNames) {
  test::TempDir dir{"sentinel-port-names"};
  EXPECT_EQ(PortNames::load(dir.path() / "nmap-services").size(), 0u);
  EXPECT_EQ(PortNames().name(Protocol::kTcp, 8443), "");
}

}  // namespace
}  // namespace sentinel::scan
