// The watcher child's records: what it writes is what the agent reads back, split so that no
// record exceeds the spool's batch, with the checkpoint only after the events it covers; a
// malformed or oversized record is refused; the loop ends when the agent closes the pipe.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

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

}  // namespace
}  // namespace sentinel::agent::watch
