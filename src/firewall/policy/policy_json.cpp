// The canonical JSON form of a policy document and of problems.

#include "policy_json.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "policy_syntax.h"
#include "sentinel/firewall/policy_parser.h"
#include "sentinel/firewall/policy_problem.h"

namespace sentinel::firewall {
namespace {

namespace json = boost::json;

json::value port_item_json(const PortItem& item) {
  if (!item.set.empty()) return json::value(item.set);
  if (item.range.low == item.range.high) return json::value(item.range.low);
  return json::value(detail::format_port_range(item.range));
}

json::array port_items_json(const std::vector<PortItem>& items) {
  json::array array;
  for (const PortItem& item : items) array.push_back(port_item_json(item));
  return array;
}

}  // namespace

namespace detail {

json::value port_list_json(const PortList& list) {
  if (list.any) return json::value("any");
  return port_items_json(list.items);
}

json::array icmp_types_json(const std::vector<std::uint8_t>& types) {
  json::array array;
  for (std::uint8_t type : types) array.push_back(type);
  return array;
}

json::value icmp_list_json(const IcmpTypeList& list) {
  if (list.any) return json::value("any");
  return icmp_types_json(list.types);
}

}  // namespace detail

namespace {

json::value address_match_json(const AddressMatch& match) {
  json::array items;
  for (const AddressItem& item : match.items)
    items.push_back(json::value(detail::format_address_item(item)));
  if (!match.negated) return items;
  return json::object{{"not", std::move(items)}};
}

std::string interface_text(const InterfaceMatch& match) {
  return match.name + (match.prefix ? "*" : "");
}

}  // namespace

json::object detail::rule_json(const Rule& rule) {
  json::object object;
  object["id"] = rule.id;
  if (!rule.enabled) object["enabled"] = false;
  if (!rule.comment.empty()) object["comment"] = rule.comment;
  if (rule.source) object["source"] = address_match_json(*rule.source);
  if (rule.destination) object["destination"] = address_match_json(*rule.destination);
  if (!rule.services.empty()) {
    json::array services;
    for (const std::string& name : rule.services) services.push_back(json::value(name));
    object["service"] = std::move(services);
  }
  if (!rule.protocols.empty()) {
    json::array protocols;
    for (Protocol protocol : rule.protocols) protocols.push_back(json::value(to_string(protocol)));
    object["protocol"] = std::move(protocols);
  }
  if (!rule.ports.empty()) object["ports"] = port_items_json(rule.ports);
  if (!rule.icmp_types.empty()) object["icmp_types"] = icmp_types_json(rule.icmp_types);
  if (!rule.in_interface.name.empty()) object["in_interface"] = interface_text(rule.in_interface);
  if (!rule.out_interface.name.empty())
    object["out_interface"] = interface_text(rule.out_interface);
  object["action"] = to_string(rule.action);
  if (rule.log) {
    json::object log;
    log["rate"] = fmt::format("{}/{}", rule.log->count, to_string(rule.log->unit));
    if (!rule.log->prefix.empty()) log["prefix"] = rule.log->prefix;
    object["log"] = std::move(log);
  }
  return object;
}

json::value to_json(const PolicyDocument& document) {
  json::object root;
  root["format"] = 1;
  if (!document.description.empty()) root["description"] = document.description;
  json::object objects;
  if (!document.address_sets.empty()) {
    json::object sets;
    for (const AddressSet& set : document.address_sets) {
      if (!set.feed.empty()) {
        sets[set.name] = json::object{{"feed", set.feed}};
        continue;
      }
      json::array addresses;
      for (const IpNetwork& network : set.networks) {
        addresses.push_back(json::value(format_ip_network(network)));
      }
      sets[set.name] = json::object{{"addresses", std::move(addresses)}};
    }
    objects["address_sets"] = std::move(sets);
  }
  if (!document.port_sets.empty()) {
    json::object sets;
    for (const PortSet& set : document.port_sets) {
      sets[set.name] = json::object{{"ports", port_items_json(set.ports)}};
    }
    objects["port_sets"] = std::move(sets);
  }
  if (!document.services.empty()) {
    json::object services;
    for (const Service& service : document.services) {
      json::object definition;
      if (service.tcp) definition["tcp"] = detail::port_list_json(*service.tcp);
      if (service.udp) definition["udp"] = detail::port_list_json(*service.udp);
      if (service.icmp) definition["icmp"] = detail::icmp_list_json(*service.icmp);
      if (service.icmpv6) definition["icmpv6"] = detail::icmp_list_json(*service.icmpv6);
      services[service.name] = std::move(definition);
    }
    objects["services"] = std::move(services);
  }
  if (!objects.empty()) root["objects"] = std::move(objects);
  json::object chains;
  for (const Chain& chain : document.chains) {
    json::array rules;
    for (const Rule& rule : chain.rules) rules.push_back(detail::rule_json(rule));
    chains[to_string(chain.kind)] =
        json::object{{"policy", to_string(chain.policy)}, {"rules", std::move(rules)}};
  }
  root["chains"] = std::move(chains);
  return root;
}

bool has_errors(const std::vector<Problem>& problems) {
  for (const Problem& problem : problems) {
    if (problem.severity == Severity::kError) return true;
  }
  return false;
}

json::value to_json(const Problem& problem) {
  json::object object;
  object["severity"] = problem.severity == Severity::kError ? "error" : "warning";
  object["code"] = problem.code;
  object["path"] = problem.path;
  if (!problem.rule_id.empty()) object["rule_id"] = problem.rule_id;
  if (problem.rule_index) object["rule_index"] = *problem.rule_index;
  object["message"] = problem.message;
  return object;
}

json::value to_json(const std::vector<Problem>& problems) {
  json::array array;
  for (const Problem& problem : problems) array.push_back(to_json(problem));
  return array;
}

}  // namespace sentinel::firewall
