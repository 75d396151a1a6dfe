#pragma once
// The fleet half of the firewall benchmark (issue 7): the time from a policy save to every one
// of N agents having applied and confirmed it. The agents are simulated (bench/sim_agents.h):
// each reads the commands with the real agent's argument parser (scope guard included) and
// answers as the real agent does, without touching nftables, so the figure is the server's
// and the channel's part; bench/firewall_apply.sh measures the kernel's part on one host.

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "bench/sim_agents.h"
#include "client/api_client.h"
#include "sentinel/common/result.h"

namespace sentinel::bench {

/// What measure_firewall_push() pushes.
struct FirewallPushOptions {
  int rounds = 5;                     // policy versions saved and pushed, one after another
  int addresses = 1000;               // addresses in the policy's address set
  std::string group = "bench-fleet";  // the agents' group, which the policy is assigned to
};

/// Puts every agent into the group, creates and assigns a policy, then per round saves a new
/// version and applies it (POST /api/v1/firewall/apply) while the agents answer on their own
/// threads. Returns the figures as JSON fields: the median and slowest round from the save's
/// request to the last agent's confirm, the apply request alone, and the outcomes. `api` needs
/// agents:write and firewall:write. Fails when a round leaves an agent unconfirmed.
Result<boost::json::object> measure_firewall_push(client::ApiClient& api,
                                                  std::vector<SimAgent>& agents,
                                                  const FirewallPushOptions& options);

}  // namespace sentinel::bench
