// The listener as a whole: the connection limit, drain, and many agents at once.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/integration/agent_channel/channel_fixture.h"

namespace sentinel::test {
namespace {

void echo(FakeSession& session, std::string frame, std::function<void(Status)> done) {
  session.sink().send("echo:" + frame);
  done(ok());
}

TEST_F(ChannelTest, ConnectionsBeyondTheLimitAreRefused) {
  options_.max_connections = 2;
  start();
  auto first = connect("agent-a");
  auto second = connect("agent-b");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(listener_->connection_count(), 2u);

  auto third = agent::ChannelConnection::open(endpoint(client_cert("agent-c")));
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(metric(R"(sentinel_agent_channel_refused_total{reason="max_connections"})"), 1);
  EXPECT_EQ(handler_.opens(), 2u);

  first->close();
  ASSERT_TRUE(eventually([&] { return listener_->connection_count() == 1; }));
  auto fourth = connect("agent-d");
  EXPECT_TRUE(fourth);
  EXPECT_TRUE(eventually([&] { return handler_.opens() == 3; }));
}

TEST_F(ChannelTest, DrainClosesEveryConnectionAndRefusesNewOnes) {
  start();
  std::vector<std::unique_ptr<agent::ChannelConnection>> connections;
  for (int i = 0; i < 3; ++i) {
    connections.push_back(connect(fmt::format("agent-{}", i)));
    ASSERT_TRUE(connections.back());
  }
  ASSERT_TRUE(eventually([&] { return handler_.opens() == 3; }));

  listener_->drain();
  EXPECT_EQ(listener_->connection_count(), 0u);
  for (auto& connection : connections) {
    auto received = connection->receive(5s);
    ASSERT_FALSE(received);
    EXPECT_EQ(received.error().reason, agent::kChannelClosed);
    EXPECT_NE(received.error().message.find("code 1001"), std::string::npos)
        << received.error().message;
  }
  for (const auto& session : handler_.sessions()) {
    EXPECT_EQ(session->closes(), 1);
    EXPECT_NE(session->close_reason().find("going_away"), std::string::npos);
  }
  EXPECT_EQ(metric(R"(sentinel_agent_channel_closes_total{reason="going_away"})"), 3);
  auto late = agent::ChannelConnection::open(endpoint(client_cert("agent-late")));
  EXPECT_FALSE(late);
}

TEST_F(ChannelTest, TwoHundredAgentsExchangeFramesAtOnce) {
  constexpr int kClients = 200;
  constexpr int kThreads = 20;
  constexpr int kFrames = 10;
  options_.io_threads = 2;
  handler_.frame_hook = echo;
  start();
  std::vector<agent::ChannelEndpoint> endpoints;
  for (int i = 0; i < kClients; ++i) {
    endpoints.push_back(endpoint(client_cert(fmt::format("agent-{:03}", i))));
    endpoints.back().connect_timeout = 30s;
  }

  std::vector<std::unique_ptr<agent::ChannelConnection>> connections(kClients);
  std::atomic<int> opened{0};
  std::atomic<int> echoed{0};
  std::atomic<int> failures{0};
  std::mutex mutex;
  std::condition_variable all_open;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kClients; i += kThreads) {
        auto connection = agent::ChannelConnection::open(endpoints[i]);
        if (!connection) {
          ++failures;
          continue;
        }
        connections[i] = std::move(*connection);
        ++opened;
      }
      {
        // Every client is connected before any frame flows: 200 at once.
        std::unique_lock lock(mutex);
        all_open.notify_all();
        all_open.wait_for(lock, 60s, [&] { return opened + failures == kClients; });
      }
      for (int i = t; i < kClients; i += kThreads) {
        if (!connections[i]) continue;
        for (int f = 0; f < kFrames; ++f) {
          if (!connections[i]->send(fmt::format("{}/{}", i, f), 30s)) ++failures;
        }
        for (int f = 0; f < kFrames; ++f) {
          auto reply = connections[i]->receive(30s);
          if (reply && *reply == fmt::format("echo:{}/{}", i, f)) {
            ++echoed;
          } else {
            ++failures;
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(failures, 0);
  EXPECT_EQ(opened, kClients);
  EXPECT_EQ(echoed, kClients * kFrames);
  EXPECT_EQ(handler_.opens(), static_cast<std::size_t>(kClients));
  EXPECT_EQ(listener_->connection_count(), static_cast<std::size_t>(kClients));
  std::size_t received = 0;
  for (const auto& session : handler_.sessions()) received += session->frame_count();
  EXPECT_EQ(received, static_cast<std::size_t>(kClients * kFrames));

  connections.clear();
  EXPECT_TRUE(eventually([&] { return listener_->connection_count() == 0; }, 30s));
  for (const auto& session : handler_.sessions()) EXPECT_EQ(session->closes(), 1);
}

}  // namespace
}  // namespace sentinel::test
