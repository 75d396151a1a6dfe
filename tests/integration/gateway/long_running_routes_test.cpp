// Routes that wait for seconds by design (Route::long_running: a feed fetch, a firewall apply)
// run on a pool of their own, so that while that pool is full every other route still answers.
// First a real gateway over TLS with test routes whose handlers wait at a gate the test opens,
// then the real server's route table.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <vector>

#include "client/api_client.h"
#include "sentinel/auth/principal.h"
#include "sentinel/bus/bus.h"
#include "sentinel/common/metrics.h"
#include "sentinel/gateway/gateway.h"
#include "tests/integration/api_fixture.h"
#include "tests/support/temp_dir.h"

namespace sentinel::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

// Test deadlines only: how long a broken gateway may keep the test waiting before it fails.
constexpr auto kGiveUp = 60s;

/// Where the long-running handlers wait until the test opens it. Thread-safe.
class Gate {
 public:
  void arrive_and_wait() {
    std::unique_lock lock(mutex_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
    --waiting_;
  }

  /// True once `count` handlers wait at the gate.
  bool wait_for_waiting(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kGiveUp, [&] { return waiting_ >= count; });
  }

  int waiting() {
    std::lock_guard lock(mutex_);
    return waiting_;
  }

  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int waiting_ = 0;
  bool open_ = false;
};

/// The test routes are public: nobody is ever authenticated.
class NobodyAuthenticator final : public auth::Authenticator {
 public:
  Result<auth::Principal> authenticate_session(const Secret&, std::string_view) override {
    return unauthenticated("no sessions here");
  }
  Result<auth::Principal> authenticate_token(const Secret&, std::string_view) override {
    return unauthenticated("no tokens here");
  }
};

class LongRunningPoolTest : public ::testing::Test {
 protected:
  static constexpr int kLongRunningThreads = 2;

  void SetUp() override {
    gateway::Router router;
    ASSERT_TRUE(router.add(gateway::long_running_route(
        {"POST", "/api/v1/test/wait", std::string(gateway::kPublic), "Waits at the gate",
         [this](gateway::Request&) -> Result<gateway::Response> {
           gate_.arrive_and_wait();
           return gateway::Response::json({{"waited", true}});
         }})));
    ASSERT_TRUE(router.add({"GET", "/api/v1/test/ordinary", std::string(gateway::kPublic),
                            "Answers at once", [](gateway::Request&) -> Result<gateway::Response> {
                              return gateway::Response::json({{"ordinary", true}});
                            }}));
    gateway::GatewayOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = (dir_.path() / "data").string();
    options.worker_threads = 1;
    options.long_running_threads = kLongRunningThreads;
    auto gateway = gateway::Gateway::create(options, router, authenticator_, *bus_, metrics_,
                                            [] { return true; });
    ASSERT_TRUE(gateway) << gateway.error().message;
    gateway_ = std::move(*gateway);
    ASSERT_TRUE(gateway_->start());
  }

  void TearDown() override {
    gate_.open();  // a failed test must not leave handlers waiting for stop() to join
    if (gateway_) {
      gateway_->drain();
      gateway_->stop();
    }
    bus_->stop();
  }

  client::ApiClient client() {
    client::ClientOptions options;
    options.base_url = "https://" + gateway_->bound_address();
    options.ca_file = (dir_.path() / "data" / "tls" / "server.crt").string();
    options.io_timeout = kGiveUp;
    auto api = client::ApiClient::create(options);
    EXPECT_TRUE(api) << api.error().message;
    return std::move(*api);
  }

  /// POST /api/v1/test/wait on a connection of its own; the status, or the transport error.
  std::future<Result<int>> wait_at_gate() {
    return std::async(std::launch::async, [api = client()]() mutable -> Result<int> {
      auto reply = api.post("/api/v1/test/wait");
      if (!reply) return std::move(reply).error();
      return reply->status;
    });
  }

  TempDir dir_{"sentinel-long-running"};
  Gate gate_;
  NobodyAuthenticator authenticator_;
  MetricsRegistry metrics_;
  std::unique_ptr<bus::Bus> bus_ = bus::make_inproc_bus();
  std::unique_ptr<gateway::Gateway> gateway_;
};

TEST_F(LongRunningPoolTest, OrdinaryRoutesAnswerWhileEveryLongRunningThreadWaits) {
  std::vector<std::future<Result<int>>> waiting;
  for (int i = 0; i < kLongRunningThreads; ++i) waiting.push_back(wait_at_gate());
  // The long-running pool is full: each of its threads holds a request at the gate.
  ASSERT_TRUE(gate_.wait_for_waiting(kLongRunningThreads))
      << gate_.waiting() << " of " << kLongRunningThreads << " requests reached their handler";

  // The one ordinary worker is free: ordinary routes and /healthz answer, more than once.
  client::ApiClient api = client();
  for (int round = 0; round < 3; ++round) {
    auto ordinary = api.get("/api/v1/test/ordinary");
    ASSERT_TRUE(ordinary) << ordinary.error().message;
    EXPECT_EQ(ordinary->status, 200);
    EXPECT_EQ(ordinary->body, R"({"ordinary":true})");
    auto health = api.get("/healthz");
    ASSERT_TRUE(health) << health.error().message;
    EXPECT_EQ(health->status, 200);
  }
  // ... while the long-running requests are still held: nothing has opened the gate.
  EXPECT_EQ(gate_.waiting(), kLongRunningThreads);
  for (auto& request : waiting) EXPECT_EQ(request.wait_for(0s), std::future_status::timeout);

  gate_.open();
  for (auto& request : waiting) {
    ASSERT_EQ(request.wait_for(kGiveUp), std::future_status::ready);
    Result<int> status = request.get();
    ASSERT_TRUE(status) << status.error().message;
    EXPECT_EQ(*status, 200);
  }
  auto metrics = api.get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find(R"(sentinel_http_long_running_requests_total{)"
                               R"(route="/api/v1/test/wait",method="POST"} 2)"),
            std::string::npos)
      << metrics->body;
  EXPECT_EQ(metrics->body.find(R"(sentinel_http_long_running_requests_total{)"
                               R"(route="/api/v1/test/ordinary")"),
            std::string::npos);
}

// More long-running requests than the pool has threads queue for it; none is lost.
TEST_F(LongRunningPoolTest, LongRunningRequestsBeyondThePoolWaitTheirTurn) {
  std::vector<std::future<Result<int>>> waiting;
  for (int i = 0; i < kLongRunningThreads + 2; ++i) waiting.push_back(wait_at_gate());
  ASSERT_TRUE(gate_.wait_for_waiting(kLongRunningThreads));
  auto ordinary = client().get("/api/v1/test/ordinary");
  ASSERT_TRUE(ordinary) << ordinary.error().message;
  EXPECT_EQ(ordinary->status, 200);
  EXPECT_LE(gate_.waiting(), kLongRunningThreads) << "the pool is bounded";
  gate_.open();
  for (auto& request : waiting) {
    ASSERT_EQ(request.wait_for(kGiveUp), std::future_status::ready);
    Result<int> status = request.get();
    ASSERT_TRUE(status) << status.error().message;
    EXPECT_EQ(*status, 200);
  }
}

TEST(LongRunningOptionsTest, APoolWithoutThreadsIsRefused) {
  TempDir dir{"sentinel-long-running"};
  NobodyAuthenticator authenticator;
  MetricsRegistry metrics;
  auto bus = bus::make_inproc_bus();
  gateway::GatewayOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = (dir.path() / "data").string();
  options.long_running_threads = 0;
  auto gateway = gateway::Gateway::create(options, gateway::Router{}, authenticator, *bus, metrics,
                                          [] { return true; });
  EXPECT_FALSE(gateway);
  bus->stop();
}

// The server's own route table: the routes that wait for seconds by design are served by the
// long-running pool, the others (login above all) are not. Each is called so that it answers at
// once (unknown names, bodies it refuses): the pool that served it is the point, not the work.
class ServerLongRunningRoutesTest : public ApiTest {};

TEST_P(ServerLongRunningRoutesTest, WaitingRoutesRunOnTheLongRunningPool) {
  client::ApiClient root = admin();
  struct Call {
    std::string method;
    std::string path;
    std::string route;
    std::optional<json::value> body;
  };
  const std::vector<Call> long_running = {
      {"POST", "/api/v1/firewall/feeds/no-such-feed/refresh",
       "/api/v1/firewall/feeds/{name}/refresh", std::nullopt},
      {"POST", "/api/v1/firewall/apply", "/api/v1/firewall/apply",
       json::object{{"agent_ids", json::array{"no-such-agent"}}}},
      {"POST", "/api/v1/agents/no-such-agent/commands", "/api/v1/agents/{id}/commands",
       json::object{{"name", "ping"}}},
      {"POST", "/api/v1/scan-scopes/check", "/api/v1/scan-scopes/check",
       json::object{{"targets", json::array{"192.0.2.1"}}}},
      {"POST", "/api/v1/scans", "/api/v1/scans", json::object{}},
      {"POST", "/api/v1/scans/import", "/api/v1/scans/import", json::object{}},
      {"POST", "/api/v1/scan-schedules", "/api/v1/scan-schedules", json::object{}},
      {"PUT", "/api/v1/scan-schedules/999999", "/api/v1/scan-schedules/{id}", json::object{}},
      {"POST", "/api/v1/scan-schedules/999999/run-now", "/api/v1/scan-schedules/{id}/run-now",
       std::nullopt},
      {"GET", "/api/v1/audit/verify", "/api/v1/audit/verify", std::nullopt},
  };
  const std::vector<Call> ordinary = {
      {"GET", "/api/v1/auth/me", "/api/v1/auth/me", std::nullopt},
      {"GET", "/api/v1/firewall/feeds", "/api/v1/firewall/feeds", std::nullopt},
      {"POST", "/api/v1/firewall/validate", "/api/v1/firewall/validate", json::object{}},
      {"GET", "/api/v1/firewall/status", "/api/v1/firewall/status", std::nullopt},
      {"GET", "/api/v1/scans", "/api/v1/scans", std::nullopt},
      {"GET", "/api/v1/audit", "/api/v1/audit", std::nullopt},
  };
  for (const std::vector<Call>* calls : {&long_running, &ordinary}) {
    for (const Call& call : *calls) {
      auto reply = root.request(call.method, call.path, call.body);
      ASSERT_TRUE(reply) << call.method << " " << call.path << ": " << reply.error().message;
      EXPECT_LT(reply->status, 500) << call.method << " " << call.path << ": " << reply->body;
    }
  }
  auto metrics = root.get("/metrics");
  ASSERT_TRUE(metrics);
  const auto counted = [&](const Call& call) {
    return metrics->body.find("sentinel_http_long_running_requests_total{route=\"" + call.route +
                              "\",method=\"" + call.method + "\"} 1") != std::string::npos;
  };
  for (const Call& call : long_running) {
    EXPECT_TRUE(counted(call)) << call.method << " " << call.route << " is not long-running";
  }
  for (const Call& call : ordinary) {
    EXPECT_FALSE(counted(call)) << call.method << " " << call.route << " is long-running";
  }
  EXPECT_EQ(metrics->body.find("sentinel_http_long_running_requests_total{route=\"/api/v1/auth/"
                               "login\""),
            std::string::npos);
}

// The route table does not depend on the database.
INSTANTIATE_TEST_SUITE_P(Sqlite, ServerLongRunningRoutesTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sentinel::test
