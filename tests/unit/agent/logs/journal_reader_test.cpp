// JournalReader against real journal files written by systemd-journal-remote from journal export
// format (tests/data/logs/journal.export and entries made here), never the machine's journal.

#include "agent/collectors/logs/journal_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "agent/collectors/logs/log_event_builder.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/agent/collected_event_field.h"

namespace sentinel::agent::logs {
namespace {

namespace fs = std::filesystem;

const fs::path kJournalRemote = "/lib/systemd/systemd-journal-remote";
const fs::path kExport = fs::path(SENTINEL_TEST_DATA) / "logs" / "journal.export";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Appends entries in journal export format to the journal file `output` (created if needed).
void write_journal(const fs::path& output, const std::string& export_text) {
  ASSERT_TRUE(fs::exists(kJournalRemote))
      << "systemd-journal-remote is needed (Debian package systemd-journal-remote, in "
         "scripts/install-deps.sh)";
  auto result =
      test::run_command({kJournalRemote.string(), "--output=" + output.string(), "-"}, export_text);
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->exit_code, 0) << result->err;
}

// One more entry in export format; `message` may hold any bytes (binary field encoding).
std::string export_entry(std::uint64_t realtime_us, std::string_view identifier,
                         std::string_view message) {
  std::string entry = "__REALTIME_TIMESTAMP=" + std::to_string(realtime_us) +
                      "\n__MONOTONIC_TIMESTAMP=" + std::to_string(realtime_us / 1000) +
                      "\n_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=web2\n"
                      "SYSLOG_IDENTIFIER=" +
                      std::string(identifier) + "\n_PID=77\nMESSAGE\n";
  std::uint64_t length = message.size();
  for (int i = 0; i < 8; ++i) entry.push_back(static_cast<char>((length >> (8 * i)) & 0xFF));
  entry.append(message);
  entry.append("\n\n");
  return entry;
}

struct Read {
  std::vector<std::string> messages;
  std::vector<CollectedEvent> events;
};

Read poll_all(JournalReader& reader) {
  Read read;
  LogEventBuilder builder;
  while (true) {
    auto polled = reader.poll([&](const JournalEntry& entry) {
      read.messages.emplace_back(entry.message);
      read.events.push_back(builder.from_journal(entry));
    });
    EXPECT_TRUE(polled) << polled.error().message;
    if (!polled || !polled->more) break;
  }
  return read;
}

JournalOptions from_beginning() {
  JournalOptions options;
  options.start_at_beginning = true;
  return options;
}

class JournalReaderTest : public ::testing::Test {
 protected:
  void SetUp() override { write_journal(journal_, read_file(kExport)); }

  test::TempDir dir_{"journal"};
  fs::path journal_ = dir_.path() / "test.journal";
};

TEST_F(JournalReaderTest, ReadsEntriesIntoLogEvents) {
  auto reader = JournalReader::open_files({journal_}, from_beginning());
  ASSERT_TRUE(reader) << reader.error().message;
  const Read read = poll_all(*reader);
  ASSERT_EQ(read.events.size(), 4u);

  const CollectedEvent& ssh = read.events[0];
  EXPECT_EQ(ssh.type, "log");
  EXPECT_EQ(ssh.time_ms, 1764118923123);
  EXPECT_EQ(field(ssh, "message"),
            "Failed password for invalid user admin from 203.0.113.9 port 52144 ssh2");
  EXPECT_EQ(field(ssh, "log.source"), "journal");
  EXPECT_EQ(field(ssh, "event.module"), "sshd");
  EXPECT_EQ(field(ssh, "event.action"), "ssh_login");
  EXPECT_EQ(field(ssh, "event.outcome"), "failure");
  EXPECT_EQ(field(ssh, "user.name"), "admin");
  EXPECT_EQ(field(ssh, "source.ip"), "203.0.113.9");
  EXPECT_EQ(field(ssh, "source.port"), "52144");
  EXPECT_EQ(field(ssh, "host.hostname"), "web1");
  EXPECT_EQ(field(ssh, "process.name"), "sshd");
  EXPECT_EQ(field(ssh, "process.pid"), "1234");

  EXPECT_EQ(field(read.events[1], "event.module"), "sudo");
  EXPECT_EQ(field(read.events[1], "user.target.name"), "root");
  EXPECT_EQ(field(read.events[1], "process.command_line"), "/usr/bin/id");

  EXPECT_EQ(field(read.events[2], "event.action"), "segfault");
  EXPECT_EQ(field(read.events[2], "process.name"), "nginx");

  // No SYSLOG_IDENTIFIER: the command name stands in.
  EXPECT_EQ(field(read.events[3], "event.module"), "syslog");
  EXPECT_EQ(field(read.events[3], "process.name"), "backup.sh");
  EXPECT_EQ(field(read.events[3], "log.file.path"), "<absent>");
  EXPECT_EQ(reader->stats().lines, 4u);
}

TEST_F(JournalReaderTest, WithoutACursorStartsAfterTheLastEntryAndSeesNewOnes) {
  auto reader = JournalReader::open_files({journal_}, JournalOptions{});
  ASSERT_TRUE(reader) << reader.error().message;
  EXPECT_FALSE(reader->cursor().empty()) << "positioned on the last entry";
  EXPECT_TRUE(poll_all(*reader).messages.empty());
  write_journal(journal_, export_entry(1764118930000000, "app", "one") +
                              export_entry(1764118931000000, "app", "two"));
  EXPECT_EQ(poll_all(*reader).messages, (std::vector<std::string>{"one", "two"}));
  EXPECT_TRUE(poll_all(*reader).messages.empty());
}

TEST_F(JournalReaderTest, ResumesAfterASavedCursor) {
  JournalOptions options = from_beginning();
  options.max_entries_per_poll = 2;
  std::string cursor;
  {
    auto reader = JournalReader::open_files({journal_}, options);
    ASSERT_TRUE(reader) << reader.error().message;
    std::vector<std::string> first;
    auto polled = reader->poll([&](const JournalEntry& e) { first.emplace_back(e.message); });
    ASSERT_TRUE(polled);
    EXPECT_TRUE(polled->more);
    ASSERT_EQ(first.size(), 2u);
    cursor = reader->cursor();
  }
  auto resumed = JournalReader::open_files({journal_}, JournalOptions{}, cursor);
  ASSERT_TRUE(resumed) << resumed.error().message;
  const Read rest = poll_all(*resumed);
  ASSERT_EQ(rest.messages.size(), 2u) << "the entries after the cursor, not the one it names";
  EXPECT_EQ(field(rest.events[0], "event.action"), "segfault");
  EXPECT_EQ(rest.messages[1], "backup finished in 42 s");

  // Saved at the end, restarted after more were written: exactly the new ones.
  const std::string at_end = resumed->cursor();
  write_journal(journal_, export_entry(1764118940000000, "app", "written while down"));
  auto again = JournalReader::open_files({journal_}, JournalOptions{}, at_end);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(poll_all(*again).messages, std::vector<std::string>{"written while down"});
}

TEST_F(JournalReaderTest, ReadsADirectoryOfJournalFiles) {
  auto reader = JournalReader::open_directory(dir_.path(), from_beginning());
  ASSERT_TRUE(reader) << reader.error().message;
  EXPECT_EQ(poll_all(*reader).messages.size(), 4u);
}

TEST_F(JournalReaderTest, AMalformedCursorIsAnInvalidArgument) {
  auto reader = JournalReader::open_files({journal_}, JournalOptions{}, "not a cursor");
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(reader.error().field, "cursor");
}

TEST_F(JournalReaderTest, BinaryAndOverLongMessagesAreMadeSafeAndCounted) {
  auto reader = JournalReader::open_files({journal_}, JournalOptions{});
  ASSERT_TRUE(reader) << reader.error().message;
  using namespace std::string_view_literals;
  write_journal(journal_, export_entry(1764118950000000, "app", "nul\0and caf\xE9"sv) +
                              export_entry(1764118951000000, "app", "multi\nline") +
                              export_entry(1764118952000000, "app", std::string(200000, 'z')));
  const Read read = poll_all(*reader);
  ASSERT_EQ(read.messages.size(), 3u);
  EXPECT_EQ(read.messages[0],
            "nul\xEF\xBF\xBD"
            "and caf\xEF\xBF\xBD");
  EXPECT_EQ(read.messages[1], "multi\nline") << "journal messages keep their lines";
  EXPECT_EQ(read.messages[2], std::string(kMaxLineBytes, 'z'));
  EXPECT_EQ(reader->stats().binary_lines, 1u);
  EXPECT_EQ(reader->stats().invalid_utf8_lines, 1u);
  EXPECT_EQ(reader->stats().long_lines, 1u);
}

TEST(JournalReader, AMissingDirectoryIsUnavailable) {
  test::TempDir dir("journal-none");
  auto reader = JournalReader::open_directory(dir.path() / "absent", JournalOptions{});
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(reader.error().message.find("absent"), std::string::npos) << reader.error().message;
}

}  // namespace
}  // namespace sentinel::agent::logs
