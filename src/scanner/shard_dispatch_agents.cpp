// The scanner's view of the agents, over the agent registry, the inventory and the agent
// channel.

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <functional>

#include "sentinel/scanner/scan_agents.h"

namespace sentinel::scanner {
namespace {

// The registry lists at most this many agents a page.
constexpr std::int64_t kPage = 1000;

// Interface networks broader than these are no local segment (an agent's claim, untrusted).
constexpr int kMinPrefixV4 = 8;
constexpr int kMinPrefixV6 = 32;

bool is_host_local(const scan::IpAddress& address) {
  const scan::Uint128 value = address.value();
  if (address.is_v4()) {
    return value >> 24 == 127 || value >> 16 == ((169u << 8) | 254u) || value == 0;
  }
  return value <= 1 || value >> 118 == 0x3fa;  // ::, ::1, fe80::/10
}

// The agents' ids a visitor sees, page by page, from the registry (revoked ones left out).
Status each_agent(agents::AgentRegistry& registry, agents::AgentFilter filter,
                  const std::function<Status(const agents::AgentRecord&)>& visit) {
  filter.limit = kPage;
  for (std::int64_t offset = 0;; offset += kPage) {
    filter.offset = offset;
    SENTINEL_ASSIGN(page, registry.list(filter));
    for (const agents::AgentRecord& agent : page.items) {
      if (agent.status != agents::AgentStatus::kRevoked) SENTINEL_TRY(visit(agent));
    }
    if (page.items.size() < static_cast<std::size_t>(kPage)) return ok();
  }
}

class RegistryScanAgents final : public ScanAgents {
 public:
  RegistryScanAgents(agents::AgentRegistry& registry, agents::AgentChannel& channel,
                     inventory::InventoryService& inventory)
      : registry_(registry), channel_(channel), inventory_(inventory) {}

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
    if (!selection.group.empty() || selection.networks) {
      agents::AgentFilter filter;
      if (!selection.networks) filter.group = selection.group;
      filter.status = agents::AgentStatus::kOnline;
      SENTINEL_TRY(each_agent(registry_, filter, [&](const agents::AgentRecord& agent) {
        if (agent.connected) out.push_back(agent.id);
        return ok();
      }));
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

  Result<std::vector<AgentSite>> sites() override {
    std::vector<std::string> ids;
    SENTINEL_TRY(each_agent(registry_, {}, [&](const agents::AgentRecord& agent) -> Status {
      ids.push_back(agent.id);
      return ok();
    }));
    // Every agent's interfaces at once: a query per agent would make a job wait on thousands.
    SENTINEL_ASSIGN(interfaces, inventory_.section_items_of(ids, "interfaces"));
    std::vector<AgentSite> out;
    for (const std::string& id : ids) {
      const auto found = interfaces.find(id);
      if (found == interfaces.end()) continue;
      AgentSite site{id, {}};
      for (const boost::json::value& item : found->second) {
        const auto* addresses =
            item.is_object() ? item.get_object().if_contains("addresses") : nullptr;
        if (addresses == nullptr || !addresses->is_array()) continue;
        for (const boost::json::value& address : addresses->get_array()) {
          if (!address.is_string()) continue;
          const std::optional<scan::AddressRange> network = site_network(address.get_string());
          if (network && std::find(site.networks.begin(), site.networks.end(), *network) ==
                             site.networks.end()) {
            site.networks.push_back(*network);
          }
        }
      }
      if (!site.networks.empty()) out.push_back(std::move(site));
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
  inventory::InventoryService& inventory_;
};

}  // namespace

std::optional<scan::AddressRange> site_network(std::string_view address) {
  const std::size_t slash = address.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::optional<scan::IpAddress> host = scan::IpAddress::parse(address.substr(0, slash));
  const std::string_view digits = address.substr(slash + 1);
  int prefix = -1;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
  if (!host || error != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return std::nullopt;
  }
  if (prefix < (host->is_v4() ? kMinPrefixV4 : kMinPrefixV6) || prefix > host->bits() ||
      is_host_local(*host)) {
    return std::nullopt;
  }
  // prefix >= 8, so fewer than 128 host bits.
  const scan::Uint128 span = (scan::Uint128{1} << (host->bits() - prefix)) - 1;
  const scan::IpAddress first = host->minus(host->value() & span);
  return scan::AddressRange{first, first.plus(span)};
}

std::unique_ptr<ScanAgents> make_scan_agents(agents::AgentRegistry& registry,
                                             agents::AgentChannel& channel,
                                             inventory::InventoryService& inventory) {
  return std::make_unique<RegistryScanAgents>(registry, channel, inventory);
}

}  // namespace sentinel::scanner
