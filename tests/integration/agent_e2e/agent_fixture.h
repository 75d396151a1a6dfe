#pragma once
// A real server plus real agents: enrolment tokens, waiting for status, reading what was stored.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "sentinel/store/database.h"
#include "tests/integration/api_fixture.h"
#include "tests/support/agent_process.h"

namespace sentinel::test {

class AgentTest : public ApiTest {
 protected:
  void TearDown() override {
    if (HasFailure()) {
      for (auto& agent : agents_) std::cerr << "---- agent log ----\n" << agent->log();
    }
    ApiTest::TearDown();
  }

  /// A fresh enrolment token made by the admin.
  std::string new_token(client::ApiClient& admin, boost::json::object body = {}) {
    auto reply = admin.post("/api/v1/agents/enroll-tokens", body);
    EXPECT_TRUE(reply) << reply.error().message;
    if (!reply) return {};
    EXPECT_EQ(reply->status, 201) << reply->body;
    auto json = reply->json();
    return json && json->is_object() && json->as_object().contains("token")
               ? std::string(json->at("token").as_string())
               : std::string();
  }

  /// The agent.yaml of an agent that only watches `path` for file changes.
  static std::string fim_only_config(const std::string& path) {
    return "inventory:\n  interval_s: 3600\nprocess:\n  enabled: false\nfim:\n  paths: [" + path +
           "]\n";
  }

  /// Starts an agent enrolled with a new token; the agent is owned by the fixture.
  AgentProcess& start_agent(client::ApiClient& admin, std::vector<std::string> extra_args = {},
                            std::string config_yaml = AgentOptions{}.config_yaml) {
    AgentOptions options;
    options.server_url = server_->url();
    options.token = new_token(admin);
    options.extra_args = std::move(extra_args);
    options.config_yaml = std::move(config_yaml);
    auto agent = AgentProcess::start(options);
    EXPECT_TRUE(agent) << agent.error().message;
    agents_.push_back(std::move(*agent));
    return *agents_.back();
  }

  /// The agent's id once it has enrolled.
  std::string enrolled_id(AgentProcess& agent) {
    std::string id;
    eventually([&] {
      auto got = agent.agent_id();
      if (got) id = *got;
      return got.has_value();
    });
    return id;
  }

  /// Polls `condition` every 50 ms for up to `timeout`; a test failure when it never holds.
  /// Deadlines here are generous on purpose: timings belong in benchmarks, not tests.
  static bool eventually(const std::function<bool()>& condition,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "condition not met within " << timeout.count() << " ms";
    return false;
  }

  std::string status_of(client::ApiClient& admin, const std::string& id) {
    auto reply = admin.get("/api/v1/agents/" + id);
    if (!reply || reply->status != 200)
      return "<" + std::to_string(reply ? reply->status : 0) + ">";
    auto json = reply->json();
    return json ? std::string(json->at("status").as_string()) : "<bad json>";
  }

  /// Direct access to the server's database, to check what ingest stored.
  std::unique_ptr<store::Database> database() {
    auto db = store::open_database(server_->database_url());
    EXPECT_TRUE(db) << db.error().message;
    return db ? std::move(*db) : nullptr;
  }

  std::vector<std::unique_ptr<AgentProcess>> agents_;
};

}  // namespace sentinel::test
