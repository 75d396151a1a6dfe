// The shared text helpers: blanks trimmed, which bytes count as control characters (C0 and DEL,
// not UTF-8 bytes) and the exceptions a caller allows, and hexadecimal digit values.

#include "sentinel/common/text.h"

#include <gtest/gtest.h>

#include <string_view>

namespace sentinel {
namespace {

using namespace std::string_view_literals;

TEST(TextTest, TrimBlanksRemovesSpacesAndTabsAtBothEnds) {
  EXPECT_EQ(trim_blanks(" \t a b\t "), "a b");
  EXPECT_EQ(trim_blanks(" \t "), "");
  EXPECT_EQ(trim_blanks("\na\r"), "\na\r");
}

TEST(TextTest, ControlCharactersAreC0AndDelOnly) {
  for (int byte = 0; byte < 256; ++byte) {
    const bool control = byte < 0x20 || byte == 0x7f;
    EXPECT_EQ(is_control_character(static_cast<char>(byte)), control) << "byte " << byte;
  }
}

TEST(TextTest, HasControlCharacterFindsOneAnywhere) {
  EXPECT_FALSE(has_control_character(""));
  EXPECT_FALSE(has_control_character("plain text, ~ and a space"));
  EXPECT_FALSE(has_control_character("caf\xc3\xa9 \xe2\x80\xae \xff"));
  EXPECT_TRUE(has_control_character("a\tb"));
  EXPECT_TRUE(has_control_character("end\n"));
  EXPECT_TRUE(
      has_control_character("\x7f"
                            "start"));
  EXPECT_TRUE(has_control_character("nul\0inside"sv));
}

TEST(TextTest, HasControlCharacterSkipsOnlyTheAllowedOnes) {
  EXPECT_FALSE(has_control_character("two\nlines\tand a tab", "\n\t"));
  EXPECT_TRUE(has_control_character("a\rb", "\n\t"));
  EXPECT_TRUE(has_control_character("a\x7f", "\n\t"));
  EXPECT_TRUE(has_control_character("nul\0inside"sv, "\n\t"));
}

TEST(TextTest, HexDigitValues) {
  EXPECT_EQ(hex_digit_value('0'), 0);
  EXPECT_EQ(hex_digit_value('9'), 9);
  EXPECT_EQ(hex_digit_value('a'), 10);
  EXPECT_EQ(hex_digit_value('F'), 15);
  for (const char c : "/:@G`gx \xff"sv) {
    EXPECT_FALSE(hex_digit_value(c).has_value()) << "character " << static_cast<int>(c);
  }
}

}  // namespace
}  // namespace sentinel
