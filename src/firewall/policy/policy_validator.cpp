#include "sentinel/firewall/policy_validator.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "json_reader.h"
#include "sentinel/firewall/policy_parser.h"

namespace sentinel::firewall {
namespace {

using detail::JsonPath;

// Pairwise comparisons stop after this much estimated work (see pair_cost; a unit is a few
// interval steps): a hostile document must not keep a server thread busy for more than about
// a second. Real policies stay far below it.
constexpr std::size_t kAnalysisBudget = 500'000'000;
// Contradiction warnings per rule; more say little that the first ones do not.
constexpr std::size_t kContradictionsPerRule = 5;

JsonPath chain_path(ChainKind chain) { return JsonPath().key("chains").key(to_string(chain)); }

JsonPath rule_path(ChainKind chain, std::size_t index) {
  return chain_path(chain).key("rules").index(index);
}

bool denies(RuleAction action) {
  return action == RuleAction::kDrop || action == RuleAction::kReject;
}

std::string verb(RuleAction action) {
  switch (action) {
    case RuleAction::kAccept:
      return "accepts";
    case RuleAction::kDrop:
      return "drops";
    case RuleAction::kReject:
      return "rejects";
    case RuleAction::kLog:
      return "logs";
  }
  return "drops";
}

// An estimate of the work of comparing two matches: per dimension the smaller side (the larger
// is searched or walked alongside), nothing for sets shared by both (the same object).
template <typename Set>
std::size_t dimension_cost(const Set& a, const Set& b) {
  return a.same_storage(b) ? 1 : 1 + std::min(a.size(), b.size());
}

std::size_t pair_cost(const RuleMatch& a, const RuleMatch& b) {
  return dimension_cost(a.source.v4, b.source.v4) + dimension_cost(a.source.v6, b.source.v6) +
         dimension_cost(a.destination.v4, b.destination.v4) +
         dimension_cost(a.destination.v6, b.destination.v6) +
         dimension_cost(a.service.tcp, b.service.tcp) +
         dimension_cost(a.service.udp, b.service.udp) +
         dimension_cost(a.service.icmp, b.service.icmp) +
         dimension_cost(a.service.icmpv6, b.service.icmpv6);
}

Problem rule_problem(Severity severity, std::string code, ChainKind chain, const ResolvedRule& rule,
                     std::string message) {
  return {severity, std::move(code), rule_path(chain, rule.index).str(),
          rule.id,  rule.index,      std::move(message)};
}

void check_duplicate_ids(const PolicyDocument& document, std::vector<Problem>& problems) {
  std::map<std::string, std::string, std::less<>> first_seen;  // id -> path
  for (const Chain& chain : document.chains) {
    for (const Rule& rule : chain.rules) {
      const std::string path = rule_path(chain.kind, rule.index).str();
      const auto [it, inserted] = first_seen.emplace(rule.id, path);
      if (inserted) continue;
      problems.push_back({Severity::kError, "duplicate_id",
                          rule_path(chain.kind, rule.index).key("id").str(), rule.id, rule.index,
                          fmt::format("rule id \"{}\" is already used by {}; ids must be unique "
                                      "in the policy",
                                      rule.id, it->second)});
    }
  }
}

void check_unused_objects(const PolicyDocument& document, std::vector<Problem>& problems) {
  std::set<std::string, std::less<>> addresses, ports, services;
  const auto note_ports = [&](const std::vector<PortItem>& items) {
    for (const PortItem& item : items) {
      if (!item.set.empty()) ports.insert(item.set);
    }
  };
  for (const Chain& chain : document.chains) {
    for (const Rule& rule : chain.rules) {
      for (const auto* match : {&rule.source, &rule.destination}) {
        if (!*match) continue;
        for (const AddressItem& item : (*match)->items) {
          if (!item.object.empty()) addresses.insert(item.object);
        }
      }
      services.insert(rule.services.begin(), rule.services.end());
      note_ports(rule.ports);
    }
  }
  for (const Service& service : document.services) {
    if (!services.contains(service.name)) continue;
    if (service.tcp) note_ports(service.tcp->items);
    if (service.udp) note_ports(service.udp->items);
  }
  const JsonPath objects = JsonPath().key("objects");
  const auto unused = [&](std::string_view kind, std::string_view key, const std::string& name) {
    problems.push_back({Severity::kWarning,
                        "unused_object",
                        objects.key(key).key(name).str(),
                        {},
                        std::nullopt,
                        fmt::format("{} \"{}\" is not used by any rule", kind, name)});
  };
  for (const AddressSet& set : document.address_sets) {
    if (!addresses.contains(set.name)) unused("address set", "address_sets", set.name);
  }
  for (const PortSet& set : document.port_sets) {
    if (!ports.contains(set.name)) unused("port set", "port_sets", set.name);
  }
  for (const Service& service : document.services) {
    if (!services.contains(service.name)) unused("service", "services", service.name);
  }
}

// Shadowed rules and contradictory overlaps within one chain.
class ChainAnalysis {
 public:
  ChainAnalysis(const ResolvedChain& chain, std::vector<Problem>& problems, std::size_t& budget)
      : chain_(chain), problems_(problems), budget_(budget) {}

  // Returns false when the budget ran out.
  bool run() {
    std::vector<const ResolvedRule*> live;  // enabled rules that can match something
    for (const ResolvedRule& rule : chain_.rules) {
      if (matches_nothing(rule.match)) {
        problems_.push_back(rule_problem(
            Severity::kError, "matches_nothing", chain_.kind, rule,
            fmt::format("rule \"{}\" matches no packet: its conditions exclude each other (e.g. "
                        "an IPv4 source with an IPv6 destination, icmp with IPv6 addresses, or "
                        "a negation of everything)",
                        rule.id)));
        continue;
      }
      if (rule.enabled) live.push_back(&rule);
    }
    for (std::size_t j = 0; j < live.size(); ++j) {
      if (!check_later_rule(live, j)) return false;
    }
    return true;
  }

 private:
  bool spend(const ResolvedRule& a, const ResolvedRule& b) {
    const std::size_t units = pair_cost(a.match, b.match);
    if (units > budget_) return false;
    budget_ -= units;
    return true;
  }

  bool check_later_rule(const std::vector<const ResolvedRule*>& live, std::size_t j) {
    const ResolvedRule& later = *live[j];
    // Shadowing: the first earlier terminal rule that contains the later one.
    for (std::size_t i = 0; i < j; ++i) {
      const ResolvedRule& earlier = *live[i];
      if (earlier.action == RuleAction::kLog) continue;  // log rules let packets go on
      if (!spend(earlier, later)) return false;
      if (!contains(earlier.match, later.match)) continue;
      report_shadowed(earlier, later);
      return true;
    }
    // Contradictions: partial overlaps of an accepting and a denying rule. A later rule that
    // contains an earlier one is the usual "exception first" pattern, not a contradiction.
    if (later.action == RuleAction::kLog) return true;
    std::size_t reported = 0;
    for (std::size_t i = 0; i < j && reported < kContradictionsPerRule; ++i) {
      const ResolvedRule& earlier = *live[i];
      if (earlier.action == RuleAction::kLog) continue;
      if (denies(earlier.action) == denies(later.action)) continue;
      if (!spend(earlier, later)) return false;
      if (contains(later.match, earlier.match)) continue;
      const auto example = overlap_example(earlier.match, later.match);
      if (!example) continue;
      problems_.push_back(rule_problem(
          Severity::kWarning, "contradictory", chain_.kind, later,
          fmt::format("rule \"{}\" ({}) overlaps in part with the earlier rule \"{}\" (rules[{}], "
                      "{}): packets matching both, e.g. {}, are {} by \"{}\"",
                      later.id, to_string(later.action), earlier.id, earlier.index,
                      to_string(earlier.action), *example,
                      earlier.action == RuleAction::kAccept ? "accepted" : "refused", earlier.id)));
      ++reported;
    }
    return true;
  }

  void report_shadowed(const ResolvedRule& earlier, const ResolvedRule& later) {
    const bool same = earlier.action == later.action;
    const std::string message =
        same ? fmt::format(
                   "rule \"{}\" never matches: the earlier rule \"{}\" (rules[{}]) "
                   "already {} every packet it would",
                   later.id, earlier.id, earlier.index, verb(earlier.action))
             : fmt::format(
                   "rule \"{}\" never matches: the earlier rule \"{}\" (rules[{}]) {} "
                   "every packet it would {}",
                   later.id, earlier.id, earlier.index, verb(earlier.action),
                   later.action == RuleAction::kLog ? "log" : std::string(to_string(later.action)));
    problems_.push_back(rule_problem(same ? Severity::kWarning : Severity::kError, "shadowed",
                                     chain_.kind, later, message));
  }

  const ResolvedChain& chain_;
  std::vector<Problem>& problems_;
  std::size_t& budget_;
};

std::string endpoint_text(const ServerEndpoint& endpoint) {
  const std::string address = format_ip_address(endpoint.address);
  const std::string port =
      fmt::format("{}{}", endpoint.port, endpoint.protocol == Protocol::kUdp ? "/udp" : "");
  if (endpoint.address.family == IpFamily::kV6) return fmt::format("[{}]:{}", address, port);
  return fmt::format("{}:{}", address, port);
}

// The cut-off check of one endpoint through one chain.
void check_reachability(const Ruleset& ruleset, ChainKind kind, const Packet& packet,
                        const ServerEndpoint& endpoint, bool force,
                        std::vector<Problem>& problems) {
  const ResolvedChain& chain = ruleset.chain(kind);
  Decision decision = decide(chain, packet);
  if (!packet.out_interface && kind == ChainKind::kOutput) {
    // A connection to an address that is not loopback does not leave through lo.
    std::erase_if(decision.uncertain,
                  [](const UncertainMatch& m) { return m.rule_id == "loopback"; });
  }
  const bool certain_accept = decision.action == RuleAction::kAccept;
  const bool maybe_accept =
      certain_accept ||
      std::any_of(decision.uncertain.begin(), decision.uncertain.end(),
                  [](const UncertainMatch& m) { return m.action == RuleAction::kAccept; });
  const auto first_deny = std::find_if(decision.uncertain.begin(), decision.uncertain.end(),
                                       [](const UncertainMatch& m) { return denies(m.action); });
  const std::string where = endpoint_text(endpoint);
  if (!maybe_accept) {
    Problem problem;
    problem.severity = force ? Severity::kWarning : Severity::kError;
    problem.code = "cut_off";
    if (decision.rule_index) {
      problem.path = rule_path(kind, *decision.rule_index).str();
      problem.rule_id = decision.rule;
      problem.rule_index = decision.rule_index;
      problem.message = fmt::format(
          "would cut the agent off from the server at {} (rule \"{}\" in {} {} the connection)",
          where, decision.rule, to_string(kind), verb(decision.action));
    } else {
      problem.path = chain_path(kind).key("policy").str();
      problem.message =
          fmt::format("would cut the agent off from the server at {} ({} default policy {})", where,
                      to_string(kind), to_string(chain.policy));
    }
    if (force) problem.message += "; allowed because the push is forced";
    problems.push_back(std::move(problem));
    return;
  }
  if (certain_accept && first_deny == decision.uncertain.end()) return;
  // Some rule decides only for some agents or interfaces or feed contents: say which.
  Problem problem;
  problem.severity = Severity::kWarning;
  problem.code = "may_cut_off";
  if (first_deny != decision.uncertain.end() && first_deny->rule_index) {
    problem.path = rule_path(kind, *first_deny->rule_index).str();
    problem.rule_id = first_deny->rule_id;
    problem.rule_index = first_deny->rule_index;
    problem.message = fmt::format(
        "may cut the agent off from the server at {}: rule \"{}\" in {} {} the connection if "
        "it matches, which depends on the agent's address, interfaces or feed contents",
        where, first_deny->rule_id, to_string(kind), verb(first_deny->action));
  } else {
    problem.path = decision.rule_index ? rule_path(kind, *decision.rule_index).str()
                                       : chain_path(kind).key("policy").str();
    problem.rule_id = decision.rule_index ? decision.rule : std::string();
    problem.rule_index = decision.rule_index;
    problem.message = fmt::format(
        "may cut the agent off from the server at {}: {} {} the connection unless an earlier "
        "rule matches, which depends on the agent's address, interfaces or feed contents",
        where,
        decision.rule_index ? fmt::format("rule \"{}\" in {}", decision.rule, to_string(kind))
                            : fmt::format("the {} default policy", to_string(kind)),
        verb(decision.action));
  }
  problems.push_back(std::move(problem));
}

void check_cut_off(const Ruleset& ruleset, const ValidationContext& context,
                   std::vector<Problem>& problems) {
  for (const ServerEndpoint& endpoint : context.endpoints) {
    const IpFamily family = endpoint.address.family;
    std::optional<IpAddress> agent = context.agent_address;
    if (agent && agent->family != family) agent.reset();
    const bool loopback = is_loopback(endpoint.address);
    if (loopback) agent = endpoint.address;

    // The new connection leaves through the output chain...
    Packet out;
    out.family = family;
    out.source = agent;
    out.destination = endpoint.address;
    out.protocol = endpoint.protocol;
    out.destination_port = endpoint.port;
    if (loopback) out.out_interface = "lo";
    check_reachability(ruleset, ChainKind::kOutput, out, endpoint, context.force, problems);

    // ...and what comes back enters through input: the new connection itself on loopback, else
    // the replies, which the compiled chain accepts as established before any rule.
    Packet in;
    in.family = family;
    if (loopback) {
      in = out;
      in.out_interface.reset();
      in.in_interface = "lo";
    } else {
      in.source = endpoint.address;
      in.destination = agent;
      in.protocol = endpoint.protocol;
      in.state = ConnectionState::kEstablished;
    }
    check_reachability(ruleset, ChainKind::kInput, in, endpoint, context.force, problems);
  }
}

}  // namespace

std::vector<Problem> validate(const PolicyDocument& document, const ValidationContext& context) {
  std::vector<Problem> problems;
  const Ruleset ruleset = resolve_policy(document, context.feeds, &problems);
  check_duplicate_ids(document, problems);
  check_unused_objects(document, problems);
  std::size_t budget = kAnalysisBudget;
  for (const ResolvedChain& chain : ruleset.chains) {
    if (!ChainAnalysis(chain, problems, budget).run()) {
      problems.push_back({Severity::kWarning,
                          "analysis_truncated",
                          chain_path(chain.kind).str(),
                          {},
                          std::nullopt,
                          "the policy is too large to check every pair of rules for shadowing "
                          "and overlaps; the check stopped early"});
      break;
    }
  }
  check_cut_off(ruleset, context, problems);
  return problems;
}

std::vector<Problem> check_policy(std::string_view json, const ValidationContext& context) {
  PolicyParse parse = parse_policy(json);
  std::vector<Problem> problems = std::move(parse.problems);
  ValidationContext partial = context;
  // Rules the parser refused are missing from the document, so a cut-off verdict on the rest
  // would be about a policy nobody wrote; it comes once the text parses.
  if (has_errors(problems)) partial.endpoints.clear();
  std::vector<Problem> more = validate(parse.document, partial);
  problems.insert(problems.end(), std::make_move_iterator(more.begin()),
                  std::make_move_iterator(more.end()));
  return problems;
}

}  // namespace sentinel::firewall
