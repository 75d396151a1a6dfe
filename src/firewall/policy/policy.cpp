#include "sentinel/firewall/policy.h"

#include <algorithm>

namespace sentinel::firewall {
namespace {

template <typename T>
const T* find_named(const std::vector<T>& objects, std::string_view name) {
  const auto it = std::find_if(objects.begin(), objects.end(),
                               [&](const T& object) { return object.name == name; });
  return it == objects.end() ? nullptr : &*it;
}

}  // namespace

std::string_view to_string(ChainKind chain) {
  switch (chain) {
    case ChainKind::kInput:
      return "input";
    case ChainKind::kOutput:
      return "output";
    case ChainKind::kForward:
      return "forward";
  }
  return "input";
}

std::string_view to_string(RuleAction action) {
  switch (action) {
    case RuleAction::kAccept:
      return "accept";
    case RuleAction::kDrop:
      return "drop";
    case RuleAction::kReject:
      return "reject";
    case RuleAction::kLog:
      return "log";
  }
  return "drop";
}

std::string_view to_string(DefaultPolicy policy) {
  return policy == DefaultPolicy::kAccept ? "accept" : "drop";
}

std::string_view to_string(Protocol protocol) {
  switch (protocol) {
    case Protocol::kTcp:
      return "tcp";
    case Protocol::kUdp:
      return "udp";
    case Protocol::kIcmp:
      return "icmp";
    case Protocol::kIcmpv6:
      return "icmpv6";
    case Protocol::kOther:
      return "other";
  }
  return "other";
}

std::string_view to_string(RateUnit unit) {
  switch (unit) {
    case RateUnit::kSecond:
      return "second";
    case RateUnit::kMinute:
      return "minute";
    case RateUnit::kHour:
      return "hour";
    case RateUnit::kDay:
      return "day";
  }
  return "minute";
}

const AddressSet* PolicyDocument::find_address_set(std::string_view name) const {
  return find_named(address_sets, name);
}

const PortSet* PolicyDocument::find_port_set(std::string_view name) const {
  return find_named(port_sets, name);
}

const Service* PolicyDocument::find_service(std::string_view name) const {
  return find_named(services, name);
}

}  // namespace sentinel::firewall
