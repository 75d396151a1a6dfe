#include "sentinel/firewall/match.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <vector>

namespace sentinel::firewall {
namespace {

// Per-family access to the address and ICMP parts of a condition.
template <IpFamily F>
struct Family;

template <>
struct Family<IpFamily::kV4> {
  using Set = Ipv4Set;
  static const Set& statics(const AddressCondition& c) { return c.v4; }
  static const IcmpTypeSet& icmp(const ServiceCondition& s) { return s.icmp; }
  static constexpr std::string_view kIcmpName = "icmp";
  static constexpr std::string_view kName = "IPv4";
};

template <>
struct Family<IpFamily::kV6> {
  using Set = Ipv6Set;
  static const Set& statics(const AddressCondition& c) { return c.v6; }
  static const IcmpTypeSet& icmp(const ServiceCondition& s) { return s.icmpv6; }
  static constexpr std::string_view kIcmpName = "icmpv6";
  static constexpr std::string_view kName = "IPv6";
};

template <typename Set>
auto set_max() {
  using Value = std::remove_cvref_t<decltype(Set().intervals().front().low)>;
  return std::numeric_limits<Value>::max();
}

// The whole range, built once: `any` conditions are compared often and must not allocate.
template <typename Set>
const Set& full_set() {
  static const Set full = Set::full(set_max<Set>());
  return full;
}

// A set computed on demand, or a reference to one that exists: most conditions are positive
// static lists, whose bounds are the list itself and need no copy.
template <typename Set>
class SetRef {
 public:
  static SetRef borrow(const Set& existing) {
    SetRef ref;
    ref.ref_ = &existing;
    return ref;
  }
  static SetRef own(Set owned) {
    SetRef ref;
    ref.owned_ = std::move(owned);
    return ref;
  }
  const Set& get() const { return ref_ != nullptr ? *ref_ : owned_; }

 private:
  SetRef() = default;

  Set owned_;
  const Set* ref_ = nullptr;
};

// Addresses surely matched.
template <IpFamily F>
SetRef<typename Family<F>::Set> lower(const AddressCondition& c) {
  using Set = typename Family<F>::Set;
  if (c.any) return SetRef<Set>::borrow(full_set<Set>());
  const Set& statics = Family<F>::statics(c);
  if (!c.negated) return SetRef<Set>::borrow(statics);
  return SetRef<Set>::own(c.feeds.empty() ? statics.complement(set_max<Set>()) : Set());
}

// Addresses possibly matched.
template <IpFamily F>
SetRef<typename Family<F>::Set> upper(const AddressCondition& c) {
  using Set = typename Family<F>::Set;
  if (c.any) return SetRef<Set>::borrow(full_set<Set>());
  const Set& statics = Family<F>::statics(c);
  if (c.negated) return SetRef<Set>::own(statics.complement(set_max<Set>()));
  if (!c.feeds.empty()) return SetRef<Set>::borrow(full_set<Set>());
  return SetRef<Set>::borrow(statics);
}

// Whether no address is possibly matched, without building the bound.
template <IpFamily F>
bool upper_empty(const AddressCondition& c) {
  using Set = typename Family<F>::Set;
  if (c.any) return false;
  const Set& statics = Family<F>::statics(c);
  if (c.negated) return statics.is_full(set_max<Set>());
  return c.feeds.empty() && statics.empty();
}

bool includes(const std::vector<std::string>& outer, const std::vector<std::string>& inner) {
  return std::includes(outer.begin(), outer.end(), inner.begin(), inner.end());
}

template <IpFamily F>
bool address_contains(const AddressCondition& outer, const AddressCondition& inner) {
  if (outer.any) return true;
  const auto& outer_statics = Family<F>::statics(outer);
  const auto& inner_statics = Family<F>::statics(inner);
  if (!inner.any && outer.negated == inner.negated) {
    // Same sense: compare the lists; the same feeds on both sides contain each other whatever
    // they hold, and a full outer list holds any feed.
    if (!outer.negated) {
      return outer_statics.contains(inner_statics) &&
             (includes(outer.feeds, inner.feeds) ||
              outer_statics.is_full(set_max<typename Family<F>::Set>()));
    }
    if (inner_statics.contains(outer_statics) && includes(inner.feeds, outer.feeds)) return true;
  }
  return lower<F>(outer).get().contains(upper<F>(inner).get());
}

template <IpFamily F>
bool service_contains(const ServiceCondition& outer, const ServiceCondition& inner) {
  return outer.tcp.contains(inner.tcp) && outer.udp.contains(inner.udp) &&
         Family<F>::icmp(outer).contains(Family<F>::icmp(inner)) && (outer.other || !inner.other);
}

template <IpFamily F>
bool service_empty(const ServiceCondition& s) {
  return s.tcp.empty() && s.udp.empty() && Family<F>::icmp(s).empty() && !s.other;
}

bool interface_contains(const InterfaceMatch& outer, const InterfaceMatch& inner) {
  if (outer.name.empty()) return true;
  if (inner.name.empty()) return false;
  if (outer.prefix) return inner.name.starts_with(outer.name);
  return !inner.prefix && inner.name == outer.name;
}

// A name both match, for the example: nullopt when none; "" when both match every name.
std::optional<std::string> interface_common(const InterfaceMatch& a, const InterfaceMatch& b) {
  if (a.name.empty()) return b.name.empty() ? "" : b.name + (b.prefix ? "*" : "");
  if (b.name.empty()) return a.name + (a.prefix ? "*" : "");
  if (!a.prefix && !b.prefix) return a.name == b.name ? std::optional(a.name) : std::nullopt;
  if (a.prefix && b.prefix) {
    if (a.name.starts_with(b.name)) return a.name + "*";
    if (b.name.starts_with(a.name)) return b.name + "*";
    return std::nullopt;
  }
  const InterfaceMatch& exact = a.prefix ? b : a;
  const InterfaceMatch& prefix = a.prefix ? a : b;
  return exact.name.starts_with(prefix.name) ? std::optional(exact.name) : std::nullopt;
}

template <IpFamily F>
bool certainly_empty(const RuleMatch& m) {
  return upper_empty<F>(m.source) || upper_empty<F>(m.destination) || service_empty<F>(m.service);
}

// Whether `outer` contains `inner` within one family, `inner` not being empty there. The
// cheap dimensions go first: they decide most pairs.
template <IpFamily F>
bool family_contains(const RuleMatch& outer, const RuleMatch& inner) {
  return service_contains<F>(outer.service, inner.service) &&
         address_contains<F>(outer.destination, inner.destination) &&
         address_contains<F>(outer.source, inner.source);
}

bool is_any(const ServiceCondition& s) {
  return s.other && s.tcp.is_full(65535) && s.udp.is_full(65535) && s.icmp.is_full(255) &&
         s.icmpv6.is_full(255);
}

template <IpFamily F>
std::optional<std::string> family_overlap(const RuleMatch& a, const RuleMatch& b) {
  // Protocols and interfaces first: they are cheap and rule out most pairs.
  std::string protocol;
  if (const auto port = a.service.tcp.first_common(b.service.tcp)) {
    protocol = fmt::format("tcp to port {}", *port);
  } else if (const auto udp = a.service.udp.first_common(b.service.udp)) {
    protocol = fmt::format("udp to port {}", *udp);
  } else if (const auto type =
                 Family<F>::icmp(a.service).first_common(Family<F>::icmp(b.service))) {
    protocol = fmt::format("{} type {}", Family<F>::kIcmpName, *type);
  } else if (a.service.other && b.service.other) {
    protocol = "a protocol other than tcp, udp and icmp";
  } else {
    return std::nullopt;
  }
  const auto in = interface_common(a.in_interface, b.in_interface);
  const auto out = interface_common(a.out_interface, b.out_interface);
  if (!in || !out) return std::nullopt;
  const auto source = lower<F>(a.source).get().first_common(lower<F>(b.source).get());
  if (!source) return std::nullopt;
  const auto destination =
      lower<F>(a.destination).get().first_common(lower<F>(b.destination).get());
  if (!destination) return std::nullopt;
  std::vector<std::string> parts;
  if (!is_any(a.service) || !is_any(b.service)) parts.push_back(protocol);
  if (!a.source.any || !b.source.any) {
    parts.push_back("from " + format_ip_address({F, static_cast<Uint128>(*source)}));
  }
  if (!a.destination.any || !b.destination.any) {
    parts.push_back("to " + format_ip_address({F, static_cast<Uint128>(*destination)}));
  }
  if (!in->empty()) parts.push_back("in on " + *in);
  if (!out->empty()) parts.push_back("out on " + *out);
  if (parts.empty()) return fmt::format("every {} packet", Family<F>::kName);
  std::string text;
  for (const std::string& part : parts) {
    if (!text.empty()) text += ' ';
    text += part;
  }
  return text;
}

Truth both(Truth a, Truth b) { return std::min(a, b); }

template <typename Set, typename Value>
Truth address_truth(const AddressCondition& c, const Set& statics, Value value) {
  const bool listed = statics.contains(value);
  if (!c.negated) {
    if (listed) return Truth::kYes;
    return c.feeds.empty() ? Truth::kNo : Truth::kMaybe;
  }
  if (listed) return Truth::kNo;
  return c.feeds.empty() ? Truth::kYes : Truth::kMaybe;
}

Truth evaluate_address(const AddressCondition& c, IpFamily family,
                       const std::optional<IpAddress>& address) {
  if (c.any) return Truth::kYes;
  if (!address) {
    // Unknown, unless the family decides it: an empty positive condition matches nothing.
    const bool none =
        family == IpFamily::kV4 ? upper_empty<IpFamily::kV4>(c) : upper_empty<IpFamily::kV6>(c);
    return none ? Truth::kNo : Truth::kMaybe;
  }
  if (address->family != family) return Truth::kNo;
  if (family == IpFamily::kV4) {
    return address_truth(c, c.v4, static_cast<std::uint32_t>(address->value));
  }
  return address_truth(c, c.v6, address->value);
}

template <typename Set, typename Value>
Truth value_truth(const Set& set, const std::optional<Value>& value) {
  if (value) return set.contains(*value) ? Truth::kYes : Truth::kNo;
  if (set.empty()) return Truth::kNo;
  return set.is_full(set_max<Set>()) ? Truth::kYes : Truth::kMaybe;
}

Truth evaluate_service(const ServiceCondition& s, const Packet& packet) {
  switch (packet.protocol) {
    case Protocol::kTcp:
      return value_truth(s.tcp, packet.destination_port);
    case Protocol::kUdp:
      return value_truth(s.udp, packet.destination_port);
    case Protocol::kIcmp:
      if (packet.family == IpFamily::kV4) return value_truth(s.icmp, packet.icmp_type);
      break;
    case Protocol::kIcmpv6:
      if (packet.family == IpFamily::kV6) return value_truth(s.icmpv6, packet.icmp_type);
      break;
    case Protocol::kOther:
      break;
  }
  return s.other ? Truth::kYes : Truth::kNo;
}

Truth evaluate_interface(const InterfaceMatch& m, const std::optional<std::string>& name) {
  if (m.name.empty()) return Truth::kYes;
  if (!name) return Truth::kMaybe;
  const bool match = m.prefix ? name->starts_with(m.name) : *name == m.name;
  return match ? Truth::kYes : Truth::kNo;
}

}  // namespace

AddressIntervals AddressIntervals::of(const std::vector<IpNetwork>& networks) {
  std::vector<Ipv4Set::Interval> v4;
  std::vector<Ipv6Set::Interval> v6;
  for (const IpNetwork& network : networks) {
    if (network.address.family == IpFamily::kV4) {
      v4.push_back({static_cast<std::uint32_t>(network.first()),
                    static_cast<std::uint32_t>(network.last())});
    } else {
      v6.push_back({network.first(), network.last()});
    }
  }
  return {Ipv4Set::of(std::move(v4)), Ipv6Set::of(std::move(v6))};
}

AddressIntervals AddressIntervals::united(const AddressIntervals& other) const {
  return {v4.united(other.v4), v6.united(other.v6)};
}

ServiceCondition ServiceCondition::any() {
  ServiceCondition all;
  all.tcp = full_set<PortIntervals>();
  all.udp = full_set<PortIntervals>();
  all.icmp = full_set<IcmpTypeSet>();
  all.icmpv6 = full_set<IcmpTypeSet>();
  all.other = true;
  return all;
}

ServiceCondition ServiceCondition::united(const ServiceCondition& o) const {
  ServiceCondition result;
  result.tcp = tcp.united(o.tcp);
  result.udp = udp.united(o.udp);
  result.icmp = icmp.united(o.icmp);
  result.icmpv6 = icmpv6.united(o.icmpv6);
  result.other = other || o.other;
  return result;
}

bool ServiceCondition::empty() const {
  return tcp.empty() && udp.empty() && icmp.empty() && icmpv6.empty() && !other;
}

bool contains(const RuleMatch& outer, const RuleMatch& inner) {
  const bool empty_v4 = certainly_empty<IpFamily::kV4>(inner);
  const bool empty_v6 = certainly_empty<IpFamily::kV6>(inner);
  if (empty_v4 && empty_v6) return true;
  if (!interface_contains(outer.in_interface, inner.in_interface) ||
      !interface_contains(outer.out_interface, inner.out_interface)) {
    return false;
  }
  return (empty_v4 || family_contains<IpFamily::kV4>(outer, inner)) &&
         (empty_v6 || family_contains<IpFamily::kV6>(outer, inner));
}

std::optional<std::string> overlap_example(const RuleMatch& a, const RuleMatch& b) {
  if (auto example = family_overlap<IpFamily::kV4>(a, b)) return example;
  return family_overlap<IpFamily::kV6>(a, b);
}

bool matches_nothing(const RuleMatch& match) {
  return certainly_empty<IpFamily::kV4>(match) && certainly_empty<IpFamily::kV6>(match);
}

Truth evaluate(const RuleMatch& match, const Packet& packet) {
  Truth truth = evaluate_interface(match.in_interface, packet.in_interface);
  truth = both(truth, evaluate_interface(match.out_interface, packet.out_interface));
  truth = both(truth, evaluate_address(match.source, packet.family, packet.source));
  truth = both(truth, evaluate_address(match.destination, packet.family, packet.destination));
  return both(truth, evaluate_service(match.service, packet));
}

}  // namespace sentinel::firewall
