// scan scope list|add|remove|check: the networks scans may target (ADR 0005, "Targets and
// scope").

#include <array>
#include <boost/json/object.hpp>
#include <charconv>
#include <iostream>
#include <memory>

#include "commands.h"

namespace sentinel::ctl {
namespace {

namespace json = boost::json;

constexpr std::string_view kScopes = "/api/v1/scan-scopes";

constexpr std::array kScopeColumns = {
    Column{"id", "ID"},           Column{"cidr", "CIDR"},     Column{"source", "SOURCE"},
    Column{"comment", "COMMENT"}, Column{"created_by", "BY"}, Column{"created_at", "ADDED"},
};

constexpr std::array kCheckColumns = {
    Column{"target", "TARGET"},     Column{"parses", "PARSES"}, Column{"addresses", "ADDRESSES"},
    Column{"in_scope", "IN SCOPE"}, Column{"scopes", "SCOPES"}, Column{"outside", "OUTSIDE"},
    Column{"error", "ERROR"},
};

struct ScopeArgs {
  std::string cidr;
  std::string comment;
  bool confirm_broad = false;
  std::vector<std::string> targets;
};

std::optional<std::int64_t> integer_of(const std::string& text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return {};
  return value;
}

// A scope named by its id, or by its CIDR as the list shows it.
int remove_scope(Ctl& ctl, const std::string& which) {
  std::optional<std::int64_t> id = integer_of(which);
  if (!id) {
    const Outcome listed = ctl.call("GET", std::string(kScopes));
    if (!listed.ok()) return listed.exit_code;
    if (const json::array* items = list_items(listed.json)) {
      for (const json::value& item : *items) {
        const json::object& scope = item.as_object();
        if (scope.at("cidr").as_string() == which) id = scope.at("id").to_number<std::int64_t>();
      }
    }
    if (!id) {
      std::cerr << "error: no scan scope is '" << which << "' (see: sentinelctl scan scope list)\n";
      return kExitFailed;
    }
  }
  return ctl.show_done(ctl.call("DELETE", std::string(kScopes) + "/" + std::to_string(*id)),
                       "removed");
}

// The table of the check; the exit status is 1 unless every target is inside the scopes, so
// that a script can ask before it starts a scan.
int check_targets(Ctl& ctl, const std::vector<std::string>& targets) {
  json::array list;
  for (const std::string& target : targets) list.emplace_back(target);
  const Outcome outcome = ctl.call("POST", std::string(kScopes) + "/check",
                                   json::value(json::object{{"targets", std::move(list)}}));
  if (!outcome.ok()) return outcome.exit_code;
  const int shown = ctl.show_list(outcome, kCheckColumns);
  if (shown != kExitOk) return shown;
  const json::object* reply = outcome.json.if_object();
  const json::value* all = reply != nullptr ? reply->if_contains("all_in_scope") : nullptr;
  return all != nullptr && all->is_bool() && all->get_bool() ? kExitOk : kExitFailed;
}

}  // namespace

void add_scan_scope_commands(CLI::App& scan, Ctl& ctl) {
  auto* scope = scan.add_subcommand("scope", "The networks scans may target");
  scope->require_subcommand(1);
  auto args = std::make_shared<ScopeArgs>();

  auto* list = scope->add_subcommand(
      "list", "List the scopes: the server configuration's (source config) and those added here");
  on_run(list, ctl,
         [&ctl] { return ctl.show_list(ctl.call("GET", std::string(kScopes)), kScopeColumns); });

  auto* add = scope->add_subcommand("add", "Allow scans of one more network (admins only)");
  add->add_option("cidr", args->cidr, "One address or CIDR block (10.0.0.0/16, 2001:db8::/48)")
      ->required();
  add->add_option("--comment", args->comment, "What the network is");
  add->add_flag("--confirm-broad", args->confirm_broad,
                "Needed for blocks broader than a /8 (IPv4) or a /32 (IPv6)");
  on_run(add, ctl, [&ctl, args] {
    json::object body{{"cidr", args->cidr}};
    if (!args->comment.empty()) body["comment"] = args->comment;
    if (args->confirm_broad) body["confirm_broad"] = true;
    return ctl.show_object(ctl.call("POST", std::string(kScopes), json::value(body)));
  });

  auto* remove = scope->add_subcommand(
      "remove", "Remove a scope added through the API (the configuration's stay)");
  remove->add_option("scope", args->cidr, "The scope's id or CIDR as listed")->required();
  on_run(remove, ctl, [&ctl, args] { return remove_scope(ctl, args->cidr); });

  auto* check = scope->add_subcommand(
      "check", "Whether targets parse, how many addresses they cover and which scopes hold them");
  check->add_option("targets", args->targets, "Targets as a scan takes them")->required();
  on_run(check, ctl, [&ctl, args] { return check_targets(ctl, args->targets); });
}

}  // namespace sentinel::ctl
