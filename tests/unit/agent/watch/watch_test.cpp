// The watcher child's records: what it writes is what the agent reads back, split so that no
// record exceeds the spool's batch, with the checkpoint only after the events it covers; a
// malformed or oversized record is refused; the loop ends when the agent closes the pipe. The
// child's log lines travel as `log` records, strictly decoded, and a flood of them is cut to a
// few a minute plus one line saying how many were suppressed.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <unistd.h>

#include <thread>

#include "agent/watch/watch_log.h"
#include "agent/watch/watch_protocol.h"
#include "agent/watch/watcher.h"

namespace sentinel::agent::watch {
namespace {

using ::testing::HasSubstr;

CollectedEvent log_event(int n) {
  return CollectedEvent{
      "log", 1000 + n, {{"message", "line " + std::to_string(n)}, {"event.module", "sshd"}}};
}

TEST(WatchProtocol, RecordsSurviveArbitraryPipeChunking) {
  WatchBatch batch;
  for (int n = 0; n < 3; ++n) batch.events.push_back(log_event(n));
  batch.checkpoint = boost::json::object{{"logs:/var/log/auth.log", 42}};
  const std::string bytes = encode_frame(batch) + encode_frame(WatchBatch{{log_event(9)}, {}});
  FrameReader reader;
  std::vector<WatchBatch> got;
  for (const char c : bytes) {  // one byte at a time: the worst a pipe can do
    auto out = reader.feed(std::string_view(&c, 1));
    ASSERT_TRUE(out) << out.error().message;
    for (WatchBatch& b : *out) got.push_back(std::move(b));
  }
  ASSERT_EQ(got.size(), 2u);
  ASSERT_EQ(got[0].events.size(), 3u);
  EXPECT_EQ(got[0].events[2].time_ms, 1002);
  EXPECT_EQ(got[0].events[2].fields, batch.events[2].fields);
  ASSERT_TRUE(got[0].checkpoint);
  EXPECT_EQ(got[0].checkpoint->at("logs:/var/log/auth.log").as_int64(), 42);
  EXPECT_FALSE(got[1].checkpoint);
}

TEST(WatchProtocol, MalformedRecordsAreRefusedWithTheReason) {
  EXPECT_THAT(decode_batch(R"({"events":[{"type":"Log!","time":1,"fields":{}}]})").error().message,
              HasSubstr("events[0].type"));
  EXPECT_THAT(
      decode_batch(R"({"events":[{"type":"log","time":1,"fields":{"a":1}}]})").error().message,
      HasSubstr("fields.a: not a string"));
  EXPECT_THAT(decode_batch(R"({"events":[],"extra":1})").error().message,
              HasSubstr("unknown members"));
  EXPECT_FALSE(decode_batch("not json"));
  FrameReader reader;
  const std::string oversized("\xff\xff\xff\x7f", 4);
  auto fed = reader.feed(oversized);
  ASSERT_FALSE(fed);
  EXPECT_THAT(fed.error().message, HasSubstr("over the limit"));
}

// Emits `count` events on its first poll, then nothing; its checkpoint is how many it emitted.
class BurstSource final : public EventSource {
 public:
  explicit BurstSource(int count) : count_(count) {}
  std::string name() const override { return "burst"; }
  void poll(std::vector<CollectedEvent>& out) override {
    for (; emitted_ < count_; ++emitted_) out.push_back(log_event(emitted_));
  }
  boost::json::value checkpoint() const override { return emitted_; }

 private:
  int count_;
  int emitted_ = 0;
};

TEST(Watcher, SplitsLargeBurstsAndSendsTheCheckpointAfterTheLastEvent) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  std::vector<std::unique_ptr<EventSource>> sources;
  sources.push_back(std::make_unique<BurstSource>(2500));
  int exit_code = -1;
  std::thread watcher([&] {
    exit_code = run_watcher(sources, fds[1], std::chrono::milliseconds(10));
    ::close(fds[1]);
  });

  FrameReader reader;
  std::vector<WatchBatch> records;
  std::size_t events = 0;
  char buffer[65536];
  while (events < 2500) {
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    ASSERT_GT(n, 0);
    auto out = reader.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
    ASSERT_TRUE(out) << out.error().message;
    for (WatchBatch& b : *out) {
      events += b.events.size();
      records.push_back(std::move(b));
    }
  }
  ::close(fds[0]);  // the agent goes away: the loop must end by itself
  watcher.join();
  EXPECT_EQ(exit_code, 0);

  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].events.size(), 1000u);
  EXPECT_EQ(records[2].events.size(), 500u);
  EXPECT_FALSE(records[0].checkpoint);
  EXPECT_FALSE(records[1].checkpoint);
  ASSERT_TRUE(records[2].checkpoint);
  EXPECT_EQ(records[2].checkpoint->at("burst").as_int64(), 2500);
  EXPECT_EQ(records[2].events.back().fields[0].value, "line 2499");
}

TEST(WatchProtocol, LogRecordsRoundTrip) {
  WatchBatch sent;
  sent.log = make_log_line(LogLevel::kWarn, "fim: inotify queue overflowed");
  FrameReader reader;
  auto records = reader.feed(encode_frame(sent));
  ASSERT_TRUE(records) << records.error().message;
  ASSERT_EQ(records->size(), 1u);
  const WatchBatch& got = (*records)[0];
  ASSERT_TRUE(got.log);
  EXPECT_EQ(got.log->level, LogLevel::kWarn);
  EXPECT_EQ(got.log->message, "fim: inotify queue overflowed");
  EXPECT_TRUE(got.events.empty());
  EXPECT_FALSE(got.checkpoint);
}

TEST(WatchProtocol, MalformedLogRecordsAreRefusedWithTheField) {
  const auto refused = [](std::string_view json) {
    auto decoded = decode_batch(json);
    return decoded ? std::string("<accepted>") : decoded.error().message;
  };
  EXPECT_THAT(refused(R"({"log":{"level":"fatal","message":"x"}})"), HasSubstr("log.level"));
  EXPECT_THAT(refused(R"({"log":{"level":3,"message":"x"}})"), HasSubstr("log.level"));
  EXPECT_THAT(refused(R"({"log":{"level":"warn","message":""}})"), HasSubstr("log.message"));
  EXPECT_THAT(refused(R"({"log":{"level":"warn","message":"a\nforged line"}})"),
              HasSubstr("log.message: holds a control character"));
  EXPECT_THAT(refused(R"({"log":{"level":"warn","message":"\u001b[31mred"}})"),
              HasSubstr("control character"));
  EXPECT_THAT(refused(R"({"log":{"level":"warn","message":"x","extra":1}})"),
              HasSubstr("log: unknown members"));
  EXPECT_THAT(refused(R"({"log":{"level":"warn","message":"x"},"events":[]})"),
              HasSubstr("with other members"));
  EXPECT_THAT(refused(R"({"log":"x"})"), HasSubstr("log: not an object"));
  const std::string long_message(kMaxLogMessageBytes + 1, 'a');
  EXPECT_THAT(refused(R"({"log":{"level":"warn","message":")" + long_message + R"("}})"),
              HasSubstr("over 1024 bytes"));
  EXPECT_EQ(refused(R"({"log":{"level":"error","message":"ok"}})"), "<accepted>");
}

TEST(WatchProtocol, LogLinesAreMadeFitForTheRecord) {
  // A path with a newline and invalid UTF-8 in a warning must neither forge a log line nor make
  // the agent refuse the stream.
  const LogLine line = make_log_line(LogLevel::kWarn, "cannot read /etc/a\nb\xff\tc");
  EXPECT_EQ(line.message,
            "cannot read /etc/a\xef\xbf\xbd"
            "b\xef\xbf\xbd?c");
  WatchBatch batch;
  batch.log = line;
  const std::string frame = encode_frame(batch);
  EXPECT_TRUE(decode_batch(std::string_view(frame).substr(4)));

  const std::string long_text(5000, 'x');
  EXPECT_EQ(make_log_line(LogLevel::kInfo, long_text).message.size(), kMaxLogMessageBytes);
  // Cut on a character boundary: after "x", each "é" is two bytes, so 1023 bytes fit.
  std::string wide;
  wide.push_back('x');
  for (int i = 0; i < 1000; ++i) wide += "\xc3\xa9";
  const LogLine cut = make_log_line(LogLevel::kInfo, wide);
  EXPECT_EQ(cut.message.size(), kMaxLogMessageBytes - 1);
  batch.log = cut;
  EXPECT_TRUE(decode_batch(std::string_view(encode_frame(batch)).substr(4)));
  EXPECT_EQ(make_log_line(LogLevel::kInfo, "").message, "-");
}

TEST(WatchLog, AFloodIsCutToTheLimitAndTheRestIsCountedOnce) {
  ManualClock clock(1'700'000'000'000);
  WatchLog log(clock, 3);
  auto logger = log.logger();
  for (int i = 0; i < 50; ++i) logger->warn("fim: cannot read /etc/f{}", i);
  logger->debug("below the level: dropped");
  std::vector<LogLine> lines = log.take();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].level, LogLevel::kWarn);
  EXPECT_EQ(lines[0].message, "fim: cannot read /etc/f0");
  EXPECT_EQ(lines[2].message, "fim: cannot read /etc/f2");
  EXPECT_TRUE(log.take().empty()) << "the minute is not over";

  clock.advance_ms(WatchLog::kWindowMs);
  lines = log.take();
  ASSERT_EQ(lines.size(), 1u) << "announced when the minute ends, even with nothing new";
  EXPECT_EQ(lines[0].level, LogLevel::kWarn);
  EXPECT_EQ(lines[0].message, "suppressed 47 messages (more than 3 a minute)");

  logger->error("fim: baseline write failed");
  lines = log.take();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].level, LogLevel::kError);
  EXPECT_TRUE(log.take().empty());
}

// Logs one line through the watcher's log on each poll.
class LoggingSource final : public EventSource {
 public:
  explicit LoggingSource(std::shared_ptr<spdlog::logger> logger) : logger_(std::move(logger)) {}
  std::string name() const override { return "logging"; }
  void poll(std::vector<CollectedEvent>&) override {
    logger_->warn("fim: inotify watch limit reached at /srv/{}", polls_++);
  }

 private:
  std::shared_ptr<spdlog::logger> logger_;
  int polls_ = 0;
};

TEST(Watcher, SendsTheChildsLogLinesAsLogRecords) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  SystemClock clock;
  WatchLog log(clock, 2);
  log.logger()->info("watch: started");
  std::vector<std::unique_ptr<EventSource>> sources;
  sources.push_back(std::make_unique<LoggingSource>(log.logger()));
  std::thread watcher([&] {
    run_watcher(sources, fds[1], std::chrono::milliseconds(5), &log);
    ::close(fds[1]);
  });
  FrameReader reader;
  std::vector<LogLine> lines;
  char buffer[4096];
  while (lines.size() < 2) {
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    ASSERT_GT(n, 0);
    auto out = reader.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
    ASSERT_TRUE(out) << out.error().message;
    for (WatchBatch& b : *out) {
      ASSERT_TRUE(b.log);
      lines.push_back(*b.log);
    }
  }
  ::close(fds[0]);
  watcher.join();
  EXPECT_EQ(lines[0].level, LogLevel::kInfo);
  EXPECT_EQ(lines[0].message, "watch: started");
  EXPECT_EQ(lines[1].level, LogLevel::kWarn);
  EXPECT_EQ(lines[1].message, "fim: inotify watch limit reached at /srv/0");
}

}  // namespace
}  // namespace sentinel::agent::watch
