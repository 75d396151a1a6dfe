// UDP payload files: reading nmap's format (our own set and nmap's file), every problem named by
// line and part, the caps, and the port table.

#include "sentinel/scan/udp_payloads.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/support/temp_dir.h"

namespace sentinel::scan {
namespace {

using namespace std::string_view_literals;

constexpr std::string_view kFile = R"(# a small payload file
udp 7 "\x0D\x0A\x0D\x0A"
# several strings, a comment between them, an escape of each kind
udp 53,69,5353-5354
  "\x00\x01" # the id
  # a whole comment line inside the entry
  "ab\0\\\"\'\a\b\f\n\r\t\v#"
udp 53 "second for 53"
source 500

udp 9 "with an unknown keyword" frobnicate
flavour vanilla and more
)";

std::string problem_text(const UdpPayloads& table) {
  std::string text;
  for (const auto& problem : table.problems()) {
    text += std::to_string(problem.line) + ": " + problem.reason + "\n";
  }
  return text;
}

TEST(UdpPayloads, ReadsEntriesStringsEscapesAndPortRanges) {
  const UdpPayloads table = UdpPayloads::parse(kFile, "test");
  EXPECT_EQ(table.origin(), "test");
  ASSERT_EQ(table.payload_count(), 4u) << problem_text(table);

  ASSERT_EQ(table.for_port(7).size(), 1u);
  EXPECT_EQ(table.for_port(7)[0], "\r\n\r\n");

  const auto dns = table.for_port(53);
  ASSERT_EQ(dns.size(), 2u);
  EXPECT_EQ(dns[0],
            "\x00\x01"
            "ab\0\\\"'\a\b\f\n\r\t\v#"sv);
  EXPECT_EQ(dns[1], "second for 53") << "file order within a port";
  for (const std::uint16_t port : {69, 5353, 5354}) {
    ASSERT_EQ(table.for_port(port).size(), 1u) << port;
    EXPECT_EQ(table.for_port(port)[0], dns[0]) << port;
  }
  EXPECT_TRUE(table.for_port(5355).empty());
  EXPECT_TRUE(table.for_port(8).empty());
  EXPECT_EQ(table.port_count(), 6u);  // 7, 9, 53, 69, 5353, 5354
}

TEST(UdpPayloads, AnUnknownKeywordIsListedAndIgnoredWithItsLine) {
  const UdpPayloads table = UdpPayloads::parse(kFile, "test");
  ASSERT_EQ(table.for_port(9).size(), 1u) << "the entry is kept, as the format asks";
  EXPECT_EQ(table.for_port(9)[0], "with an unknown keyword");
  ASSERT_EQ(table.problems().size(), 2u) << problem_text(table);
  EXPECT_EQ(table.problems()[0].line, 11);
  EXPECT_NE(table.problems()[0].reason.find("unknown keyword 'frobnicate'"), std::string::npos);
  EXPECT_EQ(table.problems()[1].line, 12);
  EXPECT_NE(table.problems()[1].reason.find("'flavour'"), std::string::npos);

  // After an entry's strings, any word but `udp` is a keyword: another protocol is one too.
  const UdpPayloads other = UdpPayloads::parse("udp 80 \"x\"\ntcp 81 \"y\"\n", "test");
  ASSERT_EQ(other.problems().size(), 1u) << problem_text(other);
  EXPECT_NE(other.problems()[0].reason.find("unknown keyword 'tcp'"), std::string::npos);
  EXPECT_EQ(other.for_port(80).size(), 1u);
  EXPECT_TRUE(other.for_port(81).empty());
}

struct BadEntry {
  std::string_view text;
  std::string_view reason;  // a part of the message
};

TEST(UdpPayloads, EveryBadEntryIsNamedByLineAndDroppedWhileTheRestLoads) {
  const BadEntry cases[] = {
      {"udp 0 \"x\"", "port list: '0' is not a port"},
      {"udp 70000 \"x\"", "port list: '70000' is not a port"},
      {"udp 90-80 \"x\"", "range '90-80' runs backwards"},
      {"udp 80,,81 \"x\"", "port list: an empty item"},
      {"udp 80, \"x\"", "port list: an empty item"},
      {"udp +80 \"x\"", "port list: '+80'"},
      {"udp a-b \"x\"", "port list: 'a-b'"},
      {"udp \"x\"", "port list: missing after 'udp'"},
      {"udp 80 \"unterminated", "no closing quote"},
      {"udp 80 \"a\\qb\"", "unknown escape \\q"},
      {"udp 80 \"\\x4\"", "\\x needs two hex digits"},
      {"udp 80 \"\x01\"", "raw control byte 0x01"},
      {"udp 80", "the entry has none"},
      {"udp 80 source 53", "none before 'source'"},
      {"udp 80 \"x\"\nsource", "keyword source: expected one port number"},
      {"udp 80 \"x\"\nsource 0", "keyword source"},
      {"udp 80 \"x\"\nsource 53 54", "keyword source"},
      {"udp 80 \"x\"\nsource 53\n\"late\"", "after a keyword"},
  };
  for (const BadEntry& bad : cases) {
    const std::string text =
        "udp 1 \"before\"\n" + std::string(bad.text) + "\nudp 2 \"after\" # fine\n";
    const UdpPayloads table = UdpPayloads::parse(text, "test");
    ASSERT_FALSE(table.problems().empty()) << bad.text;
    EXPECT_NE(table.problems()[0].reason.find(bad.reason), std::string::npos)
        << bad.text << " gave: " << problem_text(table);
    EXPECT_GE(table.problems()[0].line, 2) << bad.text;
    EXPECT_EQ(table.for_port(80).size(), 0u) << bad.text << ": the bad entry is dropped";
    EXPECT_EQ(table.for_port(1).size(), 1u) << bad.text;
    EXPECT_EQ(table.for_port(2).size(), 1u) << bad.text << ": reading resumes at the next entry";
  }
}

TEST(UdpPayloads, ContinuationLinesOfASkippedPartAreSkippedQuietly) {
  UdpPayloads table =
      UdpPayloads::parse("tcp 80\n  \"a\"\n  \"b\"\nudp 81 \"ok\"\n  \"more\"\n", "test");
  ASSERT_EQ(table.problems().size(), 1u) << problem_text(table);
  EXPECT_EQ(table.problems()[0].line, 1);
  EXPECT_NE(table.problems()[0].reason.find("expected 'udp' and a port list, found 'tcp'"),
            std::string::npos);
  ASSERT_EQ(table.for_port(81).size(), 1u);
  EXPECT_EQ(table.for_port(81)[0], "okmore");

  table = UdpPayloads::parse("\"orphan\"\n\"more\"\nudp 82 \"ok\"\n", "test");
  ASSERT_EQ(table.problems().size(), 1u) << problem_text(table);
  EXPECT_NE(table.problems()[0].reason.find("payload string outside an entry"), std::string::npos);
  EXPECT_EQ(table.for_port(82).size(), 1u);
}

TEST(UdpPayloads, CapsLinesPayloadsAndPortPairs) {
  const std::string long_line = "udp 80 \"" + std::string(1100, 'a') + "\"\nudp 81 \"ok\"\n";
  UdpPayloads table = UdpPayloads::parse(long_line, "test");
  ASSERT_EQ(table.problems().size(), 1u) << problem_text(table);
  EXPECT_NE(table.problems()[0].reason.find("longer than 1024"), std::string::npos);
  EXPECT_TRUE(table.for_port(80).empty());
  EXPECT_EQ(table.for_port(81).size(), 1u);

  std::string big = "udp 80\n";
  for (int i = 0; i < 3; ++i) big += "  \"" + std::string(800, 'b') + "\"\n";
  table = UdpPayloads::parse(big, "test");
  ASSERT_EQ(table.problems().size(), 1u) << problem_text(table);
  EXPECT_NE(table.problems()[0].reason.find("exceeds 2048 bytes"), std::string::npos);
  EXPECT_EQ(table.problems()[0].line, 4);
  EXPECT_TRUE(table.for_port(80).empty());

  // 65535 pairs each: four fit under 2^18, the fifth does not.
  std::string wide;
  for (int i = 0; i < 5; ++i) wide += "udp 1-65535 \"w" + std::to_string(i) + "\"\n";
  table = UdpPayloads::parse(wide, "test");
  ASSERT_EQ(table.problems().size(), 1u) << problem_text(table);
  EXPECT_EQ(table.problems()[0].line, 5);
  EXPECT_NE(table.problems()[0].reason.find("(port, payload) pairs"), std::string::npos);
  EXPECT_EQ(table.for_port(1234).size(), 4u);

  std::string noisy;
  for (int i = 0; i < 500; ++i) noisy += "junk\n";
  table = UdpPayloads::parse(noisy, "test");
  EXPECT_EQ(table.problems().size(), 1u) << "one problem, then skipping to the next entry";
  noisy.clear();
  for (int i = 0; i < 500; ++i) noisy += "udp 0 \"x\"\n";
  table = UdpPayloads::parse(noisy, "test");
  EXPECT_EQ(table.problems().size(), 101u) << "100 listed, then one saying more follow";
}

TEST(UdpPayloads, SetReplacesOnePortAndLeavesOtherViewsValid) {
  UdpPayloads table = UdpPayloads::parse(kFile, "test");
  const auto before = table.for_port(53);
  ASSERT_EQ(before.size(), 2u);
  table.set(40000, {std::string(before[0]), "extra"});
  table.set(7, {});
  EXPECT_EQ(before[0], table.for_port(53)[0]) << "views of other ports survive set()";
  ASSERT_EQ(table.for_port(40000).size(), 2u);
  EXPECT_EQ(table.for_port(40000)[0], table.for_port(53)[0]);
  EXPECT_EQ(table.for_port(40000)[1], "extra");
  EXPECT_TRUE(table.for_port(7).empty());
  table.set(53, {"only"});
  ASSERT_EQ(table.for_port(53).size(), 1u);
  EXPECT_EQ(table.for_port(53)[0], "only");
  EXPECT_EQ(table.for_port(69).size(), 1u) << "other ports of the same entry keep theirs";
}

TEST(UdpPayloads, AWidePortRangeCostsNoMoreThanANarrowOne) {
  // Four entries of 65,535 ports each, 262,140 (port, payload) pairs: one run of ports.
  std::string wide;
  for (int i = 0; i < 4; ++i) wide += "udp 1-65535 \"w" + std::to_string(i) + "\"\n";
  UdpPayloads table = UdpPayloads::parse(wide, "test");
  ASSERT_TRUE(table.problems().empty()) << problem_text(table);
  EXPECT_EQ(table.port_run_count(), 1u);
  EXPECT_EQ(table.port_count(), 65535u);
  EXPECT_EQ(table.for_port(1).size(), 4u);
  EXPECT_EQ(table.for_port(65535)[3], "w3");
  EXPECT_EQ(UdpPayloads::parse("udp 7 \"narrow\"\n", "test").port_run_count(), 1u);

  // Runs split only where the payloads change: around 53 and around 100-300 (two ranges of one
  // entry, one run).
  table = UdpPayloads::parse("udp 1-65535 \"all\"\nudp 53 \"dns\"\nudp 100-200,201-300 \"mid\"\n",
                             "test");
  ASSERT_TRUE(table.problems().empty()) << problem_text(table);
  EXPECT_EQ(table.port_run_count(), 5u);  // 1-52, 53, 54-99, 100-300, 301-65535
  EXPECT_EQ(table.for_port(53), (std::vector<std::string_view>{"all", "dns"}));
  EXPECT_EQ(table.for_port(250), (std::vector<std::string_view>{"all", "mid"}));
  EXPECT_EQ(table.for_port(301), (std::vector<std::string_view>{"all"}));

  // set() cuts a run around its port; the parts keep their payloads.
  table.set(40000, {"only"});
  EXPECT_EQ(table.port_run_count(), 7u);
  EXPECT_EQ(table.for_port(39999), (std::vector<std::string_view>{"all"}));
  EXPECT_EQ(table.for_port(40000), (std::vector<std::string_view>{"only"}));
  EXPECT_EQ(table.for_port(40001), (std::vector<std::string_view>{"all"}));
  table.set(65535, {});
  EXPECT_TRUE(table.for_port(65535).empty());
  EXPECT_EQ(table.port_count(), 65534u);
}

TEST(UdpPayloads, TheBuiltInSetIsWellFormedProtocolRequests) {
  const UdpPayloads table = UdpPayloads::builtin();
  EXPECT_TRUE(table.problems().empty()) << problem_text(table);
  EXPECT_EQ(table.origin(), "builtin");
  for (const std::uint16_t port : {53, 69, 111, 123, 137, 161, 500, 623, 1900, 5353}) {
    EXPECT_FALSE(table.for_port(port).empty()) << port;
  }
  // A DNS query: not a response (QR clear), opcode QUERY, one question, which ends the message.
  const std::string_view dns = table.for_port(53)[0];
  ASSERT_EQ(dns.size(), 17u);
  EXPECT_EQ(static_cast<unsigned char>(dns[2]) & 0xf8, 0);
  EXPECT_EQ(dns.substr(4, 2), "\0\x01"sv);
  EXPECT_EQ(dns.substr(12), "\0\0\x02\0\x01"sv);  // root, NS, IN
  EXPECT_EQ(table.for_port(123)[0].size(), 48u);
  EXPECT_EQ(static_cast<unsigned char>(table.for_port(123)[0][0]), 0x23u);  // v4, client
  EXPECT_EQ(table.for_port(137)[0].size(), 50u);
  EXPECT_EQ(table.for_port(111)[0].size(), 40u);
  EXPECT_EQ(table.for_port(500)[0].size(), 80u);
  EXPECT_EQ(static_cast<unsigned char>(table.for_port(500)[0][27]), 80u) << "IKE length field";
  // SNMP: v2c then v1, each a BER sequence whose length covers the rest exactly.
  const auto snmp = table.for_port(161);
  ASSERT_EQ(snmp.size(), 2u);
  for (const std::string_view message : snmp) {
    ASSERT_EQ(message.size(), 43u);
    EXPECT_EQ(static_cast<unsigned char>(message[1]) + 2u, message.size());
    EXPECT_NE(message.find("public"), std::string_view::npos);
  }
  EXPECT_EQ(snmp[0][4], 1) << "v2c";
  EXPECT_EQ(snmp[1][4], 0) << "v1";
  EXPECT_EQ(table.for_port(1900)[0].substr(0, 9), "M-SEARCH ");
}

TEST(UdpPayloads, ReadsNmapsOwnFileWithoutASingleProblem) {
  // nmap is installed by scripts/install-deps.sh; its file is read, never copied.
  Result<UdpPayloads> table = UdpPayloads::load(std::string(kNmapPayloadsPath));
  ASSERT_TRUE(table) << table.error().message;
  EXPECT_TRUE(table->problems().empty()) << problem_text(*table);
  EXPECT_GT(table->payload_count(), 50u);
  EXPECT_GE(table->for_port(53).size(), 1u);
  EXPECT_GE(table->for_port(161).size(), 1u);
  EXPECT_GE(table->for_port(137).size(), 1u);
}

TEST(UdpPayloads, LoadRefusesMissingEmptyAndOversizedFiles) {
  EXPECT_EQ(UdpPayloads::load("/nonexistent/nmap-payloads").error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(UdpPayloads::load("/dev/null")) << "no payload at all";
  test::TempDir dir;
  const std::string path = (dir.path() / "nmap-payloads").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << "udp 53 \"x\"\n" << std::string(std::size_t{1} << 20, '#');
  }
  const auto oversized = UdpPayloads::load(path);
  ASSERT_FALSE(oversized);
  EXPECT_NE(oversized.error().message.find("larger than"), std::string::npos);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << "udp 53 \"x\"\r\nudp 54 \"y\"\r\n";  // CRLF lines are fine
  }
  const auto small = UdpPayloads::load(path);
  ASSERT_TRUE(small) << small.error().message;
  EXPECT_TRUE(small->problems().empty()) << problem_text(*small);
  EXPECT_EQ(small->for_port(54).size(), 1u);
  EXPECT_EQ(small->origin(), path);
}

}  // namespace
}  // namespace sentinel::scan
