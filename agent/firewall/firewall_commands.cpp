#include "agent/firewall/firewall_commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <set>

#include "agent/firewall/command_args.h"
#include "agent/firewall/firewall_events.h"
#include "agent/firewall/server_addresses.h"
#include "sentinel/firewall/address.h"

namespace sentinel::agent::firewall {
namespace {

namespace json = boost::json;

json::value optional_version(std::optional<std::int64_t> version) {
  return version ? json::value(*version) : json::value(nullptr);
}

json::object sets_json(const TableListing& listing) {
  json::object sets;
  for (const auto& [name, count] : listing.set_elements) {
    sets[name] = static_cast<std::int64_t>(count);
  }
  return sets;
}

// The block set of a canonical address (parsed before, so it is valid).
std::string_view block_set(const std::string& address) {
  return address.find(':') == std::string::npos ? "block_v4" : "block_v6";
}

// One element of a block set: its canonical address and its text in an element list.
struct Element {
  std::string address;
  std::string text;
};

// `VERB element inet sentinel SET { ... }` for each block set that has elements.
std::string element_commands(std::string_view verb, const std::vector<Element>& elements) {
  std::string text;
  for (const std::string_view set : {"block_v4", "block_v6"}) {
    std::string list;
    for (const Element& element : elements) {
      if (block_set(element.address) != set) continue;
      list += (list.empty() ? "" : ", ") + element.text;
    }
    if (!list.empty())
      text += fmt::format("{} element inet sentinel {} {{ {} }}\n", verb, set, list);
  }
  return text;
}

std::vector<Element> bare(const std::vector<std::string>& addresses) {
  std::vector<Element> elements;
  elements.reserve(addresses.size());
  for (const std::string& address : addresses) elements.push_back({address, address});
  return elements;
}

// One transaction that sets each block to its ttl from now whether or not the address is
// already blocked: add (a no-op for a present element), delete, add with the timeout. A plain
// add leaves a present element's old timeout on older kernels, and a delete alone fails the
// whole transaction for an absent one.
std::string set_blocks_text(const std::vector<BlockEntry>& blocks) {
  std::vector<std::string> addresses;
  std::vector<Element> timed;
  for (const BlockEntry& block : blocks) {
    addresses.push_back(block.address);
    timed.push_back(
        {block.address, fmt::format("{} timeout {}s", block.address, block.ttl.count())});
  }
  return element_commands("add", bare(addresses)) + element_commands("delete", bare(addresses)) +
         element_commands("add", timed);
}

// One transaction that removes each address whether or not it is blocked (add, then delete).
std::string remove_blocks_text(const std::vector<std::string>& addresses) {
  return element_commands("add", bare(addresses)) + element_commands("delete", bare(addresses));
}

json::array left_out_json(const std::vector<LeftOut>& left_out) {
  json::array out;
  for (const LeftOut& each : left_out) {
    out.push_back(json::object{{"address", each.address}, {"reason", each.reason}});
  }
  return out;
}

// Every block path passes here: blocks that would cut the agent off from its server are left
// out, the rest go on.
std::vector<BlockEntry> leave_out_servers(const std::vector<BlockEntry>& blocks,
                                          const std::vector<sentinel::firewall::IpAddress>& servers,
                                          std::vector<LeftOut>& left_out) {
  std::vector<BlockEntry> kept;
  kept.reserve(blocks.size());
  for (const BlockEntry& block : blocks) {
    if (auto reason = server_protects(block.address, servers)) {
      left_out.push_back({block.address, std::move(*reason)});
    } else {
      kept.push_back(block);
    }
  }
  return kept;
}

Error without_table(std::string_view command) {
  return conflict(
      fmt::format("{}: no firewall policy is applied on this agent (table inet "
                  "sentinel does not exist, so neither do its block sets)",
                  command));
}

}  // namespace

bool is_firewall_command(std::string_view name) {
  return std::find(kFirewallCommands.begin(), kFirewallCommands.end(), name) !=
         kFirewallCommands.end();
}

Result<json::object> FirewallCommands::run(std::string_view name, const json::object& args) {
  if (name == "firewall_apply") return apply(args);
  if (name == "firewall_confirm") return confirm(args);
  if (name == "firewall_block") return block(args);
  if (name == "firewall_unblock") return unblock(args);
  if (name == "firewall_status") return status(args);
  return invalid_argument(fmt::format("unknown firewall command '{}'", name), "name");
}

Result<json::object> FirewallCommands::apply(const json::object& args) {
  SENTINEL_ASSIGN(parsed, parse_apply_args(args));
  std::vector<LeftOut> left_out;
  const std::vector<BlockEntry> blocks = leave_out_servers(parsed.blocks, servers_, left_out);
  SENTINEL_ASSIGN(report, state_.begin_apply(parsed.release, parsed.grace));
  if (!blocks.empty()) {
    if (Status added = table_.apply(set_blocks_text(blocks)); !added) {
      // The policy is in force and pending; without a confirm it rolls back by itself.
      return Error{added.error().code,
                   fmt::format("version {} applied (pending its confirm), but its {} blocks "
                               "could not be added: {}",
                               report.version, blocks.size(), added.error().message),
                   added.error().reason, "blocks"};
    }
  }
  return json::object{{"version", report.version},
                      {"document_hash", report.document_hash},
                      {"listing_hash", report.listing.hash},
                      {"sets", sets_json(report.listing)},
                      {"blocks_kept", static_cast<std::int64_t>(report.blocks_kept)},
                      {"left_out", left_out_json(left_out)}};
}

Result<json::object> FirewallCommands::confirm(const json::object& args) {
  SENTINEL_ASSIGN(parsed, parse_confirm_args(args));
  SENTINEL_TRY(state_.confirm(parsed.version));
  return json::object{{"confirmed_version", parsed.version}};
}

Result<json::object> FirewallCommands::block(const json::object& args) {
  SENTINEL_ASSIGN(parsed, parse_block_args(args));
  SENTINEL_ASSIGN(exists, table_.exists());
  if (!exists) return without_table("firewall_block");
  std::vector<BlockEntry> wanted;
  wanted.reserve(parsed.addresses.size());
  for (const std::string& address : parsed.addresses) wanted.push_back({address, parsed.duration});
  std::vector<LeftOut> left_out;
  const std::vector<BlockEntry> blocks = leave_out_servers(wanted, servers_, left_out);
  if (!blocks.empty()) SENTINEL_TRY(table_.apply(set_blocks_text(blocks)));
  return json::object{{"added", static_cast<std::int64_t>(blocks.size())},
                      {"left_out", left_out_json(left_out)}};
}

Result<json::object> FirewallCommands::set_server_addresses(const json::object& args) {
  const json::value* addresses = args.if_contains("addresses");
  if (addresses == nullptr || !addresses->is_array() || args.size() != 1) {
    return invalid_argument("server_addresses: expected {\"addresses\": [...]}", "addresses");
  }
  std::vector<sentinel::firewall::IpAddress> servers;
  json::array canonical;
  for (const json::value& item : addresses->get_array()) {
    auto address = item.is_string() ? server_address(item.get_string())
                                    : std::optional<sentinel::firewall::IpAddress>();
    if (!address) {
      return invalid_argument("server_addresses: each address must be an IP address", "addresses");
    }
    if (std::find(servers.begin(), servers.end(), *address) != servers.end()) continue;
    servers.push_back(*address);
    canonical.push_back(json::string(sentinel::firewall::format_ip_address(*address)));
  }
  servers_ = std::move(servers);
  // Blocks of the server that came before (an older agent, a server that moved): gone now.
  json::array unblocked;
  SENTINEL_ASSIGN(exists, table_.exists());
  if (exists) {
    SENTINEL_ASSIGN(active, table_.blocks());
    std::vector<std::string> remove;
    for (const ActiveBlock& block : active) {
      if (server_protects(block.address, servers_)) remove.push_back(block.address);
    }
    if (!remove.empty()) {
      SENTINEL_TRY(table_.apply(remove_blocks_text(remove)));
      for (const std::string& address : remove) unblocked.push_back(json::string(address));
    }
  }
  return json::object{{"addresses", std::move(canonical)}, {"unblocked", std::move(unblocked)}};
}

Result<json::object> FirewallCommands::unblock(const json::object& args) {
  SENTINEL_ASSIGN(parsed, parse_unblock_args(args));
  SENTINEL_ASSIGN(exists, table_.exists());
  // No table, no block sets: nothing was blocked, which is not an error.
  if (!exists) return json::object{{"removed", 0}};
  SENTINEL_ASSIGN(active, table_.blocks());
  std::set<std::string> blocked;
  for (const ActiveBlock& block : active) {
    auto parsed_address = sentinel::firewall::parse_ip_address(block.address);
    if (parsed_address) blocked.insert(sentinel::firewall::format_ip_address(*parsed_address));
  }
  const auto removed = std::count_if(parsed.addresses.begin(), parsed.addresses.end(),
                                     [&](const std::string& a) { return blocked.contains(a); });
  SENTINEL_TRY(table_.apply(remove_blocks_text(parsed.addresses)));
  return json::object{{"removed", static_cast<std::int64_t>(removed)}};
}

Result<json::object> FirewallCommands::status(const json::object& args) {
  SENTINEL_TRY(parse_status_args(args));
  TableListing listing;
  auto found = table_.listing();
  if (found) {
    listing = std::move(*found);
  } else if (found.error().code != ErrorCode::kNotFound) {
    return std::move(found).error();
  }
  SENTINEL_ASSIGN(active, table_.blocks());
  json::array blocks;
  for (const ActiveBlock& block : active) {
    blocks.push_back(json::object{{"address", block.address}, {"expires_s", block.expires_s}});
  }
  return json::object{{"confirmed_version", optional_version(state_.confirmed_version())},
                      {"pending_version", optional_version(state_.pending_version())},
                      {"listing_hash", listing.hash},
                      {"sets", sets_json(listing)},
                      {"blocks", std::move(blocks)}};
}

Maintenance FirewallCommands::recover() {
  Maintenance done;
  auto rolled = state_.recover();
  if (!rolled) {
    done.problems.push_back("recover: " + rolled.error().message);
  } else if (*rolled) {
    done.events.push_back(rolled_back_event(**rolled));
  }
  return done;
}

Maintenance FirewallCommands::maintain(bool check_drift) {
  Maintenance done;
  auto rolled = state_.tick();
  if (!rolled) {
    done.problems.push_back("rollback: " + rolled.error().message);
  } else if (*rolled) {
    done.events.push_back(rolled_back_event(**rolled));
  }
  if (check_drift) {
    auto drift = state_.check_drift();
    if (!drift) {
      done.problems.push_back("drift check: " + drift.error().message);
    } else if (*drift) {
      done.events.push_back(drift_event(**drift));
    }
  }
  return done;
}

}  // namespace sentinel::agent::firewall
