#pragma once
// The block tests' world: a real registry with enrolled agents on a fresh database (SQLite or
// PostgreSQL, from the agents tests' fixture), a real audit log, bus and allow-list, the block
// service under test, and a fake agent channel that records every command it is asked to send.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "sentinel/agents/agent_channel.h"
#include "sentinel/firewall/allow_list.h"
#include "sentinel/firewall/block_service.h"
#include "tests/unit/agents/agents_test_fixture.h"

namespace sentinel::firewall::test {

/// Our AgentChannel interface, answering every command at once. Agents named in `unreachable`
/// answer kNotFound (not connected here), as a real channel does for an agent on another replica.
class FakeAgentChannel final : public agents::AgentChannel {
 public:
  struct Sent {
    std::string agent_id;
    std::string name;
    boost::json::object args;
  };

  bool certificate_allowed(const gateway::PeerCertificate&) override { return false; }
  Result<std::shared_ptr<gateway::ChannelSession>> open(
      const gateway::PeerCertificate&, std::shared_ptr<gateway::ChannelSink>) override {
    return unavailable("fake channel: no connections");
  }
  std::string_view name() const override { return "fake-channel"; }
  Status start() override { return ok(); }
  void stop() override {}
  std::size_t connected_count() const override { return 0; }

  Result<protocol::CommandResult> run_command(const std::string& agent_id, const std::string& name,
                                              boost::json::object args,
                                              std::chrono::milliseconds) override {
    std::lock_guard lock(mutex_);
    sent_.push_back({agent_id, name, args});
    if (unreachable_.count(agent_id) != 0) return not_found("agent not connected here");
    const std::size_t count =
        args.contains("addresses") ? args.at("addresses").as_array().size() : 0;
    protocol::CommandResult result;
    result.id = "cmd-" + std::to_string(sent_.size());
    result.ok = true;
    result.result = {{name == "firewall_block" ? "added" : "removed", count}};
    if (const auto left = left_out_.find(agent_id);
        left != left_out_.end() && name == "firewall_block") {
      result.result["left_out"] = boost::json::array{left->second};
    }
    return result;
  }

  /// `agent_id` answers every firewall_block as if it had left `address` out for `reason`.
  void set_left_out(const std::string& agent_id, const std::string& address,
                    const std::string& reason) {
    std::lock_guard lock(mutex_);
    left_out_[agent_id] = boost::json::object{{"address", address}, {"reason", reason}};
  }

  void set_unreachable(const std::string& agent_id) {
    std::lock_guard lock(mutex_);
    unreachable_.insert(agent_id);
  }

  std::vector<Sent> sent() const {
    std::lock_guard lock(mutex_);
    return sent_;
  }

  /// The agents that were sent command `name`, sorted.
  std::vector<std::string> recipients(const std::string& name) const {
    std::vector<std::string> out;
    for (const Sent& each : sent()) {
      if (each.name == name) out.push_back(each.agent_id);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  void clear() {
    std::lock_guard lock(mutex_);
    sent_.clear();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Sent> sent_;
  std::set<std::string> unreachable_;
  std::map<std::string, boost::json::object> left_out_;
};

/// The fixture: AgentsTest (database, bus, audit, CA, registry, enrolment, manual clock) plus
/// the allow-list and block service over them.
class BlockTest : public agents::AgentsTest {
 protected:
  void SetUp() override {
    AgentsTest::SetUp();
    if (HasFatalFailure()) return;
    AllowListOptions allow_options;
    allow_options.endpoints = {{"agents.listen", "198.51.100.250:8444"},
                               {"gateway.listen", "0.0.0.0:8443"}};
    allow_list_ = AllowList::create(*db_, *audit_, clock_, allow_options);
    BlockServiceOptions options;
    // The server's host as the test says, not the machine's interfaces.
    options.host_addresses = [this] {
      std::lock_guard lock(host_mutex_);
      return host_addresses_;
    };
    auto service = BlockService::create(
        {*db_, *audit_, *bus_, clock_, *registry_, channel_, *allow_list_}, options);
    ASSERT_TRUE(service) << service.error().message;
    blocks_ = std::move(*service);
    ASSERT_TRUE(blocks_->start());
  }

  void TearDown() override {
    if (blocks_) blocks_->stop();
    AgentsTest::TearDown();
  }

  /// Enrols an agent in `group` and, when `online`, marks it connected now from `address`;
  /// returns its id.
  std::string agent(const std::string& hostname, const std::string& group, bool online = true,
                    const std::string& address = "192.0.2.7") {
    agents::EnrollmentTokenSpec spec;
    spec.group = group;
    auto grant = enroll(new_token(spec).token, hostname);
    EXPECT_TRUE(grant) << grant.error().message;
    if (!grant) return {};
    if (online) {
      const agents::AgentFacts facts{hostname, "Debian GNU/Linux 12", "6.1.0", "x86_64", "0.1.0"};
      EXPECT_TRUE(registry_->record_connected(grant->agent_id, facts, address));
    }
    return grant->agent_id;
  }

  /// A person's request.
  BlockRequest request(const std::string& address, std::int64_t duration_s, BlockScope scope = {}) {
    BlockRequest out;
    out.address = address;
    out.duration_s = duration_s;
    out.scope = std::move(scope);
    out.reason = "test";
    out.requester.username = "admin";
    out.requester.source_address = "192.0.2.10";
    return out;
  }

  /// Blocks and fails the test when the block is refused.
  Block blocked(const BlockRequest& wanted) {
    auto block = blocks_->block(wanted);
    EXPECT_TRUE(block) << block.error().message;
    return block ? *block : Block{};
  }

  /// Audit actions with their outcomes ("firewall.block:success"), oldest first.
  std::vector<std::string> audit_trail(const std::string& prefix = "firewall.") {
    auth::AuditQuery query;
    query.action_prefix = prefix;
    auto entries = audit_->list(query);
    EXPECT_TRUE(entries);
    std::vector<std::string> out;
    if (entries) {
      for (auto it = entries->rbegin(); it != entries->rend(); ++it) {
        out.push_back(it->record.action + ":" + it->record.outcome);
      }
    }
    return out;
  }

  /// The addresses of the server's host the block service sees.
  void set_host_addresses(std::vector<IpAddress> addresses) {
    std::lock_guard lock(host_mutex_);
    host_addresses_ = std::move(addresses);
  }

  FakeAgentChannel channel_;
  std::mutex host_mutex_;
  std::vector<IpAddress> host_addresses_;
  std::unique_ptr<AllowList> allow_list_;
  std::unique_ptr<BlockService> blocks_;
};

}  // namespace sentinel::firewall::test
