// The agent's shard runner with the real engine (connect() probes) against listeners this test
// opens on 127.69.240.0/24: targets are checked against the scope sent, results wait for polls
// and are handed over exactly once, a second shard is refused while one is in hand, a shard
// nobody polls any more is given up, and one answer never holds more than its budget. Each test
// runs twice: with the engine in this process, and with the agent's confined scan worker child
// (CAP_NET_RAW only, seccomp profile `scanner`).

#include "agent/scan/shard_runner.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "agent/scan/scan_worker.h"
#include "tests/support/server_process.h"

namespace sentinel::agent {
namespace {

using namespace std::chrono_literals;
using Pair = std::pair<std::string, std::uint16_t>;

constexpr const char* kScope = "127.69.240.0/24";

/// A TCP listener on address:port (port 0: the kernel picks). Closed when destroyed.
class Listener {
 public:
  explicit Listener(const std::string& address) : address_(address) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in bound{};
    bound.sin_family = AF_INET;
    ::inet_pton(AF_INET, address.c_str(), &bound.sin_addr);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&bound), sizeof(bound)), 0) << address;
    EXPECT_EQ(::listen(fd_, 1024), 0);
    socklen_t length = sizeof(bound);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &length);
    port_ = ntohs(bound.sin_port);
  }
  ~Listener() { ::close(fd_); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  Pair pair() const { return {address_, port_}; }
  std::uint16_t port() const { return port_; }

 private:
  std::string address_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

boost::json::object start_args(std::int64_t shard, const std::string& targets,
                               const std::string& ports, const std::string& scope = kScope) {
  return scanner::encode(scanner::ShardStart{.job_id = 7,
                                             .shard = shard,
                                             .targets = targets,
                                             .ports = ports,
                                             .scope = scope,
                                             .raw = false,
                                             .service_detection = false});
}

boost::json::object ref_args(std::int64_t shard) {
  return scanner::encode(scanner::ShardRef{7, shard});
}

enum class Engine { kInProcess, kConfined };

class ShardRunnerTest : public ::testing::TestWithParam<Engine> {
 protected:
  ShardEngine& engine() {
    if (GetParam() == Engine::kInProcess) return in_process_;
    return confined_;
  }

  /// Polls shard `shard` every 20 ms until its final answer (at most two minutes: a bound, not
  /// a measurement); returns every answer.
  std::vector<scanner::ShardReport> poll_to_end(ShardRunner& runner, std::int64_t shard) {
    std::vector<scanner::ShardReport> answers;
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto answer = runner.handle("scan_shard_poll", ref_args(shard));
      EXPECT_TRUE(answer) << answer.error().message;
      if (!answer) break;
      auto report = scanner::decode_shard_report(*answer);
      EXPECT_TRUE(report) << report.error().message;
      if (!report) break;
      answers.push_back(*report);
      if (report->state != scanner::ShardState::kRunning) return answers;
      std::this_thread::sleep_for(20ms);
    }
    ADD_FAILURE() << "shard " << shard << " did not end";
    return answers;
  }

  static std::set<Pair> open_pairs(const std::vector<scanner::ShardReport>& answers) {
    std::set<Pair> out;
    for (const auto& report : answers) {
      for (const auto& host : report.hosts) {
        for (const auto& port : host.ports) {
          EXPECT_TRUE(out.insert({host.address.to_string(), port.port}).second)
              << host.address.to_string() << ":" << port.port << " handed over twice";
        }
      }
    }
    return out;
  }

  ManualClock clock_{1'700'000'000'000};
  InProcessShardEngine in_process_{ShardEngineOptions{}};
  ConfinedShardEngine confined_{ConfinedShardEngineOptions{
      .executable = sentinel::test::binary_path("scan_worker_test_image")}};
};

INSTANTIATE_TEST_SUITE_P(Engines, ShardRunnerTest,
                         ::testing::Values(Engine::kInProcess, Engine::kConfined),
                         [](const ::testing::TestParamInfo<Engine>& info) {
                           return info.param == Engine::kInProcess ? "InProcess" : "Confined";
                         });

TEST_P(ShardRunnerTest, TargetsOutsideTheScopeSentAreRefusedBeforeAnyProbe) {
  ShardRunner runner({}, engine(), clock_);
  auto refused =
      runner.handle("scan_shard_start", start_args(0, "127.69.240.1,127.69.241.0/30", "22"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(refused.error().message.find("127.69.241.0/30"), std::string::npos)
      << refused.error().message;
  // Nothing runs: there is no shard to poll.
  auto poll = runner.handle("scan_shard_poll", ref_args(0));
  ASSERT_FALSE(poll);
  EXPECT_NE(poll.error().message.find("no such shard"), std::string::npos);
}

TEST_P(ShardRunnerTest, BadArgumentsAreRefusedNamingTheField) {
  ShardRunner runner({}, engine(), clock_);
  auto start = runner.handle("scan_shard_start", boost::json::object{{"shard", 0}});
  ASSERT_FALSE(start);
  EXPECT_EQ(start.error().field, "job_id");
  auto names = runner.handle("scan_shard_start", start_args(0, "localhost", "22"));
  ASSERT_FALSE(names);
  EXPECT_EQ(names.error().field, "targets");
  auto ports = runner.handle("scan_shard_start", start_args(0, "127.69.240.1", "T:22,U:0"));
  ASSERT_FALSE(ports);
  EXPECT_EQ(ports.error().field, "ports");
  auto poll = runner.handle("scan_shard_poll", boost::json::object{{"job_id", 7}, {"shard", -1}});
  ASSERT_FALSE(poll);
  EXPECT_EQ(poll.error().field, "shard");
}

TEST_P(ShardRunnerTest, EveryOpenPortIsHandedOverOnceAndTheShardIsThenForgotten) {
  Listener first("127.69.240.1");
  Listener second("127.69.240.2");
  Listener other_port("127.69.240.2");
  const std::string ports = std::to_string(first.port()) + "," + std::to_string(second.port()) +
                            "," + std::to_string(other_port.port());
  ShardRunner runner({}, engine(), clock_);
  auto started =
      runner.handle("scan_shard_start", start_args(3, "127.69.240.1-127.69.240.3", ports));
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_EQ(started->at("method").as_string(), "connect");

  const auto answers = poll_to_end(runner, 3);
  ASSERT_FALSE(answers.empty());
  EXPECT_EQ(answers.back().state, scanner::ShardState::kDone) << answers.back().error;
  EXPECT_EQ(answers.back().pairs_done, answers.back().pairs_total);
  EXPECT_EQ(answers.back().pairs_total, 3 * 3);
  // The listeners, and nothing else: every other pair is closed.
  const std::set<Pair> expected = {first.pair(), second.pair(), other_port.pair()};
  EXPECT_EQ(open_pairs(answers), expected);

  auto again = runner.handle("scan_shard_poll", ref_args(3));
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("no such shard"), std::string::npos);
}

TEST_P(ShardRunnerTest, WithDiscoveryEveryHostFoundUpIsHandedOverWithHowItWasFound) {
  Listener listener("127.69.240.60");
  ShardRunner runner({}, engine(), clock_);
  boost::json::object args =
      start_args(4, "127.69.240.60-127.69.240.62", std::to_string(listener.port()));
  args["discovery"] = true;
  auto started = runner.handle("scan_shard_start", args);
  ASSERT_TRUE(started) << started.error().message;

  const auto answers = poll_to_end(runner, 4);
  ASSERT_FALSE(answers.empty());
  EXPECT_EQ(answers.back().state, scanner::ShardState::kDone) << answers.back().error;
  EXPECT_EQ(answers.back().pairs_total, 3);
  EXPECT_EQ(answers.back().pairs_done, 3);
  // Loopback answers for every address (without raw sockets: a reset to connect()), so all
  // three are up, each handed over first with its reason, the two without listeners without
  // ports.
  std::map<std::string, std::string> reasons;
  for (const auto& report : answers) {
    for (const auto& host : report.hosts) {
      reasons.emplace(host.address.to_string(), host.reason);
      EXPECT_EQ(host.mac, "") << host.address.to_string();  // not found by ARP
    }
  }
  ASSERT_EQ(reasons.size(), 3u);
  for (const auto& [address, reason] : reasons) {
    EXPECT_FALSE(reason.empty()) << address << " came without how it was found";
  }
  EXPECT_EQ(open_pairs(answers), std::set<Pair>{listener.pair()});
}

TEST_P(ShardRunnerTest, ASecondShardIsRefusedAsBusyUntilTheFirstIsCancelled) {
  Listener listener("127.69.240.20");
  ShardRunner runner({}, engine(), clock_);
  // 256 hosts x 65,535 ports: far more than the test lasts.
  ASSERT_TRUE(runner.handle("scan_shard_start", start_args(0, kScope, "1-65535")));
  auto busy = runner.handle("scan_shard_start",
                            start_args(1, "127.69.240.20", std::to_string(listener.port())));
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().message.rfind("busy", 0), 0u) << busy.error().message;

  auto cancelled = runner.handle("scan_shard_cancel", ref_args(0));
  ASSERT_TRUE(cancelled) << cancelled.error().message;
  EXPECT_TRUE(cancelled->at("cancelled").as_bool());
  // A cancelled shard is nobody's to poll.
  EXPECT_FALSE(runner.handle("scan_shard_poll", ref_args(0)));

  // Its thread ends soon; then the next shard is taken.
  bool accepted = false;
  for (int i = 0; i < 600 && !accepted; ++i) {
    auto next = runner.handle("scan_shard_start",
                              start_args(1, "127.69.240.20", std::to_string(listener.port())));
    accepted = next.has_value();
    if (!accepted) {
      EXPECT_EQ(next.error().message.rfind("busy", 0), 0u) << next.error().message;
      std::this_thread::sleep_for(100ms);
    }
  }
  ASSERT_TRUE(accepted);
  EXPECT_EQ(open_pairs(poll_to_end(runner, 1)), std::set<Pair>{listener.pair()});
}

TEST_P(ShardRunnerTest, AShardNobodyPollsAnyMoreIsGivenUpForTheNext) {
  Listener listener("127.69.240.30");
  ShardRunnerOptions options;
  options.abandon_after = 60s;
  ShardRunner runner(options, engine(), clock_);
  ASSERT_TRUE(runner.handle("scan_shard_start", start_args(0, kScope, "1-65535")));
  const auto next = start_args(1, "127.69.240.30", std::to_string(listener.port()));
  clock_.advance_ms(59'000);
  auto busy = runner.handle("scan_shard_start", next);
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().message.rfind("busy", 0), 0u);
  // Still the first shard's: it can be polled.
  EXPECT_TRUE(runner.handle("scan_shard_poll", ref_args(0)));

  clock_.advance_ms(60'000);
  bool accepted = false;
  for (int i = 0; i < 600 && !accepted; ++i) {
    accepted = runner.handle("scan_shard_start", next).has_value();
    if (!accepted) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(accepted);
  EXPECT_FALSE(runner.handle("scan_shard_poll", ref_args(0)));
  EXPECT_EQ(open_pairs(poll_to_end(runner, 1)), std::set<Pair>{listener.pair()});
}

TEST_P(ShardRunnerTest, AnAnswerHoldsNoMoreThanItsBudget) {
  std::vector<std::unique_ptr<Listener>> listeners;
  std::set<Pair> expected;
  for (int i = 40; i < 52; ++i) {
    listeners.push_back(std::make_unique<Listener>("127.69.240." + std::to_string(i)));
    expected.insert(listeners.back()->pair());
  }
  std::string ports;
  for (const auto& listener : listeners) {
    ports += (ports.empty() ? "" : ",") + std::to_string(listener->port());
  }
  ShardRunnerOptions options;
  options.max_answer_bytes = 200;
  ShardRunner runner(options, engine(), clock_);
  ASSERT_TRUE(
      runner.handle("scan_shard_start", start_args(0, "127.69.240.40-127.69.240.51", ports)));
  const auto answers = poll_to_end(runner, 0);
  int with_hosts = 0;
  for (const auto& report : answers) {
    std::size_t bytes = 0;
    for (const auto& host : report.hosts) {
      bytes += boost::json::serialize(scanner::found_host_json(host)).size();
    }
    // One entry always goes, whatever its size; more only within the budget.
    if (report.hosts.size() > 1) {
      EXPECT_LE(bytes, options.max_answer_bytes);
    }
    with_hosts += report.hosts.empty() ? 0 : 1;
  }
  EXPECT_GE(with_hosts, 2);
  EXPECT_EQ(open_pairs(answers), expected);
}

}  // namespace
}  // namespace sentinel::agent
