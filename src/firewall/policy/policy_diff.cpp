#include "sentinel/firewall/policy_diff.h"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "policy_json.h"
#include "policy_syntax.h"

namespace sentinel::firewall {
namespace {

namespace json = boost::json;

// Rules are keyed by id and occurrence, so that documents with duplicate ids (invalid, but
// diffable) still pair up deterministically.
using RuleKey = std::pair<std::string, std::size_t>;

struct Placed {
  const Rule* rule = nullptr;
  ChainKind chain = ChainKind::kInput;
  std::size_t position = 0;  // index among the chain's parsed rules
};

std::map<RuleKey, Placed> place_rules(const PolicyDocument& document) {
  std::map<RuleKey, Placed> placed;
  std::map<std::string, std::size_t> seen;
  for (const Chain& chain : document.chains) {
    for (std::size_t i = 0; i < chain.rules.size(); ++i) {
      const Rule& rule = chain.rules[i];
      placed[{rule.id, seen[rule.id]++}] = {&rule, chain.kind, i};
    }
  }
  return placed;
}

// Positions (in `after`) of the rules that keep their relative order: a longest increasing
// subsequence of the after-positions taken in before-order. The others moved.
std::set<std::size_t> kept_in_order(const std::vector<std::size_t>& after_positions) {
  std::vector<std::size_t> tails;  // index into after_positions of each run's tail
  std::vector<std::ptrdiff_t> parent(after_positions.size(), -1);
  for (std::size_t i = 0; i < after_positions.size(); ++i) {
    const auto it = std::lower_bound(
        tails.begin(), tails.end(), after_positions[i],
        [&](std::size_t t, std::size_t value) { return after_positions[t] < value; });
    if (it != tails.begin()) parent[i] = static_cast<std::ptrdiff_t>(*std::prev(it));
    if (it == tails.end()) {
      tails.push_back(i);
    } else {
      *it = i;
    }
  }
  std::set<std::size_t> kept;
  for (std::ptrdiff_t i = tails.empty() ? -1 : static_cast<std::ptrdiff_t>(tails.back()); i >= 0;
       i = parent[i]) {
    kept.insert(after_positions[i]);
  }
  return kept;
}

std::vector<std::string> changed_rule_fields(const Rule& before, const Rule& after) {
  const json::object a = detail::rule_json(before);
  const json::object b = detail::rule_json(after);
  std::vector<std::string> fields;
  const auto consider = [&](std::string_view key) {
    if (key == "id") return;
    if (std::find(fields.begin(), fields.end(), key) != fields.end()) return;
    const json::value* x = a.if_contains(key);
    const json::value* y = b.if_contains(key);
    if ((x == nullptr) != (y == nullptr) || (x != nullptr && *x != *y)) fields.emplace_back(key);
  };
  for (const auto& member : a) consider(member.key());
  for (const auto& member : b) consider(member.key());
  return fields;
}

template <typename T>
const T* find_by_name(const std::vector<T>& objects, const std::string& name) {
  for (const T& object : objects) {
    if (object.name == name) return &object;
  }
  return nullptr;
}

// Added and removed entries between two lists of canonical texts.
void entry_changes(const std::vector<std::string>& before, const std::vector<std::string>& after,
                   ObjectChange& change) {
  const std::set<std::string> a(before.begin(), before.end());
  const std::set<std::string> b(after.begin(), after.end());
  std::set_difference(b.begin(), b.end(), a.begin(), a.end(),
                      std::back_inserter(change.added_entries));
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(),
                      std::back_inserter(change.removed_entries));
}

std::vector<std::string> entries(const AddressSet& set) {
  std::vector<std::string> texts;
  for (const IpNetwork& network : set.networks) texts.push_back(format_ip_network(network));
  return texts;
}

std::vector<std::string> entries(const PortSet& set) {
  std::vector<std::string> texts;
  for (const PortItem& item : set.ports) texts.push_back(detail::format_port_item(item));
  return texts;
}

void compare(const AddressSet& a, const AddressSet& b, ObjectChange& change) {
  if (a.feed != b.feed) change.fields.push_back("feed");
  const auto before = entries(a);
  const auto after = entries(b);
  if (before != after) {
    change.fields.push_back("addresses");
    entry_changes(before, after, change);
  }
}

void compare(const PortSet& a, const PortSet& b, ObjectChange& change) {
  const auto before = entries(a);
  const auto after = entries(b);
  if (before != after) {
    change.fields.push_back("ports");
    entry_changes(before, after, change);
  }
}

void compare(const Service& a, const Service& b, ObjectChange& change) {
  const auto ports = [](const std::optional<PortList>& list) {
    return list ? detail::port_list_json(*list) : json::value();
  };
  const auto types = [](const std::optional<IcmpTypeList>& list) {
    return list ? detail::icmp_list_json(*list) : json::value();
  };
  if (ports(a.tcp) != ports(b.tcp)) change.fields.push_back("tcp");
  if (ports(a.udp) != ports(b.udp)) change.fields.push_back("udp");
  if (types(a.icmp) != types(b.icmp)) change.fields.push_back("icmp");
  if (types(a.icmpv6) != types(b.icmpv6)) change.fields.push_back("icmpv6");
}

template <typename T>
void diff_objects(std::string_view type, const std::vector<T>& before, const std::vector<T>& after,
                  std::vector<ObjectChange>& changes) {
  for (const T& old_object : before) {
    const T* new_object = find_by_name(after, old_object.name);
    ObjectChange change{ObjectChangeKind::kRemoved, std::string(type), old_object.name, {}, {}, {}};
    if (new_object != nullptr) {
      change.kind = ObjectChangeKind::kChanged;
      compare(old_object, *new_object, change);
      if (change.fields.empty()) continue;
    }
    changes.push_back(std::move(change));
  }
  for (const T& new_object : after) {
    if (find_by_name(before, new_object.name) != nullptr) continue;
    changes.push_back({ObjectChangeKind::kAdded, std::string(type), new_object.name, {}, {}, {}});
  }
}

std::string_view to_string(RuleChangeKind kind) {
  switch (kind) {
    case RuleChangeKind::kAdded:
      return "added";
    case RuleChangeKind::kRemoved:
      return "removed";
    case RuleChangeKind::kMoved:
      return "moved";
    case RuleChangeKind::kChanged:
      return "changed";
  }
  return "changed";
}

std::string_view to_string(ObjectChangeKind kind) {
  switch (kind) {
    case ObjectChangeKind::kAdded:
      return "added";
    case ObjectChangeKind::kRemoved:
      return "removed";
    case ObjectChangeKind::kChanged:
      return "changed";
  }
  return "changed";
}

json::value position_json(const std::optional<RulePosition>& position) {
  if (!position) return nullptr;
  return json::object{{"chain", firewall::to_string(position->chain)}, {"index", position->index}};
}

json::array strings_json(const std::vector<std::string>& texts) {
  json::array array;
  for (const std::string& text : texts) array.push_back(json::value(text));
  return array;
}

}  // namespace

PolicyDiff diff_policies(const PolicyDocument& before, const PolicyDocument& after) {
  PolicyDiff diff;
  diff.description_changed = before.description != after.description;
  for (ChainKind kind : kChainKinds) {
    if (before.chain(kind).policy != after.chain(kind).policy) {
      diff.default_policies.push_back({kind, before.chain(kind).policy, after.chain(kind).policy});
    }
  }
  diff_objects("address_set", before.address_sets, after.address_sets, diff.objects);
  diff_objects("port_set", before.port_sets, after.port_sets, diff.objects);
  diff_objects("service", before.services, after.services, diff.objects);

  const auto old_rules = place_rules(before);
  const auto new_rules = place_rules(after);
  // Per chain: which common rules kept their relative order.
  std::map<ChainKind, std::set<std::size_t>> kept;
  for (ChainKind kind : kChainKinds) {
    std::vector<std::pair<std::size_t, std::size_t>> common;  // (before position, after position)
    for (const auto& [key, old_place] : old_rules) {
      const auto it = new_rules.find(key);
      if (old_place.chain != kind || it == new_rules.end() || it->second.chain != kind) continue;
      common.emplace_back(old_place.position, it->second.position);
    }
    std::sort(common.begin(), common.end());
    std::vector<std::size_t> after_positions;
    for (const auto& pair : common) after_positions.push_back(pair.second);
    kept[kind] = kept_in_order(after_positions);
  }
  // Keys are handed out in the same order as place_rules: chains in order, rules in order.
  std::map<std::string, std::size_t> old_seen;
  std::map<std::string, std::size_t> new_seen;
  for (ChainKind kind : kChainKinds) {
    for (const Rule& rule : before.chain(kind).rules) {
      const RuleKey key{rule.id, old_seen[rule.id]++};
      if (new_rules.contains(key)) continue;
      diff.rules.push_back(
          {RuleChangeKind::kRemoved, rule.id, RulePosition{kind, rule.index}, std::nullopt, {}});
    }
    const auto& rules = after.chain(kind).rules;
    for (std::size_t position = 0; position < rules.size(); ++position) {
      const Rule& rule = rules[position];
      const RuleKey key{rule.id, new_seen[rule.id]++};
      const auto old_it = old_rules.find(key);
      if (old_it == old_rules.end()) {
        diff.rules.push_back(
            {RuleChangeKind::kAdded, rule.id, std::nullopt, RulePosition{kind, rule.index}, {}});
        continue;
      }
      const Placed& old_place = old_it->second;
      std::vector<std::string> fields;
      if (old_place.chain != kind) {
        fields.push_back("chain");
      } else if (!kept[kind].contains(position)) {
        fields.push_back("position");
      }
      const auto changed = changed_rule_fields(*old_place.rule, rule);
      fields.insert(fields.end(), changed.begin(), changed.end());
      if (fields.empty()) continue;
      diff.rules.push_back({changed.empty() ? RuleChangeKind::kMoved : RuleChangeKind::kChanged,
                            rule.id, RulePosition{old_place.chain, old_place.rule->index},
                            RulePosition{kind, rule.index}, std::move(fields)});
    }
  }
  return diff;
}

json::value to_json(const PolicyDiff& diff) {
  json::object root;
  root["description_changed"] = diff.description_changed;
  json::array defaults;
  for (const DefaultPolicyChange& change : diff.default_policies) {
    defaults.push_back(json::object{{"chain", to_string(change.chain)},
                                    {"before", to_string(change.before)},
                                    {"after", to_string(change.after)}});
  }
  root["default_policies"] = std::move(defaults);
  json::array objects;
  for (const ObjectChange& change : diff.objects) {
    json::object object{
        {"change", to_string(change.kind)}, {"type", change.object_type}, {"name", change.name}};
    if (!change.fields.empty()) object["fields"] = strings_json(change.fields);
    if (!change.added_entries.empty()) object["added_entries"] = strings_json(change.added_entries);
    if (!change.removed_entries.empty()) {
      object["removed_entries"] = strings_json(change.removed_entries);
    }
    objects.push_back(std::move(object));
  }
  root["objects"] = std::move(objects);
  json::array rules;
  for (const RuleChange& change : diff.rules) {
    json::object object{{"change", to_string(change.kind)},
                        {"id", change.id},
                        {"before", position_json(change.before)},
                        {"after", position_json(change.after)}};
    if (!change.fields.empty()) object["fields"] = strings_json(change.fields);
    rules.push_back(std::move(object));
  }
  root["rules"] = std::move(rules);
  return root;
}

}  // namespace sentinel::firewall
