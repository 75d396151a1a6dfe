#pragma once
// The firewall policy document (ADR 0006 "Policy model"): named objects and three chains of
// ordered rules. These are the parsed values; `policy_parser.h` makes them from JSON and
// `ruleset.h` resolves them into normalised matches. The JSON shape is documented in
// src/firewall/policy/README.md.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/firewall/address.h"

namespace sentinel::firewall {

/// The three filter chains a policy has, in the order they are written.
enum class ChainKind { kInput, kOutput, kForward };
inline constexpr std::array<ChainKind, 3> kChainKinds = {ChainKind::kInput, ChainKind::kOutput,
                                                         ChainKind::kForward};

/// What a rule does with a packet it matches. `kLog` does not end the chain: the packet goes on.
enum class RuleAction { kAccept, kDrop, kReject, kLog };

/// A chain's verdict for packets no rule decides.
enum class DefaultPolicy { kAccept, kDrop };

/// Layer-4 protocols a rule or service can name; `kOther` only describes packets.
enum class Protocol { kTcp, kUdp, kIcmp, kIcmpv6, kOther };

/// "input", "output", "forward".
std::string_view to_string(ChainKind chain);
/// "accept", "drop", "reject", "log".
std::string_view to_string(RuleAction action);
/// "accept", "drop".
std::string_view to_string(DefaultPolicy policy);
/// "tcp", "udp", "icmp", "icmpv6", "other".
std::string_view to_string(Protocol protocol);

/// A closed range of ports, 1 <= low <= high <= 65535 once parsed.
struct PortRange {
  std::uint16_t low = 0;
  std::uint16_t high = 0;
  friend bool operator==(const PortRange&, const PortRange&) = default;
};

/// One entry of a port list: a range, or (when `set` is not empty) the name of a port set.
struct PortItem {
  PortRange range;
  std::string set;
  friend bool operator==(const PortItem&, const PortItem&) = default;
};

/// The ports of one protocol in a service: every port, or the listed ones.
struct PortList {
  bool any = false;
  std::vector<PortItem> items;
  friend bool operator==(const PortList&, const PortList&) = default;
};

/// ICMP or ICMPv6 types: every type, or the listed ones (0-255).
struct IcmpTypeList {
  bool any = false;
  std::vector<std::uint8_t> types;
  friend bool operator==(const IcmpTypeList&, const IcmpTypeList&) = default;
};

/// A named address set: static networks, or (when `feed` is not empty) the addresses of a
/// threat-intel feed, filled in at push time.
struct AddressSet {
  std::string name;
  std::vector<IpNetwork> networks;
  std::string feed;
  friend bool operator==(const AddressSet&, const AddressSet&) = default;
};

/// A named set of ports (destination ports of TCP or UDP, whichever the rule says).
struct PortSet {
  std::string name;
  std::vector<PortItem> ports;  // ranges only: port sets do not nest
  friend bool operator==(const PortSet&, const PortSet&) = default;
};

/// A named service: destination ports per transport protocol and ICMP types.
struct Service {
  std::string name;
  std::optional<PortList> tcp;
  std::optional<PortList> udp;
  std::optional<IcmpTypeList> icmp;
  std::optional<IcmpTypeList> icmpv6;
  friend bool operator==(const Service&, const Service&) = default;
};

/// One entry of a source or destination: an inline network or (when `object` is not empty) the
/// name of an address set.
struct AddressItem {
  IpNetwork network;
  std::string object;
  friend bool operator==(const AddressItem&, const AddressItem&) = default;
};

/// A source or destination condition: the packet's address is in (or, negated, not in) the
/// union of the items.
struct AddressMatch {
  bool negated = false;
  std::vector<AddressItem> items;
  friend bool operator==(const AddressMatch&, const AddressMatch&) = default;
};

/// Time unit of a log rate.
enum class RateUnit { kSecond, kMinute, kHour, kDay };
/// "second", "minute", "hour", "day".
std::string_view to_string(RateUnit unit);

/// How a `log` rule logs: at most `count` packets per `unit`, each line starting with `prefix`.
struct LogOptions {
  std::uint32_t count = 0;
  RateUnit unit = RateUnit::kMinute;
  std::string prefix;
  friend bool operator==(const LogOptions&, const LogOptions&) = default;
};

/// An interface condition: an exact name, or every name starting with `name` when `prefix`
/// (written "eth*"). An empty name matches every interface.
struct InterfaceMatch {
  std::string name;
  bool prefix = false;
  friend bool operator==(const InterfaceMatch&, const InterfaceMatch&) = default;
};

/// One rule. The match is the conjunction of the conditions present: `services` (any of the
/// named services) or `protocols` with `ports` / `icmp_types`; none of those means every
/// protocol.
struct Rule {
  std::string id;
  std::size_t index = 0;  // position in the document's rule list of its chain
  bool enabled = true;
  std::string comment;
  std::optional<AddressMatch> source;
  std::optional<AddressMatch> destination;
  std::vector<std::string> services;
  std::vector<Protocol> protocols;
  std::vector<PortItem> ports;
  std::vector<std::uint8_t> icmp_types;
  InterfaceMatch in_interface;
  InterfaceMatch out_interface;
  RuleAction action = RuleAction::kDrop;
  std::optional<LogOptions> log;
  friend bool operator==(const Rule&, const Rule&) = default;
};

/// One chain: its default policy and its rules in order. Rules the parser refused are absent;
/// `Rule::index` keeps the positions of the others.
struct Chain {
  ChainKind kind = ChainKind::kInput;
  DefaultPolicy policy = DefaultPolicy::kAccept;
  std::vector<Rule> rules;
  friend bool operator==(const Chain&, const Chain&) = default;
};

/// A whole policy document. Objects keep document order; names are unique per kind.
struct PolicyDocument {
  std::string description;
  std::vector<AddressSet> address_sets;
  std::vector<PortSet> port_sets;
  std::vector<Service> services;
  std::array<Chain, 3> chains{Chain{ChainKind::kInput}, Chain{ChainKind::kOutput},
                              Chain{ChainKind::kForward}};

  /// The chain of a kind.
  const Chain& chain(ChainKind kind) const { return chains[static_cast<std::size_t>(kind)]; }
  Chain& chain(ChainKind kind) { return chains[static_cast<std::size_t>(kind)]; }

  const AddressSet* find_address_set(std::string_view name) const;
  const PortSet* find_port_set(std::string_view name) const;
  const Service* find_service(std::string_view name) const;

  friend bool operator==(const PolicyDocument&, const PolicyDocument&) = default;
};

}  // namespace sentinel::firewall
