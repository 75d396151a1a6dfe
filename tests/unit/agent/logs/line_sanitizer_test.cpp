// sanitize_line: what reaches events is valid UTF-8 without NUL or terminal controls, at most
// the cap, and each kind of damage is reported.

#include "agent/collectors/logs/line_sanitizer.h"

#include <gtest/gtest.h>

#include <string>

namespace sentinel::agent::logs {
namespace {

using namespace std::string_view_literals;

constexpr std::string_view kFffd = "\xEF\xBF\xBD";

struct Sanitized {
  std::string text;
  LineDefects defects;
};

Sanitized sanitize(std::string_view raw, SanitizeOptions options = {}, bool cut = false) {
  std::string scratch;
  Sanitized result;
  result.text = std::string(sanitize_line(raw, options, scratch, result.defects, cut));
  return result;
}

TEST(LineSanitizer, CleanTextIsReturnedAsItIsWithoutACopy) {
  const std::string_view raw = "Nov 26 01:02:03 web1 sshd[1]: Accepted\tpublickey";
  std::string scratch;
  LineDefects defects;
  const std::string_view out = sanitize_line(raw, {}, scratch, defects);
  EXPECT_EQ(out.data(), raw.data());
  EXPECT_FALSE(defects.binary || defects.invalid_utf8 || defects.cut);
}

TEST(LineSanitizer, ValidMultibyteTextIsKept) {
  const auto result = sanitize("user J\xC3\xBCrgen \xE2\x82\xAC \xF0\x9F\x94\x91");
  EXPECT_EQ(result.text, "user J\xC3\xBCrgen \xE2\x82\xAC \xF0\x9F\x94\x91");
  EXPECT_FALSE(result.defects.invalid_utf8);
}

TEST(LineSanitizer, NulAndControlBytesBecomeReplacementCharacters) {
  const auto result = sanitize(
      "a\0b\x07"
      "c\x7f"
      "d\re"sv);
  EXPECT_EQ(result.text, "a" + std::string(kFffd) + "b" + std::string(kFffd) + "c" +
                             std::string(kFffd) + "d" + std::string(kFffd) + "e");
  EXPECT_TRUE(result.defects.binary);
  EXPECT_FALSE(result.defects.invalid_utf8);
}

TEST(LineSanitizer, AuditdsGroupSeparatorIsKept) {
  const auto result = sanitize("res=failed'\x1dUID=\"root\"");
  EXPECT_EQ(result.text, "res=failed'\x1dUID=\"root\"");
  EXPECT_FALSE(result.defects.binary);
}

TEST(LineSanitizer, NewlinesAreKeptOnlyWhenAsked) {
  EXPECT_TRUE(sanitize("two\nlines").defects.binary);
  const auto kept = sanitize("two\nlines", SanitizeOptions{.keep_newlines = true});
  EXPECT_EQ(kept.text, "two\nlines");
  EXPECT_FALSE(kept.defects.binary);
}

TEST(LineSanitizer, EachMaximalInvalidSubpartBecomesOneReplacement) {
  // Unicode 15, table 3-8: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64 -> a FFFD FFFD FFFD b FFFD c
  // FFFD FFFD d.
  const auto result = sanitize("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64");
  const std::string r(kFffd);
  EXPECT_EQ(result.text, "a" + r + r + r + "b" + r + "c" + r + r + "d");
  EXPECT_TRUE(result.defects.invalid_utf8);
  EXPECT_FALSE(result.defects.binary);
}

TEST(LineSanitizer, OverlongsSurrogatesAndOutOfRangeAreInvalid) {
  for (const char* bad : {"\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF"}) {
    const auto result = sanitize(bad);
    EXPECT_TRUE(result.defects.invalid_utf8) << bad;
    EXPECT_TRUE(is_valid_utf8(result.text));
    EXPECT_FALSE(is_valid_utf8(bad));
  }
}

TEST(LineSanitizer, ATruncatedSequenceAtTheEndIsInvalidUnlessTheCallerCutThere) {
  EXPECT_TRUE(sanitize("caf\xC3").defects.invalid_utf8);
  const auto cut = sanitize("caf\xC3", {}, /*cut=*/true);
  EXPECT_EQ(cut.text, "caf");
  EXPECT_FALSE(cut.defects.invalid_utf8);
  EXPECT_TRUE(cut.defects.cut);
}

TEST(LineSanitizer, TheOutputNeverExceedsTheCapEvenWhenReplacementsGrowIt) {
  const std::string junk(100, '\0');  // 100 bytes become 300
  const auto result = sanitize(junk, SanitizeOptions{.max_bytes = 64});
  EXPECT_EQ(result.text.size(), 63u);  // 21 whole replacement characters
  EXPECT_TRUE(result.defects.cut);
  EXPECT_TRUE(is_valid_utf8(result.text));

  const auto ascii = sanitize(std::string(100, 'a'), SanitizeOptions{.max_bytes = 64});
  EXPECT_EQ(ascii.text, std::string(64, 'a'));
  EXPECT_TRUE(ascii.defects.cut);
}

}  // namespace
}  // namespace sentinel::agent::logs
