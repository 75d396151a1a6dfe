#include "feed_users.h"

#include <algorithm>
#include <set>

#include "../auth/autocommit.h"
#include "effective_policy.h"
#include "sentinel/firewall/policy_parser.h"

namespace sentinel::firewall {
namespace {

constexpr std::int64_t kAgentPage = 1000;

bool names_feed(const std::string& document_json, std::string_view feed) {
  // Most policies name no feed at all: skip parsing those.
  if (document_json.find("\"feed\"") == std::string::npos) return false;
  const PolicyDocument document = parse_policy(document_json).document;
  return std::any_of(document.address_sets.begin(), document.address_sets.end(),
                     [feed](const AddressSet& set) { return set.feed == feed; });
}

}  // namespace

Result<std::vector<FeedUser>> policies_using_feed(store::Connection& connection,
                                                  std::string_view feed) {
  SENTINEL_ASSIGN(
      rows, connection.query("SELECT p.id, p.name, v.document FROM firewall_policies p JOIN "
                             "firewall_policy_versions v ON v.policy_id = p.id AND v.version = "
                             "p.version ORDER BY p.name, p.id"));
  std::vector<FeedUser> users;
  for (const store::Row& row : rows) {
    if (names_feed(row.text(2), feed)) users.push_back({row.integer(0), row.text(1)});
  }
  return users;
}

Result<std::vector<std::string>> agents_using_feed(store::Database& database,
                                                   agents::AgentRegistry& registry,
                                                   std::string_view feed) {
  std::set<std::int64_t> policies;
  {
    auth::Autocommit connection(database);
    SENTINEL_ASSIGN(users, policies_using_feed(connection, feed));
    for (const FeedUser& user : users) policies.insert(user.policy_id);
  }
  std::vector<std::string> agents;
  if (policies.empty()) return agents;
  for (std::int64_t offset = 0;; offset += kAgentPage) {
    agents::AgentFilter filter;
    filter.limit = kAgentPage;
    filter.offset = offset;
    SENTINEL_ASSIGN(page, registry.list(filter));
    for (const agents::AgentRecord& agent : page.items) {
      if (agent.status == agents::AgentStatus::kRevoked) continue;
      auth::Autocommit connection(database);
      SENTINEL_ASSIGN(effective, load_effective(connection, agent));
      if (effective && policies.contains(effective->policy.id)) agents.push_back(agent.id);
    }
    if (page.items.size() < static_cast<std::size_t>(kAgentPage)) break;
  }
  return agents;
}

}  // namespace sentinel::firewall
