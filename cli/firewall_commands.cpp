// firewall policy list|show|create|update|delete|versions|diff|rollback|preview|assign,
// firewall validate (offline), apply, status, block, unblock, blocks, allow-list list|add|remove.

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <vector>

#include "commands.h"
#include "output.h"
#include "sentinel/firewall/policy_problem.h"
#include "sentinel/firewall/policy_validator.h"

namespace sentinel::ctl {
namespace {

namespace json = boost::json;

constexpr std::array kPolicyColumns = {
    Column{"id", "ID"},
    Column{"name", "NAME"},
    Column{"version", "VERSION"},
    Column{"updated_by", "UPDATED BY"},
    Column{"updated_at", "UPDATED"},
    Column{"description", "DESCRIPTION"},
};

constexpr std::array kVersionColumns = {
    Column{"version", "VERSION"},
    Column{"author", "AUTHOR"},
    Column{"created_at", "CREATED"},
    Column{"comment", "COMMENT"},
};

constexpr std::array kStatusColumns = {
    Column{"agent_id", "AGENT"},           Column{"version", "APPLIED"},
    Column{"confirmed", "CONFIRMED"},      Column{"in_sync", "IN SYNC"},
    Column{"applied_at", "APPLIED AT"},    Column{"drift_count", "DRIFTS"},
    Column{"last_drift_at", "LAST DRIFT"}, Column{"last_error", "LAST ERROR"},
};

constexpr std::array kApplyColumns = {
    Column{"agent_id", "AGENT"},
    Column{"outcome", "OUTCOME"},
    Column{"version", "VERSION"},
    Column{"error", "ERROR"},
};

constexpr std::array kBlockColumns = {
    Column{"id", "ID"},           Column{"address", "ADDRESS"},    Column{"scope", "SCOPE"},
    Column{"agent_id", "AGENT"},  Column{"group", "GROUP"},        Column{"offence", "OFFENCE"},
    Column{"duration_s", "SECS"}, Column{"expires_at", "EXPIRES"}, Column{"reason", "REASON"},
    Column{"requested_by", "BY"},
};

constexpr std::array kAllowColumns = {
    Column{"id", "ID"},         Column{"cidr", "CIDR"},          Column{"comment", "COMMENT"},
    Column{"created_by", "BY"}, Column{"created_at", "CREATED"},
};

// Policy documents larger than the server takes are refused before sending.
constexpr std::uintmax_t kMaxPolicyBytes = 4 << 20;

std::string policy_path(std::int64_t id) {
  return "/api/v1/firewall/policies/" + std::to_string(id);
}

// The text of a policy file, or a usage error naming it.
Result<std::string> read_policy_file(const std::string& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) return invalid_argument(path + ": " + error.message(), "file");
  if (size > kMaxPolicyBytes) {
    return invalid_argument(path + ": larger than " + std::to_string(kMaxPolicyBytes) + " bytes",
                            "file");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return invalid_argument(path + ": cannot be read", "file");
  return text.str();
}

// The document of a policy file as JSON, or a usage error with the parser's position.
Result<json::value> read_policy_document(const std::string& path) {
  SENTINEL_ASSIGN(text, read_policy_file(path));
  boost::system::error_code error;
  json::value document = json::parse(text, error);
  if (error) return invalid_argument(path + ": not JSON: " + error.message(), "file");
  return document;
}

// "600", "90s", "10m", "2h", "7d" as seconds; nullopt for anything else.
std::optional<std::int64_t> parse_duration(std::string_view text) {
  std::int64_t unit = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        unit = 0;
        break;
    }
    if (unit != 0) text.remove_suffix(1);
    if (unit == 0) unit = 1;
  }
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value <= 0 ||
      value > 604800 / unit) {
    return std::nullopt;
  }
  return value * unit;
}

// One problem as editors read it: "FILE: error rule 'ssh' (chains.input.rules[1]): message".
void print_problem(std::ostream& out, std::string_view origin, const json::value& problem) {
  const json::object& fields = problem.as_object();
  const auto text = [&fields](std::string_view key) { return text_field(fields, key); };
  out << origin << ": " << text("severity");
  if (const std::string rule = text("rule_id"); !rule.empty()) out << " rule '" << rule << "'";
  if (const std::string path = text("path"); !path.empty()) out << " (" << path << ")";
  out << ": " << text("message") << "\n";
}

int validate_offline(const Ctl& ctl, const std::string& path) {
  auto text = read_policy_file(path);
  if (!text) return ctl.fail(text.error());
  const std::vector<firewall::Problem> problems = firewall::check_policy(*text, {});
  const json::value reported = firewall::to_json(problems);
  const bool valid = !firewall::has_errors(problems);
  if (ctl.json_output()) {
    std::cout << json::serialize(
                     json::object{{"file", path}, {"valid", valid}, {"problems", reported}})
              << "\n";
  } else if (problems.empty()) {
    std::cout << path << ": ok\n";
  } else {
    for (const json::value& problem : reported.as_array()) print_problem(std::cout, path, problem);
  }
  return valid ? kExitOk : kExitFailed;
}

// A save the server refused shows its first error; every problem is one command away.
int show_saved(Ctl& ctl, const Outcome& outcome, const std::string& file) {
  if (outcome.exit_code == kExitFailed && !file.empty()) {
    std::cerr << "hint: `sentinelctl firewall validate " << file << "` lists every problem\n";
  }
  return ctl.show_object(outcome);
}

struct PolicyArgs {
  std::int64_t id = 0;
  std::string name;
  std::string description;
  std::string file;
  std::string comment;
  std::optional<std::int64_t> version;
  std::optional<std::int64_t> base_version;
  std::optional<std::int64_t> from;
  std::string agent;
  std::vector<std::string> groups;
  std::vector<std::string> agents;
  std::int64_t priority = 0;
};

int create_policy(Ctl& ctl, const PolicyArgs& args) {
  auto document = read_policy_document(args.file);
  if (!document) return ctl.fail(document.error());
  json::object body{{"name", args.name}, {"document", std::move(*document)}};
  if (!args.description.empty()) body["description"] = args.description;
  if (!args.comment.empty()) body["comment"] = args.comment;
  return show_saved(ctl, ctl.call("POST", "/api/v1/firewall/policies", json::value(body)),
                    args.file);
}

int update_policy(Ctl& ctl, const PolicyArgs& args) {
  auto document = read_policy_document(args.file);
  if (!document) return ctl.fail(document.error());
  json::object body{{"document", std::move(*document)}};
  if (!args.comment.empty()) body["comment"] = args.comment;
  if (args.base_version) body["base_version"] = *args.base_version;
  return show_saved(ctl, ctl.call("PUT", policy_path(args.id), json::value(body)), args.file);
}

int show_policy(Ctl& ctl, const PolicyArgs& args) {
  const std::string path = args.version
                               ? policy_path(args.id) + "/versions/" + std::to_string(*args.version)
                               : policy_path(args.id);
  return ctl.show_object(ctl.call("GET", path));
}

int preview_policy(Ctl& ctl, const PolicyArgs& args) {
  std::string query;
  if (!args.agent.empty()) query += "?agent=" + url_encode(args.agent);
  if (args.version)
    query += (query.empty() ? "?" : "&") + std::string("version=") + std::to_string(*args.version);
  const Outcome outcome = ctl.call("GET", policy_path(args.id) + "/preview" + query);
  if (!outcome.ok() || ctl.json_output()) return ctl.show_object(outcome);
  // The exact ruleset the agent would load, as nft reads it.
  const auto* nft = outcome.json.as_object().if_contains("nft");
  if (nft != nullptr && nft->is_string()) std::cout << nft->as_string();
  if (const auto* problems = outcome.json.as_object().if_contains("problems");
      problems != nullptr && problems->is_array()) {
    for (const json::value& problem : problems->as_array()) {
      print_problem(std::cerr, "policy " + std::to_string(args.id), problem);
    }
  }
  return kExitOk;
}

int diff_policy(Ctl& ctl, const PolicyArgs& args) {
  std::string query = "?to=" + std::to_string(args.version.value_or(0));
  if (args.from) query += "&from=" + std::to_string(*args.from);
  return ctl.show_object(ctl.call("GET", policy_path(args.id) + "/diff" + query));
}

int rollback_policy(Ctl& ctl, const PolicyArgs& args) {
  json::object body{{"version", args.version.value_or(0)}};
  if (!args.comment.empty()) body["comment"] = args.comment;
  return ctl.show_object(ctl.call("POST", policy_path(args.id) + "/rollback", json::value(body)));
}

int assign_policy(Ctl& ctl, const PolicyArgs& args) {
  json::array assignments;
  for (const std::string& group : args.groups) {
    assignments.push_back(json::object{{"group", group}, {"priority", args.priority}});
  }
  for (const std::string& agent : args.agents) {
    assignments.push_back(json::object{{"agent_id", agent}, {"priority", args.priority}});
  }
  const Outcome outcome =
      ctl.call("PUT", policy_path(args.id) + "/assignments",
               json::value(json::object{{"assignments", std::move(assignments)}}));
  return ctl.show_list(outcome, std::array{Column{"group", "GROUP"}, Column{"agent_id", "AGENT"},
                                           Column{"priority", "PRIORITY"}});
}

void add_policy_commands(CLI::App& firewall, Ctl& ctl) {
  auto* policy = firewall.add_subcommand("policy", "Firewall policies and their versions");
  policy->require_subcommand(1);
  auto args = std::make_shared<PolicyArgs>();

  auto* list = policy->add_subcommand("list", "List policies");
  on_run(list, ctl, [&ctl] {
    return ctl.show_list(ctl.call("GET", "/api/v1/firewall/policies"), kPolicyColumns);
  });

  auto* show = policy->add_subcommand("show", "Show a policy and its newest (or one) version");
  show->add_option("id", args->id, "Policy id")->required();
  show->add_option("--version", args->version, "A version number instead of the newest");
  on_run(show, ctl, [&ctl, args] { return show_policy(ctl, *args); });

  auto* create = policy->add_subcommand("create", "Create a policy from a JSON document");
  create->add_option("--name", args->name, "Unique name")->required();
  create->add_option("--file", args->file, "The policy document (JSON)")->required();
  create->add_option("--description", args->description, "What it is for");
  create->add_option("--comment", args->comment, "Why: kept with version 1");
  on_run(create, ctl, [&ctl, args] { return create_policy(ctl, *args); });

  auto* update = policy->add_subcommand("update", "Save a new version of a policy");
  update->add_option("id", args->id, "Policy id")->required();
  update->add_option("--file", args->file, "The new document (JSON)")->required();
  update->add_option("--comment", args->comment, "Why: kept with the version");
  update->add_option("--base-version", args->base_version,
                     "Refuse the save if the newest version is no longer this one");
  on_run(update, ctl, [&ctl, args] { return update_policy(ctl, *args); });

  auto* remove = policy->add_subcommand("delete", "Delete a policy with its history");
  remove->add_option("id", args->id, "Policy id")->required();
  on_run(remove, ctl, [&ctl, args] {
    return ctl.show_done(ctl.call("DELETE", policy_path(args->id)), "deleted");
  });

  auto* versions = policy->add_subcommand("versions", "List a policy's versions");
  versions->add_option("id", args->id, "Policy id")->required();
  on_run(versions, ctl, [&ctl, args] {
    return ctl.show_list(ctl.call("GET", policy_path(args->id) + "/versions"), kVersionColumns);
  });

  auto* diff = policy->add_subcommand("diff", "Rules added, removed, moved or changed");
  diff->add_option("id", args->id, "Policy id")->required();
  diff->add_option("--to", args->version, "The later version")->required();
  diff->add_option("--from", args->from, "The earlier version (default: the one before)");
  on_run(diff, ctl, [&ctl, args] { return diff_policy(ctl, *args); });

  auto* rollback = policy->add_subcommand(
      "rollback", "Save an earlier version's document as the newest version");
  rollback->add_option("id", args->id, "Policy id")->required();
  rollback->add_option("--to", args->version, "The version to go back to")->required();
  rollback->add_option("--comment", args->comment, "Why");
  on_run(rollback, ctl, [&ctl, args] { return rollback_policy(ctl, *args); });

  auto* preview =
      policy->add_subcommand("preview", "Print the exact nftables ruleset an agent would get");
  preview->add_option("id", args->id, "Policy id")->required();
  preview->add_option("--agent", args->agent, "Check the cut-off rule against this agent");
  preview->add_option("--version", args->version, "A version instead of the newest");
  on_run(preview, ctl, [&ctl, args] { return preview_policy(ctl, *args); });

  auto* assign = policy->add_subcommand(
      "assign", "Assign a policy to agent groups and agents (replaces its assignments)");
  assign->add_option("id", args->id, "Policy id")->required();
  add_repeatable(assign, "--group", args->groups, "Agent group label (repeatable)");
  add_repeatable(assign, "--agent", args->agents, "Agent id (repeatable)");
  assign->add_option("--priority", args->priority, "Higher wins when several apply (default 0)");
  on_run(assign, ctl, [&ctl, args] { return assign_policy(ctl, *args); });
}

struct BlockArgs {
  std::string address;
  std::string duration;
  std::string agent;
  std::string group;
  std::string reason;
  std::int64_t id = 0;
  bool all = false;
};

int block(Ctl& ctl, const BlockArgs& args) {
  const auto seconds = parse_duration(args.duration);
  if (!seconds) {
    return ctl.fail(invalid_argument(
        "--duration '" + args.duration + "' is not a duration from 1s to 7d (600, 90s, 10m, 2h)",
        "duration"));
  }
  json::object body{{"address", args.address}, {"duration_s", *seconds}};
  if (!args.agent.empty()) body["agent_id"] = args.agent;
  if (!args.group.empty()) body["group"] = args.group;
  if (!args.reason.empty()) body["reason"] = args.reason;
  return ctl.show_object(ctl.call("POST", "/api/v1/firewall/blocks", json::value(body)));
}

void add_block_commands(CLI::App& firewall, Ctl& ctl) {
  auto args = std::make_shared<BlockArgs>();
  auto* add = firewall.add_subcommand("block", "Block an address on agents (audited)");
  add->add_option("address", args->address, "IPv4 or IPv6 address")->required();
  add->add_option("--duration", args->duration, "How long: 600, 90s, 10m, 2h, 7d (at most 7d)")
      ->required();
  auto* agent = add->add_option("--agent", args->agent, "Only on this agent");
  add->add_option("--group", args->group, "Only on the agents of this group")->excludes(agent);
  add->add_option("--reason", args->reason, "Why (shown with the block)");
  on_run(add, ctl, [&ctl, args] { return block(ctl, *args); });

  auto* unblock = firewall.add_subcommand("unblock", "Lift a block (audited)");
  unblock->add_option("id", args->id, "Block id (from `firewall blocks`)")->required();
  on_run(unblock, ctl, [&ctl, args] {
    return ctl.show_done(ctl.call("DELETE", "/api/v1/firewall/blocks/" + std::to_string(args->id)),
                         "unblocked");
  });

  auto* blocks = firewall.add_subcommand("blocks", "List active blocks");
  blocks->add_flag("--all", args->all, "Also expired and lifted ones");
  on_run(blocks, ctl, [&ctl, args] {
    const std::string query = args->all ? "" : "?active=true";
    return ctl.show_list(ctl.call("GET", "/api/v1/firewall/blocks" + query), kBlockColumns);
  });

  auto* allow = firewall.add_subcommand("allow-list", "Addresses that are never blocked");
  allow->require_subcommand(1);
  auto* allow_list = allow->add_subcommand("list", "List the admin-defined entries");
  on_run(allow_list, ctl, [&ctl] {
    return ctl.show_list(ctl.call("GET", "/api/v1/firewall/allow-list"), kAllowColumns);
  });
  auto* allow_add = allow->add_subcommand("add", "Never block this network (lifts its blocks)");
  allow_add->add_option("cidr", args->address, "CIDR or address")->required();
  allow_add->add_option("--comment", args->reason, "Why");
  on_run(allow_add, ctl, [&ctl, args] {
    json::object body{{"cidr", args->address}};
    if (!args->reason.empty()) body["comment"] = args->reason;
    return ctl.show_object(ctl.call("POST", "/api/v1/firewall/allow-list", json::value(body)));
  });
  auto* allow_remove = allow->add_subcommand("remove", "Remove an entry");
  allow_remove->add_option("id", args->id, "Entry id")->required();
  on_run(allow_remove, ctl, [&ctl, args] {
    return ctl.show_done(
        ctl.call("DELETE", "/api/v1/firewall/allow-list/" + std::to_string(args->id)), "removed");
  });
}

struct ApplyArgs {
  std::optional<std::int64_t> policy;
  std::vector<std::string> agents;
  bool force = false;
  std::string file;
  std::string agent;
};

}  // namespace

void add_firewall_commands(CLI::App& app, Ctl& ctl) {
  auto* firewall = app.add_subcommand("firewall", "Firewall policies, enforcement and blocks");
  firewall->require_subcommand(1);
  add_policy_commands(*firewall, ctl);
  add_block_commands(*firewall, ctl);
  add_firewall_feed_commands(*firewall, ctl);
  auto args = std::make_shared<ApplyArgs>();

  auto* validate = firewall->add_subcommand(
      "validate", "Check a policy document offline, as the server would (no server needed)");
  validate->add_option("file", args->file, "The policy document (JSON)")->required();
  on_run(validate, ctl, [&ctl, args] { return validate_offline(ctl, args->file); });

  auto* apply = firewall->add_subcommand(
      "apply", "Push the effective policies to agents now (each confirms or rolls back)");
  apply->add_option("--policy", args->policy, "Only the agents this policy is assigned to");
  add_repeatable(apply, "--agent", args->agents, "Only these agents (repeatable)");
  apply->add_flag("--force", args->force, "Even if the policy would cut an agent off the server");
  on_run(apply, ctl, [&ctl, args]() -> int {
    json::object body;
    if (args->policy) body["policy_id"] = *args->policy;
    if (!args->agents.empty()) {
      json::array ids;
      for (const std::string& id : args->agents) ids.emplace_back(id);
      body["agent_ids"] = std::move(ids);
    }
    if (args->force) body["force"] = true;
    const Outcome outcome = ctl.call("POST", "/api/v1/firewall/apply", json::value(body));
    if (!outcome.ok() || ctl.json_output()) return ctl.show_object(outcome);
    const auto* results = outcome.json.as_object().if_contains("results");
    if (results == nullptr || !results->is_array()) return ctl.show_object(outcome);
    print_table(std::cout, results->as_array(), kApplyColumns);
    return kExitOk;
  });

  auto* status = firewall->add_subcommand(
      "status", "Per agent: the applied version, confirmation, drift and errors");
  status->add_option("--agent", args->agent, "Only this agent");
  on_run(status, ctl, [&ctl, args] {
    const std::string query = args->agent.empty() ? "" : "?agent=" + url_encode(args->agent);
    return ctl.show_list(ctl.call("GET", "/api/v1/firewall/status" + query), kStatusColumns);
  });
}

}  // namespace sentinel::ctl
