// Real server, real agents: enrolment, online status, inventory equal to the machine's own tools,
// and every event stored exactly once through server stops, agent crashes and server crashes.

#include <gmock/gmock.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "tests/integration/agent_e2e/agent_fixture.h"

namespace sentinel::test {
namespace {

using ::testing::HasSubstr;

class AgentE2eTest : public AgentTest {
 protected:
  /// The agent's spool state from `sentinel-agent --status`.
  boost::json::object spool_status(AgentProcess& agent) {
    auto out =
        run_command({binary_path("sentinel-agent"), "--status", "--data-dir", agent.data_dir()});
    EXPECT_TRUE(out && out->exit_code == 0) << (out ? out->err : out.error().message);
    if (!out) return {};
    auto json = boost::json::parse(out->out);
    return json.at("spool").as_object();
  }

  /// Waits until the agent has nothing unacknowledged, then checks that the server holds the
  /// agent's events 1..N exactly once, N being the last sequence number the agent assigned.
  void expect_every_event_exactly_once(AgentProcess& agent, const std::string& agent_id) {
    std::int64_t last_seq = 0;
    ASSERT_TRUE(eventually(
        [&] {
          const auto spool = spool_status(agent);
          last_seq = spool.at("next_seq").as_int64() - 1;
          return spool.at("pending_events").as_int64() == 0 && last_seq > 0;
        },
        std::chrono::seconds(120)));
    auto db = database();
    ASSERT_TRUE(db);
    auto rows = db->query(
        "SELECT COUNT(*), COUNT(DISTINCT seq), MIN(seq), MAX(seq) FROM events "
        "WHERE agent_id = $1 AND seq IS NOT NULL",
        {agent_id});
    ASSERT_TRUE(rows) << rows.error().message;
    const store::Row& row = rows->front();
    EXPECT_EQ(row.integer(0), last_seq) << "stored events";
    EXPECT_EQ(row.integer(1), last_seq) << "distinct sequence numbers";
    EXPECT_EQ(row.integer(2), 1) << "first sequence number";
    EXPECT_EQ(row.integer(3), last_seq) << "last sequence number";
  }

  std::int64_t stored_selftest_events(const std::string& agent_id) {
    auto db = database();
    auto rows = db->query(
        "SELECT COUNT(*) FROM events WHERE agent_id = $1 AND type = 'agent.selftest'", {agent_id});
    EXPECT_TRUE(rows) << rows.error().message;
    return rows ? rows->front().integer(0) : -1;
  }
};

TEST_P(AgentE2eTest, ThreeAgentsEnrolAndComeOnline) {
  auto admin = this->admin();
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    AgentProcess& agent = start_agent(admin);
    ids.push_back(enrolled_id(agent));
  }
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 3u);
  for (const std::string& id : ids) {
    EXPECT_TRUE(eventually([&] { return status_of(admin, id) == "online"; })) << id;
  }
  auto list = admin.get("/api/v1/agents?status=online");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200) << list->body;
  const auto json = body_of(*list);
  EXPECT_EQ(json.at("total").as_int64(), 3);
  char hostname[256] = {};
  gethostname(hostname, sizeof hostname - 1);
  for (const auto& item : json.at("items").as_array()) {
    EXPECT_EQ(item.at("hostname").as_string(), hostname);
  }
}

// "name version arch" of every installed package, as dpkg itself reports them.
std::set<std::string> dpkg_packages() {
  auto out = run_command(
      {"dpkg-query", "-W", "-f=${db:Status-Abbrev}${Package} ${Version} ${Architecture}\n"});
  EXPECT_TRUE(out && out->exit_code == 0);
  std::set<std::string> packages;
  std::istringstream lines(out ? out->out : "");
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("ii ", 0) == 0) packages.insert(line.substr(3));
  }
  return packages;
}

// "ADDRESS PORT" with brackets and %scope removed and v4-mapped addresses unwrapped, so that ss
// and the inventory can be compared.
std::string normal_endpoint(std::string address, std::int64_t port) {
  if (address.size() > 2 && address.front() == '[') address = address.substr(1, address.size() - 2);
  if (const auto scope = address.find('%'); scope != std::string::npos) address.resize(scope);
  if (address.rfind("::ffff:", 0) == 0 && address.find('.') != std::string::npos) {
    address = address.substr(7);
  }
  if (address == "*") address = "::";
  return address + " " + std::to_string(port);
}

std::set<std::string> ss_tcp_listeners() {
  auto out = run_command({"ss", "-ltnH"});
  EXPECT_TRUE(out && out->exit_code == 0);
  std::set<std::string> endpoints;
  std::istringstream lines(out ? out->out : "");
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string state, recv_q, send_q, local;
    fields >> state >> recv_q >> send_q >> local;
    const auto colon = local.rfind(':');
    endpoints.insert(normal_endpoint(local.substr(0, colon), std::stoll(local.substr(colon + 1))));
  }
  return endpoints;
}

TEST_P(AgentE2eTest, InventoryEqualsDpkgAndSs) {
  auto admin = this->admin();
  AgentProcess& agent = start_agent(admin);
  const std::string id = enrolled_id(agent);

  const std::set<std::string> expected_packages = dpkg_packages();
  ASSERT_GT(expected_packages.size(), 50u);
  std::set<std::string> packages;
  EXPECT_TRUE(eventually([&] {
    auto reply = admin.get("/api/v1/agents/" + id + "/packages");
    if (!reply || reply->status != 200) return false;
    packages.clear();
    const auto body = body_of(*reply);
    for (const auto& item : body.as_array()) {
      packages.insert(std::string(item.at("name").as_string()) + " " +
                      std::string(item.at("version").as_string()) + " " +
                      std::string(item.at("arch").as_string()));
    }
    return !packages.empty();
  }));
  EXPECT_EQ(packages, expected_packages);

  // Other tests start and stop listeners meanwhile: ask for a fresh inventory and compare with
  // what ss says right then, a few times if the machine moved in between.
  std::set<std::string> inventory_ports;
  std::set<std::string> ss_ports;
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto command = admin.post("/api/v1/agents/" + id + "/commands",
                              boost::json::object{{"name", "collect_inventory"}});
    ASSERT_TRUE(command);
    ASSERT_EQ(command->status, 200) << command->body;
    std::this_thread::sleep_for(std::chrono::seconds(2));
    auto reply = admin.get("/api/v1/agents/" + id + "/inventory/listening");
    ASSERT_TRUE(reply);
    ASSERT_EQ(reply->status, 200) << reply->body;
    inventory_ports.clear();
    const auto body = body_of(*reply);
    for (const auto& item : body.at("items").as_array()) {
      if (item.at("protocol").as_string() != "tcp" && item.at("protocol").as_string() != "tcp6") {
        continue;
      }
      inventory_ports.insert(normal_endpoint(std::string(item.at("address").as_string()),
                                             item.at("port").to_number<std::int64_t>()));
    }
    ss_ports = ss_tcp_listeners();
    if (inventory_ports == ss_ports) break;
  }
  EXPECT_EQ(inventory_ports, ss_ports);
  // The server's own ports are among them.
  EXPECT_TRUE(inventory_ports.count(
      normal_endpoint("127.0.0.1", std::stoll(server_->channel_address().substr(10)))))
      << server_->channel_address();
}

TEST_P(AgentE2eTest, CommandsAreAnsweredByTheAgent) {
  auto admin = this->admin();
  AgentProcess& agent = start_agent(admin);
  const std::string id = enrolled_id(agent);
  ASSERT_TRUE(eventually([&] { return status_of(admin, id) == "online"; }));

  auto ping =
      admin.post("/api/v1/agents/" + id + "/commands", boost::json::object{{"name", "ping"}});
  ASSERT_TRUE(ping);
  ASSERT_EQ(ping->status, 200) << ping->body;
  EXPECT_TRUE(body_of(*ping).at("ok").as_bool());
  EXPECT_TRUE(body_of(*ping).at("result").at("pong").as_bool());

  auto set = admin.post(
      "/api/v1/agents/" + id + "/commands",
      boost::json::object{{"name", "set_config"}, {"args", {{"inventory", {{"interval_s", 42}}}}}});
  ASSERT_TRUE(set);
  ASSERT_EQ(set->status, 200) << set->body;
  EXPECT_TRUE(body_of(*set).at("ok").as_bool()) << set->body;
  EXPECT_EQ(body_of(*set).at("result").at("config").at("inventory").at("interval_s").as_int64(),
            42);

  auto refused = admin.post(
      "/api/v1/agents/" + id + "/commands",
      boost::json::object{{"name", "set_config"}, {"args", {{"channel", "elsewhere:1"}}}});
  ASSERT_TRUE(refused);
  ASSERT_EQ(refused->status, 200) << refused->body;
  EXPECT_FALSE(body_of(*refused).at("ok").as_bool());
  EXPECT_THAT(std::string(body_of(*refused).at("error").as_string()),
              HasSubstr("cannot be changed centrally"));

  auto unknown = admin.post("/api/v1/agents/" + id + "/commands",
                            boost::json::object{{"name", "format_disk"}});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400) << unknown->body;

  // The command is in the audit log.
  auto audit = admin.get("/api/v1/audit?action=agent.command");
  ASSERT_TRUE(audit);
  EXPECT_GE(body_of(*audit).at("items").as_array().size(), 3u);
}

TEST_P(AgentE2eTest, ServerDownThenEveryEventArrivesOnce) {
  auto admin = this->admin();
  AgentProcess& agent = start_agent(admin, {"--selftest-events", "3000", "--selftest-rate", "500"});
  const std::string id = enrolled_id(agent);
  ASSERT_TRUE(agent.wait_for_log("channel: connected", std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ASSERT_TRUE(server_->stop());
  std::this_thread::sleep_for(std::chrono::seconds(3));  // the agent keeps recording meanwhile
  ASSERT_TRUE(server_->restart());
  ASSERT_TRUE(agent.wait_for_log("selftest: 3000 events spooled", std::chrono::seconds(60)));
  expect_every_event_exactly_once(agent, id);
  EXPECT_EQ(stored_selftest_events(id), 3000);
}

TEST_P(AgentE2eTest, AgentKilledWhileSendingLosesNothing) {
  auto admin = this->admin();
  AgentProcess& agent =
      start_agent(admin, {"--selftest-events", "20000", "--selftest-rate", "5000"});
  const std::string id = enrolled_id(agent);
  ASSERT_TRUE(agent.wait_for_log("channel: connected", std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  agent.kill();
  ASSERT_TRUE(agent.restart());
  expect_every_event_exactly_once(agent, id);
}

TEST_P(AgentE2eTest, ServerKilledWhileIngestingLosesNothing) {
  auto admin = this->admin();
  AgentProcess& agent =
      start_agent(admin, {"--selftest-events", "20000", "--selftest-rate", "5000"});
  const std::string id = enrolled_id(agent);
  ASSERT_TRUE(agent.wait_for_log("channel: connected", std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  server_->kill();
  ASSERT_TRUE(server_->restart());
  ASSERT_TRUE(agent.wait_for_log("selftest: 20000 events spooled", std::chrono::seconds(60)));
  expect_every_event_exactly_once(agent, id);
  EXPECT_EQ(stored_selftest_events(id), 20000);
}

TEST_P(AgentE2eTest, RevokedAgentIsCutOffAndCannotReconnect) {
  auto admin = this->admin();
  AgentProcess& agent = start_agent(admin);
  const std::string id = enrolled_id(agent);
  ASSERT_TRUE(eventually([&] { return status_of(admin, id) == "online"; }));

  auto revoke = admin.post("/api/v1/agents/" + id + "/revoke");
  ASSERT_TRUE(revoke);
  ASSERT_LT(revoke->status, 300) << revoke->body;
  EXPECT_TRUE(agent.wait_for_log("revoked", std::chrono::seconds(30)));
  EXPECT_EQ(status_of(admin, id), "revoked");
  // Started again (a revoked agent backs off for a long time), it is refused at the handshake
  // and never shows up as connected.
  agent.kill();
  ASSERT_TRUE(agent.restart());
  EXPECT_TRUE(agent.wait_for_log("channel: cannot connect", std::chrono::seconds(30)));
  EXPECT_EQ(status_of(admin, id), "revoked");
  const std::string log = agent.log();
  EXPECT_EQ(log.find("channel: connected", log.find("revoked")), std::string::npos);
}

TEST_P(AgentE2eTest, AnEnrolmentTokenWorksOnce) {
  auto admin = this->admin();
  const std::string token = new_token(admin);
  AgentOptions options;
  options.server_url = server_->url();
  options.token = token;
  auto first = AgentProcess::start(options);
  ASSERT_TRUE(first);
  agents_.push_back(std::move(*first));
  enrolled_id(*agents_.back());

  auto second = AgentProcess::start(options);
  ASSERT_TRUE(second);
  agents_.push_back(std::move(*second));
  ASSERT_TRUE(eventually([&] { return !agents_.back()->process().running(); }));
  EXPECT_THAT(agents_.back()->log(), HasSubstr("enrolment refused"));
  EXPECT_FALSE(agents_.back()->agent_id());
}

SENTINEL_BOTH_BACKENDS(AgentE2eTest);

}  // namespace
}  // namespace sentinel::test
