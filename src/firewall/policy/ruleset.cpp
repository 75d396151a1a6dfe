#include "sentinel/firewall/ruleset.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "json_reader.h"

namespace sentinel::firewall {
namespace {

using detail::JsonPath;
using detail::quote;

JsonPath rule_path(ChainKind chain, std::size_t index) {
  return JsonPath().key("chains").key(to_string(chain)).key("rules").index(index);
}

// Builds the resolved match of one rule; reports what cannot be resolved.
class RuleResolver {
 public:
  RuleResolver(const PolicyDocument& document, const FeedContents& feeds,
               std::vector<Problem>* problems)
      : document_(document), feeds_(feeds), problems_(problems) {}

  std::optional<ResolvedRule> resolve(ChainKind chain, const Rule& rule) {
    rule_ = &rule;
    path_ = rule_path(chain, rule.index);
    failed_ = false;
    ResolvedRule resolved{rule.id, rule.index, rule.enabled, rule.action, {}};
    if (rule.source) resolved.match.source = address(*rule.source, "source");
    if (rule.destination) resolved.match.destination = address(*rule.destination, "destination");
    resolved.match.service = service(rule);
    resolved.match.in_interface = rule.in_interface;
    resolved.match.out_interface = rule.out_interface;
    if (failed_) return std::nullopt;
    return resolved;
  }

 private:
  void problem(std::string_view field, std::string code, std::string message) {
    failed_ = true;
    if (problems_ == nullptr) return;
    problems_->push_back({Severity::kError, std::move(code), path_.key(field).str(), rule_->id,
                          rule_->index, std::move(message)});
  }

  // Why `name` is not a `wanted`: it is another kind of object, or nothing at all.
  std::string unknown(std::string_view wanted, std::string_view name) const {
    std::string_view actual;
    if (document_.find_address_set(name) != nullptr) actual = "an address set";
    if (document_.find_port_set(name) != nullptr) actual = "a port set";
    if (document_.find_service(name) != nullptr) actual = "a service";
    if (actual.empty()) {
      return fmt::format("rule \"{}\": no {} is named {}", rule_->id, wanted, quote(name));
    }
    const std::string_view article = wanted.starts_with("address") ? "an" : "a";
    return fmt::format("rule \"{}\": {} is {}, not {} {}", rule_->id, quote(name), actual, article,
                       wanted);
  }

  // The known addresses of an address set (static, or a feed whose contents were given),
  // normalised once per set: a big set referenced by many rules is not sorted again each time.
  const AddressIntervals* known_addresses(const AddressSet& set) {
    const auto cached = address_cache_.find(set.name);
    if (cached != address_cache_.end()) return &cached->second;
    const std::vector<IpNetwork>* networks = &set.networks;
    if (!set.feed.empty()) {
      const auto known = feeds_.find(set.feed);
      if (known == feeds_.end()) return nullptr;
      networks = &known->second;
    }
    return &address_cache_.emplace(set.name, AddressIntervals::of(*networks)).first->second;
  }

  AddressCondition address(const AddressMatch& match, std::string_view field) {
    AddressCondition condition;
    condition.any = false;
    condition.negated = match.negated;
    std::vector<IpNetwork> inline_networks;
    for (const AddressItem& item : match.items) {
      if (item.object.empty()) inline_networks.push_back(item.network);
    }
    AddressIntervals addresses = AddressIntervals::of(inline_networks);
    for (const AddressItem& item : match.items) {
      if (item.object.empty()) continue;
      const AddressSet* set = document_.find_address_set(item.object);
      if (set == nullptr) {
        problem(field, "unknown_object", unknown("address set", item.object));
        continue;
      }
      if (const AddressIntervals* known = known_addresses(*set)) {
        addresses = addresses.united(*known);
      } else {
        condition.feeds.push_back(set->feed);
      }
    }
    condition.v4 = std::move(addresses.v4);
    condition.v6 = std::move(addresses.v6);
    std::sort(condition.feeds.begin(), condition.feeds.end());
    condition.feeds.erase(std::unique(condition.feeds.begin(), condition.feeds.end()),
                          condition.feeds.end());
    return condition;
  }

  PortIntervals ports(const std::vector<PortItem>& items, std::string_view field) {
    std::vector<PortIntervals::Interval> intervals;
    for (const PortItem& item : items) {
      if (item.set.empty()) {
        intervals.push_back({item.range.low, item.range.high});
        continue;
      }
      const PortSet* set = document_.find_port_set(item.set);
      if (set == nullptr) {
        problem(field, "unknown_object", unknown("port set", item.set));
        continue;
      }
      for (const PortItem& port : set->ports)
        intervals.push_back({port.range.low, port.range.high});
    }
    return PortIntervals::of(std::move(intervals));
  }

  PortIntervals port_list(const std::optional<PortList>& list, std::string_view field) {
    if (!list) return {};
    if (list->any) return PortIntervals::full(65535);
    return ports(list->items, field);
  }

  static IcmpTypeSet icmp_types(const std::vector<std::uint8_t>& types) {
    std::vector<IcmpTypeSet::Interval> intervals;
    for (std::uint8_t type : types) intervals.push_back({type, type});
    return IcmpTypeSet::of(std::move(intervals));
  }

  static IcmpTypeSet icmp_list(const std::optional<IcmpTypeList>& list) {
    if (!list) return {};
    if (list->any) return IcmpTypeSet::full(255);
    return icmp_types(list->types);
  }

  ServiceCondition service(const Rule& rule) {
    if (!rule.services.empty()) {
      ServiceCondition condition;
      for (const std::string& name : rule.services) {
        const Service* service = document_.find_service(name);
        if (service == nullptr) {
          problem("service", "unknown_object", unknown("service", name));
          continue;
        }
        ServiceCondition one;
        one.tcp = port_list(service->tcp, "service");
        one.udp = port_list(service->udp, "service");
        one.icmp = icmp_list(service->icmp);
        one.icmpv6 = icmp_list(service->icmpv6);
        condition = condition.united(one);
      }
      return condition;
    }
    if (rule.protocols.empty()) return ServiceCondition::any();
    ServiceCondition condition;
    const PortIntervals port_set =
        rule.ports.empty() ? PortIntervals::full(65535) : ports(rule.ports, "ports");
    const IcmpTypeSet types =
        rule.icmp_types.empty() ? IcmpTypeSet::full(255) : icmp_types(rule.icmp_types);
    for (Protocol protocol : rule.protocols) {
      switch (protocol) {
        case Protocol::kTcp:
          condition.tcp = port_set;
          break;
        case Protocol::kUdp:
          condition.udp = port_set;
          break;
        case Protocol::kIcmp:
          condition.icmp = types;
          break;
        case Protocol::kIcmpv6:
          condition.icmpv6 = types;
          break;
        case Protocol::kOther:
          condition.other = true;
          break;
      }
    }
    return condition;
  }

  const PolicyDocument& document_;
  const FeedContents& feeds_;
  std::vector<Problem>* problems_;
  std::map<std::string, AddressIntervals, std::less<>> address_cache_;
  const Rule* rule_ = nullptr;
  JsonPath path_;
  bool failed_ = false;
};

// ICMPv6 router solicitation (133) to neighbour advertisement (136).
constexpr std::uint8_t kNeighbourDiscoveryFirst = 133;
constexpr std::uint8_t kNeighbourDiscoveryLast = 136;

Truth interface_is(std::string_view name, const std::optional<std::string>& packet_interface) {
  if (!packet_interface) return Truth::kMaybe;
  return *packet_interface == name ? Truth::kYes : Truth::kNo;
}

}  // namespace

Ruleset resolve_policy(const PolicyDocument& document, const FeedContents& feeds,
                       std::vector<Problem>* problems) {
  Ruleset ruleset;
  RuleResolver resolver(document, feeds, problems);
  for (const Chain& chain : document.chains) {
    ResolvedChain& resolved = ruleset.chains[static_cast<std::size_t>(chain.kind)];
    resolved.kind = chain.kind;
    resolved.policy = chain.policy;
    for (const Rule& rule : chain.rules) {
      if (auto one = resolver.resolve(chain.kind, rule)) resolved.rules.push_back(std::move(*one));
    }
  }
  return ruleset;
}

Decision decide(const ResolvedChain& chain, const Packet& packet) {
  Decision decision;
  const auto fixed = [&](RuleAction action, std::string_view rule) {
    decision.action = action;
    decision.rule = rule;
    return decision;
  };
  // The fixed prologue of every compiled chain, in the compiler's order.
  if (chain.kind != ChainKind::kOutput && packet.source_blocked) {
    return fixed(RuleAction::kDrop, "blocked");
  }
  if (packet.state == ConnectionState::kEstablished || packet.state == ConnectionState::kRelated) {
    return fixed(RuleAction::kAccept, "established");
  }
  if (packet.state == ConnectionState::kInvalid) return fixed(RuleAction::kDrop, "invalid");
  if (chain.kind != ChainKind::kForward) {
    const Truth loopback = chain.kind == ChainKind::kInput
                               ? interface_is("lo", packet.in_interface)
                               : interface_is("lo", packet.out_interface);
    if (loopback == Truth::kYes) return fixed(RuleAction::kAccept, "loopback");
    if (loopback == Truth::kMaybe) {
      decision.uncertain.push_back({"loopback", std::nullopt, RuleAction::kAccept});
    }
    if (packet.family == IpFamily::kV6 && packet.protocol == Protocol::kIcmpv6) {
      if (!packet.icmp_type) {
        decision.uncertain.push_back({"neighbor-discovery", std::nullopt, RuleAction::kAccept});
      } else if (*packet.icmp_type >= kNeighbourDiscoveryFirst &&
                 *packet.icmp_type <= kNeighbourDiscoveryLast) {
        return fixed(RuleAction::kAccept, "neighbor-discovery");
      }
    }
  }
  for (const ResolvedRule& rule : chain.rules) {
    if (!rule.enabled) continue;
    const Truth truth = evaluate(rule.match, packet);
    if (truth == Truth::kNo) continue;
    if (rule.action == RuleAction::kLog) {
      if (truth == Truth::kYes) decision.logged.push_back(rule.id);
      continue;
    }
    if (truth == Truth::kMaybe) {
      decision.uncertain.push_back({rule.id, rule.index, rule.action});
      continue;
    }
    decision.action = rule.action;
    decision.rule = rule.id;
    decision.rule_index = rule.index;
    return decision;
  }
  return fixed(chain.policy == DefaultPolicy::kAccept ? RuleAction::kAccept : RuleAction::kDrop,
               "default");
}

}  // namespace sentinel::firewall
