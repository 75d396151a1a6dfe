// The block service: allow-list first, then escalation and storage in one transaction, then
// audit, the bus and the commands to agents.

#include "sentinel/firewall/block_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <limits>
#include <map>

#include "../agents/placement.h"
#include "../auth/autocommit.h"
#include "allow_list_host.h"
#include "block_dispatcher.h"
#include "block_json.h"
#include "block_repository.h"
#include "logger.h"
#include "sentinel/common/text.h"
#include "sentinel/common/time_format.h"

namespace sentinel::firewall {
namespace {

constexpr std::size_t kMaxReason = 500;
constexpr std::int64_t kMaxLimit = 1000;

// The stored name of who asked: the user, or the rule.
std::string requester_name(const BlockRequester& requester) {
  return requester.username.empty() ? "rule:" + requester.rule_id : requester.username;
}

// The audit log's actor: a person, or the system acting on a rule.
std::string audit_actor(const BlockRequester& requester) {
  return requester.username.empty() ? "system" : requester.username;
}

Result<IpAddress> checked_address(std::string_view text) {
  if (text.find('/') != std::string_view::npos) {
    return invalid_argument(
        fmt::format("field 'address' must be one IP address, not a network ('{}')",
                    text.substr(0, 64)),
        "address");
  }
  Result<IpAddress> address = parse_ip_address(text);
  if (!address) {
    return invalid_argument(fmt::format("field 'address': {}", address.error().message), "address");
  }
  if (address->value == 0) {
    return invalid_argument(
        fmt::format("field 'address': {} is the unspecified address, not a host", text), "address");
  }
  return address;
}

Status check_reason(std::string_view reason) {
  if (reason.size() > kMaxReason) {
    return invalid_argument(fmt::format("field 'reason' is longer than {} bytes", kMaxReason),
                            "reason");
  }
  if (has_control_character(reason)) {
    return invalid_argument("field 'reason' must not hold control characters", "reason");
  }
  return ok();
}

boost::json::object scope_details(const BlockScope& scope) {
  boost::json::object details{{"scope", to_string(scope.kind)}};
  if (scope.kind == BlockScopeKind::kAgent) details["agent_id"] = scope.value;
  if (scope.kind == BlockScopeKind::kGroup) details["group"] = scope.value;
  return details;
}

class BlockServiceImpl final : public BlockService {
 public:
  BlockServiceImpl(BlockDependencies dependencies, BlockServiceOptions options)
      : database_(dependencies.database),
        audit_(dependencies.audit),
        bus_(dependencies.bus),
        clock_(dependencies.clock),
        registry_(dependencies.registry),
        allow_list_(dependencies.allow_list),
        autocommit_(dependencies.database),
        host_addresses_(options.host_addresses ? options.host_addresses
                                               : HostAddresses(host_interface_addresses)),
        dispatcher_(dependencies.registry, dependencies.channel, options.dispatch_workers,
                    options.max_queued_commands, options.command_timeout, host_addresses_,
                    [this](const std::string& agent_id, LeftOutBy by,
                           const std::vector<LeftOutBlock>& left_out) {
                      record_left_out(agent_id, by, left_out);
                    }) {}

  ~BlockServiceImpl() override { dispatcher_.stop(); }

  std::string_view name() const override { return "firewall-blocks"; }

  Status start() override {
    dispatcher_.start();
    return ok();
  }

  void drain() override { dispatcher_.stop(); }

  void stop() override { dispatcher_.stop(); }

  Result<Block> block(const BlockRequest& request) override {
    SENTINEL_ASSIGN(address, checked_address(request.address));
    if (request.duration_s < 1 || request.duration_s > kMaxBlockSeconds) {
      return invalid_argument(
          fmt::format("field 'duration_s' must be 1 to {} seconds (7 days)", kMaxBlockSeconds),
          "duration_s");
    }
    SENTINEL_TRY(check_scope(request.scope));
    SENTINEL_TRY(check_reason(request.reason));
    const std::string text = format_ip_address(address);
    SENTINEL_ASSIGN(protector, allow_list_.protecting(address));
    if (protector) return refuse_allow_listed(request, text, *protector);

    Block block;
    block.address = text;
    block.scope = request.scope;
    block.reason = request.reason;
    block.requested_by = requester_name(request.requester);
    block.rule_id = request.requester.username.empty() ? request.requester.rule_id : "";
    block.alert_id = request.requester.alert_id;
    block.requested_duration_s = request.duration_s;
    block.started_ms = clock_.now_ms();
    std::vector<std::int64_t> superseded;
    SENTINEL_TRY(database_.transact([&](store::Connection& connection) -> Status {
      BlockRepository repository(connection);
      SENTINEL_ASSIGN(earlier,
                      repository.lock_and_count_offences(block.address, block.started_ms,
                                                         block.started_ms - kOffenceWindowMs));
      block.offence =
          static_cast<int>(std::min<std::int64_t>(earlier + 1, std::numeric_limits<int>::max()));
      block.duration_s = escalated_duration_s(request.duration_s, block.offence);
      block.expires_ms = block.started_ms + block.duration_s * 1000;
      SENTINEL_ASSIGN(id, repository.insert(block));
      block.id = id;
      SENTINEL_ASSIGN(ended, repository.supersede(block, block.started_ms));
      superseded = std::move(ended);
      return ok();
    }));

    boost::json::object details = scope_details(block.scope);
    details["address"] = block.address;
    details["offence"] = block.offence;
    details["duration_s"] = block.duration_s;
    details["expires_at"] = iso8601_utc(block.expires_ms);
    details["reason"] = block.reason;
    if (!block.rule_id.empty()) details["rule_id"] = block.rule_id;
    if (block.alert_id) details["alert_id"] = *block.alert_id;
    audit(request.requester, "firewall.block", "block:" + std::to_string(block.id), "success",
          details);
    firewall_log().info(
        "block id={} address={} scope={}:{} offence={} duration_s={} requested_by={}", block.id,
        block.address, to_string(block.scope.kind), block.scope.value, block.offence,
        block.duration_s, block.requested_by);
    publish("block", block);
    for (std::int64_t id : superseded) {
      if (Result<Block> ended = get(id)) publish("unblock", *ended);
    }
    dispatcher_.submit(
        {block.scope,
         {},
         "firewall_block",
         {{"addresses", boost::json::array{block.address}}, {"duration_s", block.duration_s}}});
    return block;
  }

  Result<Block> unblock(std::int64_t id, const BlockRequester& by) override {
    Block ended;
    std::vector<BlockScope> spared;
    SENTINEL_TRY(database_.transact([&](store::Connection& connection) -> Status {
      BlockRepository repository(connection);
      const std::int64_t now_ms = clock_.now_ms();
      SENTINEL_ASSIGN(found, repository.get(id));
      if (!found) return not_found(fmt::format("No block {}.", id));
      SENTINEL_ASSIGN(changed, repository.end(id, now_ms, requester_name(by)));
      if (!changed) {
        return found->removed_ms ? conflict(fmt::format("Block {} was already removed by {}.", id,
                                                        found->removed_by))
                                 : conflict(fmt::format("Block {} already expired at {}.", id,
                                                        iso8601_utc(found->expires_ms)));
      }
      ended = std::move(*found);
      ended.removed_ms = now_ms;
      ended.removed_by = requester_name(by);
      // Agents that another active block of the address still covers keep dropping it.
      SENTINEL_ASSIGN(others, repository.active_of_address(ended.address, now_ms));
      for (const Block& other : others) spared.push_back(other.scope);
      return ok();
    }));

    boost::json::object details = scope_details(ended.scope);
    details["address"] = ended.address;
    details["remaining_s"] = (ended.expires_ms - *ended.removed_ms + 999) / 1000;
    audit(by, "firewall.unblock", "block:" + std::to_string(id), "success", details);
    firewall_log().info("unblock id={} address={} by={}", id, ended.address, ended.removed_by);
    publish("unblock", ended);
    dispatcher_.submit({ended.scope,
                        std::move(spared),
                        "firewall_unblock",
                        {{"addresses", boost::json::array{ended.address}}}});
    return ended;
  }

  Result<std::vector<Block>> unblock_within(const IpNetwork& network,
                                            const BlockRequester& by) override {
    SENTINEL_ASSIGN(active, BlockRepository(autocommit_).active(clock_.now_ms()));
    std::vector<Block> ended;
    for (const Block& block : active) {
      Result<IpAddress> address = parse_ip_address(block.address);
      if (!address || !network_contains(network, *address)) continue;
      // A block that ended meanwhile (kConflict) is what was wanted anyway.
      Result<Block> unblocked = unblock(block.id, by);
      if (unblocked) {
        ended.push_back(std::move(*unblocked));
      } else if (unblocked.error().code != ErrorCode::kConflict) {
        return std::move(unblocked).error();
      }
    }
    return ended;
  }

  Result<Block> get(std::int64_t id) override {
    SENTINEL_ASSIGN(found, BlockRepository(autocommit_).get(id));
    if (!found) return not_found(fmt::format("No block {}.", id));
    return std::move(*found);
  }

  Result<BlockPage> list(const BlockFilter& filter) override {
    if (filter.limit < 1 || filter.limit > kMaxLimit) {
      return invalid_argument(fmt::format("limit must be 1 to {}", kMaxLimit), "limit");
    }
    if (filter.offset < 0) return invalid_argument("offset must not be negative", "offset");
    return BlockRepository(autocommit_).list(filter, clock_.now_ms());
  }

  Result<std::vector<ActiveBlock>> active_blocks_for(const std::string& agent_id) override {
    SENTINEL_ASSIGN(agent, registry_.get(agent_id));
    const std::int64_t now_ms = clock_.now_ms();
    SENTINEL_ASSIGN(covering,
                    BlockRepository(autocommit_).active_covering(agent.id, agent.group, now_ms));
    // One element per address: the agent's set holds each address once, with the longest time.
    std::map<std::string, std::int64_t> longest;
    for (const Block& block : covering) {
      std::int64_t& remaining = longest[block.address];
      remaining = std::max(remaining, block.remaining_s(now_ms));
    }
    std::vector<std::string> addresses;
    for (const auto& [address, remaining] : longest) addresses.push_back(address);
    // An agent on the server's host holds no block of another agent's address (block()).
    SENTINEL_ASSIGN(left_out,
                    left_out_on_server_host({agent}, addresses, registry_, host_addresses_));
    if (const auto found = left_out.find(agent.id); found != left_out.end()) {
      warn_left_out(agent.id, "active blocks", found->second);
      for (const LeftOutBlock& each : found->second) longest.erase(each.address);
    }
    std::vector<ActiveBlock> out;
    out.reserve(longest.size());
    for (const auto& [address, remaining] : longest) out.push_back({address, remaining});
    return out;
  }

  void flush() override { dispatcher_.flush(); }

 private:
  Status check_scope(const BlockScope& scope) {
    switch (scope.kind) {
      case BlockScopeKind::kAll:
        return ok();
      case BlockScopeKind::kGroup:
        if (scope.value.empty())
          return invalid_argument("field 'group' must not be empty", "group");
        return agents::check_group(scope.value, "group");
      case BlockScopeKind::kAgent: {
        Result<agents::AgentRecord> agent = registry_.get(scope.value);
        if (!agent && agent.error().code == ErrorCode::kNotFound) {
          return invalid_argument(
              fmt::format("field 'agent_id': no agent '{}'", scope.value.substr(0, 64)),
              "agent_id");
        }
        if (!agent) return std::move(agent).error();
        if (agent->status == agents::AgentStatus::kRevoked) {
          return invalid_argument(fmt::format("field 'agent_id': agent {} is revoked", scope.value),
                                  "agent_id");
        }
        return ok();
      }
    }
    return ok();
  }

  Error refuse_allow_listed(const BlockRequest& request, const std::string& address,
                            const AllowListEntry& protector) {
    boost::json::object details = scope_details(request.scope);
    details["address"] = address;
    details["allow_list"] = protector.describe();
    if (!request.requester.rule_id.empty()) details["rule_id"] = request.requester.rule_id;
    if (request.requester.alert_id) details["alert_id"] = *request.requester.alert_id;
    audit(request.requester, "firewall.block", "address:" + address, "denied", details);
    firewall_log().warn("block refused address={} requested_by={}: {} protects it", address,
                        requester_name(request.requester), protector.describe());
    return Error{ErrorCode::kConflict,
                 fmt::format("{} is never blocked: {} protects it", address, protector.describe()),
                 "allow_listed", "address"};
  }

  // A block that an agent did not get whole: logged and audited (`firewall.block.left_out`), so
  // that whoever blocked sees why the address still reaches that agent.
  void record_left_out(const std::string& agent_id, LeftOutBy by,
                       const std::vector<LeftOutBlock>& left_out) {
    warn_left_out(agent_id, kBlockCommand, left_out);
    boost::json::array entries;
    for (const LeftOutBlock& each : left_out) {
      entries.push_back(boost::json::object{{"address", each.address}, {"reason", each.reason}});
    }
    boost::json::object details{{"agent_id", agent_id},
                                {"left_out_by", by == LeftOutBy::kAgent ? "agent" : "server"},
                                {"left_out", std::move(entries)}};
    audit(BlockRequester{}, "firewall.block.left_out", "agent:" + agent_id, "success", details);
  }

  void audit(const BlockRequester& requester, std::string action, std::string target,
             std::string outcome, const boost::json::object& details) {
    auth::AuditRecord record{.actor = audit_actor(requester),
                             .action = std::move(action),
                             .target = std::move(target),
                             .source_address = requester.source_address,
                             .outcome = std::move(outcome),
                             .details_json = boost::json::serialize(details)};
    if (auto recorded = audit_.record(record); !recorded) {
      firewall_log().error("audit of {} {} failed: {}", record.action, record.target,
                           recorded.error().message);
    }
  }

  void publish(std::string_view action, const Block& block) {
    boost::json::object message{
        {"type", "firewall"}, {"action", action}, {"block", block_json(block, clock_.now_ms())}};
    if (Status published = bus_.publish("firewall", boost::json::serialize(message)); !published) {
      firewall_log().warn("firewall {} of block {} not published: {}", action, block.id,
                          published.error().message);
    }
  }

  store::Database& database_;
  auth::AuditLog& audit_;
  bus::Bus& bus_;
  const Clock& clock_;
  agents::AgentRegistry& registry_;
  AllowList& allow_list_;
  auth::Autocommit autocommit_;  // reads outside a transaction
  HostAddresses host_addresses_;
  BlockDispatcher dispatcher_;
};

}  // namespace

Result<std::unique_ptr<BlockService>> BlockService::create(BlockDependencies dependencies,
                                                           BlockServiceOptions options) {
  if (options.dispatch_workers == 0) {
    return invalid_argument("at least one dispatch worker", "dispatch_workers");
  }
  if (options.max_queued_commands == 0) {
    return invalid_argument("a command queue of at least one", "max_queued_commands");
  }
  return std::unique_ptr<BlockService>(
      new BlockServiceImpl(std::move(dependencies), std::move(options)));
}

}  // namespace sentinel::firewall
