// The agent spool: events come back in order until acknowledged, survive restarts and kill -9
// without losing or reusing a sequence number, and what the size cap drops is reported as a gap.

#include "agent/spool/spool.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/temp_dir.h"

namespace sentinel::agent {
namespace {

using ::testing::HasSubstr;

std::string data_of(std::size_t bytes) {
  // {"p":"xxx"} with `bytes` characters in total.
  return fmt::format(R"({{"p":"{}"}})", std::string(bytes - 8, 'x'));
}

class SpoolTest : public ::testing::Test {
 protected:
  std::unique_ptr<Spool> open_spool(std::int64_t max_bytes = 256LL << 20) {
    auto spool =
        Spool::open(SpoolOptions{.path = path(), .max_bytes = max_bytes, .logger = logger_});
    EXPECT_TRUE(spool) << spool.error().message;
    return spool ? std::move(*spool) : nullptr;
  }

  std::string path() const { return (dir_.path() / "spool.db").string(); }

  /// The events among `items`, in order.
  static std::vector<SpooledEvent> events_in(const std::vector<SpoolItem>& items) {
    std::vector<SpooledEvent> events;
    for (const SpoolItem& item : items) {
      if (const auto* event = std::get_if<SpooledEvent>(&item)) events.push_back(*event);
    }
    return events;
  }

  test::TempDir dir_{"spool-test"};
  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> logger_ = std::make_shared<spdlog::logger>(
      "spool-test", std::make_shared<spdlog::sinks::ostream_sink_st>(log_));
};

TEST_F(SpoolTest, ReadsBackWhatWasAppendedInOrder) {
  auto spool = open_spool();
  ASSERT_EQ(*spool->append("inventory.os", R"({"name":"debian"})", 1000), 1);
  ASSERT_EQ(*spool->append("inventory.packages", R"({"n":2})", 1001), 2);
  auto batch = spool->append_batch({{"a.b", "{}", 1002}, {"a.c", R"({"x":1})", 1003}});
  ASSERT_TRUE(batch) << batch.error().message;
  EXPECT_EQ(*batch, (std::vector<std::int64_t>{3, 4}));

  auto items = spool->read_from(1, 100, 1 << 20);
  ASSERT_TRUE(items) << items.error().message;
  ASSERT_EQ(items->size(), 4u);
  EXPECT_EQ(std::get<SpooledEvent>((*items)[0]),
            (SpooledEvent{1, 1000, "inventory.os", R"({"name":"debian"})"}));
  EXPECT_EQ(std::get<SpooledEvent>((*items)[3]), (SpooledEvent{4, 1003, "a.c", R"({"x":1})"}));
  const SpoolStats stats = spool->stats();
  EXPECT_EQ(stats.pending_events, 4);
  EXPECT_EQ(stats.pending_bytes, 12 + 17 + 18 + 7 + 3 + 2 + 3 + 7);
  EXPECT_EQ(stats.next_seq, 5);
}

TEST_F(SpoolTest, AcknowledgeForgetsUpToTheSeq) {
  auto spool = open_spool();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(spool->append("t", "{}", i));
  ASSERT_TRUE(spool->acknowledge(3));
  auto items = spool->read_from(1, 100, 1 << 20);
  ASSERT_TRUE(items);
  ASSERT_EQ(events_in(*items).size(), 2u);
  EXPECT_EQ(events_in(*items)[0].seq, 4);
  EXPECT_EQ(spool->stats().pending_events, 2);
  EXPECT_EQ(spool->stats().pending_bytes, 6);
  EXPECT_EQ(spool->stats().acked_seq, 3);
  // Older acknowledgements (a reordered or repeated ack) change nothing.
  ASSERT_TRUE(spool->acknowledge(2));
  EXPECT_EQ(spool->stats().acked_seq, 3);
  auto beyond = spool->acknowledge(6);
  ASSERT_FALSE(beyond);
  EXPECT_THAT(beyond.error().message, HasSubstr("acknowledged seq 6 was never appended"));
  ASSERT_TRUE(spool->acknowledge(5));
  EXPECT_EQ(spool->stats().pending_events, 0);
  EXPECT_TRUE(spool->read_from(1, 100, 1 << 20)->empty());
}

TEST_F(SpoolTest, RestartKeepsPendingEventsAndNeverReusesASeq) {
  {
    auto spool = open_spool();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(spool->append("t", R"({"i":1})", i));
    ASSERT_TRUE(spool->acknowledge(5));  // everything forgotten: numbering must still go on
    ASSERT_TRUE(spool->append("t", R"({"after":true})", 9));
  }
  auto spool = open_spool();
  EXPECT_EQ(spool->stats().next_seq, 7);
  EXPECT_EQ(spool->stats().acked_seq, 5);
  EXPECT_EQ(spool->stats().pending_events, 1);
  auto items = spool->read_from(1, 10, 1 << 20);
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ(std::get<SpooledEvent>((*items)[0]), (SpooledEvent{6, 9, "t", R"({"after":true})"}));
  EXPECT_EQ(*spool->append("t", "{}", 10), 7);
}

TEST_F(SpoolTest, FilesArePrivate) {
  auto spool = open_spool();
  ASSERT_TRUE(spool->append("t", "{}", 1));
  for (const std::string& file : {path(), path() + "-wal"}) {
    struct stat info {};
    ASSERT_EQ(::stat(file.c_str(), &info), 0) << file;
    EXPECT_EQ(info.st_mode & 0777, 0600u) << file;
  }
  spool.reset();
  ASSERT_EQ(::chmod(path().c_str(), 0644), 0);
  spool = open_spool();
  struct stat info {};
  ASSERT_EQ(::stat(path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(SpoolTest, OneProcessAtATime) {
  auto spool = open_spool();
  auto second = Spool::open(SpoolOptions{.path = path()});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(second.error().message, HasSubstr("in use by another process"));
}

TEST_F(SpoolTest, CapDropsTheOldestAndReportsOneMergedGap) {
  auto spool = open_spool(1000);
  // Each event is 100 bytes (type 1 + data 99): ten fit.
  for (int i = 1; i <= 15; ++i) {
    auto seq = spool->append("t", data_of(99), 1000 + i);
    ASSERT_TRUE(seq) << seq.error().message;
    EXPECT_EQ(*seq, i);
  }
  SpoolStats stats = spool->stats();
  EXPECT_EQ(stats.pending_events, 10);
  EXPECT_EQ(stats.pending_bytes, 1000);
  EXPECT_EQ(stats.dropped_events_total, 5);
  EXPECT_EQ(stats.dropped_bytes_total, 500);
  EXPECT_THAT(log_.str(), HasSubstr("dropped the 1 oldest unsent events (seq 1..1, 100 bytes) "
                                    "recorded since 1970-01-01T00:00:01Z"));

  auto items = spool->read_from(1, 100, 1 << 20);
  ASSERT_TRUE(items);
  ASSERT_EQ(items->size(), 11u);
  EXPECT_EQ(std::get<protocol::SpoolGap>((*items)[0]), (protocol::SpoolGap{.from_seq = 1,
                                                                           .to_seq = 5,
                                                                           .dropped_bytes = 500,
                                                                           .first_time_ms = 1001,
                                                                           .last_time_ms = 1005}));
  EXPECT_EQ(std::get<SpooledEvent>((*items)[1]).seq, 6);

  // The gap survives a restart; an acknowledgement inside it keeps the rest.
  spool.reset();
  spool = open_spool(1000);
  ASSERT_TRUE(spool->acknowledge(3));
  items = spool->read_from(4, 1, 1 << 20);
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ(std::get<protocol::SpoolGap>((*items)[0]).from_seq, 4);
  EXPECT_EQ(std::get<protocol::SpoolGap>((*items)[0]).to_seq, 5);
  ASSERT_TRUE(spool->acknowledge(5));
  items = spool->read_from(1, 100, 1 << 20);
  ASSERT_EQ(items->size(), 10u);
  EXPECT_TRUE(std::holds_alternative<SpooledEvent>((*items)[0]));
  EXPECT_EQ(spool->stats().dropped_events_total, 5);
}

TEST_F(SpoolTest, ABatchMakesRoomInOneGo) {
  auto spool = open_spool(1000);
  for (int i = 1; i <= 10; ++i) ASSERT_TRUE(spool->append("t", data_of(99), i));
  std::vector<NewEvent> batch(3, NewEvent{"t", data_of(99), 50});
  auto seqs = spool->append_batch(batch);
  ASSERT_TRUE(seqs) << seqs.error().message;
  EXPECT_EQ(*seqs, (std::vector<std::int64_t>{11, 12, 13}));
  auto items = spool->read_from(1, 100, 1 << 20);
  EXPECT_EQ(std::get<protocol::SpoolGap>((*items)[0]).to_seq, 3);
  EXPECT_EQ(spool->stats().pending_bytes, 1000);
}

TEST_F(SpoolTest, RefusesAnEventLargerThanTheCap) {
  auto spool = open_spool(1000);
  ASSERT_TRUE(spool->append("t", data_of(99), 1));
  auto big = spool->append("t", data_of(1000), 2);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, ErrorCode::kPayloadTooLarge);
  // Nothing was dropped for it and its seq was not used.
  EXPECT_EQ(spool->stats().pending_events, 1);
  EXPECT_EQ(*spool->append("t", "{}", 3), 2);
}

TEST_F(SpoolTest, ReadRespectsEventAndByteLimits) {
  auto spool = open_spool();
  for (int i = 1; i <= 10; ++i) ASSERT_TRUE(spool->append("t", data_of(99), i));
  EXPECT_EQ(spool->read_from(1, 3, 1 << 20)->size(), 3u);
  EXPECT_EQ(spool->read_from(1, 100, 250)->size(), 2u);
  auto from_eight = spool->read_from(8, 100, 1 << 20);
  ASSERT_EQ(from_eight->size(), 3u);
  EXPECT_EQ(std::get<SpooledEvent>(from_eight->front()).seq, 8);
  // One event larger than max_bytes still comes, alone, or the channel would stall on it.
  auto one = spool->read_from(1, 100, 10);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(std::get<SpooledEvent>(one->front()).seq, 1);
  EXPECT_TRUE(spool->read_from(11, 100, 1 << 20)->empty());
}

TEST_F(SpoolTest, ResumeAtFollowsTheServer) {
  auto spool = open_spool();
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(spool->append("t", "{}", i));
  // The server stored 1..3: they are forgotten.
  ASSERT_TRUE(spool->resume_at(4));
  EXPECT_EQ(spool->stats().acked_seq, 3);
  EXPECT_EQ(spool->stats().pending_events, 2);
  // The server holds up to 99 (this spool was replaced): 4 and 5 become 100 and 101.
  ASSERT_TRUE(spool->resume_at(100));
  auto items = spool->read_from(100, 10, 1 << 20);
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ(std::get<SpooledEvent>((*items)[0]).seq, 100);
  EXPECT_EQ(std::get<SpooledEvent>((*items)[1]).seq, 101);
  EXPECT_EQ(*spool->append("t", "{}", 6), 102);
  EXPECT_THAT(log_.str(), HasSubstr("renumbering 2 pending events"));
}

TEST_F(SpoolTest, ConcurrentAppendAndReadDeliverEveryEventOnce) {
  auto spool = open_spool();
  constexpr int kEvents = 3000;
  std::atomic<bool> appending{true};
  std::thread collector([&] {
    for (int i = 0; i < kEvents; ++i) {
      auto seq = spool->append("t", fmt::format(R"({{"i":{}}})", i), i);
      ASSERT_TRUE(seq) << seq.error().message;
    }
    appending = false;
  });
  std::vector<std::int64_t> received;
  std::int64_t next = 1;
  while (appending || spool->stats().pending_events > 0) {
    auto items = spool->read_from(next, 100, 1 << 20);
    ASSERT_TRUE(items) << items.error().message;
    for (const SpooledEvent& event : events_in(*items)) {
      ASSERT_EQ(event.data_json, fmt::format(R"({{"i":{}}})", event.seq - 1));
      received.push_back(event.seq);
      next = event.seq + 1;
    }
    if (!items->empty()) {
      ASSERT_TRUE(spool->acknowledge(next - 1));
    }
  }
  collector.join();
  ASSERT_EQ(received.size(), static_cast<std::size_t>(kEvents));
  for (int i = 0; i < kEvents; ++i) ASSERT_EQ(received[i], i + 1);
  EXPECT_EQ(spool->stats().pending_bytes, 0);
}

/// A child appends in a loop, reporting each seq it got on a pipe, until SIGKILLed.
std::vector<std::int64_t> append_until_killed(const std::string& path,
                                              std::chrono::milliseconds after) {
  int fds[2];
  if (::pipe(fds) != 0) return {};
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    auto spool = Spool::open(SpoolOptions{.path = path});
    if (!spool) ::_exit(2);
    for (std::int64_t i = 0;; ++i) {
      auto seq = (i % 7 == 0)
                     ? (*spool)
                           ->append_batch({{"b", "{}", i}, {"b", "{}", i}})
                           .value_or(std::vector<std::int64_t>{})
                     : std::vector<std::int64_t>{(*spool)->append("t", "{}", i).value_or(0)};
      for (const std::int64_t reported : seq) {
        if (reported <= 0 || ::write(fds[1], &reported, sizeof reported) != sizeof reported) {
          ::_exit(3);
        }
      }
    }
  }
  ::close(fds[1]);
  std::this_thread::sleep_for(after);
  ::kill(child, SIGKILL);
  std::vector<std::int64_t> reported;
  std::int64_t seq = 0;
  while (::read(fds[0], &seq, sizeof seq) == sizeof seq) reported.push_back(seq);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;
  return reported;
}

TEST_F(SpoolTest, SurvivesKillNineWithoutLosingOrReusingASeq) {
  std::int64_t highest = 0;
  for (const int ms : {60, 150, 230}) {
    const std::vector<std::int64_t> reported =
        append_until_killed(path(), std::chrono::milliseconds(ms));
    ASSERT_GT(reported.size(), 10u) << "the child appended too little to test anything";
    EXPECT_GT(reported.front(), highest) << "a seq was reused after a restart";
    for (std::size_t i = 1; i < reported.size(); ++i) ASSERT_EQ(reported[i], reported[i - 1] + 1);

    auto spool = open_spool();
    ASSERT_TRUE(spool);
    auto items = spool->read_from(reported.front(), reported.size() + 100, 1 << 30);
    ASSERT_TRUE(items);
    std::set<std::int64_t> stored;
    for (const SpooledEvent& event : events_in(*items)) stored.insert(event.seq);
    for (const std::int64_t seq : reported) ASSERT_TRUE(stored.count(seq)) << "lost seq " << seq;
    EXPECT_GT(spool->stats().next_seq, reported.back());
    highest = spool->stats().next_seq - 1;
  }
}

}  // namespace
}  // namespace sentinel::agent
