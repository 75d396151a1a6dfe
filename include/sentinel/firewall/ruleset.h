#pragma once
// A policy with its object references resolved into normalised matches, and `decide`: what a
// compiled chain does with a packet. The cut-off check and the tests share it.

#include <array>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sentinel/firewall/match.h"
#include "sentinel/firewall/policy.h"
#include "sentinel/firewall/policy_problem.h"

namespace sentinel::firewall {

/// Known contents of feeds, by feed name. Feeds not listed stay unknown (uncertain).
using FeedContents = std::map<std::string, std::vector<IpNetwork>, std::less<>>;

/// One rule with its match resolved.
struct ResolvedRule {
  std::string id;
  std::size_t index = 0;
  bool enabled = true;
  RuleAction action = RuleAction::kDrop;
  RuleMatch match;
};

/// One chain with its rules resolved. Rules whose references could not be resolved are absent.
struct ResolvedChain {
  ChainKind kind = ChainKind::kInput;
  DefaultPolicy policy = DefaultPolicy::kAccept;
  std::vector<ResolvedRule> rules;
};

/// The resolved policy. A plain value; immutable once built.
struct Ruleset {
  std::array<ResolvedChain, 3> chains{ResolvedChain{ChainKind::kInput},
                                      ResolvedChain{ChainKind::kOutput},
                                      ResolvedChain{ChainKind::kForward}};
  const ResolvedChain& chain(ChainKind kind) const {
    return chains[static_cast<std::size_t>(kind)];
  }
};

/// Resolves object references. Unknown objects, references to an object of the wrong kind and
/// unknown feeds are appended to `problems` (when given) and their rules left out.
Ruleset resolve_policy(const PolicyDocument& document, const FeedContents& feeds = {},
                       std::vector<Problem>* problems = nullptr);

/// A terminal rule that may have matched before the decision, had the unknown fields been known.
struct UncertainMatch {
  std::string rule_id;                    // or "loopback", "neighbor-discovery" (fixed rules)
  std::optional<std::size_t> rule_index;  // absent for fixed rules
  RuleAction action = RuleAction::kDrop;
};

/// The verdict of a chain for a packet. `rule` is the deciding rule's id, or one of "default"
/// (the chain's policy), "established" (established/related), "invalid", "loopback",
/// "neighbor-discovery" (ICMPv6 types 133-136) and "blocked" (the active-response block
/// sets) for the fixed rules every chain starts with.
struct Decision {
  RuleAction action = RuleAction::kAccept;  // accept, drop or reject; never log
  std::string rule;
  std::optional<std::size_t> rule_index;
  std::vector<UncertainMatch> uncertain;  // rules before `rule` that may have decided instead
  std::vector<std::string> logged;        // log rules that certainly matched on the way
};

/// Evaluates `chain` as compiled (fixed prologue, rules in order, default policy) on `packet`.
Decision decide(const ResolvedChain& chain, const Packet& packet);

}  // namespace sentinel::firewall
