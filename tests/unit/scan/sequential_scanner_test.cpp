// A TCP and a UDP scan run as one: the parts run in order and every result reaches the one
// handler, progress is their sum, a cancel stops the running part and the later ones, and an
// engine error ends the run. The parts are stand-ins for the PortScanner interface.

#include "sentinel/scan/sequential_scanner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace sentinel::scan {
namespace {

/// Reports `ports` of 127.0.0.1 one by one; can block in run() until cancelled, or fail.
class ScriptedPart final : public PortScanner {
 public:
  ScriptedPart(std::vector<std::uint16_t> ports, Protocol protocol, std::vector<std::string>& log,
               std::string name)
      : ports_(std::move(ports)), protocol_(protocol), log_(log), name_(std::move(name)) {}

  Result<ScanOutcome> run(const PortResultHandler& on_result) override {
    log_.push_back(name_ + " ran");
    if (fails) return internal_error(name_ + ": no sockets");
    for (const std::uint16_t port : ports_) {
      if (cancelled_) return ScanOutcome::kCancelled;
      on_result(
          {.address = *IpAddress::parse("127.0.0.1"),
           .port = port,
           .protocol = protocol_,
           .state = protocol_ == Protocol::kUdp ? PortState::kOpenFiltered : PortState::kOpen});
      ++done_;
    }
    running = true;
    while (blocks && !cancelled_) std::this_thread::yield();
    return cancelled_ ? ScanOutcome::kCancelled : ScanOutcome::kCompleted;
  }
  void cancel() override { cancelled_ = true; }
  ScanProgress progress() const override {
    return {.pairs_total = ports_.size(),
            .pairs_done = done_.load(),
            .probes_sent = done_.load() * 2,
            .open_found = protocol_ == Protocol::kTcp ? done_.load() : 0};
  }

  bool fails = false;
  bool blocks = false;
  std::atomic<bool> running{false};

 private:
  std::vector<std::uint16_t> ports_;
  Protocol protocol_;
  std::vector<std::string>& log_;
  std::string name_;
  std::atomic<bool> cancelled_{false};
  std::atomic<std::uint64_t> done_{0};
};

struct Bed {
  std::vector<std::string> log;
  ScriptedPart* tcp = nullptr;
  ScriptedPart* udp = nullptr;
  std::unique_ptr<SequentialScanner> scanner;

  Bed() {
    auto tcp_part = std::make_unique<ScriptedPart>(std::vector<std::uint16_t>{22, 80},
                                                   Protocol::kTcp, log, "tcp");
    auto udp_part = std::make_unique<ScriptedPart>(std::vector<std::uint16_t>{53, 161, 500},
                                                   Protocol::kUdp, log, "udp");
    tcp = tcp_part.get();
    udp = udp_part.get();
    std::vector<std::unique_ptr<PortScanner>> parts;
    parts.push_back(std::move(tcp_part));
    parts.push_back(std::move(udp_part));
    scanner = std::make_unique<SequentialScanner>(std::move(parts));
  }
};

std::string key(const PortResult& result) {
  return std::string(result.protocol == Protocol::kUdp ? "udp/" : "tcp/") +
         std::to_string(result.port) + " " + std::string(to_string(result.state));
}

TEST(SequentialScanner, RunsThePartsInOrderAndSumsTheirProgress) {
  Bed bed;
  const ScanProgress before = bed.scanner->progress();
  EXPECT_EQ(before.pairs_total, 5u);
  EXPECT_EQ(before.pairs_done, 0u);

  std::vector<std::string> results;
  const auto outcome = bed.scanner->run([&](const PortResult& r) { results.push_back(key(r)); });
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(*outcome, ScanOutcome::kCompleted);
  EXPECT_EQ(bed.log, (std::vector<std::string>{"tcp ran", "udp ran"}));
  EXPECT_EQ(results, (std::vector<std::string>{"tcp/22 open", "tcp/80 open", "udp/53 open|filtered",
                                               "udp/161 open|filtered", "udp/500 open|filtered"}));
  const ScanProgress after = bed.scanner->progress();
  EXPECT_EQ(after.pairs_total, 5u);
  EXPECT_EQ(after.pairs_done, 5u);
  EXPECT_EQ(after.probes_sent, 10u);
  EXPECT_EQ(after.open_found, 2u);
  EXPECT_FALSE(bed.scanner->run([](const PortResult&) {})) << "a scanner runs once";
}

TEST(SequentialScanner, ACancelStopsTheRunningPartAndTheLaterOnesNeverRun) {
  Bed bed;
  bed.tcp->blocks = true;
  Result<ScanOutcome> outcome = ScanOutcome::kCompleted;
  std::thread scan([&] { outcome = bed.scanner->run([](const PortResult&) {}); });
  while (!bed.tcp->running) std::this_thread::yield();
  bed.scanner->cancel();
  scan.join();
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(*outcome, ScanOutcome::kCancelled);
  EXPECT_EQ(bed.log, std::vector<std::string>{"tcp ran"});
  EXPECT_EQ(bed.scanner->progress().pairs_done, 2u);
}

TEST(SequentialScanner, ACancelBeforeTheRunMakesItReturnAtOnce) {
  Bed bed;
  bed.scanner->cancel();
  const auto outcome = bed.scanner->run([](const PortResult&) {});
  ASSERT_TRUE(outcome);
  EXPECT_EQ(*outcome, ScanOutcome::kCancelled);
  EXPECT_TRUE(bed.log.empty());
}

TEST(SequentialScanner, AnEngineErrorEndsTheRunWithThatError) {
  Bed bed;
  bed.tcp->fails = true;
  const auto outcome = bed.scanner->run([](const PortResult&) {});
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().message, "tcp: no sockets");
  EXPECT_EQ(bed.log, std::vector<std::string>{"tcp ran"});
}

}  // namespace
}  // namespace sentinel::scan
