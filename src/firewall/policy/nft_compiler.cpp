#include "sentinel/firewall/nft_compiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "policy_syntax.h"

namespace sentinel::firewall {
namespace {

constexpr std::string_view kNeighbourDiscovery =
    "\t\ticmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, "
    "nd-neighbor-advert } accept\n";

// Elements per line in set declarations, to keep big sets readable in the preview.
constexpr std::size_t kElementsPerLine = 8;

std::string_view family_keyword(IpFamily family) { return family == IpFamily::kV4 ? "ip" : "ip6"; }
std::string_view family_suffix(IpFamily family) { return family == IpFamily::kV4 ? "v4" : "v6"; }
std::string_view nfproto(IpFamily family) { return family == IpFamily::kV4 ? "ipv4" : "ipv6"; }

std::string address_set_name(std::string_view object, IpFamily family) {
  return fmt::format("addr_{}_{}", object, family_suffix(family));
}

std::string port_set_name(std::string_view object) { return fmt::format("port_{}", object); }

std::string log_limit_name(ChainKind chain, std::size_t index) {
  return fmt::format("log_{}_{}", to_string(chain), index);
}

// The element texts of a family's addresses.
std::vector<std::string> address_elements(IpFamily family, const Ipv4Set& v4, const Ipv6Set& v6) {
  std::vector<std::string> elements;
  if (family == IpFamily::kV4) {
    for (const auto& i : v4.intervals())
      elements.push_back(format_address_interval(family, i.low, i.high));
  } else {
    for (const auto& i : v6.intervals())
      elements.push_back(format_address_interval(family, i.low, i.high));
  }
  return elements;
}

std::vector<std::string> port_elements(const PortIntervals& ports) {
  std::vector<std::string> elements;
  for (const auto& i : ports.intervals())
    elements.push_back(detail::format_port_range({i.low, i.high}));
  return elements;
}

std::vector<std::string> icmp_elements(const IcmpTypeSet& types) {
  std::vector<std::string> elements;
  for (const auto& i : types.intervals()) {
    // One element per type: nft's ICMP type sets take no ranges.
    for (unsigned type = i.low; type <= i.high; ++type) elements.push_back(std::to_string(type));
  }
  return elements;
}

// "22" for one element, "{ 22, 80 }" for more.
std::string anonymous_set(const std::vector<std::string>& elements) {
  if (elements.size() == 1) return elements.front();
  std::string text = "{ ";
  for (std::size_t i = 0; i < elements.size(); ++i) text += (i ? ", " : "") + elements[i];
  return text + " }";
}

// One alternative of a rule's protocol part.
struct ProtocolPart {
  std::string expression;  // "" for every protocol
  bool tcp_only = false;   // `reject with tcp reset` fits
  bool family_specific = false;
};

// One nft line of a rule before the action: its family, whether its text names the family
// itself, and whether `reject with tcp reset` fits it.
struct LineMatch {
  IpFamily family = IpFamily::kV4;
  std::string text;
  bool family_specific = false;
  bool tcp_only = false;
};

class Compiler {
 public:
  Compiler(const PolicyDocument& document, const FeedContents& feeds, const Ruleset& ruleset)
      : document_(document), feeds_(feeds), ruleset_(ruleset) {}

  Result<std::string> compile() {
    SENTINEL_TRY(check_lexical());
    std::vector<std::string> chains;
    for (ChainKind kind : kChainKinds) chains.push_back(chain_text(kind));
    std::string out;
    out += "table inet sentinel {}\n";
    out += "delete table inet sentinel\n";
    out += "table inet sentinel {\n";
    out += set_block("block_v4", "ipv4_addr", "timeout", {});
    out += set_block("block_v6", "ipv6_addr", "timeout", {});
    for (const std::string& name : used_address_sets_) {
      const AddressSet& set = *document_.find_address_set(name);
      const AddressIntervals& contents = set_contents(set);
      for (IpFamily family : {IpFamily::kV4, IpFamily::kV6}) {
        out += set_block(address_set_name(name, family),
                         family == IpFamily::kV4 ? "ipv4_addr" : "ipv6_addr", "interval",
                         address_elements(family, contents.v4, contents.v6));
      }
    }
    for (const std::string& name : used_port_sets_) {
      std::vector<PortIntervals::Interval> intervals;
      for (const PortItem& item : document_.find_port_set(name)->ports) {
        intervals.push_back({item.range.low, item.range.high});
      }
      out += set_block(port_set_name(name), "inet_service", "interval",
                       port_elements(PortIntervals::of(std::move(intervals))));
    }
    for (const auto& [name, rate] : limits_) {
      out += fmt::format("\tlimit {} {{\n\t\trate {}\n\t}}\n", name, rate);
    }
    for (const std::string& chain : chains) out += chain;
    out += "}\n";
    return out;
  }

 private:
  // The parser enforces these; a document built in code must not get around them, since
  // names, ids and prefixes go into nft text unquoted or quoted without escapes.
  Status check_lexical() const {
    for (const AddressSet& set : document_.address_sets) {
      if (!detail::is_object_name(set.name) ||
          (!set.feed.empty() && !detail::is_object_name(set.feed))) {
        return invalid_argument("invalid address set or feed name", "objects.address_sets");
      }
    }
    for (const PortSet& set : document_.port_sets) {
      if (!detail::is_object_name(set.name)) {
        return invalid_argument("invalid port set name", "objects.port_sets");
      }
    }
    for (const Chain& chain : document_.chains) {
      for (const Rule& rule : chain.rules) {
        const std::string field =
            fmt::format("chains.{}.rules[{}]", to_string(chain.kind), rule.index);
        if (!detail::is_rule_id(rule.id)) return invalid_argument("invalid rule id", field + ".id");
        for (const InterfaceMatch* match : {&rule.in_interface, &rule.out_interface}) {
          if (!match->name.empty() &&
              !detail::is_interface_pattern(match->name + (match->prefix ? "*" : ""))) {
            return invalid_argument("invalid interface name", field);
          }
        }
        // On the input hook the output interface is always empty (and the input one on
        // output), so such a rule would silently never match: refused as by the parser.
        if ((chain.kind == ChainKind::kInput && !rule.out_interface.name.empty()) ||
            (chain.kind == ChainKind::kOutput && !rule.in_interface.name.empty())) {
          return invalid_argument("interface not available in this chain", field);
        }
        if (rule.action == RuleAction::kLog &&
            (!rule.log || detail::log_prefix_problem(rule.log->prefix) || rule.log->count == 0)) {
          return invalid_argument("invalid log options", field + ".log");
        }
      }
    }
    return ok();
  }

  // An address set's contents (a feed's when given, else none yet), normalised once.
  const AddressIntervals& set_contents(const AddressSet& set) {
    const auto cached = contents_.find(set.name);
    if (cached != contents_.end()) return cached->second;
    AddressIntervals contents;
    if (set.feed.empty()) {
      contents = AddressIntervals::of(set.networks);
    } else if (const auto known = feeds_.find(set.feed); known != feeds_.end()) {
      contents = AddressIntervals::of(known->second);
    }
    return contents_.emplace(set.name, std::move(contents)).first->second;
  }

  static std::string set_block(std::string_view name, std::string_view type, std::string_view flags,
                               const std::vector<std::string>& elements) {
    std::string text = fmt::format("\tset {} {{\n\t\ttype {}\n\t\tflags {}\n", name, type, flags);
    if (!elements.empty()) {
      text += "\t\telements = { ";
      for (std::size_t i = 0; i < elements.size(); ++i) {
        if (i > 0) text += (i % kElementsPerLine == 0) ? ",\n\t\t\t     " : ", ";
        text += elements[i];
      }
      text += " }\n";
    }
    return text + "\t}\n";
  }

  std::string chain_text(ChainKind kind) {
    const Chain& chain = document_.chain(kind);
    std::string text = fmt::format("\tchain {} {{\n", to_string(kind));
    text += fmt::format("\t\ttype filter hook {} priority filter; policy {};\n", to_string(kind),
                        to_string(chain.policy));
    // Blocks come before the established/related accept: a blocked attacker's open
    // connections must stop too, not only its new ones.
    if (kind != ChainKind::kOutput) {
      text += "\t\tip saddr @block_v4 drop\n";
      text += "\t\tip6 saddr @block_v6 drop\n";
    }
    text += "\t\tct state established,related accept\n";
    text += "\t\tct state invalid drop\n";
    if (kind == ChainKind::kInput) text += "\t\tiif lo accept\n";
    if (kind == ChainKind::kOutput) text += "\t\toif lo accept\n";
    // IPv6 neighbour discovery is not tracked by conntrack; with a drop policy and no rule for
    // it a host loses its IPv6 neighbours, the server among them, a cut-off no rule explains.
    if (kind != ChainKind::kForward) text += kNeighbourDiscovery;
    const ResolvedChain& resolved = ruleset_.chain(kind);
    for (const Rule& rule : chain.rules) {
      const auto match = std::find_if(resolved.rules.begin(), resolved.rules.end(),
                                      [&](const ResolvedRule& r) { return r.index == rule.index; });
      if (match != resolved.rules.end()) text += rule_text(kind, rule, match->match);
    }
    return text + "\t}\n";
  }

  std::string rule_text(ChainKind chain, const Rule& rule, const RuleMatch& match) {
    std::string text;
    if (!rule.comment.empty()) text += "\t\t# " + detail::single_line(rule.comment) + "\n";
    if (!rule.enabled) return text + fmt::format("\t\t# rule \"{}\" is disabled\n", rule.id);
    std::vector<std::string> generic_v4;
    std::vector<std::string> generic_v6;
    std::vector<LineMatch> lines;
    for (IpFamily family : {IpFamily::kV4, IpFamily::kV6}) {
      const auto sources = address_part(rule.source, family, "saddr");
      const auto destinations = address_part(rule.destination, family, "daddr");
      const auto protocols = protocol_part(rule, match.service, family);
      for (const std::string& source : sources) {
        for (const std::string& destination : destinations) {
          for (const ProtocolPart& protocol : protocols) {
            LineMatch line{family, {}, false, protocol.tcp_only};
            for (const std::string* part : {&source, &destination, &protocol.expression}) {
              if (part->empty()) continue;
              detail::append_word(line.text, *part);
            }
            line.family_specific =
                !source.empty() || !destination.empty() || protocol.family_specific;
            if (!line.family_specific) {
              (family == IpFamily::kV4 ? generic_v4 : generic_v6).push_back(line.text);
            }
            lines.push_back(std::move(line));
          }
        }
      }
    }
    const std::string prefix = interface_prefix(rule);
    const std::string suffix_comment = fmt::format(" comment \"{}\"", rule.id);
    std::size_t emitted = 0;
    for (const LineMatch& line : lines) {
      std::string body = line.text;
      if (!line.family_specific) {
        // The same line serves both families: write it once, for the IPv4 pass.
        const auto& other = line.family == IpFamily::kV4 ? generic_v6 : generic_v4;
        const bool shared = std::find(other.begin(), other.end(), line.text) != other.end();
        if (shared && line.family == IpFamily::kV6) continue;
        if (!shared) {
          body = fmt::format("meta nfproto {}", nfproto(line.family));
          detail::append_word(body, line.text);
        }
      }
      std::string full = prefix;
      detail::append_word(full, body);
      detail::append_word(full, action_text(chain, rule, line.tcp_only));
      text += "\t\t" + full + suffix_comment + "\n";
      ++emitted;
    }
    if (emitted == 0) text += fmt::format("\t\t# rule \"{}\" matches no packet\n", rule.id);
    return text;
  }

  static std::string interface_prefix(const Rule& rule) {
    std::string text;
    if (!rule.in_interface.name.empty()) {
      text += fmt::format("iifname \"{}{}\"", rule.in_interface.name,
                          rule.in_interface.prefix ? "*" : "");
    }
    if (!rule.out_interface.name.empty()) {
      text += fmt::format("{}oifname \"{}{}\"", text.empty() ? "" : " ", rule.out_interface.name,
                          rule.out_interface.prefix ? "*" : "");
    }
    return text;
  }

  std::string action_text(ChainKind chain, const Rule& rule, bool tcp_only) {
    switch (rule.action) {
      case RuleAction::kAccept:
        return "accept";
      case RuleAction::kDrop:
        return "drop";
      case RuleAction::kReject:
        return tcp_only ? "reject with tcp reset" : "reject";
      case RuleAction::kLog:
        break;
    }
    // One named limit per rule: the lines a rule becomes share its rate.
    const std::string name = log_limit_name(chain, rule.index);
    limits_.emplace(name, fmt::format("{}/{}", rule.log->count, to_string(rule.log->unit)));
    std::string text = fmt::format("limit name \"{}\" log", name);
    if (!rule.log->prefix.empty()) text += fmt::format(" prefix \"{}\"", rule.log->prefix);
    return text;
  }

  // The alternatives (joined by "or": one line each) of a source or destination in a family;
  // "" is no condition, no alternative at all means the rule matches nothing in the family.
  std::vector<std::string> address_part(const std::optional<AddressMatch>& spec, IpFamily family,
                                        std::string_view direction) {
    if (!spec) return {""};
    const std::string selector = fmt::format("{} {}", family_keyword(family), direction);
    std::vector<std::string> atoms;  // set references or inline sets, without the operator
    // An address set used alone, and every feed, is referenced by name; everything else is
    // merged into one inline set.
    std::vector<IpNetwork> inline_networks;
    for (const AddressItem& item : spec->items) {
      if (item.object.empty()) inline_networks.push_back(item.network);
    }
    AddressIntervals merged = AddressIntervals::of(inline_networks);
    const bool alone = spec->items.size() == 1;
    for (const AddressItem& item : spec->items) {
      if (item.object.empty()) continue;
      const AddressSet& set = *document_.find_address_set(item.object);
      if (!set.feed.empty() || alone) {
        if (set.feed.empty() && set_contents(set).empty(family)) continue;
        used_address_sets_.insert(set.name);
        atoms.push_back(fmt::format("@{}", address_set_name(set.name, family)));
      } else {
        merged = merged.united(set_contents(set));
      }
    }
    if (!merged.empty(family)) {
      atoms.push_back(anonymous_set(address_elements(family, merged.v4, merged.v6)));
    }
    if (!spec->negated) {
      std::vector<std::string> alternatives;
      for (const std::string& atom : atoms) alternatives.push_back(selector + " " + atom);
      return alternatives;
    }
    std::string conjunction;
    for (const std::string& atom : atoms) {
      detail::append_word(conjunction, fmt::format("{} != {}", selector, atom));
    }
    return {conjunction};
  }

  std::vector<ProtocolPart> protocol_part(const Rule& rule, const ServiceCondition& service,
                                          IpFamily family) {
    if (rule.services.empty() && rule.protocols.empty()) return {{"", false, false}};
    std::vector<ProtocolPart> parts;
    // A rule whose ports are exactly one port set refers to it by name.
    std::string named_ports;
    if (rule.services.empty() && rule.ports.size() == 1 && !rule.ports.front().set.empty()) {
      named_ports = fmt::format("@{}", port_set_name(rule.ports.front().set));
    }
    const auto transport = [&](std::string_view name, const PortIntervals& ports) {
      if (ports.empty()) return;
      if (ports.is_full(65535)) {
        parts.push_back({fmt::format("meta l4proto {}", name), name == "tcp", false});
        return;
      }
      std::string set = named_ports;
      if (set.empty()) {
        set = anonymous_set(port_elements(ports));
      } else {
        used_port_sets_.insert(rule.ports.front().set);
      }
      parts.push_back({fmt::format("{} dport {}", name, set), name == "tcp", false});
    };
    transport("tcp", service.tcp);
    transport("udp", service.udp);
    const IcmpTypeSet& icmp = family == IpFamily::kV4 ? service.icmp : service.icmpv6;
    const std::string_view icmp_name = family == IpFamily::kV4 ? "icmp" : "icmpv6";
    if (!icmp.empty()) {
      if (icmp.is_full(255)) {
        parts.push_back({fmt::format("meta nfproto {} meta l4proto {}", nfproto(family),
                                     family == IpFamily::kV4 ? "icmp" : "ipv6-icmp"),
                         false, true});
      } else {
        parts.push_back({fmt::format("{} type {}", icmp_name, anonymous_set(icmp_elements(icmp))),
                         false, true});
      }
    }
    return parts;
  }

  const PolicyDocument& document_;
  const FeedContents& feeds_;
  const Ruleset& ruleset_;
  std::set<std::string> used_address_sets_;
  std::set<std::string> used_port_sets_;
  std::map<std::string, std::string> limits_;  // name -> rate; ordered by name
  std::map<std::string, AddressIntervals> contents_;
};

}  // namespace

Result<std::string> compile_nft(const PolicyDocument& document, const FeedContents& feeds) {
  std::vector<Problem> problems;
  // Feeds stay unresolved here: their sets are referenced by name whatever they hold.
  const Ruleset ruleset = resolve_policy(document, {}, &problems);
  for (const Problem& problem : problems) {
    if (problem.severity == Severity::kError) {
      return invalid_argument("the policy cannot be compiled: " + problem.message, problem.path);
    }
  }
  return Compiler(document, feeds, ruleset).compile();
}

}  // namespace sentinel::firewall
