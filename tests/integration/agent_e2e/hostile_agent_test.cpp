// A client holding a valid agent certificate that misbehaves: it is disconnected with a reason,
// an event records why, and the server and the other agents carry on.

#include <gmock/gmock.h>

#include <future>
#include <optional>
#include <thread>
#include <variant>

#include "agent/channel/channel_connection.h"
#include "sentinel/protocol/agent_protocol.h"
#include "tests/integration/agent_e2e/agent_fixture.h"
#include "tests/integration/enrolled_agent.h"

namespace sentinel::test {
namespace {

using ::testing::HasSubstr;

class HostileAgentTest : public AgentTest {
 protected:
  void SetUp() override {
    AgentTest::SetUp();
    auto admin = this->admin();
    auto enrolled =
        EnrolledAgent::enroll(anonymous(), new_token(admin), "hostile", server_->channel_address());
    ASSERT_TRUE(enrolled) << enrolled.error().message;
    agent_.emplace(std::move(*enrolled));
  }

  std::string hello() {
    return protocol::encode(protocol::AgentMessage(protocol::Hello{.protocol = 1,
                                                                   .agent_version = "0.1.0",
                                                                   .hostname = "hostile",
                                                                   .os = "test",
                                                                   .kernel = "test",
                                                                   .arch = "x86_64"}));
  }

  /// Reads frames until the server's goodbye; its code, or "" when the connection just ended.
  std::string goodbye_code(agent::ChannelConnection& connection) {
    for (int i = 0; i < 1000; ++i) {
      auto frame = connection.receive(std::chrono::seconds(10));
      if (!frame) return "";
      auto message = protocol::decode_server_message(*frame);
      if (!message) continue;
      if (const auto* bye = std::get_if<protocol::Goodbye>(&*message)) return bye->code;
    }
    return "";
  }

  /// The codes of the agent.disconnected events the server stored for the hostile agent.
  std::vector<std::string> disconnect_codes() {
    auto db = database();
    auto rows = db->query(
        "SELECT data FROM events WHERE agent_id = $1 AND type = 'agent.disconnected' ORDER BY id",
        {agent_->id()});
    EXPECT_TRUE(rows) << rows.error().message;
    std::vector<std::string> codes;
    for (const auto& row : rows ? *rows : store::Rows{}) {
      codes.emplace_back(boost::json::parse(row.text(0)).at("code").as_string());
    }
    return codes;
  }

  std::optional<EnrolledAgent> agent_;  // enrolled in SetUp
};

TEST_P(HostileAgentTest, MisbehaviourDisconnectsWithAReasonAndTheOthersCarryOn) {
  auto admin = this->admin();
  // A well-behaved agent records events all along.
  AgentProcess& good = start_agent(admin, {"--selftest-events", "2000", "--selftest-rate", "400"});
  const std::string good_id = enrolled_id(good);

  {  // Not JSON.
    auto connection = agent_->connect();
    ASSERT_TRUE(connection);
    ASSERT_TRUE(connection->send("{{{{ not json", std::chrono::seconds(5)));
    EXPECT_EQ(goodbye_code(*connection), "protocol_error");
  }
  {  // Events before hello.
    auto connection = agent_->connect();
    ASSERT_TRUE(connection);
    ASSERT_TRUE(connection->send(
        R"({"type":"events","events":[{"seq":1,"time":1,"type":"x.y","data":{}}]})",
        std::chrono::seconds(5)));
    EXPECT_EQ(goodbye_code(*connection), "protocol_error");
  }
  {  // Sequence numbers out of order: the server expects 1.
    auto connection = agent_->connect();
    ASSERT_TRUE(connection);
    ASSERT_TRUE(connection->send(hello(), std::chrono::seconds(5)));
    ASSERT_TRUE(connection->send(
        R"({"type":"events","events":[{"seq":7,"time":1,"type":"x.y","data":{}}]})",
        std::chrono::seconds(5)));
    EXPECT_EQ(goodbye_code(*connection), "sequence_error");
  }
  {  // A repeat: 1 is acknowledged, then 1 again.
    auto connection = agent_->connect();
    ASSERT_TRUE(connection);
    ASSERT_TRUE(connection->send(hello(), std::chrono::seconds(5)));
    const std::string one =
        R"({"type":"events","events":[{"seq":1,"time":1,"type":"x.y","data":{}}]})";
    ASSERT_TRUE(connection->send(one, std::chrono::seconds(5)));
    ASSERT_TRUE(connection->send(one, std::chrono::seconds(5)));
    EXPECT_EQ(goodbye_code(*connection), "sequence_error");
  }
  {  // A flood of heartbeats.
    auto connection = agent_->connect();
    ASSERT_TRUE(connection);
    ASSERT_TRUE(connection->send(hello(), std::chrono::seconds(5)));
    const std::string beat =
        R"({"type":"heartbeat","time":1,"spool_pending":0,"spool_bytes":0,"rss_bytes":1,"cpu_percent":0})";
    for (int i = 0; i < 5000; ++i) {
      if (!connection->send(beat, std::chrono::seconds(5))) break;
    }
    EXPECT_EQ(goodbye_code(*connection), "flood");
  }
  {  // An oversized frame: closed by the transport.
    auto connection = agent_->connect();
    ASSERT_TRUE(connection);
    ASSERT_TRUE(connection->send(hello(), std::chrono::seconds(5)));
    (void)connection->send(std::string(5 << 20, 'x'), std::chrono::seconds(10));
    auto next = connection->receive(std::chrono::seconds(10));
    while (next) next = connection->receive(std::chrono::seconds(10));  // welcome, then the end
    EXPECT_EQ(next.error().reason, "connection_closed") << next.error().message;
  }

  EXPECT_TRUE(eventually([&] { return disconnect_codes().size() >= 5; }));
  EXPECT_THAT(disconnect_codes(),
              ::testing::IsSupersetOf({"protocol_error", "sequence_error", "flood"}));
  // The event for the hostile agent is searchable like any other.
  auto events = admin.get("/api/v1/events?agent=" + agent_->id() + "&type=agent.disconnected");
  ASSERT_TRUE(events);
  EXPECT_GE(body_of(*events).at("total").as_int64(), 5);

  // The good agent was not disturbed: all its events arrive, and the server still serves.
  ASSERT_TRUE(good.wait_for_log("selftest: 2000 events spooled", std::chrono::seconds(60)));
  EXPECT_TRUE(eventually([&] {
    auto db = database();
    auto rows = db->query(
        "SELECT COUNT(*) FROM events WHERE agent_id = $1 AND type = 'agent.selftest'", {good_id});
    return rows && rows->front().integer(0) == 2000;
  }));
  EXPECT_EQ(status_of(admin, good_id), "online");
}

// A module that reacts to the agent's connection (the firewall asks for its status) may send a
// command before the hello has been answered; the agent must still see the welcome first.
TEST_P(HostileAgentTest, ACommandAskedBeforeTheHelloFollowsTheWelcome) {
  auto admin = this->admin();
  auto connection = agent_->connect();
  ASSERT_TRUE(connection);
  // The server opens the session just after the client sees the connection: until then the
  // ping is refused as "not connected" and asked again. Then it waits for the agent's answer.
  auto ping = std::async(std::launch::async, [&] {
    for (;;) {
      auto reply = admin.post("/api/v1/agents/" + agent_->id() + "/commands",
                              boost::json::object{{"name", "ping"}});
      if (!reply || reply->status != 404) return reply;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  // Nothing may arrive before the hello (without the hold, the command would).
  auto early = connection->receive(std::chrono::seconds(2));
  EXPECT_FALSE(early) << "a frame before the hello: " << *early;

  ASSERT_TRUE(connection->send(hello(), std::chrono::seconds(5)));
  auto first = connection->receive(std::chrono::seconds(10));
  ASSERT_TRUE(first) << first.error().message;
  auto welcome = protocol::decode_server_message(*first);
  ASSERT_TRUE(welcome) << *first;
  EXPECT_TRUE(std::holds_alternative<protocol::Welcome>(*welcome)) << *first;

  // Other modules may ask things of a new agent too (the firewall its status): answered
  // plainly, while looking for the ping.
  std::optional<protocol::Command> command;
  for (int i = 0; i < 10 && !command; ++i) {
    auto frame = connection->receive(std::chrono::seconds(10));
    ASSERT_TRUE(frame) << frame.error().message;
    auto message = protocol::decode_server_message(*frame);
    ASSERT_TRUE(message) << *frame;
    const auto* received = std::get_if<protocol::Command>(&*message);
    if (received == nullptr) continue;
    if (received->name == "ping") {
      command = *received;
    } else {
      ASSERT_TRUE(connection->send(
          protocol::encode(protocol::AgentMessage(protocol::CommandResult{
              .id = received->id, .ok = false, .result = {}, .error = "not in this test"})),
          std::chrono::seconds(5)));
    }
  }
  ASSERT_TRUE(command) << "the held command never came";
  EXPECT_EQ(command->name, "ping");
  ASSERT_TRUE(connection->send(
      protocol::encode(protocol::AgentMessage(protocol::CommandResult{
          .id = command->id, .ok = true, .result = {{"pong", true}}, .error = {}})),
      std::chrono::seconds(5)));
  auto answered = ping.get();
  ASSERT_TRUE(answered) << answered.error().message;
  EXPECT_EQ(answered->status, 200) << answered->body;
}

SENTINEL_BOTH_BACKENDS(HostileAgentTest);

}  // namespace
}  // namespace sentinel::test
