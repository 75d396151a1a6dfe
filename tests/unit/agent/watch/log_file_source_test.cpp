// A followed log file wakes the watcher as soon as a line is written to it (or it is rotated),
// instead of waiting for the next tick: the source's descriptor becomes readable, and reading
// the source quiets it again.

#include <gtest/gtest.h>
#include <poll.h>

#include <filesystem>
#include <fstream>

#include "agent/watch/log_sources.h"
#include "tests/support/temp_dir.h"

namespace sentinel::agent::watch {
namespace {

constexpr int kWaitMs = 5000;

bool readable_within(int fd, int timeout_ms) {
  pollfd waiting{fd, POLLIN, 0};
  return ::poll(&waiting, 1, timeout_ms) == 1 && (waiting.revents & POLLIN) != 0;
}

void append(const std::filesystem::path& file, const std::string& line) {
  std::ofstream(file, std::ios::app) << line << "\n";
}

std::vector<std::string> messages(const std::vector<CollectedEvent>& events) {
  std::vector<std::string> out;
  for (const CollectedEvent& event : events) {
    for (const auto& field : event.fields) {
      if (field.name == "message") out.push_back(field.value);
    }
  }
  return out;
}

TEST(LogFileSource, AWrittenLineWakesTheWatcherAtOnce) {
  test::TempDir dir("log-source");
  const auto file = dir.path() / "auth.log";
  append(file, "Nov 26 06:00:00 host sshd[1]: Server listening on 0.0.0.0 port 22.");
  LogFileSource source(file, nullptr);
  ASSERT_GE(source.fd(), 0);
  std::vector<CollectedEvent> events;
  source.poll(events);  // from the end: nothing yet
  EXPECT_FALSE(readable_within(source.fd(), 0)) << "quiet after a poll";

  append(file, "Nov 26 06:00:01 host sshd[2]: Failed password for root from 127.0.0.9 port 1 ssh2");
  ASSERT_TRUE(readable_within(source.fd(), kWaitMs));
  source.poll(events);
  EXPECT_EQ(
      messages(events),
      std::vector<std::string>{
          "Nov 26 06:00:01 host sshd[2]: Failed password for root from 127.0.0.9 port 1 ssh2"});
  EXPECT_FALSE(readable_within(source.fd(), 0)) << "the wake-up was drained";
}

TEST(LogFileSource, ARotationWakesTheWatcherAndTheNewFileIsFollowed) {
  test::TempDir dir("log-source");
  const auto file = dir.path() / "syslog";
  append(file, "Nov 26 06:00:00 host cron[1]: started");
  LogFileSource source(file, nullptr);
  std::vector<CollectedEvent> events;
  source.poll(events);

  std::filesystem::rename(file, dir.path() / "syslog.1");
  append(file, "Nov 26 06:00:02 host cron[3]: after the rotation");
  ASSERT_TRUE(readable_within(source.fd(), kWaitMs));
  // The tailer may finish the old file in one poll and switch to the new one in the next.
  for (int attempt = 0; attempt < 3 && events.empty(); ++attempt) source.poll(events);
  EXPECT_EQ(messages(events),
            std::vector<std::string>{"Nov 26 06:00:02 host cron[3]: after the rotation"});
}

}  // namespace
}  // namespace sentinel::agent::watch
