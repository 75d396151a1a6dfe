// sentinelctl scan run|list|show|diff|import|cancel against a real server, as an admin at a
// terminal or a script uses them; targets only in 127.68.0.0/16.

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <optional>
#include <sstream>
#include <stop_token>
#include <thread>
#include <variant>

#include "agent/channel/channel_connection.h"
#include "sentinel/protocol/agent_protocol.h"
#include "tests/integration/enrolled_agent.h"
#include "tests/integration/scanner/scanner_support.h"
#include "tests/integration/sentinelctl_fixture.h"
#include "tests/support/temp_dir.h"

namespace sentinel::test {
namespace {

namespace json = boost::json;

// An agent built before host discovery, over the real channel: its strict decoder refuses a
// shard start with "discovery" in the very words the agent's decoder uses; a start without it
// is taken, and every shard is done at the first poll, with nothing found.
class AgentBeforeDiscovery {
 public:
  /// Enrols as "old-scanner" with `token` and serves until destroyed.
  AgentBeforeDiscovery(client::ApiClient anonymous, const std::string& token,
                       const std::string& channel_address) {
    auto enrolled =
        EnrolledAgent::enroll(std::move(anonymous), token, "old-scanner", channel_address);
    EXPECT_TRUE(enrolled) << enrolled.error().message;
    if (!enrolled) return;
    enrolled_.emplace(std::move(*enrolled));
    id_ = enrolled_->id();
    connection_ = enrolled_->connect();
    if (!connection_) return;
    EXPECT_TRUE(connection_->send(
        protocol::encode(protocol::AgentMessage(protocol::Hello{.agent_version = "0.1.0",
                                                                .hostname = "old-scanner",
                                                                .os = "test",
                                                                .kernel = "test",
                                                                .arch = "x86_64"})),
        std::chrono::seconds(5)));
    thread_ = std::jthread([this](std::stop_token stop) { serve(stop); });
  }
  const std::string& id() const { return id_; }
  /// Shard starts refused for "discovery".
  int refusals() const { return refusals_; }

 private:
  void serve(const std::stop_token& stop) {
    while (!stop.stop_requested()) {
      auto frame = connection_->receive(std::chrono::milliseconds(100));
      if (!frame) {
        if (frame.error().reason == agent::kChannelTimeout) continue;
        return;
      }
      auto message = protocol::decode_server_message(*frame);
      const auto* command = message ? std::get_if<protocol::Command>(&*message) : nullptr;
      if (command == nullptr) continue;
      protocol::CommandResult result{.id = command->id};
      if (command->name == "scan_shard_start" && command->args.contains("discovery")) {
        ++refusals_;
        result.error = "discovery: unknown field";
      } else if (command->name == "scan_shard_start") {
        result.ok = true;
        result.result = {{"accepted", true}, {"method", "connect"}};
      } else if (command->name == "scan_shard_poll") {
        result.ok = true;
        result.result = {{"state", "done"}, {"pairs_done", 1}, {"pairs_total", 1},
                         {"open_found", 0}, {"rate", 0.0},     {"hosts", boost::json::array()}};
      } else {
        result.error = "unknown command '" + command->name + "'";
      }
      (void)connection_->send(protocol::encode(protocol::AgentMessage(std::move(result))),
                              std::chrono::seconds(5));
    }
  }

  std::optional<EnrolledAgent> enrolled_;  // its key and certificate files
  std::string id_;
  std::unique_ptr<agent::ChannelConnection> connection_;
  std::atomic<int> refusals_ = 0;
  std::jthread thread_;  // last: stopped and joined before the connection closes
};

class SentinelctlScanTest : public WithSentinelctl<ScannerApiTest> {
 protected:
  static std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }
};

TEST_P(SentinelctlScanTest, RunFollowShowListAndDiff) {
  TcpListener web = TcpListener::open("127.68.0.1");
  auto ssh = std::make_unique<TcpListener>(TcpListener::open("127.68.0.2"));
  const std::uint16_t ssh_port = ssh->port();
  const std::string ports = port_list({web.port(), ssh_port});

  const CommandOutput ran = ctl({"scan", "run", "127.68.0.1-2", "--ports", ports, "--follow"});
  ASSERT_EQ(ran.exit_code, 0) << ran.out << ran.err;
  const std::string id = first_line(ran.out);
  ASSERT_EQ(id, "1") << ran.out;
  // The progress bar went to stderr and ended full; the results table to stdout.
  EXPECT_NE(ran.err.find("100.0%"), std::string::npos) << ran.err;
  EXPECT_NE(ran.err.find("hosts 2/2"), std::string::npos) << ran.err;
  EXPECT_NE(ran.err.find("completed"), std::string::npos) << ran.err;
  for (const char* heading : {"HOST", "PORT", "PROTO", "SERVICE", "PRODUCT", "VERSION"}) {
    EXPECT_NE(ran.out.find(heading), std::string::npos) << heading << " in " << ran.out;
  }
  EXPECT_NE(ran.out.find("2 hosts answered, 2 open ports"), std::string::npos) << ran.out;
  EXPECT_NE(ran.out.find(std::to_string(web.port())), std::string::npos) << ran.out;
  EXPECT_NE(ran.out.find(std::to_string(ssh_port)), std::string::npos) << ran.out;

  const CommandOutput shown = ctl({"scan", "show", id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("status"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("completed"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("127.68.0.2"), std::string::npos) << shown.out;
  const CommandOutput as_json = ctl({"--output", "json", "scan", "show", id});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const json::value document = parse(as_json);
  EXPECT_EQ(document.at("status").as_string(), "completed");
  EXPECT_EQ(open_pairs(document),
            (std::set<std::string>{pair(web), "127.68.0.2:" + std::to_string(ssh_port)}));

  // A second run of the same scope without --follow prints only the id; then the diff.
  ssh.reset();
  const CommandOutput second = ctl({"scan", "run", "127.68.0.1", "127.68.0.2", "--ports", ports});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, "2\n");
  client::ApiClient root = admin();
  wait_completed(root, 2);
  const CommandOutput diff = ctl({"scan", "diff", "2"});
  ASSERT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_NE(diff.out.find("against scan 1: 1 changes"), std::string::npos) << diff.out;
  EXPECT_NE(diff.out.find("port_closed"), std::string::npos) << diff.out;
  const CommandOutput first_diff = ctl({"scan", "diff", "1"});
  ASSERT_EQ(first_diff.exit_code, 0) << first_diff.err;
  EXPECT_NE(first_diff.out.find("no earlier completed scan"), std::string::npos) << first_diff.out;

  const CommandOutput listed = ctl({"scan", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("STATUS"), std::string::npos) << listed.out;
  EXPECT_LT(listed.out.find("\n2 "), listed.out.find("\n1 ")) << "newest first: " << listed.out;
  const CommandOutput listed_json = ctl({"--output", "json", "scan", "list"});
  ASSERT_EQ(listed_json.exit_code, 0);
  EXPECT_EQ(parse(listed_json).at("total").as_int64(), 2);
}

TEST_P(SentinelctlScanTest, ShowPrintsEveryHostOfAJobOfManyPages) {
  // 1,200 hosts: more than one page of the server's results even at their largest (1,000).
  std::vector<std::string> hosts;
  for (int i = 0; i < 1200; ++i) {
    hosts.push_back("127.68." + std::to_string(20 + i / 256) + "." + std::to_string(i % 256));
  }
  TempDir dir("sentinelctl-paged");
  const auto report = dir.path() / "many.xml";
  std::ofstream(report) << nmap_report_of(hosts, {22});
  const CommandOutput imported = ctl({"scan", "import", report.string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const std::string id = first_line(imported.out);

  const CommandOutput shown = ctl({"scan", "show", id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("1200 hosts answered, 1200 open ports"), std::string::npos)
      << shown.out.substr(0, 2000);
  std::vector<std::string> rows;  // the port table's rows: HOST PORT PROTO ...
  std::istringstream lines(shown.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("127.68.", 0) == 0 && line.find(" tcp ") != std::string::npos) {
      rows.push_back(line.substr(0, line.find(' ')));
    }
  }
  EXPECT_EQ(rows, hosts) << "every host once, in address order";

  const CommandOutput as_json = ctl({"--output", "json", "scan", "show", id});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const json::value document = parse(as_json);
  ASSERT_EQ(document.at("hosts").as_array().size(), 1200u);
  EXPECT_EQ(document.at("hosts").at(1199).at("address").as_string(), hosts.back());
}

TEST_P(SentinelctlScanTest, ShowSaysHowHostsWereFoundAndNoDiscoveryScansEveryAddress) {
  const std::uint16_t closed = free_port_on("127.68.0.5");
  const CommandOutput found =
      ctl({"scan", "run", "127.68.0.5", "--ports", std::to_string(closed), "--follow"});
  ASSERT_EQ(found.exit_code, 0) << found.out << found.err;
  // Up without an open port: listed with how discovery found it.
  EXPECT_NE(found.out.find("1 host answered, 0 open ports"), std::string::npos) << found.out;
  EXPECT_NE(found.out.find("FOUND BY"), std::string::npos) << found.out;
  EXPECT_NE(found.out.find("MAC"), std::string::npos) << found.out;
  const CommandOutput shown = ctl({"scan", "show", first_line(found.out)});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("FOUND BY"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("127.68.0.5"), std::string::npos) << shown.out;

  const CommandOutput every = ctl({"--output", "json", "scan", "run", "127.68.0.5", "--ports",
                                   std::to_string(closed), "--no-discovery"});
  ASSERT_EQ(every.exit_code, 0) << every.out << every.err;
  const json::value job = parse(every);
  EXPECT_FALSE(job.at("discovery").as_bool()) << job;
  client::ApiClient root = admin();
  wait_completed(root, job.at("id").as_int64());
  const CommandOutput plain = ctl({"scan", "show", std::to_string(job.at("id").as_int64())});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out.find("FOUND BY"), std::string::npos) << plain.out;
}

// A job that completed with a note (an agent from before host discovery scanned its share
// address by address) says so once the progress ends, and still succeeds.
TEST_P(SentinelctlScanTest, RunFollowPrintsTheNoteOfACompletedJob) {
  client::ApiClient root = admin();
  auto token = root.post("/api/v1/agents/enroll-tokens", boost::json::object{});
  ASSERT_TRUE(token && token->status == 201) << (token ? token->body : token.error().message);
  AgentBeforeDiscovery old_agent(anonymous(), std::string(body_of(*token).at("token").as_string()),
                                 server_->channel_address());
  ASSERT_FALSE(old_agent.id().empty());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    auto agent = root.get("/api/v1/agents/" + old_agent.id());
    if (agent && agent->status == 200 && body_of(*agent).at("status").as_string() == "online") {
      break;
    }
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the agent never came online";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  const CommandOutput ran =
      ctl({"scan", "run", "127.68.0.9", "--ports", "80", "--agent", old_agent.id(), "--follow"});
  ASSERT_EQ(ran.exit_code, 0) << ran.out << ran.err;
  EXPECT_EQ(old_agent.refusals(), 1);
  EXPECT_NE(ran.err.find("completed"), std::string::npos) << ran.err;
  const std::string note = "\nnote: agent " + old_agent.id() + " predates host discovery: ";
  const auto at = ran.err.find(note);
  EXPECT_NE(at, std::string::npos) << ran.err;
  EXPECT_EQ(ran.err.find(note, at + 1), std::string::npos) << "said once: " << ran.err;
  EXPECT_NE(ran.out.find("0 hosts answered, 0 open ports"), std::string::npos) << ran.out;
}

TEST_P(SentinelctlScanTest, RunPassesTheRateAndConcurrencyCapsAndShowListsThem) {
  const std::uint16_t closed = free_port_on("127.68.0.6");
  const CommandOutput capped =
      ctl({"--output", "json", "scan", "run", "127.68.0.6", "--ports", std::to_string(closed),
           "--max-rate", "50", "--max-concurrency", "8"});
  ASSERT_EQ(capped.exit_code, 0) << capped.out << capped.err;
  const json::value job = parse(capped);
  EXPECT_EQ(job.at("max_rate").to_number<double>(), 50.0) << job;
  EXPECT_EQ(job.at("max_concurrency"), json::value(8)) << job;
  client::ApiClient root = admin();
  wait_completed(root, job.at("id").as_int64());
  const CommandOutput shown = ctl({"scan", "show", std::to_string(job.at("id").as_int64())});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("max_rate"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("max_concurrency"), std::string::npos) << shown.out;
  // The server's bounds, named.
  const CommandOutput refused =
      ctl({"scan", "run", "127.68.0.6", "--ports", "80", "--max-concurrency", "0"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("max_concurrency"), std::string::npos) << refused.err;
}

TEST_P(SentinelctlScanTest, OutOfScopeTargetsFailNamingThem) {
  const CommandOutput refused = ctl({"scan", "run", "127.70.0.1", "--ports", "80"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("127.70.0.1"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("target_out_of_scope"), std::string::npos) << refused.err;
  const CommandOutput usage =
      ctl({"scan", "run", "127.68.0.1", "--ports", "80", "--profile", "quick"});
  EXPECT_EQ(usage.exit_code, 2) << "--ports and --profile exclude each other: " << usage.err;
}

TEST_P(SentinelctlScanTest, AScanOnTheAgentsInTheTargetNetworksNeedsAnAgentInEach) {
  // No agent has reported where it sits: the server names the addresses nobody covers.
  const CommandOutput refused =
      ctl({"scan", "run", "127.68.0.1", "--ports", "80", "--agents-in-networks"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("no agent sits in a network that holds 127.68.0.1"), std::string::npos)
      << refused.err;
  const CommandOutput usage =
      ctl({"scan", "run", "127.68.0.1", "--agents-in-networks", "--agents-group", "dmz"});
  EXPECT_EQ(usage.exit_code, 2) << "one way to choose agents at a time: " << usage.err;
}

TEST_P(SentinelctlScanTest, ImportAndCancel) {
  start_server(kConnectScanArgs);
  TcpListener web = TcpListener::open("127.68.0.1");
  TempDir dir("sentinelctl-scan");
  const auto file = dir.path() / "report.xml";
  ASSERT_FALSE(nmap_report("127.68.0.1", std::to_string(web.port()), file).empty());
  const CommandOutput imported = ctl({"scan", "import", file.string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_EQ(imported.out, "1\n");
  EXPECT_NE(imported.err.find("1 open port\n"), std::string::npos) << imported.err;
  const CommandOutput shown = ctl({"scan", "show", "1"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("nmap-import"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find(std::to_string(web.port())), std::string::npos) << shown.out;

  const auto broken = dir.path() / "broken.xml";
  std::ofstream(broken) << "<nmaprun><host>\n";
  const CommandOutput refused = ctl({"scan", "import", broken.string()});
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("line"), std::string::npos) << refused.err;

  // A long scan, cancelled while it runs.
  const CommandOutput long_scan = ctl({"scan", "run", "127.68.0.0/16", "--ports", "1-1000"});
  ASSERT_EQ(long_scan.exit_code, 0) << long_scan.err;
  const std::string id = first_line(long_scan.out);
  client::ApiClient root = admin();
  wait_for_status(root, std::stoll(id), {"running"}, std::chrono::seconds(30));
  const CommandOutput cancelled = ctl({"scan", "cancel", id});
  ASSERT_EQ(cancelled.exit_code, 0) << cancelled.err;
  EXPECT_NE(cancelled.out.find("cancelled"), std::string::npos);
  EXPECT_EQ(job(root, std::stoll(id)).at("status").as_string(), "cancelled");
}

SENTINEL_BOTH_BACKENDS(SentinelctlScanTest);

}  // namespace
}  // namespace sentinel::test
