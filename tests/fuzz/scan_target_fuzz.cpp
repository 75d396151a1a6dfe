// Fuzzes the scan target, scope and port-list parsers with whatever a user may type. The input
// is "targets\nexclude\nports". Host names resolve through a fake (never DNS).
// Properties: parsing never crashes; a parsed target set is canonical (ascending, disjoint,
// non-adjacent ranges of one family each), its size is the sum of its ranges, at() and
// contains() agree, the shuffled walk visits every address once, and its ranges' text parses
// back to the same set; a parsed port list is ascending, has no port 0 and round-trips through
// format(); every failure is kInvalidArgument naming a field. The first line is also read as an
// interface address an agent reports ("10.1.2.7/24", scanner::site_network): a network it yields
// holds the address, is aligned to its size, and is never a loopback one.

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/scan/port_list.h"
#include "sentinel/scan/scan_scope.h"
#include "sentinel/scan/target_set.h"
#include "sentinel/scanner/scan_agents.h"

namespace {

using sentinel::ErrorCode;
using namespace sentinel::scan;

void check(bool condition) {
  if (!condition) std::abort();
}

/// Names starting with "x" do not exist; others map to an address derived from the name.
class FakeResolver final : public HostResolver {
 public:
  sentinel::Result<std::vector<IpAddress>> resolve(const std::string& name) override {
    if (!name.empty() && (name[0] == 'x' || name[0] == 'X')) return sentinel::not_found("no");
    const auto hash = static_cast<std::uint32_t>(std::hash<std::string>{}(name));
    std::vector<IpAddress> addresses{IpAddress::v4(0x0a000000U | (hash & 0xffffff))};
    if (hash & 1) addresses.push_back(IpAddress::v6((Uint128{0x20010db8} << 96) | hash));
    return addresses;
  }
};

void check_targets(const TargetSet& set) {
  const auto& ranges = set.ranges();
  check(!ranges.empty());
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    check(ranges[i].first.family() == ranges[i].last.family());
    check(ranges[i].first <= ranges[i].last);
    if (i > 0) {
      const AddressRange& before = ranges[i - 1];
      check(before.last < ranges[i].first);
      check(before.last.family() != ranges[i].first.family() ||
            before.last.value() + 1 != ranges[i].first.value());
    }
    total += static_cast<std::uint64_t>(ranges[i].size());
  }
  check(total == set.size());
  check(set.at(0) == ranges.front().first);
  check(set.at(set.size() - 1) == ranges.back().last);
  check(set.contains(set.at(set.size() / 2)));

  if (set.size() <= 4096) {
    std::set<IpAddress> seen;
    auto walk = set.shuffled(set.size());
    IpAddress address;
    while (walk.next(address)) {
      check(set.contains(address));
      check(seen.insert(address).second);
    }
    check(seen.size() == set.size());
  }

  if (ranges.size() <= 256) {
    std::string text;
    for (const AddressRange& range : ranges) text += range.to_string() + " ";
    FakeResolver resolver;
    const auto again = TargetSet::parse(text, {}, resolver);
    check(again.has_value());
    check(again->ranges() == ranges);
  }
}

void check_site_network(std::string_view interface_address) {
  const auto network = sentinel::scanner::site_network(interface_address);
  if (!network) return;
  const auto host = IpAddress::parse(interface_address.substr(0, interface_address.find('/')));
  check(host.has_value());
  check(network->first.family() == host->family() && network->last.family() == host->family());
  check(network->first <= *host && *host <= network->last);
  const Uint128 span = network->last.value() - network->first.value();
  check((span & (span + 1)) == 0);            // a power of two addresses
  check((network->first.value() & span) == 0);  // that starts on its boundary
  check(!(host->is_v4() && (host->value() >> 24) == 127));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto first_newline = input.find('\n');
  const std::string_view targets = input.substr(0, first_newline);
  std::string_view rest = first_newline == std::string_view::npos ? std::string_view{}
                                                                  : input.substr(first_newline + 1);
  const auto second_newline = rest.find('\n');
  const std::string_view exclude = rest.substr(0, second_newline);
  const std::string_view ports =
      second_newline == std::string_view::npos ? input : rest.substr(second_newline + 1);

  check_site_network(targets);

  FakeResolver resolver;
  if (const auto set = TargetSet::parse(targets, exclude, resolver)) {
    check_targets(*set);
  } else {
    check(set.error().code == ErrorCode::kInvalidArgument);
    check(!set.error().message.empty());
    check(set.error().field == "targets" || set.error().field == "exclude");
  }

  if (const auto scope = ScanScope::parse(targets)) {
    for (const AddressRange& range : scope->ranges()) {
      check(scope->contains(range.first) && scope->contains(range.last));
    }
  } else {
    check(scope.error().code == ErrorCode::kInvalidArgument);
  }

  if (const auto list = PortList::parse(ports)) {
    for (const auto* protocol_ports : {&list->tcp, &list->udp}) {
      for (std::size_t i = 0; i < protocol_ports->size(); ++i) {
        check((*protocol_ports)[i] != 0);
        check(i == 0 || (*protocol_ports)[i - 1] < (*protocol_ports)[i]);
      }
    }
    check(!list->empty());
    const auto again = PortList::parse(list->format());
    check(again.has_value() && *again == *list);
  } else {
    check(list.error().code == ErrorCode::kInvalidArgument);
    check(list.error().field == "ports");
  }
  return 0;
}
