#include "block_dispatcher.h"

#include <algorithm>
#include <boost/json/serialize.hpp>

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
                                 std::chrono::milliseconds timeout)
    : registry_(registry),
      channel_(channel),
      worker_count_(workers),
      max_queued_(max_queued),
      timeout_(timeout) {}

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
  for (const agents::AgentRecord& agent : agents) {
    const bool spared =
        std::any_of(command.spared.begin(), command.spared.end(),
                    [&agent](const BlockScope& scope) { return scope_covers(scope, agent); });
    if (spared) continue;
    push(AgentCommand{agent.id, command.name, command.args});
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
  }
}

}  // namespace sentinel::firewall
