// Routes that wait for seconds by design (Route::long_running: a feed fetch, a firewall apply)
// run on a pool of their own, so that while that pool is full every other route still answers.
// First a real gateway over TLS with test routes whose handlers wait at a gate the test opens,
// then the real server's route table.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
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

  /// Handlers that arrive from now on wait again.
  void close() {
    std::lock_guard lock(mutex_);
    open_ = false;
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
    configure(options);
    auto gateway = gateway::Gateway::create(options, router, authenticator_, *bus_, metrics_,
                                            [] { return true; });
    ASSERT_TRUE(gateway) << gateway.error().message;
    gateway_ = std::move(*gateway);
    ASSERT_TRUE(gateway_->start());
  }

  /// Changes the options of the gateway SetUp() starts.
  virtual void configure(gateway::GatewayOptions&) {}

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

// One long-running thread and one place to wait for it: a third long-running request is refused at
// once while every other route still answers, and the places come back when the requests end.
class LongRunningQueueTest : public LongRunningPoolTest {
 protected:
  void configure(gateway::GatewayOptions& options) override {
    options.long_running_threads = 1;
    options.long_running_queue = 1;
  }

  /// True once the gateway has admitted `count` long-running requests (running or waiting), as
  /// its gauge says: a request it admitted is past the point where it could be refused.
  bool wait_for_admitted(int count) {
    const std::string line =
        "\nsentinel_http_long_running_in_flight " + std::to_string(count) + "\n";
    const auto give_up = std::chrono::steady_clock::now() + kGiveUp;
    while (metrics_.render().find(line) == std::string::npos) {
      if (std::chrono::steady_clock::now() > give_up) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

  /// POST /api/v1/test/wait, which must be refused at once as the gateway is busy.
  void expect_refused(client::ApiClient& api) {
    auto refused = api.post("/api/v1/test/wait");
    ASSERT_TRUE(refused) << refused.error().message;
    EXPECT_EQ(refused->status, 503) << refused->body;
    EXPECT_EQ(refused->header("retry-after"), "5");
    const std::optional<client::ApiError> error = refused->api_error();
    ASSERT_TRUE(error) << refused->body;
    EXPECT_EQ(error->code, "server_busy");
    EXPECT_NE(error->message.find("busy with long-running requests"), std::string::npos)
        << error->message;
  }

  /// One request held in the handler, then one admitted to wait for the thread.
  std::vector<std::future<Result<int>>> fill_the_lane() {
    std::vector<std::future<Result<int>>> held;
    held.push_back(wait_at_gate());
    EXPECT_TRUE(gate_.wait_for_waiting(1)) << "the first request did not reach its handler";
    held.push_back(wait_at_gate());
    EXPECT_TRUE(wait_for_admitted(2)) << metrics_.render();
    EXPECT_EQ(gate_.waiting(), 1) << "the second request waits for the thread, not in the handler";
    return held;
  }

  static void expect_answered(std::vector<std::future<Result<int>>>& held) {
    for (auto& request : held) {
      ASSERT_EQ(request.wait_for(kGiveUp), std::future_status::ready);
      Result<int> status = request.get();
      ASSERT_TRUE(status) << status.error().message;
      EXPECT_EQ(*status, 200);
    }
  }
};

TEST_F(LongRunningQueueTest, ALongRunningRequestBeyondThePoolAndItsQueueIsRefusedAtOnce) {
  std::vector<std::future<Result<int>>> held = fill_the_lane();
  client::ApiClient api = client();
  expect_refused(api);
  // Refused, not queued: nothing has opened the gate, and every other route still answers.
  auto ordinary = api.get("/api/v1/test/ordinary");
  ASSERT_TRUE(ordinary) << ordinary.error().message;
  EXPECT_EQ(ordinary->status, 200);
  EXPECT_EQ(gate_.waiting(), 1);
  for (auto& request : held) EXPECT_EQ(request.wait_for(0s), std::future_status::timeout);
  const std::string refusals = R"(sentinel_http_long_running_refused_total{)"
                               R"(route="/api/v1/test/wait",method="POST"} )";
  EXPECT_NE(metrics_.render().find(refusals + "1\n"), std::string::npos) << metrics_.render();

  gate_.open();
  expect_answered(held);
  // Both places are free again (given back before the answers left): a long-running request is
  // accepted, and two can be held again, one running and one waiting, before the next is refused.
  EXPECT_TRUE(wait_for_admitted(0));
  auto accepted = api.post("/api/v1/test/wait");
  ASSERT_TRUE(accepted) << accepted.error().message;
  EXPECT_EQ(accepted->status, 200) << accepted->body;
  gate_.close();
  held = fill_the_lane();
  expect_refused(api);
  gate_.open();
  expect_answered(held);
  const std::string metrics = metrics_.render();
  EXPECT_NE(metrics.find(refusals + "2\n"), std::string::npos) << metrics;
  // The refused requests never ran on the pool; the five admitted ones did.
  EXPECT_NE(metrics.find(R"(sentinel_http_long_running_requests_total{)"
                         R"(route="/api/v1/test/wait",method="POST"} 5)"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("\nsentinel_http_long_running_in_flight 0\n"), std::string::npos)
      << metrics;
}

// gateway.long_running_queue: 0: no long-running request waits for a thread.
class LongRunningNoQueueTest : public LongRunningQueueTest {
 protected:
  void configure(gateway::GatewayOptions& options) override {
    options.long_running_threads = 1;
    options.long_running_queue = 0;
  }
};

TEST_F(LongRunningNoQueueTest, ALongRunningRequestFindingEveryThreadBusyIsRefused) {
  std::vector<std::future<Result<int>>> held;
  held.push_back(wait_at_gate());
  ASSERT_TRUE(gate_.wait_for_waiting(1));
  client::ApiClient api = client();
  expect_refused(api);
  gate_.open();
  expect_answered(held);
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
  options.long_running_threads = 1;
  options.long_running_queue = -1;
  auto negative_queue = gateway::Gateway::create(options, gateway::Router{}, authenticator, *bus,
                                                 metrics, [] { return true; });
  ASSERT_FALSE(negative_queue);
  EXPECT_EQ(negative_queue.error().field, "long_running_queue");
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
