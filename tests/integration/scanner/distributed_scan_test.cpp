// Distributed scans, end to end: a real server and three real agents (group "scanners") scan
// listeners this test opens on 127.69.0.0/16, a range no other test uses. The results equal the
// listeners exactly (recall and precision 1), the shards went to all three agents, and when one
// agent is killed (SIGKILL) while it holds a shard, that shard is scanned by another agent and
// the job still completes with every result. A second job's diff against the first works as for
// local jobs. Requests naming unknown agents, or a group without agents, are refused.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "sentinel/scan/port_list.h"
#include "tests/integration/agent_e2e/agent_fixture.h"
#include "tests/integration/scanner/scanner_support.h"

namespace sentinel::test {
namespace {

constexpr const char* kScope = "127.69.0.0/16";
constexpr const char* kGroup = "scanners";

/// A listener on address:port, or none when the port is taken there.
std::optional<TcpListener> listen_on(const std::string& address, std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in bound{};
  bound.sin_family = AF_INET;
  bound.sin_port = htons(port);
  ::inet_pton(AF_INET, address.c_str(), &bound.sin_addr);
  const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&bound), sizeof(bound)) == 0;
  ::close(fd);
  if (!free) return std::nullopt;
  return TcpListener::open(address, port);
}

/// TCP ports something listens on for every address (0.0.0.0 or ::): open on every 127.x host,
/// so a test that scans them would find what it did not open.
std::set<std::uint16_t> wildcard_listening_ports() {
  std::set<std::uint16_t> ports;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state;
      fields >> slot >> local >> remote >> state;
      if (state != "0A") continue;  // LISTEN
      const auto colon = local.rfind(':');
      if (local.substr(0, colon).find_first_not_of('0') != std::string::npos) continue;
      ports.insert(static_cast<std::uint16_t>(std::stoul(local.substr(colon + 1), nullptr, 16)));
    }
  }
  return ports;
}

class DistributedScanTest : public AgentTest {
 protected:
  void SetUp() override {
    start_server({"--scan-scope", kScope, "--set", "scanner.service_detection=false"});
  }

  /// Starts `count` agents in group "scanners" and waits until all are online; their ids.
  std::vector<std::string> start_scanners(client::ApiClient& admin, int count) {
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) {
      AgentOptions options;
      options.server_url = server_->url();
      options.token = new_token(
          admin, {{"group", kGroup}, {"labels", boost::json::object{{"role", "scanner"}}}});
      options.config_yaml = kScanAgentConfig;
      auto agent = AgentProcess::start(options);
      EXPECT_TRUE(agent) << agent.error().message;
      if (!agent) return ids;
      agents_.push_back(std::move(*agent));
      ids.push_back(enrolled_id(*agents_.back()));
    }
    for (const std::string& id : ids) {
      EXPECT_TRUE(eventually([&] { return status_of(admin, id) == "online"; })) << id;
    }
    return ids;
  }

  /// Listeners on `hosts` random addresses of 127.69.<third_octet>.0/23, each on one or two
  /// random ports among `ports`.
  std::vector<TcpListener> open_listeners(int hosts, int third_octet,
                                          const std::vector<std::uint16_t>& ports) {
    std::mt19937 random(std::random_device{}());
    std::vector<TcpListener> listeners;
    std::set<std::string> used;
    while (static_cast<int>(used.size()) < hosts) {
      const std::string address = "127.69." + std::to_string(third_octet + random() % 2) + "." +
                                  std::to_string(1 + random() % 254);
      if (!used.insert(address).second) continue;
      const int count = 1 + static_cast<int>(random() % 2);
      for (int k = 0; k < count; ++k) {
        for (int tries = 0; tries < 20; ++tries) {
          auto listener = listen_on(address, ports[random() % ports.size()]);
          if (listener) {
            listeners.push_back(std::move(*listener));
            break;
          }
        }
      }
    }
    return listeners;
  }

  client::HttpReply post_scan(client::ApiClient& admin, const std::string& targets,
                              const std::string& ports, boost::json::object agents) {
    auto reply = admin.post("/api/v1/scans", boost::json::object{{"targets", {targets}},
                                                                 {"ports", ports},
                                                                 {"agents", std::move(agents)}});
    EXPECT_TRUE(reply) << reply.error().message;
    return reply ? *reply : client::HttpReply{};
  }

  boost::json::value job(client::ApiClient& admin, std::int64_t id) {
    auto reply = admin.get("/api/v1/scans/" + std::to_string(id));
    EXPECT_TRUE(reply && reply->status == 200) << (reply ? reply->body : reply.error().message);
    return reply ? body_of(*reply) : boost::json::value(boost::json::object{});
  }

  /// Waits (bounded, generously) for the job to end; returns it as it ended.
  boost::json::value wait_ended(client::ApiClient& admin, std::int64_t id) {
    boost::json::value current;
    eventually(
        [&] {
          current = job(admin, id);
          const std::string status(current.at("status").as_string());
          return status == "completed" || status == "failed" || status == "cancelled";
        },
        std::chrono::seconds(300));
    return current;
  }

  std::set<std::string> found(client::ApiClient& admin, std::int64_t id) {
    return open_pairs(all_results(admin, id));
  }

  AgentProcess* agent_with_id(const std::string& id) {
    for (auto& agent : agents_) {
      if (auto agent_id = agent->agent_id(); agent_id && *agent_id == id) return agent.get();
    }
    return nullptr;
  }
};

TEST_P(DistributedScanTest, ThreeAgentsFindExactlyTheListeners) {
  client::ApiClient admin = this->admin();
  // Before any agent exists: a group without agents and unknown ids are refused.
  auto empty = post_scan(admin, "127.69.0.0/22", "22", {{"group", kGroup}});
  EXPECT_EQ(empty.status, 400) << empty.body;
  EXPECT_EQ(empty.api_error() ? empty.api_error()->field : "", "agents.group") << empty.body;
  auto unknown = post_scan(admin, "127.69.0.0/22", "22",
                           {{"ids", boost::json::array{"agt_00000000000000000000000000"}}});
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_EQ(unknown.api_error() ? unknown.api_error()->field : "", "agents.ids") << unknown.body;

  const std::vector<std::string> ids = start_scanners(admin, 3);
  ASSERT_EQ(ids.size(), 3u);

  // 1,024 addresses (four shards for three agents), the listeners' ports and some closed ones.
  // Listeners on different addresses may get the same port, and a free port may come back
  // twice: the job scans each port once, so the count is of distinct ports.
  std::set<std::uint16_t> distinct_ports;
  std::vector<TcpListener> listeners;
  for (int i = 0; i < 24; ++i) {
    listeners.push_back(
        TcpListener::open("127.69." + std::to_string(i % 4) + "." + std::to_string(10 + i * 7)));
    distinct_ports.insert(listeners.back().port());
  }
  const std::set<std::uint16_t> wildcard = wildcard_listening_ports();
  while (distinct_ports.size() < listeners.size() + 4) {
    const std::uint16_t closed = free_port_on("127.69.3.250");
    if (wildcard.count(closed) == 0) distinct_ports.insert(closed);
  }
  const std::vector<std::uint16_t> ports(distinct_ports.begin(), distinct_ports.end());
  std::set<std::string> expected;
  for (const TcpListener& listener : listeners) {
    // Every listener's port is scanned on every address: only its own address answers open.
    expected.insert(pair(listener));
  }

  auto started = post_scan(admin, "127.69.0.0/22", port_list(ports), {{"group", kGroup}});
  ASSERT_EQ(started.status, 202) << started.body;
  const std::int64_t id = body_of(started).at("id").as_int64();
  EXPECT_EQ(body_of(started).at("agents").at("group").as_string(), kGroup);

  const auto ended = wait_ended(admin, id);
  ASSERT_EQ(ended.at("status").as_string(), "completed") << ended;
  EXPECT_EQ(ended.at("method").as_string(), "agents");
  EXPECT_EQ(ended.at("progress").at("pairs_done").as_int64(),
            ended.at("progress").at("pairs_total").as_int64());
  EXPECT_EQ(ended.at("progress").at("pairs_total").as_int64(),
            1024 * static_cast<std::int64_t>(ports.size()));
  EXPECT_EQ(found(admin, id), expected);

  // The work was split: every agent scanned at least one of the four shards.
  auto db = database();
  ASSERT_TRUE(db);
  auto rows = db->query(
      "SELECT COUNT(*), COUNT(DISTINCT agent_id), SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 "
      "END) FROM scan_shards WHERE job_id = $1",
      {id});
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(rows->front().integer(0), 4);
  EXPECT_EQ(rows->front().integer(1), 3);
  EXPECT_EQ(rows->front().integer(2), 4);

  // The same scan again, one listener closed: the diff against the first job says so, as for
  // a job the server ran.
  const std::string closed = pair(listeners.front());
  listeners.front().close();
  auto again = post_scan(admin, "127.69.0.0/22", port_list(ports), {{"group", kGroup}});
  ASSERT_EQ(again.status, 202) << again.body;
  const std::int64_t second = body_of(again).at("id").as_int64();
  ASSERT_EQ(wait_ended(admin, second).at("status").as_string(), "completed");
  auto diff = admin.get("/api/v1/scans/" + std::to_string(second) + "/diff");
  ASSERT_TRUE(diff && diff->status == 200) << (diff ? diff->body : diff.error().message);
  const auto changes = body_of(*diff);
  EXPECT_EQ(changes.at("previous_id").as_int64(), id);
  std::set<std::string> closed_ports;
  for (const auto& change : changes.at("changes").as_array()) {
    if (change.at("action").as_string() == "port_closed") {
      closed_ports.insert(std::string(change.at("address").as_string()) + ":" +
                          std::to_string(change.at("port").as_int64()));
    }
  }
  EXPECT_EQ(closed_ports, std::set<std::string>{closed}) << changes;
}

TEST_P(DistributedScanTest, AKilledAgentsShardIsScannedByAnotherAndNothingIsLost) {
  client::ApiClient admin = this->admin();
  const std::vector<std::string> ids = start_scanners(admin, 3);
  ASSERT_EQ(ids.size(), 3u);

  // 512 addresses x 2,000 ports: three shards of seconds each, so that an agent is killed
  // while it scans one. Ports something listens on for every address are left out.
  const std::set<std::uint16_t> wildcard = wildcard_listening_ports();
  std::vector<std::uint16_t> ports;
  for (std::uint16_t port = 33000; port < 35000; ++port) {
    if (wildcard.count(port) == 0) ports.push_back(port);
  }
  std::vector<TcpListener> listeners = open_listeners(30, 10, ports);
  std::set<std::string> expected;
  for (const TcpListener& listener : listeners) expected.insert(pair(listener));

  const std::string spec = scan::PortList{.tcp = ports, .udp = {}}.format();
  auto started = post_scan(admin, "127.69.10.0/23", spec,
                           {{"ids", boost::json::array{ids[0], ids[1], ids[2]}}});
  ASSERT_EQ(started.status, 202) << started.body;
  const std::int64_t id = body_of(started).at("id").as_int64();

  // The first agent seen scanning a shard (it has reported progress on it) is killed, shard in
  // hand.
  auto db = database();
  ASSERT_TRUE(db);
  std::string victim;
  std::int64_t victim_shard = -1;
  ASSERT_TRUE(eventually([&] {
    auto rows = db->query(
        "SELECT agent_id, shard_index FROM scan_shards WHERE job_id = $1 AND status = 'leased' "
        "AND pairs_done > 0 ORDER BY shard_index LIMIT 1",
        {id});
    if (!rows || rows->empty()) return false;
    victim = rows->front().text(0);
    victim_shard = rows->front().integer(1);
    return true;
  }));
  AgentProcess* process = agent_with_id(victim);
  ASSERT_NE(process, nullptr) << victim;
  process->kill();

  const auto ended = wait_ended(admin, id);
  ASSERT_EQ(ended.at("status").as_string(), "completed") << ended;
  EXPECT_EQ(found(admin, id), expected);

  // The victim's shard was leased again and finished by another agent.
  auto rows = db->query(
      "SELECT status, agent_id, attempts FROM scan_shards WHERE job_id = $1 AND shard_index = $2",
      {id, victim_shard});
  ASSERT_TRUE(rows && rows->size() == 1);
  EXPECT_EQ(rows->front().text(0), "done");
  EXPECT_NE(rows->front().text(1), victim);
  EXPECT_GE(rows->front().integer(2), 1);
  auto done =
      db->query("SELECT COUNT(*) FROM scan_shards WHERE job_id = $1 AND status <> 'done'", {id});
  ASSERT_TRUE(done);
  EXPECT_EQ(done->front().integer(0), 0);
}

// A job's "max_rate" reaches the agent in its shard start and holds there: 512 addresses of
// 127.69.20.0/23 and one closed port, which an agent finishes uncapped well within the first
// poll, are at 20 probes per second still in the port phase at the first poll that counts a
// pair done, with most pairs to go; the job is then cancelled.
TEST_P(DistributedScanTest, AnAgentKeepsToTheJobsRate) {
  client::ApiClient admin = this->admin();
  ASSERT_EQ(start_scanners(admin, 1).size(), 1u);
  const std::uint16_t closed = free_port_on("127.69.20.1");
  auto reply = admin.post("/api/v1/scans", boost::json::object{{"targets", {"127.69.20.0/23"}},
                                                               {"ports", std::to_string(closed)},
                                                               {"agents", {{"group", kGroup}}},
                                                               {"discovery", false},
                                                               {"max_rate", 20}});
  ASSERT_TRUE(reply && reply->status == 202) << (reply ? reply->body : reply.error().message);
  const std::int64_t id = body_of(*reply).at("id").as_int64();
  boost::json::value current;
  ASSERT_TRUE(eventually(
      [&] {
        current = job(admin, id);
        const std::string status(current.at("status").as_string());
        const bool ended = status != "running" && status != "queued";
        return ended || current.at("progress").at("pairs_done").as_int64() > 0;
      },
      std::chrono::seconds(120)))
      << current;
  ASSERT_EQ(current.at("status"), boost::json::value("running")) << current;
  EXPECT_EQ(current.at("progress").at("phase"), boost::json::value("ports")) << current;
  EXPECT_EQ(current.at("progress").at("pairs_total").as_int64(), 512) << current;
  EXPECT_LT(current.at("progress").at("pairs_done").as_int64(), 512 / 4) << current;
  auto cancelled = admin.del("/api/v1/scans/" + std::to_string(id));
  ASSERT_TRUE(cancelled && cancelled->status < 300);
  EXPECT_EQ(wait_ended(admin, id).at("status"), boost::json::value("cancelled"));
}

SENTINEL_BOTH_BACKENDS(DistributedScanTest);

}  // namespace
}  // namespace sentinel::test
