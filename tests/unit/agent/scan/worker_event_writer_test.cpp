// The scan worker's event frames: what a shard reports is batched, and the counters go out at
// least every 200 ms while the engine reports anything, silence included (pairs that timed out,
// closed ports of a host that already answered, hosts found down), so that the job's progress
// moves while a shard waits out silent hosts. The frames are read back from a socketpair.

#include "agent/scan/worker_event_writer.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "agent/sandbox/worker_stream.h"

namespace sentinel::agent {
namespace {

using namespace std::chrono_literals;

/// A shard whose counters the test sets; nothing runs.
class CountedExecution final : public ShardExecution {
 public:
  const std::string& method() const override { return method_; }
  const std::string& reason() const override { return method_; }
  Result<scan::ScanOutcome> run(const ShardSink&) override { return scan::ScanOutcome::kCompleted; }
  void cancel() override { cancelled = true; }
  ShardCounters progress() const override { return counters; }

  ShardCounters counters;
  bool cancelled = false;

 private:
  std::string method_ = "connect";
};

scan::PortResult pair(std::uint16_t port, scan::PortState state) {
  return scan::PortResult{.address = *scan::IpAddress::parse("127.0.0.1"),
                          .port = port,
                          .protocol = scan::Protocol::kTcp,
                          .state = state};
}

class WorkerEventWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds_), 0);
  }
  void TearDown() override {
    if (fds_[0] >= 0) ::close(fds_[0]);
    if (fds_[1] >= 0) ::close(fds_[1]);
  }

  /// Every frame written so far (each was written before the call that sent it returned).
  std::vector<ScanWorkerEvent> frames() {
    std::vector<ScanWorkerEvent> out;
    while (true) {
      auto frame = read_frame(fds_[1], 50ms);  // each frame is there already
      if (!frame) break;
      auto event = decode_worker_event(*frame);
      EXPECT_TRUE(event) << event.error().message;
      if (event) out.push_back(std::move(*event));
    }
    return out;
  }

  /// Long enough that the next report may send a frame.
  static void wait_out_the_flush_interval() {
    std::this_thread::sleep_for(WorkerEventWriter::kFlushEvery + 20ms);
  }

  int fds_[2] = {-1, -1};
  CountedExecution execution_;
};

TEST_F(WorkerEventWriterTest, CountersGoOutWhileTheScanReportsOnlyWhatIsNotPassedOn) {
  WorkerEventWriter writer(fds_[0], execution_);
  const ShardSink sink = writer.sink();
  execution_.counters.scan.pairs_total = 1000;
  execution_.counters.scan.pairs_done = 1;
  sink.on_result(pair(22, scan::PortState::kClosed));  // the host's first answer: passed on

  wait_out_the_flush_interval();
  execution_.counters.scan.pairs_done = 500;
  execution_.counters.phase = "ports";
  sink.on_result(pair(23, scan::PortState::kClosed));  // the host answered already

  std::vector<ScanWorkerEvent> sent = frames();
  ASSERT_FALSE(sent.empty()) << "nothing new was found, but the counters moved";
  ASSERT_TRUE(sent.back().progress);
  EXPECT_EQ(sent.back().progress->pairs_done, 500u);
  EXPECT_EQ(sent.back().progress->pairs_total, 1000u);
  EXPECT_EQ(sent.back().phase, "ports");
  std::vector<std::uint16_t> ports;
  for (const ScanWorkerEvent& event : sent) {
    for (const scan::PortResult& result : event.results) ports.push_back(result.port);
  }
  EXPECT_EQ(ports, std::vector<std::uint16_t>{22}) << "only the first closed port is passed on";

  // A pair that timed out (filtered) is not passed on either, but moves the counters.
  wait_out_the_flush_interval();
  execution_.counters.scan.pairs_done = 900;
  sink.on_result(pair(24, scan::PortState::kFiltered));
  sent = frames();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(sent[0].results.empty());
  EXPECT_EQ(sent[0].progress->pairs_done, 900u);
}

TEST_F(WorkerEventWriterTest, HostsFoundDownMoveTheCountersDuringDiscovery) {
  WorkerEventWriter writer(fds_[0], execution_);
  const ShardSink sink = writer.sink();
  ASSERT_TRUE(sink.on_progress);
  wait_out_the_flush_interval();
  execution_.counters.phase = "discovery";
  execution_.counters.scan.pairs_total = 1000;
  execution_.counters.scan.pairs_done = 300;
  sink.on_progress();
  const std::vector<ScanWorkerEvent> sent = frames();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].phase, "discovery");
  EXPECT_EQ(sent[0].progress->pairs_done, 300u);
  EXPECT_TRUE(sent[0].hosts.empty());
}

TEST_F(WorkerEventWriterTest, AFullBatchGoesOutAtOnceAndTheLastFrameSaysHowTheShardEnded) {
  WorkerEventWriter writer(fds_[0], execution_);
  const ShardSink sink = writer.sink();
  for (std::uint16_t port = 1; port <= WorkerEventWriter::kResultsPerFrame; ++port) {
    sink.on_result(pair(port, scan::PortState::kOpen));
  }
  std::vector<ScanWorkerEvent> sent = frames();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].results.size(), WorkerEventWriter::kResultsPerFrame);
  EXPECT_FALSE(sent[0].done);

  ASSERT_TRUE(writer.finish(scan::ScanOutcome::kCancelled));
  sent = frames();
  ASSERT_EQ(sent.size(), 1u);
  ASSERT_TRUE(sent[0].done);
  EXPECT_TRUE(sent[0].done->cancelled);
  EXPECT_TRUE(sent[0].done->error.empty());
}

TEST_F(WorkerEventWriterTest, AGoneAgentCancelsTheScan) {
  WorkerEventWriter writer(fds_[0], execution_);
  ::close(fds_[1]);
  fds_[1] = -1;
  EXPECT_FALSE(writer.flush());
  EXPECT_TRUE(execution_.cancelled);
  EXPECT_FALSE(writer.flush()) << "stays broken";
}

}  // namespace
}  // namespace sentinel::agent
