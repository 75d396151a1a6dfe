#include "src/scan/nmap_services.h"

#include <gtest/gtest.h>

#include <string>

namespace sentinel::scan {
namespace {

using Ports = std::vector<std::uint16_t>;

TEST(NmapServices, RanksByFrequencyThenByPortNumber) {
  const std::string text =
      "# written for this test\n"
      "web\t80/tcp\t0.4\t# comment\n"
      "names\t53/udp\t0.3\n"
      "tie-high\t9001/tcp\t0.2\n"
      "tie-low\t9000/tcp\t0.2\n"
      "rare\t7/tcp\t0.0\n";
  EXPECT_EQ(rank_nmap_services(text, Protocol::kTcp), (Ports{80, 9000, 9001, 7}));
  EXPECT_EQ(rank_nmap_services(text, Protocol::kUdp), (Ports{53}));
}

TEST(NmapServices, APortListedTwiceRanksOnceAtItsHighestFrequency) {
  const std::string low_first = "a\t25/tcp\t0.1\nb\t110/tcp\t0.2\nc\t25/tcp\t0.3\n";
  const std::string high_first = "c\t25/tcp\t0.3\nb\t110/tcp\t0.2\na\t25/tcp\t0.1\n";
  EXPECT_EQ(rank_nmap_services(low_first, Protocol::kTcp), (Ports{25, 110}));
  EXPECT_EQ(rank_nmap_services(high_first, Protocol::kTcp), (Ports{25, 110}));
}

// A "nan" frequency compared neither higher nor lower than any other, so the ranking of the
// other ports depended on where the line stood (an input written against the fuzz target's
// line-order check; 141,170 fuzzer runs had not reached a "nan").
TEST(NmapServices, SkipsFrequenciesThatAreNotNumbersFromZeroUp) {
  const std::string lines[] = {"a\t1/tcp\t0.2",  "b\t2/tcp\tnan",  "c\t3/tcp\t0.7",
                               "d\t4/tcp\t0.1",  "e\t5/tcp\t0.9",  "f\t6/tcp\tinf",
                               "g\t7/tcp\t-0.5", "h\t8/tcp\t1e999"};
  std::string forward;
  std::string backward;
  for (const std::string& line : lines) {
    forward += line + "\n";
    backward = line + "\n" + backward;
  }
  EXPECT_EQ(rank_nmap_services(forward, Protocol::kTcp), (Ports{5, 3, 1, 4}));
  EXPECT_EQ(rank_nmap_services(backward, Protocol::kTcp), (Ports{5, 3, 1, 4}));
}

TEST(NmapServices, TopNCutsTheRankingOrFillsItUpWithTheLowestPorts) {
  const std::string text = "a\t443/tcp\t0.5\nb\t2/tcp\t0.4\nc\t8080/tcp\t0.3\n";
  EXPECT_EQ(top_ports_in(text, 2, Protocol::kTcp), (Ports{2, 443}));
  EXPECT_EQ(top_ports_in(text, 5, Protocol::kTcp), (Ports{1, 2, 3, 443, 8080}));
  EXPECT_EQ(top_ports_in(text, 65535, Protocol::kTcp).size(), 65535u);
}

TEST(NmapServices, TopNUsesTheBuiltInListWhenTheTextRanksNoPortOfTheProtocol) {
  const Ports top = top_ports_in("a\t443/tcp\t0.5\n", 1, Protocol::kUdp);
  EXPECT_EQ(top, (Ports{builtin_common_ports(Protocol::kUdp).front()}));
  EXPECT_EQ(top_ports_in("", 3, Protocol::kTcp).size(), 3u);
}

}  // namespace
}  // namespace sentinel::scan
