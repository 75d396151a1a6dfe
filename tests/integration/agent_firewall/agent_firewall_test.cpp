// Firewall enforcement end to end (ADR 0006, issue 7): a real server and a real agent, both in
// a network namespace the test creates (so the agent's table is that namespace's, and their
// channel runs over its private loopback), and a peer namespace joined to it by a veth pair
// with private addresses. Policies go through POST /api/v1/agents/{id}/commands; TCP
// connections from the peer succeed or are dropped as the policy says; a refused apply changes
// nothing; without a confirm the agent rolls back by itself; a table deleted by hand comes back
// and the drift event reaches the server; a table of someone else is never touched. Nothing
// leaves the test's namespaces.

#include <gmock/gmock.h>
#include <linux/capability.h>
#include <sys/prctl.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "sentinel/common/crypto.h"
#include "sentinel/firewall/nft_compiler.h"
#include "sentinel/firewall/policy_parser.h"
#include "tests/integration/agent_firewall/netns_fixture.h"
#include "tests/support/free_port.h"

namespace sentinel::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
namespace json = boost::json;

constexpr const char* kBystander =
    "table inet bystander {\n"
    "\tset friends { type ipv4_addr; elements = { 192.0.2.1, 192.0.2.2 } }\n"
    "\tchain input { type filter hook input priority -10; policy accept; tcp dport 4444 drop; }\n"
    "}\n";

// Input dropped by default; `open` accepts the service port, otherwise only ssh is accepted.
std::string policy_document(bool open) {
  return std::string(R"({"chains": {"input": {"policy": "drop", "rules": [)") +
         (open ? R"({"id": "service", "protocol": "tcp", "ports": 8080, "action": "accept"})"
               : R"({"id": "ssh", "protocol": "tcp", "ports": 22, "action": "accept"})") +
         "]}}}";
}

std::string compiled(const std::string& document) {
  auto parsed = sentinel::firewall::parse_policy(document);
  EXPECT_TRUE(parsed.ok());
  if (!parsed.ok()) return {};
  auto text = sentinel::firewall::compile_nft(parsed.document);
  EXPECT_TRUE(text) << text.error().message;
  return text ? *text : std::string();
}

json::object apply_args(std::int64_t version, bool open, std::int64_t grace_s) {
  const std::string document = policy_document(open);
  return json::object{{"policy_id", open ? "open" : "closed"},
                      {"version", version},
                      {"document_hash", crypto::sha256_hex(document)},
                      {"nft", compiled(document)},
                      {"grace_s", grace_s}};
}

class AgentFirewallTest : public NetnsAgentTest {
 protected:
  void SetUp() override {
    NetnsAgentTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    const CommandOutput bystander = shell({"nft", "-f", "-"}, kBystander);
    ASSERT_EQ(bystander.exit_code, 0) << bystander.err;
    bystander_ = bystander_listing();
    ASSERT_THAT(bystander_, HasSubstr("tcp dport 4444 drop"));
  }

  std::string bystander_listing() {
    return shell({"nft", "-s", "list", "table", "inet", "bystander"}).out;
  }

  /// Runs a command on the agent through the server; the reply's {"ok", "result", "error"}.
  json::object command(client::ApiClient& admin, const std::string& id, const std::string& name,
                       json::object args = {}) {
    auto reply = admin.post("/api/v1/agents/" + id + "/commands",
                            json::object{{"name", name}, {"args", std::move(args)}});
    EXPECT_TRUE(reply) << reply.error().message;
    if (!reply) return {};
    EXPECT_EQ(reply->status, 200) << name << ": " << reply->body;
    const json::value body = body_of(*reply);
    return body.is_object() ? body.as_object() : json::object{};
  }

  /// The command's result; a test failure (with the agent's error) when it failed.
  json::object succeeded(client::ApiClient& admin, const std::string& id, const std::string& name,
                         json::object args = {}) {
    json::object reply = command(admin, id, name, std::move(args));
    EXPECT_TRUE(reply.contains("ok") && reply.at("ok").as_bool())
        << name << ": " << json::serialize(reply);
    return reply.contains("result") && reply.at("result").is_object()
               ? reply.at("result").as_object()
               : json::object{};
  }

  /// An enrolled agent that is online; its id.
  std::string online_agent(client::ApiClient& admin) {
    AgentProcess& agent =
        start_agent(admin, {}, "inventory:\n  interval_s: 3600\nprocess:\n  enabled: false\n");
    const std::string id = enrolled_id(agent);
    EXPECT_TRUE(eventually([&] { return status_of(admin, id) == "online"; }));
    return id;
  }

  /// The events of `action` from agent `id` the server has stored.
  json::array events(client::ApiClient& admin, const std::string& id, const std::string& action) {
    auto reply = admin.get("/api/v1/events?q=" + action + "&agent=" + id);
    if (!reply || reply->status != 200) return {};
    const json::value body = body_of(*reply);
    json::array found;
    for (const json::value& item : body.at("items").as_array()) {
      if (item.at("type").is_string() && item.at("type").as_string() == action) {
        found.push_back(item);
      }
    }
    return found;
  }

  std::string bystander_;
};

TEST_P(AgentFirewallTest, ThePolicyDecidesWhatConnectsAndARefusedApplyChangesNothing) {
  auto admin = this->admin();
  const std::string id = online_agent(admin);
  EXPECT_EQ(probe(), Probe::kConnected) << "no policy yet: nothing is filtered";

  const json::object open = succeeded(admin, id, "firewall_apply", apply_args(1, true, 600));
  EXPECT_EQ(open.at("version").as_int64(), 1);
  EXPECT_EQ(open.at("listing_hash").as_string().size(), 64u);
  EXPECT_EQ(open.at("blocks_kept").as_int64(), 0);
  EXPECT_EQ(succeeded(admin, id, "firewall_confirm", json::object{{"version", 1}})
                .at("confirmed_version"),
            1);
  EXPECT_EQ(probe(), Probe::kConnected) << "the policy accepts the service port";

  const json::object closed = succeeded(admin, id, "firewall_apply", apply_args(2, false, 600));
  succeeded(admin, id, "firewall_confirm", json::object{{"version", 2}});
  EXPECT_EQ(probe(), Probe::kDropped) << "the policy drops everything but ssh";

  // nft refuses the last command of this buffer: the transaction, delete included, never
  // happens. And a buffer naming another table never reaches nft at all.
  const json::object before = succeeded(admin, id, "firewall_status");
  json::object broken = apply_args(3, true, 600);
  broken["nft"] = std::string(broken["nft"].as_string()) +
                  "add rule inet sentinel input tcp dport 9 jump no_such_chain\n";
  const json::object refused = command(admin, id, "firewall_apply", broken);
  EXPECT_FALSE(refused.at("ok").as_bool());
  EXPECT_THAT(std::string(refused.at("error").as_string()), HasSubstr("Error"));
  json::object foreign = apply_args(3, true, 600);
  foreign["nft"] = std::string(foreign["nft"].as_string()) + "flush table inet bystander\n";
  const json::object outside = command(admin, id, "firewall_apply", foreign);
  EXPECT_FALSE(outside.at("ok").as_bool());
  EXPECT_THAT(std::string(outside.at("error").as_string()),
              HasSubstr("does not name table inet sentinel"));
  const json::object after = succeeded(admin, id, "firewall_status");
  EXPECT_EQ(json::serialize(after), json::serialize(before));
  EXPECT_EQ(after.at("confirmed_version").as_int64(), 2);
  EXPECT_TRUE(after.at("pending_version").is_null());
  EXPECT_EQ(after.at("listing_hash"), closed.at("listing_hash"));
  EXPECT_EQ(probe(), Probe::kDropped) << "the previous ruleset is still in force";

  // A block drops the peer even where the policy accepts it, until it is lifted.
  succeeded(admin, id, "firewall_apply", apply_args(4, true, 600));
  succeeded(admin, id, "firewall_confirm", json::object{{"version", 4}});
  EXPECT_EQ(probe(), Probe::kConnected);
  const json::object blocked =
      succeeded(admin, id, "firewall_block",
                json::object{{"addresses", json::array{kPeerAddress}}, {"duration_s", 600}});
  EXPECT_EQ(blocked.at("added").as_int64(), 1);
  EXPECT_EQ(probe(), Probe::kDropped) << "the blocked peer got through";
  const json::object listed = succeeded(admin, id, "firewall_status");
  ASSERT_EQ(listed.at("blocks").as_array().size(), 1u) << json::serialize(listed);
  EXPECT_EQ(listed.at("blocks").as_array()[0].at("address"), kPeerAddress);
  const json::object unblocked = succeeded(admin, id, "firewall_unblock",
                                           json::object{{"addresses", json::array{kPeerAddress}}});
  EXPECT_EQ(unblocked.at("removed").as_int64(), 1);
  EXPECT_EQ(probe(), Probe::kConnected) << "the unblocked peer is still refused";

  const json::object bad =
      command(admin, id, "firewall_block",
              json::object{{"addresses", json::array{"10.199.0.2; nft flush ruleset"}},
                           {"duration_s", 600}});
  EXPECT_FALSE(bad.at("ok").as_bool());
  EXPECT_THAT(std::string(bad.at("error").as_string()), StartsWith("addresses[0]: "));
  EXPECT_EQ(bystander_listing(), bystander_) << "another table was touched";
}

TEST_P(AgentFirewallTest, WithoutAConfirmTheAgentRollsBackByItself) {
  auto admin = this->admin();
  const std::string id = online_agent(admin);
  const json::object open = succeeded(admin, id, "firewall_apply", apply_args(1, true, 600));
  succeeded(admin, id, "firewall_confirm", json::object{{"version", 1}});

  // The new version is applied (its own listing), but the confirm never comes.
  const json::object closed = succeeded(admin, id, "firewall_apply", apply_args(2, false, 2));
  EXPECT_NE(closed.at("listing_hash"), open.at("listing_hash"));
  ASSERT_TRUE(eventually([&] {
    const json::object status = succeeded(admin, id, "firewall_status");
    return status.at("pending_version").is_null() && status.at("confirmed_version") == 1 &&
           status.at("listing_hash") == open.at("listing_hash");
  }));
  EXPECT_EQ(probe(), Probe::kConnected) << "version 1, which accepts the port, is back";
  const json::object late = command(admin, id, "firewall_confirm", json::object{{"version", 2}});
  EXPECT_FALSE(late.at("ok").as_bool()) << "too late to confirm";

  json::array reported;
  ASSERT_TRUE(eventually([&] {
    reported = events(admin, id, "firewall.rolled_back");
    return !reported.empty();
  }));
  const json::value& data = reported[0].at("data");
  EXPECT_EQ(data.at("event.module"), "firewall");
  EXPECT_EQ(data.at("event.category"), "configuration");
  EXPECT_EQ(data.at("firewall.version").as_int64(), 2);
  EXPECT_EQ(data.at("firewall.restored_version").as_int64(), 1);
  EXPECT_EQ(bystander_listing(), bystander_);
}

TEST_P(AgentFirewallTest, ATableDeletedByHandIsRestoredAndTheDriftReported) {
  auto admin = this->admin();
  const std::string id = online_agent(admin);
  const json::object closed = succeeded(admin, id, "firewall_apply", apply_args(1, false, 600));
  succeeded(admin, id, "firewall_confirm", json::object{{"version", 1}});
  EXPECT_EQ(probe(), Probe::kDropped);

  const CommandOutput deleted = shell({"nft", "delete", "table", "inet", "sentinel"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  ASSERT_TRUE(eventually([&] {
    return shell({"nft", "list", "table", "inet", "sentinel"}).exit_code == 0;
  })) << "the table did not come back";
  EXPECT_EQ(probe(), Probe::kDropped) << "the restored table does not filter";
  EXPECT_EQ(succeeded(admin, id, "firewall_status").at("listing_hash"), closed.at("listing_hash"));

  json::array reported;
  ASSERT_TRUE(eventually([&] {
    reported = events(admin, id, "firewall.drift");
    return !reported.empty();
  }));
  const json::value& data = reported[0].at("data");
  EXPECT_EQ(data.at("event.action"), "firewall.drift");
  EXPECT_EQ(data.at("firewall.drift.kind"), "missing_table");
  EXPECT_EQ(data.at("firewall.version").as_int64(), 1);
  EXPECT_EQ(data.at("firewall.listing_hash.found"), "");
  EXPECT_EQ(data.at("firewall.listing_hash.expected"), closed.at("listing_hash"));
  EXPECT_EQ(bystander_listing(), bystander_) << "another table was touched";
}

// A feed lists two peers; the agent drops both. An admin allow-lists one of them: without a
// fetch, the server applies the agent's policy again and that peer connects while the other
// stays dropped; once the entry goes, it is dropped again.
TEST_P(AgentFirewallTest, AnAllowListEntryLetsAFeedListedPeerInWithoutAFetch) {
  constexpr const char* kOtherPeer = "10.199.0.3";
  constexpr std::chrono::milliseconds kSilence{1000};
  add_peer_address(kOtherPeer);
  if (HasFatalFailure()) return;
  auto admin = this->admin();
  const std::string id = online_agent(admin);
  ASSERT_FALSE(id.empty());
  std::error_code error;
  const std::filesystem::path feeds =
      std::filesystem::canonical(server_->data_dir() + "/feeds", error);
  ASSERT_FALSE(error) << error.message();
  std::ofstream(feeds / "listed.txt") << kPeerAddress << "\n" << kOtherPeer << "\n203.0.113.0/24\n";
  // The reply's JSON body (none for 204) once it has `status`.
  const auto ok_reply = [](const Result<client::HttpReply>& reply, int status) {
    EXPECT_TRUE(reply) << reply.error().message;
    if (!reply) return json::value();
    EXPECT_EQ(reply->status, status) << reply->body;
    return reply->status == status && status != 204 ? body_of(*reply) : json::value();
  };
  ok_reply(
      admin.post("/api/v1/firewall/feeds",
                 json::object{{"name", "listed"}, {"source", (feeds / "listed.txt").string()}}),
      201);
  const json::value fetched =
      ok_reply(admin.post("/api/v1/firewall/feeds/listed/refresh", json::object{}), 200);
  ASSERT_TRUE(fetched.is_object() && fetched.at("ok").as_bool()) << fetched;
  const json::value created =
      ok_reply(admin.post("/api/v1/firewall/policies",
                          json::object{{"name", "edge"}, {"document", json::parse(R"({
                                 "objects": {"address_sets": {"listed": {"feed": "listed"}}},
                                 "chains": {"input": {"policy": "accept", "rules": [
                                   {"id": "drop-listed", "source": "listed", "action": "drop"}]}}
                               })")}}),
               201);
  ASSERT_TRUE(created.is_object());
  const std::string policy = std::to_string(created.at("id").as_int64());
  ok_reply(admin.put("/api/v1/firewall/policies/" + policy + "/assignments",
                     json::object{{"assignments", json::array{json::object{{"agent_id", id}}}}}),
           200);
  const json::value applied = ok_reply(
      admin.post("/api/v1/firewall/apply", json::object{{"policy_id", created.at("id")}}), 200);
  ASSERT_TRUE(applied.is_object());
  ASSERT_EQ(applied.at("results").at(0).at("outcome"), "confirmed") << applied;
  ASSERT_EQ(probe(kPeerAddress, kSilence), Probe::kDropped);
  ASSERT_EQ(probe(kOtherPeer, kSilence), Probe::kDropped);

  const json::value entry =
      ok_reply(admin.post("/api/v1/firewall/allow-list",
                          json::object{{"cidr", kPeerAddress}, {"comment", "partner"}}),
               201);
  ASSERT_TRUE(entry.is_object());
  EXPECT_TRUE(eventually([&] { return probe(kPeerAddress, kSilence) == Probe::kConnected; }))
      << "the allow-listed peer is still dropped";
  EXPECT_EQ(probe(kOtherPeer, kSilence), Probe::kDropped) << "the other listed peer got in";

  ok_reply(admin.del("/api/v1/firewall/allow-list/" + std::to_string(entry.at("id").as_int64())),
           204);
  EXPECT_TRUE(eventually([&] { return probe(kPeerAddress, kSilence) == Probe::kDropped; }))
      << "the peer still connects after its allow-list entry went";
  const json::value feed = ok_reply(admin.get("/api/v1/firewall/feeds/listed"), 200);
  ASSERT_TRUE(feed.is_object());
  EXPECT_EQ(feed.at("last_fetch_at"), fetched.at("feed").at("last_fetch_at")) << "no fetch";
  EXPECT_THAT(server_->log(), HasSubstr("feed=listed changed: re-applied to 1 agents"));
}

TEST_P(AgentFirewallTest, AnAgentWithoutNetAdminSaysSoAndWorksOn) {
  auto admin = this->admin();
  // Started from a thread whose bounding set lacks CAP_NET_ADMIN: the agent runs as root
  // without it, as in a container that was not granted it.
  AgentOptions options;
  options.server_url = server_->url();
  options.token = new_token(admin);
  options.config_yaml = "inventory:\n  interval_s: 3600\nprocess:\n  enabled: false\n";
  Result<std::unique_ptr<AgentProcess>> started = internal_error("not started");
  std::thread launcher([&] {
    if (::prctl(PR_CAPBSET_DROP, CAP_NET_ADMIN, 0, 0, 0) != 0) {
      started = internal_error(std::string("PR_CAPBSET_DROP: ") + std::strerror(errno));
      return;
    }
    started = AgentProcess::start(options);
  });
  launcher.join();
  ASSERT_TRUE(started) << started.error().message;
  agents_.push_back(std::move(*started));
  const std::string id = enrolled_id(*agents_.back());
  ASSERT_TRUE(eventually([&] { return status_of(admin, id) == "online"; }));

  const json::object refused = command(admin, id, "firewall_apply", apply_args(1, false, 600));
  EXPECT_FALSE(refused.at("ok").as_bool());
  EXPECT_THAT(std::string(refused.at("error").as_string()),
              StartsWith("firewall enforcement unavailable: "));
  EXPECT_THAT(std::string(refused.at("error").as_string()), HasSubstr("CAP_NET_ADMIN"));
  EXPECT_NE(shell({"nft", "list", "table", "inet", "sentinel"}).exit_code, 0);
  EXPECT_EQ(probe(), Probe::kConnected);
  EXPECT_TRUE(succeeded(admin, id, "ping").at("pong").as_bool()) << "the agent works on";
}

// The agent reaches the server through NAT: it connects to kNatAddress, which the server's
// namespace translates to its own address. The server cannot know that address (it is none of
// its interfaces, listen addresses or URLs), so it takes a block of it for every agent; the
// agent, which knows whom it is connected to, must leave it out or lose the server for good.
constexpr const char* kNatAddress = "10.199.0.6";

class AgentBehindNatTest : public AgentFirewallTest {
 protected:
  std::vector<std::string> server_arguments() override {
    auto port = free_port();
    EXPECT_TRUE(port) << port.error().message;
    channel_port_ = port ? *port : 0;
    // Every address of the server's namespace: the translated connections arrive at 10.199.0.1.
    return {"--set", "agents.listen=0.0.0.0:" + std::to_string(channel_port_)};
  }

  /// Runs `argv` inside the peer namespace.
  CommandOutput in_peer(std::vector<std::string> argv) {
    argv.insert(argv.begin(),
                {"nsenter", "--net=/proc/" + std::to_string(peer_pid_) + "/ns/net", "--"});
    return shell(argv);
  }

  /// An agent enrolled here, then moved into the peer namespace and pointed at kNatAddress: its
  /// id once it is online from there.
  std::string agent_behind_nat(client::ApiClient& admin) {
    const std::string nat = fmt::format(
        "table ip sentinel_test_nat {{\n"
        "\tchain prerouting {{ type nat hook prerouting priority dstnat; "
        "ip daddr {} tcp dport {} dnat to {}; }}\n}}\n",
        kNatAddress, channel_port_, kAgentAddress);
    const CommandOutput translated = shell({"nft", "-f", "-"}, nat);
    EXPECT_EQ(translated.exit_code, 0) << translated.err;
    const CommandOutput routed =
        in_peer({"ip", "route", "add", std::string(kNatAddress) + "/32", "via", kAgentAddress});
    EXPECT_EQ(routed.exit_code, 0) << routed.err;

    AgentProcess& agent =
        start_agent(admin, {}, "inventory:\n  interval_s: 3600\nprocess:\n  enabled: false\n");
    const std::string id = enrolled_id(agent);
    EXPECT_TRUE(eventually([&] { return status_of(admin, id) == "online"; }));
    EXPECT_TRUE(agent.stop());
    const std::string config_path = agent.data_dir() + "/agent.yaml";
    std::stringstream config;
    config << std::ifstream(config_path).rdbuf();
    const std::string moved =
        std::regex_replace(config.str(), std::regex("(^|\n)channel: [^\n]*"),
                           fmt::format("$1channel: {}:{}", kNatAddress, channel_port_));
    EXPECT_NE(moved, config.str()) << config.str();
    std::ofstream(config_path) << moved;

    Status restarted = internal_error("not restarted");
    std::thread launcher([&] {
      const int ns =
          ::open(("/proc/" + std::to_string(peer_pid_) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC);
      if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0) {
        restarted = internal_error(std::string("setns: ") + std::strerror(errno));
      } else {
        restarted = agent.restart();
      }
      if (ns >= 0) ::close(ns);
    });
    launcher.join();
    EXPECT_TRUE(restarted) << restarted.error().message;
    EXPECT_TRUE(eventually([&] {
      auto reply = admin.get("/api/v1/agents/" + id);
      if (!reply || reply->status != 200) return false;
      const json::value body = body_of(*reply);
      return body.at("status") == "online" && body.at("address") == kPeerAddress;
    })) << "the agent did not come back through NAT";
    return id;
  }

  /// The elements of the peer namespace's block_v4 set, as nft lists them.
  std::string peer_blocks() {
    return in_peer({"nft", "list", "set", "inet", "sentinel", "block_v4"}).out;
  }

  int channel_port_ = 0;
};

TEST_P(AgentBehindNatTest, ABlockOfTheServersAddressIsLeftOutAndTheAgentStaysConnected) {
  auto admin = this->admin();
  const std::string id = agent_behind_nat(admin);
  ASSERT_FALSE(id.empty());
  succeeded(admin, id, "firewall_apply", apply_args(1, true, 600));
  succeeded(admin, id, "firewall_confirm", json::object{{"version", 1}});

  // Scope all, as an admin or a rule would block it: the server takes it (it cannot know).
  auto created = admin.post("/api/v1/firewall/blocks",
                            json::object{{"address", kNatAddress}, {"duration_s", 600}});
  ASSERT_TRUE(created) << created.error().message;
  ASSERT_EQ(created->status, 201) << created->body;
  // The agent answered that it left the address out; the server says so in the audit log.
  json::value left_out;
  ASSERT_TRUE(eventually([&] {
    auto audit = admin.get("/api/v1/audit?action=firewall.block.left_out");
    if (!audit || audit->status != 200) return false;
    const json::value page = body_of(*audit);
    if (page.at("items").as_array().empty()) return false;
    left_out = page.at("items").as_array()[0];
    return true;
  }));
  EXPECT_EQ(left_out.at("target"), json::value("agent:" + id));
  EXPECT_EQ(left_out.at("details").at("left_out_by"), "agent");
  EXPECT_EQ(left_out.at("details").at("left_out").as_array()[0].at("address"), kNatAddress);
  EXPECT_THAT(server_->log(),
              HasSubstr(fmt::format("blocks left out agent={} command=firewall_block "
                                    "address={}",
                                    id, kNatAddress)));

  // One request with the server's address and another: the other is blocked.
  const json::object blocked = succeeded(
      admin, id, "firewall_block",
      json::object{{"addresses", json::array{kNatAddress, "10.199.0.3"}}, {"duration_s", 600}});
  EXPECT_EQ(blocked.at("added").as_int64(), 1);
  ASSERT_EQ(blocked.at("left_out").as_array().size(), 1u) << json::serialize(blocked);
  EXPECT_EQ(blocked.at("left_out").as_array()[0].at("address"), kNatAddress);
  EXPECT_THAT(std::string(blocked.at("left_out").as_array()[0].at("reason").as_string()),
              HasSubstr("the server this agent reports to"));

  // The blocks a policy apply carries: the same.
  json::object apply = apply_args(2, true, 600);
  apply["blocks"] = json::array{json::object{{"address", kNatAddress}, {"remaining_s", 600}},
                                json::object{{"address", "10.199.0.4"}, {"remaining_s", 600}}};
  const json::object applied = succeeded(admin, id, "firewall_apply", apply);
  ASSERT_EQ(applied.at("left_out").as_array().size(), 1u) << json::serialize(applied);
  succeeded(admin, id, "firewall_confirm", json::object{{"version", 2}});

  const std::string set = peer_blocks();
  EXPECT_THAT(set, HasSubstr("10.199.0.3"));
  EXPECT_THAT(set, HasSubstr("10.199.0.4"));
  EXPECT_THAT(set, Not(HasSubstr(kNatAddress)));

  // Still connected: commands keep arriving and the server sees it online.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_TRUE(succeeded(admin, id, "ping").at("pong").as_bool());
  EXPECT_EQ(status_of(admin, id), "online");
}

INSTANTIATE_TEST_SUITE_P(Sqlite, AgentBehindNatTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

// Enforcement does not depend on the server's database: SQLite only, which also keeps the
// shared PostgreSQL cluster from being started inside a namespace that goes away.
INSTANTIATE_TEST_SUITE_P(Sqlite, AgentFirewallTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sentinel::test
