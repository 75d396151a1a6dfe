// FileTailer against real files in a temp dir: appends, rotation by rename, copytruncate, a
// missing file, restarts from a saved position, over-long lines, binary junk, invalid UTF-8.

#include "agent/collectors/logs/file_tailer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace sentinel::agent::logs {
namespace {

namespace fs = std::filesystem;
using namespace std::string_view_literals;

void append(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << text;
}

void overwrite(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// copytruncate: what logrotate does to a file whose writer cannot reopen it.
void copy_truncate(const fs::path& path, const fs::path& copy) {
  fs::copy_file(path, copy);
  fs::resize_file(path, 0);
}

std::vector<std::string> poll_lines(FileTailer& tailer) {
  std::vector<std::string> lines;
  PollResult result;
  do {
    result = tailer.poll([&](std::string_view line) { lines.emplace_back(line); });
  } while (result.more);
  return lines;
}

using Lines = std::vector<std::string>;

TailerOptions from_beginning() {
  TailerOptions options;
  options.start_at_beginning = true;
  return options;
}

class FileTailerTest : public ::testing::Test {
 protected:
  test::TempDir dir_{"tailer"};
  fs::path log_ = dir_.path() / "auth.log";
};

TEST_F(FileTailerTest, FirstSightStartsAtTheEndByDefault) {
  append(log_, "old 1\nold 2\n");
  FileTailer tailer(log_, TailerOptions{});
  EXPECT_EQ(poll_lines(tailer), Lines{});
  append(log_, "new 1\nnew 2\n");
  EXPECT_EQ(poll_lines(tailer), (Lines{"new 1", "new 2"}));
  EXPECT_EQ(tailer.position().offset, fs::file_size(log_));
}

TEST_F(FileTailerTest, FirstSightCanStartAtTheBeginning) {
  append(log_, "old 1\nold 2\n");
  FileTailer tailer(log_, from_beginning());
  EXPECT_EQ(poll_lines(tailer), (Lines{"old 1", "old 2"}));
}

TEST_F(FileTailerTest, StartingAtTheEndInsideALineSkipsItsTail) {
  append(log_, "old 1\nhalf a li");
  FileTailer tailer(log_, TailerOptions{});
  EXPECT_EQ(poll_lines(tailer), Lines{});
  append(log_, "ne\nnew\n");
  EXPECT_EQ(poll_lines(tailer), Lines{"new"});
}

TEST_F(FileTailerTest, AppendsArriveLineByLineAndPartialLinesWaitForTheirNewline) {
  overwrite(log_, "");
  FileTailer tailer(log_, TailerOptions{});
  EXPECT_EQ(poll_lines(tailer), Lines{});
  append(log_, "one\ntw");
  EXPECT_EQ(poll_lines(tailer), Lines{"one"});
  EXPECT_EQ(tailer.position().offset, 4u) << "the position stays before the partial line";
  append(log_, "o\r\nthree\n");
  EXPECT_EQ(poll_lines(tailer), (Lines{"two", "three"})) << "CRLF loses its CR";
  EXPECT_EQ(tailer.stats().lines.lines, 3u);
  EXPECT_EQ(tailer.stats().bytes_read, fs::file_size(log_));
}

TEST_F(FileTailerTest, RotationByRenameFinishesTheOldFileThenReadsTheNewOne) {
  overwrite(log_, "");
  FileTailer tailer(log_, TailerOptions{});
  poll_lines(tailer);
  append(log_, "before 1\n");
  EXPECT_EQ(poll_lines(tailer), Lines{"before 1"});
  // The writer appends once more, logrotate renames, the writer goes on in the old file until
  // it reopens, and a partial line is left at the old file's end.
  append(log_, "before 2\n");
  fs::rename(log_, dir_.path() / "auth.log.1");
  append(dir_.path() / "auth.log.1", "late\nunfinished");
  append(log_, "after 1\nafter 2\n");
  EXPECT_EQ(poll_lines(tailer), (Lines{"before 2", "late", "unfinished", "after 1", "after 2"}));
  EXPECT_EQ(tailer.stats().rotations, 1u);
  struct stat now {};
  ASSERT_EQ(::stat(log_.c_str(), &now), 0);
  EXPECT_EQ(tailer.position().inode, now.st_ino);
  EXPECT_EQ(tailer.position().offset, fs::file_size(log_));
}

TEST_F(FileTailerTest, AMissingFileIsRetriedAndReadWholeWhenItAppears) {
  FileTailer tailer(log_, TailerOptions{});
  EXPECT_EQ(poll_lines(tailer), Lines{});
  EXPECT_FALSE(tailer.is_open());
  EXPECT_EQ(poll_lines(tailer), Lines{});
  append(log_, "first\nsecond\n");
  EXPECT_EQ(poll_lines(tailer), (Lines{"first", "second"}))
      << "a file created after start is new: nothing of it is old";
  EXPECT_EQ(tailer.stats().open_errors, 0u) << "missing is not an error";
}

TEST_F(FileTailerTest, RotationWithTheNewFileCreatedLaterKeepsReadingTheOldOne) {
  overwrite(log_, "");
  FileTailer tailer(log_, TailerOptions{});
  poll_lines(tailer);
  fs::rename(log_, dir_.path() / "auth.log.1");
  append(dir_.path() / "auth.log.1", "still the old file\n");
  EXPECT_EQ(poll_lines(tailer), Lines{"still the old file"});
  append(log_, "new file\n");
  EXPECT_EQ(poll_lines(tailer), Lines{"new file"});
  EXPECT_EQ(tailer.stats().rotations, 1u);
}

TEST_F(FileTailerTest, CopytruncateStartsOverFromTheBeginning) {
  overwrite(log_, "");
  FileTailer tailer(log_, TailerOptions{});
  poll_lines(tailer);
  append(log_, "line 1\nline 2\n");
  EXPECT_EQ(poll_lines(tailer), (Lines{"line 1", "line 2"}));
  copy_truncate(log_, dir_.path() / "auth.log.1");
  append(log_, "after\n");
  EXPECT_EQ(poll_lines(tailer), Lines{"after"});
  EXPECT_EQ(tailer.stats().truncations, 1u);
  EXPECT_EQ(tailer.stats().rotations, 0u);
}

TEST_F(FileTailerTest, CopytruncateFollowedByMoreThanWasReadIsNoticedByTheFirstBytes) {
  overwrite(log_, "");
  FileTailer tailer(log_, TailerOptions{});
  poll_lines(tailer);
  append(log_, "short\n");
  EXPECT_EQ(poll_lines(tailer), Lines{"short"});
  copy_truncate(log_, dir_.path() / "auth.log.1");
  // Before the next poll, the file grows past the old offset: its size alone hides the truncation.
  append(log_, "a longer first line\nsecond\n");
  EXPECT_EQ(poll_lines(tailer), (Lines{"a longer first line", "second"}));
  EXPECT_EQ(tailer.stats().truncations, 1u);
}

TEST_F(FileTailerTest, RestartResumesExactlyAtTheSavedPosition) {
  overwrite(log_, "");
  FilePosition saved;
  {
    FileTailer tailer(log_, TailerOptions{});
    poll_lines(tailer);
    append(log_, "one\ntwo\nthr");
    EXPECT_EQ(poll_lines(tailer), (Lines{"one", "two"}));
    saved = tailer.position();
  }
  // Lines written while the agent was down, and the rest of the partial line.
  append(log_, "ee\nfour\n");
  FileTailer restarted(log_, TailerOptions{}, parse_file_position(to_string(saved)).value());
  EXPECT_EQ(poll_lines(restarted), (Lines{"three", "four"}));
}

TEST_F(FileTailerTest, RestartAfterRotationReadsTheNewFileFromItsStart) {
  overwrite(log_, "");
  FilePosition saved;
  {
    FileTailer tailer(log_, TailerOptions{});
    poll_lines(tailer);
    append(log_, "old\n");
    poll_lines(tailer);
    saved = tailer.position();
  }
  fs::rename(log_, dir_.path() / "auth.log.1");
  append(log_, "new 1\nnew 2\n");
  FileTailer restarted(log_, TailerOptions{}, saved);
  EXPECT_EQ(poll_lines(restarted), (Lines{"new 1", "new 2"}));
  EXPECT_EQ(restarted.stats().rotations, 1u);
}

TEST_F(FileTailerTest, RestartOnAReusedInodeIsNoticedByTheFingerprint) {
  append(log_, "first file, first line\n");
  FileTailer tailer(log_, from_beginning());
  poll_lines(tailer);
  FilePosition saved = tailer.position();
  // Same device and inode, other content: as if the inode had been freed and reused.
  overwrite(log_, "second file, longer first line\nand more\n");
  struct stat now {};
  ASSERT_EQ(::stat(log_.c_str(), &now), 0);
  ASSERT_EQ(saved.inode, now.st_ino);
  FileTailer restarted(log_, TailerOptions{}, saved);
  EXPECT_EQ(poll_lines(restarted), (Lines{"second file, longer first line", "and more"}));
}

TEST_F(FileTailerTest, RestartOnAFileThatShrankStartsOver) {
  append(log_, "aaaa\nbbbb\ncccc\n");
  FileTailer tailer(log_, from_beginning());
  poll_lines(tailer);
  const FilePosition saved = tailer.position();
  fs::resize_file(log_, 5);  // keeps "aaaa\n": same first bytes, shorter than the offset
  FileTailer restarted(log_, TailerOptions{}, saved);
  EXPECT_EQ(poll_lines(restarted), Lines{"aaaa"});
  EXPECT_EQ(restarted.stats().truncations, 1u);
}

TEST_F(FileTailerTest, AOneMegabyteLineIsCutAt64KiBAndCounted) {
  overwrite(log_, "");
  FileTailer tailer(log_, TailerOptions{});
  poll_lines(tailer);
  const std::string huge(1024 * 1024, 'x');
  append(log_, "before\n" + huge + "\nafter\n");
  const Lines lines = poll_lines(tailer);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "before");
  EXPECT_EQ(lines[1], std::string(kMaxLineBytes, 'x'));
  EXPECT_EQ(lines[2], "after");
  EXPECT_EQ(tailer.stats().lines.long_lines, 1u);
  EXPECT_EQ(tailer.stats().lines.lines, 3u);
  EXPECT_EQ(tailer.position().offset, fs::file_size(log_));
}

TEST_F(FileTailerTest, AnOverLongLineArrivingInPiecesIsCutOnce) {
  overwrite(log_, "");
  FileTailer tailer(log_, TailerOptions{});
  poll_lines(tailer);
  for (int i = 0; i < 5; ++i) {
    append(log_, std::string(30000, 'y'));
    EXPECT_EQ(poll_lines(tailer), Lines{});
  }
  append(log_, "tail\nnext\n");
  const Lines lines = poll_lines(tailer);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].size(), kMaxLineBytes);
  EXPECT_EQ(lines[1], "next");
  EXPECT_EQ(tailer.stats().lines.long_lines, 1u);
}

TEST_F(FileTailerTest, CuttingInsideACharacterDropsItWithoutCallingItInvalid) {
  overwrite(log_, "");
  FileTailer tailer(log_, TailerOptions{});
  poll_lines(tailer);
  // "é" (2 bytes) straddles the cap.
  append(log_, std::string(kMaxLineBytes - 1, 'a') + "\xC3\xA9" + "zzz\n");
  const Lines lines = poll_lines(tailer);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], std::string(kMaxLineBytes - 1, 'a'));
  EXPECT_EQ(tailer.stats().lines.invalid_utf8_lines, 0u);
  EXPECT_EQ(tailer.stats().lines.long_lines, 1u);
}

TEST_F(FileTailerTest, BinaryJunkIsMadeSafeAndCounted) {
  overwrite(log_, "");
  FileTailer tailer(log_, TailerOptions{});
  poll_lines(tailer);
  append(log_, "ok\nnul\0byte\n\x1b[31mred\x1b[0m\nclean\n"sv);
  EXPECT_EQ(poll_lines(tailer), (Lines{"ok",
                                       "nul\xEF\xBF\xBD"
                                       "byte",
                                       "\xEF\xBF\xBD[31mred\xEF\xBF\xBD[0m", "clean"}));
  EXPECT_EQ(tailer.stats().lines.binary_lines, 2u);
  EXPECT_EQ(tailer.stats().lines.invalid_utf8_lines, 0u);
}

TEST_F(FileTailerTest, InvalidUtf8IsReplacedAndCounted) {
  overwrite(log_, "");
  FileTailer tailer(log_, TailerOptions{});
  poll_lines(tailer);
  append(log_, "latin-1 caf\xE9\nfine caf\xC3\xA9\n");
  EXPECT_EQ(poll_lines(tailer), (Lines{"latin-1 caf\xEF\xBF\xBD", "fine caf\xC3\xA9"}));
  EXPECT_EQ(tailer.stats().lines.invalid_utf8_lines, 1u);
}

TEST_F(FileTailerTest, OnePollReadsNoMoreThanItsBudget) {
  overwrite(log_, "");
  TailerOptions options;
  options.max_bytes_per_poll = 1000;
  options.read_chunk_bytes = 256;
  FileTailer tailer(log_, options);
  poll_lines(tailer);
  std::string text;
  for (int i = 0; i < 500; ++i) text += "line " + std::to_string(i) + "\n";
  append(log_, text);
  std::size_t delivered = 0;
  const PollResult first = tailer.poll([&](std::string_view) { ++delivered; });
  EXPECT_TRUE(first.more);
  EXPECT_LE(tailer.stats().bytes_read, 1000u);
  EXPECT_EQ(first.lines, delivered);
  const Lines rest = poll_lines(tailer);
  EXPECT_EQ(delivered + rest.size(), 500u);
  EXPECT_EQ(rest.back(), "line 499");
}

TEST_F(FileTailerTest, ADirectoryAtThePathIsAnOpenError) {
  fs::create_directory(log_);
  FileTailer tailer(log_, TailerOptions{});
  EXPECT_EQ(poll_lines(tailer), Lines{});
  EXPECT_EQ(tailer.stats().open_errors, 1u);
}

TEST(FilePosition, RoundTripsThroughText) {
  const FilePosition position{2049, 131074, 987654321, 512, 0xcbf29ce484222325ULL};
  EXPECT_EQ(to_string(position), "2049:131074:987654321:512:cbf29ce484222325");
  EXPECT_EQ(parse_file_position(to_string(position)).value(), position);
}

TEST(FilePosition, MalformedTextNamesThePart) {
  EXPECT_EQ(parse_file_position("1:2:3:4").error().field, "position");
  EXPECT_EQ(parse_file_position("1:2:x:4:ff").error().field, "position.offset");
  EXPECT_EQ(parse_file_position("1:2:3:4:zz").error().field, "position.fingerprint");
  EXPECT_EQ(parse_file_position("1:2:3:513:ff").error().field, "position.fingerprint_length");
  EXPECT_EQ(parse_file_position("1:2:3:4:ff:9").error().field, "position");
}

}  // namespace
}  // namespace sentinel::agent::logs
