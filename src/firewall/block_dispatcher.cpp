#include "block_dispatcher.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <map>

#include "logger.h"

namespace sentinel::firewall {
namespace {

// The registry lists at most this many agents per page.
constexpr std::int64_t kAgentPage = 1000;

}  // namespace

bool scope_covers(const BlockScope& scope, const agents::AgentRecord& agent) {
  switch (scope.kind) {
    case BlockScopeKind::kAgent:
      return agent.id == scope.value;
    case BlockScopeKind::kGroup:
      return !agent.group.empty() && agent.group == scope.value;
    case BlockScopeKind::kAll:
      return true;
  }
  return false;
}

BlockDispatcher::BlockDispatcher(agents::AgentRegistry& registry, agents::AgentChannel& channel,
                                 std::size_t workers, std::size_t max_queued,
                                 std::chrono::milliseconds timeout, HostAddresses host_addresses,
                                 LeftOutSink on_left_out)
    : registry_(registry),
      channel_(channel),
      worker_count_(workers),
      max_queued_(max_queued),
      timeout_(timeout),
      host_addresses_(std::move(host_addresses)),
      on_left_out_(std::move(on_left_out)) {}

BlockDispatcher::~BlockDispatcher() { stop(); }

void BlockDispatcher::start() {
  std::lock_guard lock(mutex_);
  if (started_ || stopping_) return;
  started_ = true;
  for (std::size_t i = 0; i < worker_count_; ++i) workers_.emplace_back([this] { work(); });
}

void BlockDispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  workers_.clear();
  idle_.notify_all();
}

bool BlockDispatcher::submit(ScopedCommand command) { return push(std::move(command)); }

void BlockDispatcher::flush() {
  std::unique_lock lock(mutex_);
  // Before start() nothing is sent, so nothing is waited for.
  idle_.wait(lock, [this] { return (queue_.empty() && busy_ == 0) || !started_; });
}

bool BlockDispatcher::push(Task task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && std::holds_alternative<ScopedCommand>(task)) {
      firewall_log().warn("firewall command dropped: the block service is stopping");
      return false;
    }
    if (queue_.size() >= max_queued_) {
      const std::string& name = std::holds_alternative<ScopedCommand>(task)
                                    ? std::get<ScopedCommand>(task).name
                                    : std::get<AgentCommand>(task).name;
      firewall_log().warn(
          "firewall command {} dropped: {} commands are already queued (agents "
          "get their blocks again when they reconnect)",
          name, queue_.size());
      return false;
    }
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

void BlockDispatcher::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) break;  // stopping, and everything queued has been sent
    Task task = std::move(queue_.front());
    queue_.pop_front();
    ++busy_;
    lock.unlock();
    if (const auto* scoped = std::get_if<ScopedCommand>(&task)) {
      fan_out(*scoped);
    } else {
      send(std::get<AgentCommand>(task));
    }
    lock.lock();
    --busy_;
    if (queue_.empty() && busy_ == 0) idle_.notify_all();
  }
}

void BlockDispatcher::fan_out(const ScopedCommand& command) {
  std::vector<agents::AgentRecord> agents;
  if (command.scope.kind == BlockScopeKind::kAgent) {
    Result<agents::AgentRecord> agent = registry_.get(command.scope.value);
    if (agent && agent->status == agents::AgentStatus::kOnline) agents.push_back(std::move(*agent));
  } else {
    agents::AgentFilter filter;
    filter.status = agents::AgentStatus::kOnline;
    if (command.scope.kind == BlockScopeKind::kGroup) filter.group = command.scope.value;
    filter.limit = kAgentPage;
    for (;;) {
      Result<agents::AgentPage> page = registry_.list(filter);
      if (!page) {
        firewall_log().error("firewall command {}: the agents in scope cannot be listed: {}",
                             command.name, page.error().message);
        return;
      }
      for (agents::AgentRecord& agent : page->items) agents.push_back(std::move(agent));
      filter.offset += kAgentPage;
      if (page->items.size() < static_cast<std::size_t>(kAgentPage)) break;
    }
  }
  std::erase_if(agents, [&command](const agents::AgentRecord& agent) {
    return std::any_of(command.spared.begin(), command.spared.end(),
                       [&agent](const BlockScope& scope) { return scope_covers(scope, agent); });
  });
  std::map<std::string, std::vector<LeftOutBlock>> left_out;
  if (command.name == kBlockCommand) {
    std::vector<std::string> addresses;
    if (const auto* list = command.args.if_contains("addresses"); list && list->is_array()) {
      for (const boost::json::value& each : list->get_array()) {
        if (each.is_string()) addresses.emplace_back(each.get_string());
      }
    }
    auto found = left_out_on_server_host(agents, addresses, registry_, host_addresses_);
    if (!found) {
      // Unchecked, the block could cut agents off: agents on the server's host go without it.
      firewall_log().error(
          "firewall command {}: the agents' addresses cannot be listed ({}); agents on the "
          "server's host do not get it",
          command.name, found.error().message);
      std::vector<IpAddress> host = host_addresses_ ? host_addresses_() : std::vector<IpAddress>{};
      std::erase_if(agents, [&host](const agents::AgentRecord& agent) {
        return on_server_host(agent.last_address, host);
      });
    } else {
      left_out = std::move(*found);
    }
  }
  for (const agents::AgentRecord& agent : agents) {
    const auto skipped = left_out.find(agent.id);
    if (skipped == left_out.end()) {
      push(AgentCommand{agent.id, command.name, command.args});
      continue;
    }
    if (on_left_out_) on_left_out_(agent.id, LeftOutBy::kServer, skipped->second);
    boost::json::array rest;
    for (const boost::json::value& each : command.args.at("addresses").get_array()) {
      const bool out = std::any_of(skipped->second.begin(), skipped->second.end(),
                                   [&each](const LeftOutBlock& left) {
                                     return each.is_string() && each.get_string() == left.address;
                                   });
      if (!out) rest.push_back(each);
    }
    if (rest.empty()) continue;
    boost::json::object args = command.args;
    args["addresses"] = std::move(rest);
    push(AgentCommand{agent.id, command.name, std::move(args)});
  }
}

void BlockDispatcher::send(const AgentCommand& command) {
  Result<protocol::CommandResult> result =
      channel_.run_command(command.agent_id, command.name, command.args, timeout_);
  if (!result) {
    firewall_log().warn("firewall command {} to agent={} not delivered: {}", command.name,
                        command.agent_id, result.error().message);
  } else if (!result->ok) {
    firewall_log().warn("firewall command {} failed on agent={}: {}", command.name,
                        command.agent_id, result->error);
  } else {
    firewall_log().info("firewall command {} applied agent={} args={}", command.name,
                        command.agent_id, boost::json::serialize(command.args));
    if (command.name != kBlockCommand) return;
    Result<std::vector<LeftOutBlock>> left_out = parse_left_out(result->result, command.name);
    if (!left_out) {
      firewall_log().warn("firewall command {} agent={}: {}", command.name, command.agent_id,
                          left_out.error().message);
    } else if (!left_out->empty() && on_left_out_) {
      on_left_out_(command.agent_id, LeftOutBy::kAgent, *left_out);
    }
  }
}

}  // namespace sentinel::firewall
