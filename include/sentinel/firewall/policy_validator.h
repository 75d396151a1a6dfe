#pragma once
// Validation before anything is pushed (ADR 0006 "Validation before anything is pushed"):
// references and duplicate ids, rules that match nothing, shadowed rules, contradictory
// overlaps, and whether the policy would cut the agent off from the server.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "sentinel/firewall/address.h"
#include "sentinel/firewall/policy.h"
#include "sentinel/firewall/policy_problem.h"
#include "sentinel/firewall/ruleset.h"

namespace sentinel::firewall {

/// An address and port the agent must keep reaching: the agent channel, and anything else the
/// server knows the agent needs (a DNS server when the agent connects by name).
struct ServerEndpoint {
  IpAddress address;
  std::uint16_t port = 0;
  Protocol protocol = Protocol::kTcp;  // tcp or udp
};

/// What the validator knows about the agent the policy is for. All optional: without
/// endpoints there is no cut-off check (e.g. `sentinelctl firewall validate` offline).
struct ValidationContext {
  std::vector<ServerEndpoint> endpoints;
  std::optional<IpAddress> agent_address;  // the agent's own address, as the server saw it
  bool force = false;                      // turns cut-off errors into warnings
  FeedContents feeds;                      // known feed contents; others stay unknown
};

/// Every problem of a parsed document beyond the parser's own: unknown or mistyped object
/// references, duplicate rule ids, unused objects, rules that match nothing, shadowed rules
/// (error when the actions differ), contradictory partial overlaps, and the cut-off check.
/// Pure and thread-safe; cost is bounded for hostile documents (a warning says when the
/// pairwise checks stopped early).
std::vector<Problem> validate(const PolicyDocument& document, const ValidationContext& context);

/// parse_policy + validate: the problems of a policy text, parser's first.
std::vector<Problem> check_policy(std::string_view json, const ValidationContext& context);

}  // namespace sentinel::firewall
