#pragma once
// Normalised rule matches: what the validator compares (containment, overlap) and what
// `decide` evaluates. Addresses, ports and ICMP types are interval sets per family; a match is
// a box (source x destination x service x interfaces) in each family. Feed contents may be
// unknown: such conditions have a lower bound (surely matched) and an upper bound (possibly
// matched), and every answer here is a certain one.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sentinel/firewall/address.h"
#include "sentinel/firewall/interval_set.h"
#include "sentinel/firewall/policy.h"

namespace sentinel::firewall {

using Ipv4Set = IntervalSet<std::uint32_t>;
using Ipv6Set = IntervalSet<Uint128>;
using PortIntervals = IntervalSet<std::uint16_t>;
using IcmpTypeSet = IntervalSet<std::uint8_t>;

/// Addresses of both families as interval sets.
struct AddressIntervals {
  Ipv4Set v4;
  Ipv6Set v6;

  /// The addresses of the networks, normalised.
  static AddressIntervals of(const std::vector<IpNetwork>& networks);
  AddressIntervals united(const AddressIntervals& other) const;
  bool empty(IpFamily family) const { return family == IpFamily::kV4 ? v4.empty() : v6.empty(); }
};

/// A source or destination condition. `any` means no condition. Otherwise the addresses are
/// the static intervals plus the contents of `feeds` (names of feeds not known here), or,
/// when `negated`, every address not among them.
struct AddressCondition {
  bool any = true;
  bool negated = false;
  Ipv4Set v4;
  Ipv6Set v6;
  std::vector<std::string> feeds;  // sorted, unique
};

/// A protocol condition: destination ports per transport, ICMP types per family, and whether
/// protocols other than these four match. `any()` matches every packet.
struct ServiceCondition {
  PortIntervals tcp;
  PortIntervals udp;
  IcmpTypeSet icmp;
  IcmpTypeSet icmpv6;
  bool other = false;

  static ServiceCondition any();
  /// The union of two conditions.
  ServiceCondition united(const ServiceCondition& other) const;
  /// True when no packet of any protocol matches.
  bool empty() const;
};

/// The whole match of a rule.
struct RuleMatch {
  AddressCondition source;
  AddressCondition destination;
  ServiceCondition service = ServiceCondition::any();
  InterfaceMatch in_interface;
  InterfaceMatch out_interface;
};

/// True when every packet `inner` matches is certainly matched by `outer` as well.
bool contains(const RuleMatch& outer, const RuleMatch& inner);

/// A packet both matches certainly match, described for people ("tcp from 10.0.0.5 to port
/// 22"), or nullopt when no common packet is certain.
std::optional<std::string> overlap_example(const RuleMatch& a, const RuleMatch& b);

/// True when the match certainly matches no packet (e.g. an IPv4 source and an IPv6
/// destination, or ICMP with IPv6 addresses).
bool matches_nothing(const RuleMatch& match);

/// How far a conntrack entry got; `decide` models the fixed prologue of every compiled chain.
enum class ConnectionState { kNew, kEstablished, kRelated, kInvalid };

/// A packet to evaluate. Unknown fields (nullopt) make conditions on them uncertain.
struct Packet {
  IpFamily family = IpFamily::kV4;
  std::optional<IpAddress> source;
  std::optional<IpAddress> destination;
  Protocol protocol = Protocol::kTcp;
  std::optional<std::uint16_t> destination_port;  // tcp, udp
  std::optional<std::uint8_t> icmp_type;          // icmp, icmpv6
  std::optional<std::string> in_interface;
  std::optional<std::string> out_interface;
  ConnectionState state = ConnectionState::kNew;
  bool source_blocked = false;  // in block_v4 / block_v6 (active response)
};

/// Three-valued answer of a condition on a packet with unknown fields.
enum class Truth { kNo, kMaybe, kYes };

/// Whether `match` matches `packet`.
Truth evaluate(const RuleMatch& match, const Packet& packet);

}  // namespace sentinel::firewall
