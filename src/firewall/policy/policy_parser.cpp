#include "sentinel/firewall/policy_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <numeric>

#include "json_reader.h"
#include "policy_syntax.h"

namespace sentinel::firewall {
namespace {

namespace json = boost::json;
using detail::check_keys;
using detail::describe_type;
using detail::expect_bool;
using detail::expect_integer;
using detail::expect_object;
using detail::expect_string;
using detail::for_each_item;
using detail::JsonPath;
using detail::ProblemSink;
using detail::quote;

std::string_view key_of(const json::key_value_pair& member) {
  return {member.key().data(), member.key().size()};
}

// An entry of a list that may repeat or overlap others, for the redundancy warnings.
struct ListEntry {
  int family = 0;  // entries of different families never overlap
  Uint128 first = 0;
  Uint128 last = 0;
  std::string text;
  JsonPath path;
};

// Warns about entries covered by (or overlapping) another entry of the same list: harmless
// for nft, which gets the merged intervals, but usually a typo or a stale entry.
void report_redundant_entries(std::vector<ListEntry> entries, ProblemSink& sink) {
  std::stable_sort(entries.begin(), entries.end(), [](const ListEntry& a, const ListEntry& b) {
    if (a.family != b.family) return a.family < b.family;
    if (a.first != b.first) return a.first < b.first;
    return a.last > b.last;
  });
  const ListEntry* widest = nullptr;  // the entry reaching furthest so far, same family
  for (const ListEntry& entry : entries) {
    if (widest != nullptr && widest->family == entry.family && entry.first <= widest->last) {
      const std::string message =
          entry.last <= widest->last
              ? (entry.text == widest->text ? fmt::format("{} is listed twice", quote(entry.text))
                                            : fmt::format("{} is already covered by {}",
                                                          quote(entry.text), quote(widest->text)))
              : fmt::format("{} overlaps {}", quote(entry.text), quote(widest->text));
      sink.warning(entry.path, "redundant_entry", message);
      if (entry.last <= widest->last) continue;
    }
    if (widest == nullptr || widest->family != entry.family || entry.last > widest->last) {
      widest = &entry;
    }
  }
}

class PolicyReader {
 public:
  explicit PolicyReader(ProblemSink& sink) : sink_(sink) {}

  PolicyDocument read(const json::value& root) {
    PolicyDocument document;
    const auto* object = expect_object(root, {}, sink_);
    if (object == nullptr) return document;
    check_keys(*object, {}, {"format", "description", "objects", "chains"}, sink_);
    if (const auto* format = object->if_contains("format")) {
      expect_integer(*format, JsonPath().key("format"), 1, 1, "the format version", sink_);
    }
    if (const auto* description = object->if_contains("description")) {
      if (auto text = read_free_text(*description, JsonPath().key("description"), 4096)) {
        document.description = *text;
      }
    }
    if (const auto* objects = object->if_contains("objects")) {
      read_objects(*objects, JsonPath().key("objects"), document);
    }
    if (const auto* chains = object->if_contains("chains")) {
      read_chains(*chains, JsonPath().key("chains"), document);
    } else {
      sink_.error({}, "missing_key", "a policy needs \"chains\" (input, output, forward)");
    }
    return document;
  }

 private:
  // ----- objects -----

  void read_objects(const json::value& value, const JsonPath& path, PolicyDocument& document) {
    const auto* object = expect_object(value, path, sink_);
    if (object == nullptr) return;
    check_keys(*object, path, {"address_sets", "port_sets", "services"}, sink_);
    if (const auto* sets = object->if_contains("address_sets")) {
      for_each_named(*sets, path.key("address_sets"),
                     [&](std::string_view name, const json::value& definition, const JsonPath& at) {
                       if (auto set = read_address_set(name, definition, at)) {
                         document.address_sets.push_back(std::move(*set));
                       }
                     });
    }
    if (const auto* sets = object->if_contains("port_sets")) {
      for_each_named(*sets, path.key("port_sets"),
                     [&](std::string_view name, const json::value& definition, const JsonPath& at) {
                       if (auto set = read_port_set(name, definition, at)) {
                         document.port_sets.push_back(std::move(*set));
                       }
                     });
    }
    if (const auto* services = object->if_contains("services")) {
      for_each_named(*services, path.key("services"),
                     [&](std::string_view name, const json::value& definition, const JsonPath& at) {
                       if (auto service = read_service(name, definition, at)) {
                         document.services.push_back(std::move(*service));
                       }
                     });
    }
  }

  template <typename Each>
  void for_each_named(const json::value& value, const JsonPath& path, Each&& each) {
    const auto* object = expect_object(value, path, sink_);
    if (object == nullptr) return;
    if (object->size() > kMaxObjects) {
      sink_.error(path, "too_many", fmt::format("at most {} objects of a kind", kMaxObjects));
      return;
    }
    for (const auto& member : *object) {
      const std::string_view name = key_of(member);
      const JsonPath at = path.key(name);
      if (!detail::is_object_name(name)) {
        sink_.error(at, "invalid_name",
                    fmt::format("{} is not a valid object name (a letter, then up to 31 "
                                "letters, digits, '_' or '-')",
                                quote(name)));
        continue;
      }
      each(name, member.value(), at);
    }
  }

  std::optional<AddressSet> read_address_set(std::string_view name, const json::value& value,
                                             const JsonPath& path) {
    const auto* object = expect_object(value, path, sink_);
    if (object == nullptr) return std::nullopt;
    const std::size_t errors = sink_.errors();
    check_keys(*object, path, {"addresses", "feed"}, sink_);
    AddressSet set{std::string(name), {}, {}};
    const auto* addresses = object->if_contains("addresses");
    const auto* feed = object->if_contains("feed");
    if ((addresses == nullptr) == (feed == nullptr)) {
      sink_.error(path, "missing_key", "an address set has either \"addresses\" or \"feed\"");
      return std::nullopt;
    }
    if (feed != nullptr) {
      const JsonPath at = path.key("feed");
      if (auto text = expect_string(*feed, at, sink_)) {
        if (detail::is_object_name(*text)) {
          set.feed = *text;
        } else {
          sink_.error(at, "invalid_name", fmt::format("{} is not a valid feed name", quote(*text)));
        }
      }
    } else {
      const JsonPath at = path.key("addresses");
      std::vector<ListEntry> entries;
      read_list(*addresses, at, [&](const json::value& item, const JsonPath& item_path) {
        const auto text = expect_string(item, item_path, sink_);
        if (!text) return;
        auto network = parse_ip_network(*text);
        if (!network) {
          sink_.error(item_path, "invalid_address", network.error().message);
          return;
        }
        set.networks.push_back(*network);
        entries.push_back({network->address.family == IpFamily::kV4 ? 4 : 6, network->first(),
                           network->last(), std::string(*text), item_path});
      });
      report_redundant_entries(std::move(entries), sink_);
    }
    if (sink_.errors() != errors) return std::nullopt;
    return set;
  }

  std::optional<PortSet> read_port_set(std::string_view name, const json::value& value,
                                       const JsonPath& path) {
    const auto* object = expect_object(value, path, sink_);
    if (object == nullptr) return std::nullopt;
    const std::size_t errors = sink_.errors();
    check_keys(*object, path, {"ports"}, sink_);
    PortSet set{std::string(name), {}};
    if (const auto* ports = object->if_contains("ports")) {
      set.ports = read_port_items(*ports, path.key("ports"), /*names_allowed=*/false);
    } else {
      sink_.error(path, "missing_key", "a port set needs \"ports\"");
    }
    if (sink_.errors() != errors) return std::nullopt;
    return set;
  }

  std::optional<Service> read_service(std::string_view name, const json::value& value,
                                      const JsonPath& path) {
    const auto* object = expect_object(value, path, sink_);
    if (object == nullptr) return std::nullopt;
    const std::size_t errors = sink_.errors();
    check_keys(*object, path, {"tcp", "udp", "icmp", "icmpv6"}, sink_);
    Service service{std::string(name), {}, {}, {}, {}};
    if (const auto* tcp = object->if_contains("tcp"))
      service.tcp = read_port_list(*tcp, path.key("tcp"));
    if (const auto* udp = object->if_contains("udp"))
      service.udp = read_port_list(*udp, path.key("udp"));
    if (const auto* icmp = object->if_contains("icmp")) {
      service.icmp = read_icmp_list(*icmp, path.key("icmp"));
    }
    if (const auto* icmpv6 = object->if_contains("icmpv6")) {
      service.icmpv6 = read_icmp_list(*icmpv6, path.key("icmpv6"));
    }
    if (object->empty()) {
      sink_.error(path, "empty", "a service needs at least one of tcp, udp, icmp, icmpv6");
    }
    if (sink_.errors() != errors) return std::nullopt;
    return service;
  }

  // "any" or a list of ports.
  std::optional<PortList> read_port_list(const json::value& value, const JsonPath& path) {
    if (const auto* text = value.if_string(); text != nullptr && *text == "any") {
      return PortList{true, {}};
    }
    return PortList{false, read_port_items(value, path, /*names_allowed=*/true)};
  }

  // "any" or a list of ICMP types.
  std::optional<IcmpTypeList> read_icmp_list(const json::value& value, const JsonPath& path) {
    if (const auto* text = value.if_string(); text != nullptr && *text == "any") {
      return IcmpTypeList{true, {}};
    }
    return IcmpTypeList{false, read_icmp_types(value, path)};
  }

  std::vector<std::uint8_t> read_icmp_types(const json::value& value, const JsonPath& path) {
    std::vector<std::uint8_t> types;
    std::vector<ListEntry> entries;
    read_list(value, path, [&](const json::value& item, const JsonPath& at) {
      if (auto type = expect_integer(item, at, 0, 255, "an ICMP type", sink_)) {
        types.push_back(static_cast<std::uint8_t>(*type));
        entries.push_back({0, static_cast<Uint128>(*type), static_cast<Uint128>(*type),
                           std::to_string(*type), at});
      }
    });
    report_redundant_entries(std::move(entries), sink_);
    return types;
  }

  // A list (or a single value) of ports: 22, "22", "8000-8080", or a port set name.
  std::vector<PortItem> read_port_items(const json::value& value, const JsonPath& path,
                                        bool names_allowed) {
    std::vector<PortItem> items;
    std::vector<ListEntry> entries;
    read_list(value, path, [&](const json::value& item, const JsonPath& at) {
      if (auto port = read_port_item(item, at, names_allowed)) {
        if (port->set.empty()) {
          entries.push_back(
              {0, port->range.low, port->range.high, detail::format_port_item(*port), at});
        }
        items.push_back(std::move(*port));
      }
    });
    report_redundant_entries(std::move(entries), sink_);
    return items;
  }

  std::optional<PortItem> read_port_item(const json::value& value, const JsonPath& path,
                                         bool names_allowed) {
    if (value.is_int64() || value.is_uint64() || value.is_double()) {
      auto port = expect_integer(value, path, 1, 65535, "a port", sink_);
      if (!port) return std::nullopt;
      const auto number = static_cast<std::uint16_t>(*port);
      return PortItem{{number, number}, {}};
    }
    const auto* string = value.if_string();
    if (string == nullptr) {
      sink_.error(path, "wrong_type",
                  fmt::format("expected a port, a range \"low-high\"{}, got {}",
                              names_allowed ? " or a port set name" : "", describe_type(value)));
      return std::nullopt;
    }
    const std::string_view text(string->data(), string->size());
    if (names_allowed && detail::is_object_name(text)) return PortItem{{}, std::string(text)};
    const auto dash = text.find('-');
    const auto low = parse_port_number(text.substr(0, dash));
    const auto high =
        dash == std::string_view::npos ? low : parse_port_number(text.substr(dash + 1));
    if (!low || !high) {
      sink_.error(path, "invalid_port",
                  fmt::format("{} is not a port (1-65535), a range \"low-high\"{}", quote(text),
                              names_allowed ? " or a port set name" : ""));
      return std::nullopt;
    }
    if (*low > *high) {
      sink_.error(path, "invalid_port",
                  fmt::format("{}: the range's low port is above its high port", quote(text)));
      return std::nullopt;
    }
    return PortItem{{*low, *high}, {}};
  }

  static std::optional<std::uint16_t> parse_port_number(std::string_view digits) {
    if (digits.empty() || digits.size() > 5 || digits[0] == '0' ||
        digits.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
    int number = 0;
    for (char c : digits) number = number * 10 + (c - '0');
    if (number > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(number);
  }

  // Every item of a non-empty list (or one value), within the entry limit.
  template <typename Each>
  void read_list(const json::value& value, const JsonPath& path, Each&& each) {
    if (const auto* array = value.if_array(); array != nullptr && array->size() > kMaxSetEntries) {
      sink_.error(path, "too_many",
                  fmt::format("{} entries; at most {} (use a feed for large lists)", array->size(),
                              kMaxSetEntries));
      return;
    }
    for_each_item(value, path, /*single_allowed=*/true, sink_, each);
  }

  std::optional<std::string> read_free_text(const json::value& value, const JsonPath& path,
                                            std::size_t limit) {
    const auto text = expect_string(value, path, sink_);
    if (!text) return std::nullopt;
    if (auto problem = detail::free_text_problem(*text, limit)) {
      sink_.error(path, "invalid_text", *problem);
      return std::nullopt;
    }
    return std::string(*text);
  }

  // ----- chains and rules -----

  void read_chains(const json::value& value, const JsonPath& path, PolicyDocument& document) {
    const auto* object = expect_object(value, path, sink_);
    if (object == nullptr) return;
    check_keys(*object, path, {"input", "output", "forward"}, sink_);
    for (ChainKind kind : kChainKinds) {
      const std::string_view name = to_string(kind);
      if (const auto* chain = object->if_contains(name)) {
        read_chain(*chain, path.key(name), document.chain(kind));
      }
    }
  }

  void read_chain(const json::value& value, const JsonPath& path, Chain& chain) {
    const auto* object = expect_object(value, path, sink_);
    if (object == nullptr) return;
    check_keys(*object, path, {"policy", "rules"}, sink_);
    if (const auto* policy = object->if_contains("policy")) {
      const JsonPath at = path.key("policy");
      if (const auto text = expect_string(*policy, at, sink_)) {
        if (*text == "accept") {
          chain.policy = DefaultPolicy::kAccept;
        } else if (*text == "drop") {
          chain.policy = DefaultPolicy::kDrop;
        } else {
          sink_.error(at, "invalid_value",
                      fmt::format("{} is not a chain policy (accept or drop)", quote(*text)));
        }
      }
    } else {
      sink_.error(path, "missing_key", "a chain needs \"policy\": \"accept\" or \"drop\"");
    }
    const auto* rules = object->if_contains("rules");
    if (rules == nullptr) return;
    const JsonPath rules_path = path.key("rules");
    const auto* array = rules->if_array();
    if (array == nullptr) {
      sink_.error(rules_path, "wrong_type",
                  fmt::format("expected an array of rules, got {}", describe_type(*rules)));
      return;
    }
    if (array->size() > kMaxRulesPerChain) {
      sink_.error(rules_path, "too_many",
                  fmt::format("{} rules; at most {} per chain", array->size(), kMaxRulesPerChain));
      return;
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
      if (auto rule = read_rule((*array)[i], rules_path.index(i), chain.kind, i)) {
        chain.rules.push_back(std::move(*rule));
      }
    }
  }

  std::optional<Rule> read_rule(const json::value& value, const JsonPath& path, ChainKind chain,
                                std::size_t index) {
    Rule rule;
    rule.index = index;
    sink_.enter_rule({}, index);
    const std::size_t errors = sink_.errors();
    read_rule_fields(value, path, chain, rule);
    sink_.leave_rule();
    if (sink_.errors() != errors) return std::nullopt;
    return rule;
  }

  void read_rule_fields(const json::value& value, const JsonPath& path, ChainKind chain,
                        Rule& rule) {
    const auto* object = expect_object(value, path, sink_);
    if (object == nullptr) return;
    // The id first, so that every later problem names the rule.
    if (const auto* id = object->if_contains("id")) {
      if (const auto text = expect_string(*id, path.key("id"), sink_)) {
        if (detail::is_rule_id(*text)) {
          rule.id = *text;
          sink_.enter_rule(rule.id, rule.index);
        } else {
          sink_.error(path.key("id"), "invalid_id",
                      fmt::format("{} is not a valid rule id (a letter or digit, then up to 63 "
                                  "letters, digits, '_', '.', ':' or '-')",
                                  quote(*text)));
        }
      }
    } else {
      sink_.error(path, "missing_key", "a rule needs an \"id\"");
    }
    check_keys(*object, path,
               {"id", "enabled", "comment", "source", "destination", "service", "protocol", "ports",
                "icmp_types", "in_interface", "out_interface", "action", "log"},
               sink_);
    if (const auto* enabled = object->if_contains("enabled")) {
      if (auto flag = expect_bool(*enabled, path.key("enabled"), sink_)) rule.enabled = *flag;
    }
    if (const auto* comment = object->if_contains("comment")) {
      if (auto text = read_free_text(*comment, path.key("comment"), 256)) rule.comment = *text;
    }
    if (const auto* source = object->if_contains("source")) {
      rule.source = read_address_match(*source, path.key("source"));
    }
    if (const auto* destination = object->if_contains("destination")) {
      rule.destination = read_address_match(*destination, path.key("destination"));
    }
    read_rule_protocol(*object, path, rule);
    read_rule_interfaces(*object, path, chain, rule);
    read_rule_action(*object, path, rule);
  }

  void read_rule_protocol(const json::object& object, const JsonPath& path, Rule& rule) {
    const auto* service = object.if_contains("service");
    const auto* protocol = object.if_contains("protocol");
    const auto* ports = object.if_contains("ports");
    const auto* icmp_types = object.if_contains("icmp_types");
    if (service != nullptr) {
      const JsonPath at = path.key("service");
      for_each_item(*service, at, true, sink_, [&](const json::value& item, const JsonPath& p) {
        const auto name = expect_string(item, p, sink_);
        if (!name) return;
        if (!detail::is_object_name(*name)) {
          sink_.error(p, "invalid_name", fmt::format("{} is not a service name", quote(*name)));
        } else if (std::find(rule.services.begin(), rule.services.end(), *name) !=
                   rule.services.end()) {
          sink_.error(p, "duplicate", fmt::format("service {} is listed twice", quote(*name)));
        } else {
          rule.services.emplace_back(*name);
        }
      });
      if (protocol != nullptr || ports != nullptr || icmp_types != nullptr) {
        sink_.error(at, "conflicting_keys",
                    "use either \"service\" or \"protocol\" (with \"ports\" or \"icmp_types\"), "
                    "not both");
      }
      return;
    }
    if (protocol != nullptr) {
      const JsonPath at = path.key("protocol");
      for_each_item(*protocol, at, true, sink_, [&](const json::value& item, const JsonPath& p) {
        const auto name = expect_string(item, p, sink_);
        if (!name) return;
        std::optional<Protocol> parsed;
        for (Protocol candidate :
             {Protocol::kTcp, Protocol::kUdp, Protocol::kIcmp, Protocol::kIcmpv6}) {
          if (*name == to_string(candidate)) parsed = candidate;
        }
        if (!parsed) {
          sink_.error(p, "invalid_value",
                      fmt::format("{} is not a protocol (tcp, udp, icmp, icmpv6)", quote(*name)));
        } else if (std::find(rule.protocols.begin(), rule.protocols.end(), *parsed) !=
                   rule.protocols.end()) {
          sink_.error(p, "duplicate", fmt::format("protocol {} is listed twice", quote(*name)));
        } else {
          rule.protocols.push_back(*parsed);
        }
      });
    }
    const auto transport_only = [&] {
      return !rule.protocols.empty() &&
             std::all_of(rule.protocols.begin(), rule.protocols.end(),
                         [](Protocol p) { return p == Protocol::kTcp || p == Protocol::kUdp; });
    };
    const auto icmp_only = [&] {
      return !rule.protocols.empty() &&
             std::all_of(rule.protocols.begin(), rule.protocols.end(),
                         [](Protocol p) { return p == Protocol::kIcmp || p == Protocol::kIcmpv6; });
    };
    if (ports != nullptr) {
      const JsonPath at = path.key("ports");
      rule.ports = read_port_items(*ports, at, /*names_allowed=*/true);
      if (protocol == nullptr) {
        sink_.error(at, "missing_protocol", "ports need \"protocol\": \"tcp\" and/or \"udp\"");
      } else if (!rule.protocols.empty() && !transport_only()) {
        sink_.error(at, "invalid_for_protocol", "ports apply only to tcp and udp");
      }
    }
    if (icmp_types != nullptr) {
      const JsonPath at = path.key("icmp_types");
      rule.icmp_types = read_icmp_types(*icmp_types, at);
      if (protocol == nullptr) {
        sink_.error(at, "missing_protocol",
                    "icmp_types need \"protocol\": \"icmp\" and/or \"icmpv6\"");
      } else if (!rule.protocols.empty() && !icmp_only()) {
        sink_.error(at, "invalid_for_protocol", "icmp_types apply only to icmp and icmpv6");
      }
    }
  }

  void read_rule_interfaces(const json::object& object, const JsonPath& path, ChainKind chain,
                            Rule& rule) {
    const auto read_one = [&](std::string_view key, InterfaceMatch& target) {
      const auto* value = object.if_contains(key);
      if (value == nullptr) return;
      const JsonPath at = path.key(key);
      const auto text = expect_string(*value, at, sink_);
      if (!text) return;
      if (!detail::is_interface_pattern(*text)) {
        sink_.error(at, "invalid_interface",
                    fmt::format("{} is not an interface name (1-15 letters, digits, '_', '.', "
                                "'-', optionally ending in '*' for a prefix)",
                                quote(*text)));
        return;
      }
      target.prefix = text->back() == '*';
      target.name = text->substr(0, text->size() - (target.prefix ? 1 : 0));
    };
    read_one("in_interface", rule.in_interface);
    read_one("out_interface", rule.out_interface);
    // The input hook has no output interface and output no input one: such a condition would
    // never match, and silently so.
    if (chain == ChainKind::kInput && object.contains("out_interface")) {
      sink_.error(path.key("out_interface"), "invalid_for_chain",
                  "the input chain has no output interface; use in_interface");
    }
    if (chain == ChainKind::kOutput && object.contains("in_interface")) {
      sink_.error(path.key("in_interface"), "invalid_for_chain",
                  "the output chain has no input interface; use out_interface");
    }
  }

  void read_rule_action(const json::object& object, const JsonPath& path, Rule& rule) {
    const auto* action = object.if_contains("action");
    const auto* log = object.if_contains("log");
    if (action == nullptr) {
      sink_.error(path, "missing_key", "a rule needs an \"action\" (accept, drop, reject, log)");
      return;
    }
    const JsonPath at = path.key("action");
    const auto text = expect_string(*action, at, sink_);
    if (!text) return;
    std::optional<RuleAction> parsed;
    for (RuleAction candidate :
         {RuleAction::kAccept, RuleAction::kDrop, RuleAction::kReject, RuleAction::kLog}) {
      if (*text == to_string(candidate)) parsed = candidate;
    }
    if (!parsed) {
      sink_.error(at, "invalid_value",
                  fmt::format("{} is not an action (accept, drop, reject, log)", quote(*text)));
      return;
    }
    rule.action = *parsed;
    if (rule.action != RuleAction::kLog) {
      if (log != nullptr) {
        sink_.error(path.key("log"), "invalid_for_action",
                    "\"log\" belongs to action \"log\" only");
      }
      return;
    }
    if (log == nullptr) {
      sink_.error(path, "missing_key", "a log rule needs \"log\": {\"rate\": \"10/minute\"}");
      return;
    }
    rule.log = read_log_options(*log, path.key("log"));
  }

  std::optional<LogOptions> read_log_options(const json::value& value, const JsonPath& path) {
    const auto* object = expect_object(value, path, sink_);
    if (object == nullptr) return std::nullopt;
    check_keys(*object, path, {"rate", "prefix"}, sink_);
    LogOptions options;
    if (const auto* rate = object->if_contains("rate")) {
      const JsonPath at = path.key("rate");
      if (const auto text = expect_string(*rate, at, sink_)) {
        if (!parse_rate(*text, options)) {
          sink_.error(at, "invalid_rate",
                      fmt::format("{} is not a rate: COUNT/UNIT with COUNT 1-100000 and UNIT "
                                  "second, minute, hour or day (e.g. \"10/minute\")",
                                  quote(*text)));
        }
      }
    } else {
      sink_.error(
          path, "missing_key",
          "a log rule needs a \"rate\" (e.g. \"10/minute\") so that it cannot flood the log");
    }
    if (const auto* prefix = object->if_contains("prefix")) {
      const JsonPath at = path.key("prefix");
      if (const auto text = expect_string(*prefix, at, sink_)) {
        if (auto problem = detail::log_prefix_problem(*text)) {
          sink_.error(at, "invalid_prefix", *problem);
        } else {
          options.prefix = *text;
        }
      }
    }
    return options;
  }

  static bool parse_rate(std::string_view text, LogOptions& options) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos) return false;
    const std::string_view digits = text.substr(0, slash);
    const std::string_view unit = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 6 || digits[0] == '0' ||
        digits.find_first_not_of("0123456789") != std::string_view::npos) {
      return false;
    }
    std::uint32_t count = 0;
    for (char c : digits) count = count * 10 + static_cast<std::uint32_t>(c - '0');
    if (count > 100000) return false;
    for (RateUnit candidate :
         {RateUnit::kSecond, RateUnit::kMinute, RateUnit::kHour, RateUnit::kDay}) {
      if (unit == to_string(candidate)) {
        options.count = count;
        options.unit = candidate;
        return true;
      }
    }
    return false;
  }

  // A string, a list of strings, or {"not": either}.
  std::optional<AddressMatch> read_address_match(const json::value& value, const JsonPath& path) {
    AddressMatch match;
    const json::value* items = &value;
    JsonPath items_path = path;
    if (const auto* object = value.if_object()) {
      check_keys(*object, path, {"not"}, sink_);
      items = object->if_contains("not");
      if (items == nullptr) {
        sink_.error(path, "missing_key",
                    "expected an address, a list of addresses or {\"not\": addresses}");
        return std::nullopt;
      }
      match.negated = true;
      items_path = path.key("not");
    }
    std::vector<ListEntry> entries;
    read_list(*items, items_path, [&](const json::value& item, const JsonPath& at) {
      const auto text = expect_string(item, at, sink_);
      if (!text) return;
      if (detail::is_object_name(*text)) {
        const bool seen = std::any_of(match.items.begin(), match.items.end(),
                                      [&](const AddressItem& i) { return i.object == *text; });
        if (seen) {
          sink_.warning(at, "redundant_entry", fmt::format("{} is listed twice", quote(*text)));
        } else {
          match.items.push_back({{}, std::string(*text)});
        }
        return;
      }
      auto network = parse_ip_network(*text);
      if (!network) {
        sink_.error(at, "invalid_address",
                    network.error().message + " (nor is it an address set name)");
        return;
      }
      match.items.push_back({*network, {}});
      entries.push_back({network->address.family == IpFamily::kV4 ? 4 : 6, network->first(),
                         network->last(), std::string(*text), at});
    });
    report_redundant_entries(std::move(entries), sink_);
    return match;
  }

  ProblemSink& sink_;
};

}  // namespace

PolicyParse parse_policy(std::string_view json_text) {
  PolicyParse result;
  ProblemSink sink(result.problems);
  if (json_text.size() > kMaxPolicyBytes) {
    sink.error(
        {}, "too_large",
        fmt::format("the policy is {} bytes; at most {}", json_text.size(), kMaxPolicyBytes));
    return result;
  }
  const auto root = detail::read_json(json_text, sink);
  if (!root) return result;
  result.document = PolicyReader(sink).read(*root);
  return result;
}

}  // namespace sentinel::firewall
