// The lines and the size cap shared by the readers of nmap's data files.

#include "src/scan/nmap_data_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/temp_dir.h"

namespace sentinel::scan {
namespace {

std::vector<std::pair<int, std::string>> lines_of(std::string_view text) {
  std::vector<std::pair<int, std::string>> lines;
  NmapDataLines reader(text);
  while (const auto line = reader.next()) lines.emplace_back(line->number, line->text);
  return lines;
}

TEST(NmapDataLines, NumbersCountBlankAndCommentLines) {
  const auto lines = lines_of(
      "# header\n"
      "\n"
      "first\tline \n"
      "   \t\n"
      "  # an indented comment\n"
      "\tsecond # not a comment here\n"
      "last without newline");
  const std::vector<std::pair<int, std::string>> expected = {
      {3, "first\tline"}, {6, "second # not a comment here"}, {7, "last without newline"}};
  EXPECT_EQ(lines, expected);
}

TEST(NmapDataLines, ReadsCrlfLinesAsTheirText) {
  const std::vector<std::pair<int, std::string>> expected = {{1, "a 1"}, {3, "b\t2"}};
  EXPECT_EQ(lines_of("a 1\r\n\r\nb\t2 \r\n#c\r\n"), expected);
  EXPECT_TRUE(lines_of("").empty());
  EXPECT_TRUE(lines_of("\n\n# only comments\n").empty());
}

TEST(ParseNmapPort, TakesDecimalPortNumbersFromOneTo65535Only) {
  EXPECT_EQ(parse_nmap_port("1"), 1);
  EXPECT_EQ(parse_nmap_port("00053"), 53);
  EXPECT_EQ(parse_nmap_port("65535"), 65535);
  for (const char* bad : {"", "0", "65536", "000053", "+53", "-1", " 53", "53 ", "0x35", "5a"}) {
    EXPECT_EQ(parse_nmap_port(bad), std::nullopt) << bad;
  }
}

TEST(ReadNmapDataFile, RefusesMissingFilesAndFilesOverTheCap) {
  EXPECT_EQ(read_nmap_data_file("/nonexistent/nmap-services", 10).error().code,
            ErrorCode::kNotFound);
  test::TempDir dir;
  const std::string path = (dir.path() / "data").string();
  std::ofstream(path, std::ios::binary) << std::string(10, 'x');
  EXPECT_EQ(*read_nmap_data_file(path, 10), std::string(10, 'x'));
  const auto over = read_nmap_data_file(path, 9);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().message, path + " is larger than 9 bytes");
}

}  // namespace
}  // namespace sentinel::scan
