// The UDP scan's decisions against simulated hosts on a simulated clock: closed ports whose ICMP
// errors a Linux-like host rations (one a second after a burst of six, as net.ipv4.icmp_ratelimit
// does), silent ports, answering ports. Nothing is sent anywhere; the loopback tests in
// tests/integration/scan/udp_scan_test.cpp cover the sockets.

#include "src/scan/udp_probe_schedule.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <map>
#include <vector>

namespace sentinel::scan {
namespace {

using namespace std::chrono_literals;

enum class Truth { kAnswers, kSilent, kClosed };

/// A host's ICMP error allowance, as Linux keeps it per destination (inet_peer_xrlim_allow):
/// credit grows with time up to six intervals; an error costs one interval. Starts full.
/// An interval of zero means no limit (the loopback device).
class IcmpAllowance {
 public:
  explicit IcmpAllowance(Duration interval) : interval_(interval), credit_(interval * 6) {}
  bool allow(TimePoint now) {
    if (interval_ == Duration{0}) return true;
    if (last_ != TimePoint{}) {
      credit_ =
          std::min(credit_ + std::chrono::duration_cast<Duration>(now - last_), interval_ * 6);
    }
    last_ = now;
    if (credit_ < interval_) return false;
    credit_ -= interval_;
    return true;
  }

 private:
  Duration interval_;
  Duration credit_;
  TimePoint last_{};
};

/// Hosts × ports with a truth per pair, and the schedule driven against them until it finishes.
struct Simulation {
  TargetSet targets = TargetSet::from_ranges({});
  std::size_t ports = 0;
  std::function<Truth(std::uint32_t host, std::size_t port)> truth;
  std::vector<IcmpAllowance> allowances;  // per host
  Duration one_way = 1ms;
  // Every seventh probe finds no socket free (not_sent) when set.
  bool short_of_sockets = false;

  std::map<std::uint64_t, UdpVerdict> verdicts;
  std::map<std::uint64_t, int> probes;  // per pair, as the target saw them
  Duration elapsed{0};

  Truth truth_of(std::uint64_t pair) const {
    return truth(static_cast<std::uint32_t>(pair % targets.size()), pair / targets.size());
  }

  ::testing::AssertionResult run(const ScanLimits& limits, const IcmpRateLimitGuard& guard,
                                 std::size_t slots = 64) {
    UdpProbeSchedule schedule(targets, ports, 7, limits, guard, slots);
    struct Arrival {
      TimePoint at;
      std::uint32_t slot;
      std::uint64_t launch;  // which launch on that slot it answers
      UdpAnswer answer;
    };
    std::vector<Arrival> arrivals;
    std::vector<std::uint64_t> launches(slots, 0);
    std::vector<std::uint32_t> expired;
    const TimePoint start = TimePoint{} + 1h;
    TimePoint now = start;
    std::uint64_t sent = 0;
    for (int step = 0; !schedule.finished(); ++step) {
      if (step > 5'000'000) return ::testing::AssertionFailure() << "the schedule never finished";
      std::sort(arrivals.begin(), arrivals.end(),
                [](const Arrival& a, const Arrival& b) { return a.at > b.at; });
      while (!arrivals.empty() && arrivals.back().at <= now) {
        const Arrival arrival = arrivals.back();
        arrivals.pop_back();
        // An answer after the probe's timeout finds its socket closed.
        if (launches[arrival.slot] == arrival.launch) {
          schedule.answered(arrival.slot, arrival.answer, arrival.at);
        }
      }
      expired.clear();
      schedule.expire(now, expired);
      for (const std::uint32_t slot : expired) ++launches[slot];
      while (const auto probe = schedule.next(now)) {
        if (schedule.in_flight() > slots) return ::testing::AssertionFailure() << "over the cap";
        if (short_of_sockets && ++sent % 7 == 0) {
          schedule.not_sent(*probe);
          break;
        }
        ++probes[probe->pair];
        const std::uint32_t host = static_cast<std::uint32_t>(probe->pair % targets.size());
        const std::uint64_t launch = ++launches[probe->slot];
        switch (truth_of(probe->pair)) {
          case Truth::kAnswers:
            arrivals.push_back({now + 2 * one_way, probe->slot, launch, UdpAnswer::kDatagram});
            break;
          case Truth::kClosed:
            if (allowances[host].allow(now + one_way)) {
              arrivals.push_back(
                  {now + 2 * one_way, probe->slot, launch, UdpAnswer::kPortUnreachable});
            }
            break;
          case Truth::kSilent:
            break;
        }
      }
      for (const UdpVerdict& verdict : schedule.take_verdicts()) {
        if (!verdicts.emplace(verdict.pair, verdict).second) {
          return ::testing::AssertionFailure() << "pair " << verdict.pair << " decided twice";
        }
      }
      TimePoint wake = schedule.wake_time(now);
      for (const Arrival& arrival : arrivals) wake = std::min(wake, arrival.at);
      now = wake > now ? wake : now + 1us;
    }
    elapsed = std::chrono::duration_cast<Duration>(now - start);
    if (verdicts.size() != targets.size() * ports) {
      return ::testing::AssertionFailure() << verdicts.size() << " verdicts";
    }
    return ::testing::AssertionSuccess();
  }

  /// Pairs whose verdict is not what their truth says.
  std::vector<std::uint64_t> wrong() const {
    std::vector<std::uint64_t> found;
    for (const auto& [pair, verdict] : verdicts) {
      const Truth truth = truth_of(pair);
      const PortState expected = truth == Truth::kAnswers  ? PortState::kOpen
                                 : truth == Truth::kClosed ? PortState::kClosed
                                                           : PortState::kOpenFiltered;
      if (verdict.state != expected) found.push_back(pair);
    }
    return found;
  }
};

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

/// One remote host (a documentation address; nothing is sent) with `ports` ports: every
/// twentieth answers, the next is silent, the rest are closed.
Simulation linux_host(std::size_t ports, Duration icmp_interval) {
  Simulation simulation;
  simulation.targets = TargetSet::from_ranges({AddressRange::single(ip("198.51.100.7"))});
  simulation.ports = ports;
  simulation.truth = [](std::uint32_t, std::size_t port) {
    return port % 20 == 0 ? Truth::kAnswers : port % 20 == 1 ? Truth::kSilent : Truth::kClosed;
  };
  simulation.allowances.assign(1, IcmpAllowance(icmp_interval));
  return simulation;
}

TEST(UdpProbeSchedule, ClosedPortsBehindLinuxsIcmpRateLimitAreStillReadClosed) {
  Simulation simulation = linux_host(100, 1s);
  ASSERT_TRUE(simulation.run({}, {}));
  EXPECT_TRUE(simulation.wrong().empty())
      << simulation.wrong().size() << " of 100 wrong, e.g. port index "
      << simulation.wrong().front();
  // Silent ports: three sweep probes, then two confirmation probes.
  EXPECT_EQ(simulation.probes[1], 5);
  EXPECT_EQ(simulation.verdicts[1].attempts, 5);
  std::cout << "[ simulated ] 100 ports of a host allowing one ICMP error a second: "
            << simulation.elapsed.count() / 1e6 << " s\n";
}

TEST(UdpProbeSchedule, WithoutConfirmationTheRateLimitHidesMostClosedPorts) {
  // The guard is what makes the test above pass: the same host without it.
  Simulation simulation = linux_host(100, 1s);
  IcmpRateLimitGuard off;
  off.confirm_attempts = 0;
  ASSERT_TRUE(simulation.run({}, off));
  EXPECT_GT(simulation.wrong().size(), 45u) << "the simulated rate limit does not bite";
  for (const std::uint64_t pair : simulation.wrong()) {
    EXPECT_EQ(simulation.verdicts[pair].state, PortState::kOpenFiltered);
  }
}

TEST(UdpProbeSchedule, AHostThatRationsMoreTightlyGetsASlowerPaceAndExactResults) {
  Simulation simulation = linux_host(60, 2500ms);  // one error per 2.5 s
  ASSERT_TRUE(simulation.run({}, {}));
  EXPECT_TRUE(simulation.wrong().empty()) << simulation.wrong().size() << " of 60 wrong";
}

TEST(UdpProbeSchedule, RateLimitedHostsAreConfirmedInParallel) {
  Simulation one = linux_host(40, 1s);
  ASSERT_TRUE(one.run({}, {}));
  Simulation three = linux_host(40, 1s);
  three.targets = TargetSet::from_ranges({{ip("198.51.100.1"), ip("198.51.100.3")}});
  three.allowances.assign(3, IcmpAllowance(1s));
  ASSERT_TRUE(three.run({}, {}));
  EXPECT_TRUE(three.wrong().empty());
  EXPECT_LT(three.elapsed, one.elapsed * 3 / 2) << "each host is paced on its own";
}

TEST(UdpProbeSchedule, AHostThatSendsNoIcmpErrorIsNotConfirmed) {
  // A host behind a firewall that drops: its silence is its own, however many ports.
  Simulation simulation = linux_host(40, 1s);
  simulation.truth = [](std::uint32_t, std::size_t port) {
    return port % 4 == 0 ? Truth::kAnswers : Truth::kSilent;
  };
  ASSERT_TRUE(simulation.run({}, {}));
  EXPECT_TRUE(simulation.wrong().empty());
  for (const auto& [pair, verdict] : simulation.verdicts) {
    if (verdict.state == PortState::kOpenFiltered) {
      EXPECT_EQ(verdict.attempts, 3) << "1 + max_retries, no confirmation";
      EXPECT_EQ(simulation.probes[pair], 3);
    }
  }
}

TEST(UdpProbeSchedule, LoopbackTargetsAreNotConfirmedUnlessTheGuardSaysSo) {
  Simulation simulation = linux_host(40, 0s);
  simulation.targets = TargetSet::from_ranges({AddressRange::single(ip("127.0.0.1"))});
  ASSERT_TRUE(simulation.run({}, {}));
  EXPECT_TRUE(simulation.wrong().empty());
  EXPECT_EQ(simulation.verdicts[1].attempts, 3);

  Simulation untrusted = linux_host(40, 0s);
  untrusted.targets = TargetSet::from_ranges({AddressRange::single(ip("::1"))});
  IcmpRateLimitGuard guard;
  guard.trust_loopback = false;
  guard.confirm_interval = 10ms;
  ASSERT_TRUE(untrusted.run({}, guard));
  EXPECT_TRUE(untrusted.wrong().empty());
  EXPECT_EQ(untrusted.verdicts[1].attempts, 5);
  EXPECT_EQ(untrusted.probes[21], 5);
}

TEST(UdpProbeSchedule, ShortagesOfSocketsAndTightCapsChangeNoVerdict) {
  Simulation simulation = linux_host(80, 1s);
  simulation.short_of_sockets = true;
  ScanLimits limits;
  limits.max_rate = 50;
  limits.max_retries = 1;
  ASSERT_TRUE(simulation.run(limits, {}, 3));
  EXPECT_TRUE(simulation.wrong().empty()) << simulation.wrong().size() << " of 80 wrong";
  EXPECT_EQ(simulation.verdicts[1].attempts, 4) << "1 + max_retries, then two confirmations";
}

}  // namespace
}  // namespace sentinel::scan
