// The connect() scanner against real listeners that the test opens on 127.66.0.0/27 and ::1
// (Linux answers for all of 127/8 without configuration). Nothing leaves the loopback.

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <set>
#include <thread>
#include <vector>

#include "sentinel/scan/connect_scanner.h"
#include "tests/integration/scan/scan_test_bed.h"

namespace sentinel::scan {
namespace {

using namespace std::chrono_literals;
using namespace sentinel::scan::testing;

class ConnectScanTest : public ::testing::Test {
 protected:
  static constexpr int kPorts = 6;
  static constexpr int kHostsWithListeners = 20;

  void SetUp() override {
    ASSERT_TRUE(open_loopback_bed("127.66.0.", kHostsWithListeners, kPorts, bed_));
    ports_ = bed_.ports;
    open_ = bed_.open;
  }

  TargetSet subnet() { return TargetSet::from_ranges({{ip("127.66.0.0"), ip("127.66.0.31")}}); }

  LoopbackBed bed_;
  std::vector<std::uint16_t> ports_;
  std::set<Pair> open_;
};

TEST_F(ConnectScanTest, FindsExactlyTheOpenPortsAndReportsTheRestClosed) {
  auto scanner = ConnectScanner::create(subnet(), ports_, loopback_scope(), {});
  ASSERT_TRUE(scanner) << scanner.error().message;
  Collected collected;
  const auto start = std::chrono::steady_clock::now();
  const auto outcome = (*scanner)->run(collect_into(collected));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(*outcome, ScanOutcome::kCompleted);

  std::set<Pair> found_open;
  for (const auto& [pair, state] : collected.states) {
    if (state == PortState::kOpen) found_open.insert(pair);
  }
  EXPECT_EQ(found_open, open_) << "recall and precision must both be 100%";
  ASSERT_EQ(collected.states.size(), 32u * kPorts) << "every pair reported";
  for (const auto& [pair, count] : collected.reports) {
    EXPECT_EQ(count, 1) << pair.first << ":" << pair.second << " reported more than once";
  }
  for (const auto& [pair, state] : collected.states) {
    if (!open_.count(pair)) {
      EXPECT_EQ(state, PortState::kClosed) << pair.first << ":" << pair.second;
    }
  }
  const ScanProgress progress = (*scanner)->progress();
  EXPECT_EQ(progress.pairs_total, 32u * kPorts);
  EXPECT_EQ(progress.pairs_done, 32u * kPorts);
  EXPECT_EQ(progress.open_found, open_.size());
  EXPECT_GE(progress.probes_sent, 32u * kPorts);
  std::cout << "[ scan     ] 32 hosts x " << kPorts << " ports (" << open_.size() << " open) in "
            << std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count() / 1000.0
            << " ms, " << progress.probes_sent << " probes\n";
}

TEST_F(ConnectScanTest, TheSameResultUnderTightConcurrencyAndRateCaps) {
  ConnectScanOptions options;
  options.limits.max_concurrency = 3;
  options.limits.max_rate = 400;
  options.seed = 99;
  auto scanner = ConnectScanner::create(subnet(), ports_, loopback_scope(), options);
  ASSERT_TRUE(scanner) << scanner.error().message;
  Collected collected;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE((*scanner)->run(collect_into(collected)));
  const auto elapsed = std::chrono::steady_clock::now() - start;

  std::set<Pair> found_open;
  for (const auto& [pair, state] : collected.states) {
    if (state == PortState::kOpen) found_open.insert(pair);
  }
  EXPECT_EQ(found_open, open_);
  EXPECT_EQ(collected.states.size(), 32u * kPorts);
  // 192 probes at 400 per second take about 0.48 s; the bucket saves up 2 at most.
  EXPECT_GE(elapsed, 450ms);
  EXPECT_LE((*scanner)->progress().probes_per_second, 420);
}

TEST_F(ConnectScanTest, CancelStopsAScanThatWouldRunForHours) {
  ConnectScanOptions options;
  options.limits.max_rate = 1;  // 32 × 2000 pairs at one probe a second: about 18 hours
  std::vector<std::uint16_t> many_ports;
  for (std::uint16_t port = 30000; port < 32000; ++port) many_ports.push_back(port);
  auto scanner = ConnectScanner::create(subnet(), many_ports, loopback_scope(), options);
  ASSERT_TRUE(scanner) << scanner.error().message;
  expect_cancel_stops(**scanner);
}

TEST_F(ConnectScanTest, APortThatNeverAnswersIsFilteredAfterTwoRetransmissions) {
  // A listener whose accept queue is full drops new SYNs: for the scanner, a silent port.
  Listeners silent;
  const std::uint16_t port = silent.listen_on(ip("127.66.0.40"), 0, 0);
  ASSERT_NE(port, 0);
  const int filler = fill_accept_queue(ip("127.66.0.40"), port);
  ASSERT_GE(filler, 0) << std::strerror(errno);

  ConnectScanOptions options;
  options.limits.rtt = RttBounds{100ms, 100ms, 100ms};
  auto scanner =
      ConnectScanner::create(TargetSet::from_ranges({AddressRange::single(ip("127.66.0.40"))}),
                             {port}, loopback_scope(), options);
  ASSERT_TRUE(scanner);
  Collected collected;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE((*scanner)->run(collect_into(collected)));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  close(filler);

  const Pair key{"127.66.0.40", port};
  EXPECT_EQ(collected.states[key], PortState::kFiltered);
  EXPECT_EQ(collected.attempts[key], 3);
  EXPECT_EQ((*scanner)->progress().probes_sent, 3u);
  EXPECT_GE(elapsed, 300ms);  // three attempts, each waiting its full 100 ms timeout
}

TEST(ConnectScanIpv6, ScansTheIpv6Loopback) {
  Listeners listeners;
  const std::uint16_t open = listeners.listen_on(ip("::1"), 0);
  ASSERT_NE(open, 0) << "no IPv6 loopback: " << std::strerror(errno);
  const std::uint16_t closed = listeners.listen_on(ip("::1"), 0);
  ASSERT_NE(closed, 0);
  listeners.close_last();

  auto scanner = ConnectScanner::create(TargetSet::from_ranges({AddressRange::single(ip("::1"))}),
                                        {open, closed}, loopback_scope(), {});
  ASSERT_TRUE(scanner) << scanner.error().message;
  Collected collected;
  ASSERT_TRUE((*scanner)->run(collect_into(collected)));
  EXPECT_EQ(collected.states[Pair("::1", open)], PortState::kOpen);
  EXPECT_EQ(collected.states[Pair("::1", closed)], PortState::kClosed);
  EXPECT_EQ(collected.states.size(), 2u);
}

}  // namespace
}  // namespace sentinel::scan
