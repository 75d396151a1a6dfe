// LogEventBuilder: a tailed line becomes the `log` event the agent spools; counters become
// `collector.stats`.

#include "agent/collectors/logs/log_event_builder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "agent/collectors/logs/file_tailer.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/agent/collected_event_field.h"

namespace sentinel::agent::logs {
namespace {

// 2025-11-27T00:00:00Z
constexpr std::int64_t kNow = 1764201600000;

TEST(LogEventBuilder, TailedLinesBecomeLogEventsWithTheirFile) {
  test::TempDir dir("events");
  const auto path = dir.path() / "auth.log";
  std::ofstream(path) << "";
  FileTailer tailer(path, TailerOptions{});
  tailer.poll([](std::string_view) {});
  std::ofstream(path, std::ios::app)
      << "2025-11-26T01:02:03.123456+00:00 web1 sshd[1234]: Failed password for root from "
         "203.0.113.9 port 52144 ssh2\n"
      << "no header at all\n";

  LogEventBuilder builder;
  std::vector<CollectedEvent> events;
  tailer.poll([&](std::string_view line) {
    events.push_back(builder.from_file_line(line, path.string(), ParseContext{kNow}));
  });
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, "log");
  EXPECT_EQ(events[0].time_ms, 1764118923123);
  EXPECT_EQ(field(events[0], "log.file.path"), path.string());
  EXPECT_EQ(field(events[0], "log.source"), "<absent>");
  EXPECT_EQ(field(events[0], "message"),
            "2025-11-26T01:02:03.123456+00:00 web1 sshd[1234]: Failed password for root from "
            "203.0.113.9 port 52144 ssh2");
  EXPECT_EQ(field(events[0], "source.ip"), "203.0.113.9");
  EXPECT_EQ(field(events[0], "user.name"), "root");

  EXPECT_EQ(events[1].time_ms, kNow) << "a line without a time is stamped when read";
  EXPECT_EQ(field(events[1], "message"), "no header at all");
  EXPECT_EQ(field(events[1], "event.module"), "syslog");
  EXPECT_EQ(builder.unparsed_lines(), 1u);

  const CollectedEvent stats =
      file_stats_event(path.string(), tailer.stats(), builder.unparsed_lines(), kNow);
  EXPECT_EQ(stats.type, "collector.stats");
  EXPECT_EQ(field(stats, "collector.name"), "logs");
  EXPECT_EQ(field(stats, "log.file.path"), path.string());
  EXPECT_EQ(field(stats, "collector.lines"), "2");
  EXPECT_EQ(field(stats, "collector.unparsed_lines"), "1");
  EXPECT_EQ(field(stats, "collector.long_lines"), "0");
  EXPECT_EQ(field(stats, "collector.bytes_read"), std::to_string(std::filesystem::file_size(path)));
}

TEST(LogEventBuilder, JournalStatsNameTheJournal) {
  LineCounters counters;
  counters.count(LineDefects{.binary = true});
  counters.count(LineDefects{.invalid_utf8 = true, .cut = true});
  const CollectedEvent stats = journal_stats_event(counters, 0, kNow);
  EXPECT_EQ(field(stats, "log.source"), "journal");
  EXPECT_EQ(field(stats, "collector.lines"), "2");
  EXPECT_EQ(field(stats, "collector.binary_lines"), "1");
  EXPECT_EQ(field(stats, "collector.invalid_utf8_lines"), "1");
  EXPECT_EQ(field(stats, "collector.long_lines"), "1");
  EXPECT_EQ(stats.time_ms, kNow);
}

}  // namespace
}  // namespace sentinel::agent::logs
