#pragma once
// The policy service tests' world: a real registry with enrolled agents on a fresh database
// (SQLite or PostgreSQL), a real audit log and bus, and in place of the channel a scripted one
// whose default answers are those of a well-behaved agent (ADR 0006 "Channel commands").

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "sentinel/agents/agent_channel.h"
#include "sentinel/firewall/policy_service.h"
#include "tests/unit/agents/agents_test_fixture.h"

namespace sentinel::firewall::policy_test {

/// A valid policy: ssh from the admins, web for everyone, everything else dropped.
inline constexpr const char* kPolicyV1 = R"({
  "objects": {"address_sets": {"admins": {"addresses": ["10.0.0.0/24"]}}},
  "chains": {
    "input": {"policy": "drop", "rules": [
      {"id": "ssh-admins", "source": "admins", "protocol": "tcp", "ports": 22, "action": "accept"}
    ]},
    "output": {"policy": "accept"}
  }
})";

/// The next version: web added, ssh narrowed to one port set.
inline constexpr const char* kPolicyV2 = R"({
  "objects": {"address_sets": {"admins": {"addresses": ["10.0.0.0/24"]}}},
  "chains": {
    "input": {"policy": "drop", "rules": [
      {"id": "ssh-admins", "source": "admins", "protocol": "tcp", "ports": 2222, "action": "accept"},
      {"id": "web", "protocol": "tcp", "ports": [80, 443], "action": "accept"}
    ]},
    "output": {"policy": "accept"}
  }
})";

/// Drops every new outgoing connection: it cuts an agent off its server.
inline constexpr const char* kCutOffPolicy = R"({
  "chains": {
    "input": {"policy": "accept"},
    "output": {"policy": "drop", "rules": [
      {"id": "dns", "protocol": "udp", "ports": 53, "action": "accept"}
    ]}
  }
})";

/// What one simulated agent holds.
struct SimulatedFirewall {
  std::optional<std::int64_t> confirmed;
  std::optional<std::int64_t> pending;
  std::set<std::string> blocks;
  bool table = false;
};

/// Stands in for the agent channel: records every command and answers as `script_` says
/// (default: a well-behaved agent per agent id). Thread-safe.
class ScriptedChannel final : public agents::AgentChannel {
 public:
  struct Call {
    std::string agent_id;
    std::string name;
    boost::json::object args;
  };
  using Script = std::function<std::optional<Result<protocol::CommandResult>>(const Call&)>;

  std::string_view name() const override { return "scripted-channel"; }
  Status start() override { return ok(); }
  void stop() override {}
  bool certificate_allowed(const gateway::PeerCertificate&) override { return false; }
  Result<std::shared_ptr<gateway::ChannelSession>> open(
      const gateway::PeerCertificate&, std::shared_ptr<gateway::ChannelSink>) override {
    return unavailable("scripted channel");
  }
  std::size_t connected_count() const override { return 0; }

  /// Tried first; nullopt falls through to the well-behaved agent.
  void script(Script script) {
    std::lock_guard lock(mutex_);
    script_ = std::move(script);
  }

  Result<protocol::CommandResult> run_command(const std::string& agent_id, const std::string& name,
                                              boost::json::object args,
                                              std::chrono::milliseconds) override {
    Call call{agent_id, name, std::move(args)};
    Script script;
    {
      std::lock_guard lock(mutex_);
      calls_.push_back(call);
      script = script_;
    }
    if (script) {
      if (auto answer = script(call)) return *answer;
    }
    return behave(call);
  }

  std::vector<Call> calls(const std::string& name = {}) const {
    std::lock_guard lock(mutex_);
    std::vector<Call> out;
    for (const Call& call : calls_) {
      if (name.empty() || call.name == name) out.push_back(call);
    }
    return out;
  }

  SimulatedFirewall firewall(const std::string& agent_id) const {
    std::lock_guard lock(mutex_);
    const auto it = agents_.find(agent_id);
    return it == agents_.end() ? SimulatedFirewall{} : it->second;
  }

  void set_firewall(const std::string& agent_id, SimulatedFirewall firewall) {
    std::lock_guard lock(mutex_);
    agents_[agent_id] = std::move(firewall);
  }

  static protocol::CommandResult answer(boost::json::object result) {
    return protocol::CommandResult{"cmd", true, std::move(result), {}};
  }
  static protocol::CommandResult failure(std::string error) {
    return protocol::CommandResult{"cmd", false, {}, std::move(error)};
  }

 private:
  static boost::json::value version_or_null(const std::optional<std::int64_t>& version) {
    return version ? boost::json::value(*version) : boost::json::value(nullptr);
  }

  Result<protocol::CommandResult> behave(const Call& call) {
    std::lock_guard lock(mutex_);
    SimulatedFirewall& fw = agents_[call.agent_id];
    if (call.name == "firewall_apply") {
      const std::int64_t version = call.args.at("version").as_int64();
      fw.pending = version;
      fw.table = true;
      for (const auto& block : call.args.at("blocks").as_array()) {
        fw.blocks.insert(std::string(block.at("address").as_string()));
      }
      return answer({{"version", version},
                     {"document_hash", call.args.at("document_hash")},
                     {"listing_hash", "listing-" + std::to_string(version)},
                     {"sets", boost::json::object{{"addr_admins_v4", 1}, {"block_v4", 0}}},
                     {"blocks_kept", static_cast<std::int64_t>(fw.blocks.size())}});
    }
    if (call.name == "firewall_confirm") {
      const std::int64_t version = call.args.at("version").as_int64();
      if (fw.pending != version) return failure("no pending apply of that version");
      fw.confirmed = version;
      fw.pending.reset();
      return answer({{"confirmed_version", version}});
    }
    if (call.name == "firewall_status") {
      boost::json::array blocks;
      for (const std::string& address : fw.blocks) {
        blocks.push_back(boost::json::object{{"address", address}, {"expires_s", 100}});
      }
      return answer({{"confirmed_version", version_or_null(fw.confirmed)},
                     {"pending_version", version_or_null(fw.pending)},
                     {"listing_hash", fw.table ? "listing-now" : ""},
                     {"sets", boost::json::object{}},
                     {"blocks", std::move(blocks)}});
    }
    if (call.name == "firewall_block") {
      for (const auto& address : call.args.at("addresses").as_array()) {
        fw.blocks.insert(std::string(address.as_string()));
      }
      return answer(
          {{"added", static_cast<std::int64_t>(call.args.at("addresses").as_array().size())}});
    }
    return failure("unknown command " + call.name);
  }

  mutable std::mutex mutex_;
  Script script_;
  std::vector<Call> calls_;
  std::map<std::string, SimulatedFirewall> agents_;
};

/// The service over the agents fixture; not started until start_service().
class PolicyServiceTest : public agents::AgentsTest {
 protected:
  void SetUp() override {
    AgentsTest::SetUp();
    if (HasFatalFailure()) return;
    firewall_subscription_ = bus_->subscribe("firewall", [this](const bus::Message& message) {
      std::lock_guard lock(messages_mutex_);
      firewall_messages_.push_back(message.payload);
    });
    PolicyServiceOptions options;
    options.channel_listen = "192.0.2.1:8444";
    options.workers = 4;
    auto service =
        PolicyService::create(PolicyServiceDependencies{.database = *db_,
                                                        .audit = *audit_,
                                                        .bus = *bus_,
                                                        .clock = clock_,
                                                        .registry = *registry_,
                                                        .channel = channel_,
                                                        .active_blocks =
                                                            [this](const std::string&) {
                                                              std::lock_guard lock(blocks_mutex_);
                                                              return active_blocks_;
                                                            }},
                              options);
    ASSERT_TRUE(service) << service.error().message;
    service_ = std::move(*service);
  }

  void TearDown() override {
    if (service_) service_->stop();
    firewall_subscription_.reset();
    AgentsTest::TearDown();
  }

  /// Starts the service once the bus delivered every `connected` so far, so that only agents
  /// connecting later are synchronised.
  void start_service() {
    eventually([this] { return connected_events() == connected_agents_; }, "connect events");
    ASSERT_TRUE(service_->start());
  }

  /// Enrols an agent in `group` and, when `online`, marks it connected from 192.0.2.7.
  std::string agent(const std::string& hostname, const std::string& group, bool online = true) {
    agents::EnrollmentTokenSpec spec;
    spec.group = group;
    auto grant = enroll(new_token(spec).token, hostname);
    EXPECT_TRUE(grant) << grant.error().message;
    if (!grant) return {};
    if (online) connect(grant->agent_id, hostname);
    return grant->agent_id;
  }

  void connect(const std::string& agent_id, const std::string& hostname = "web-1") {
    const agents::AgentFacts facts{hostname, "Debian GNU/Linux 12", "6.1.0", "x86_64", "0.1.0"};
    EXPECT_TRUE(registry_->record_connected(agent_id, facts, "192.0.2.7"));
    ++connected_agents_;
  }

  std::size_t connected_events() {
    std::size_t count = 0;
    for (const std::string& event : events()) {
      count += event.find(R"("action":"connected")") != std::string::npos ? 1 : 0;
    }
    return count;
  }

  /// Creates a policy and fails the test when it is refused.
  SavedPolicy created(const std::string& name, const std::string& document) {
    auto saved = service_->create_policy(admin_, {name, "", document, "first"}, client_);
    EXPECT_TRUE(saved) << saved.error().message;
    return saved ? *saved : SavedPolicy{};
  }

  void assign(std::int64_t policy_id, std::vector<Assignment> assignments) {
    auto stored = service_->set_assignments(admin_, policy_id, assignments, client_);
    ASSERT_TRUE(stored) << stored.error().message;
  }

  static Assignment to_group(const std::string& group, std::int64_t priority = 0) {
    return Assignment{.target = AssignmentTarget::kGroup, .value = group, .priority = priority};
  }
  static Assignment to_agent(const std::string& agent_id, std::int64_t priority = 0) {
    return Assignment{.target = AssignmentTarget::kAgent, .value = agent_id, .priority = priority};
  }

  AgentFirewallState state_of(const std::string& agent_id) {
    auto rows = service_->status(agent_id);
    EXPECT_TRUE(rows) << rows.error().message;
    if (!rows || rows->empty()) return AgentFirewallState{};
    return rows->front().state;
  }

  AgentApplyResult apply_one(const std::string& agent_id, bool force = false) {
    ApplyRequest request;
    request.agent_ids = {agent_id};
    request.force = force;
    auto results = service_->apply(admin_, request, client_);
    EXPECT_TRUE(results) << results.error().message;
    if (!results || results->size() != 1) return AgentApplyResult{};
    return results->front();
  }

  std::vector<std::string> firewall_messages() {
    std::lock_guard lock(messages_mutex_);
    return firewall_messages_;
  }

  /// Audit actions, oldest first.
  std::vector<std::string> audit_actions(const std::string& prefix = "firewall.") {
    auth::AuditQuery query;
    query.action_prefix = prefix;
    auto entries = audit_->list(query);
    EXPECT_TRUE(entries);
    std::vector<std::string> out;
    if (entries) {
      for (auto it = entries->rbegin(); it != entries->rend(); ++it) {
        out.push_back(it->record.action);
      }
    }
    return out;
  }

  void set_active_blocks(std::vector<BlockToSend> blocks) {
    std::lock_guard lock(blocks_mutex_);
    active_blocks_ = std::move(blocks);
  }

  /// Waits for work the bus hands to the service's threads. The bound is a liveness guard
  /// (the work takes milliseconds), not a measurement.
  template <typename Condition>
  void eventually(Condition condition, const std::string& what) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!condition()) {
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "never happened: " << what;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  ScriptedChannel channel_;
  std::unique_ptr<PolicyService> service_;
  std::unique_ptr<bus::Subscription> firewall_subscription_;
  std::mutex messages_mutex_;
  std::vector<std::string> firewall_messages_;
  std::mutex blocks_mutex_;
  std::vector<BlockToSend> active_blocks_;
  std::size_t connected_agents_ = 0;
};

}  // namespace sentinel::firewall::policy_test
