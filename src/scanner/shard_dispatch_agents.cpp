// The scanner's view of the agents, over the agent registry and the agent channel.

#include <fmt/format.h>

#include "sentinel/scanner/scan_agents.h"

namespace sentinel::scanner {
namespace {

// The registry lists at most this many agents a page.
constexpr std::int64_t kPage = 1000;

class RegistryScanAgents final : public ScanAgents {
 public:
  RegistryScanAgents(agents::AgentRegistry& registry, agents::AgentChannel& channel)
      : registry_(registry), channel_(channel) {}

  Result<std::vector<std::string>> unknown(const std::vector<std::string>& ids) override {
    std::vector<std::string> out;
    for (const std::string& id : ids) {
      Result<agents::AgentRecord> agent = registry_.get(id);
      if (!agent) {
        if (agent.error().code != ErrorCode::kNotFound) return agent.error();
        out.push_back(id);
      } else if (agent->status == agents::AgentStatus::kRevoked) {
        out.push_back(id);
      }
    }
    return out;
  }

  Result<std::size_t> group_size(const std::string& group) override {
    agents::AgentFilter filter;
    filter.group = group;
    filter.limit = 1;
    SENTINEL_ASSIGN(page, registry_.list(filter));
    std::size_t count = static_cast<std::size_t>(page.total);
    // Revoked agents are listed too; they scan nothing.
    filter.status = agents::AgentStatus::kRevoked;
    SENTINEL_ASSIGN(revoked, registry_.list(filter));
    return count - std::min(count, static_cast<std::size_t>(revoked.total));
  }

  Result<std::vector<std::string>> online(const AgentSelection& selection) override {
    std::vector<std::string> out;
    if (!selection.group.empty()) {
      agents::AgentFilter filter;
      filter.group = selection.group;
      filter.status = agents::AgentStatus::kOnline;
      filter.limit = kPage;
      for (std::int64_t offset = 0;; offset += kPage) {
        filter.offset = offset;
        SENTINEL_ASSIGN(page, registry_.list(filter));
        for (const agents::AgentRecord& agent : page.items) {
          if (agent.connected) out.push_back(agent.id);
        }
        if (page.items.size() < static_cast<std::size_t>(kPage)) break;
      }
      return out;
    }
    for (const std::string& id : selection.ids) {
      Result<agents::AgentRecord> agent = registry_.get(id);
      if (agent && agent->status == agents::AgentStatus::kOnline && agent->connected) {
        out.push_back(id);
      }
    }
    return out;
  }

  Result<AgentAnswer> command(const std::string& agent_id, const std::string& name,
                              boost::json::object args,
                              std::chrono::milliseconds timeout) override {
    SENTINEL_ASSIGN(result, channel_.run_command(agent_id, name, std::move(args), timeout));
    return AgentAnswer{result.ok, std::move(result.result), std::move(result.error)};
  }

 private:
  agents::AgentRegistry& registry_;
  agents::AgentChannel& channel_;
};

}  // namespace

std::unique_ptr<ScanAgents> make_scan_agents(agents::AgentRegistry& registry,
                                             agents::AgentChannel& channel) {
  return std::make_unique<RegistryScanAgents>(registry, channel);
}

}  // namespace sentinel::scanner
