// agents enroll-token|tokens|list|show|label|revoke|delete.

#include <array>
#include <boost/json/value.hpp>
#include <iostream>
#include <memory>
#include <optional>
#include <vector>

#include "commands.h"

namespace sentinel::ctl {
namespace {

namespace json = boost::json;

constexpr std::array kAgentColumns = {
    Column{"id", "ID"},
    Column{"hostname", "HOSTNAME"},
    Column{"status", "STATUS"},
    Column{"group", "GROUP"},
    Column{"labels", "LABELS"},
    Column{"os", "OS"},
    Column{"agent_version", "VERSION"},
    Column{"last_seen", "LAST SEEN"},
};

constexpr std::array kTokenColumns = {
    Column{"id", "ID"},
    Column{"state", "STATE"},
    Column{"group", "GROUP"},
    Column{"labels", "LABELS"},
    Column{"created_by", "CREATED BY"},
    Column{"created_at", "CREATED"},
    Column{"expires_at", "EXPIRES"},
    Column{"agent_id", "AGENT"},
};

struct EnrollTokenArgs {
  std::string group;
  std::vector<std::string> labels;
  std::optional<std::int64_t> expires_in_minutes;
};

struct ListArgs {
  std::string status;
  std::string group;
  std::string label;
  std::string search;
};

struct LabelArgs {
  std::string id;
  std::vector<std::string> labels;
  std::vector<std::string> remove;
};

std::string agent_path(const std::string& id) { return "/api/v1/agents/" + url_encode(id); }

// A repeatable option taking one value per occurrence: label values may contain commas.
CLI::Option* add_each(CLI::App* command, const std::string& name, std::vector<std::string>& values,
                      const std::string& description) {
  return command->add_option(name, values, description)->allow_extra_args(false);
}

// KEY=VALUE arguments as a JSON object; nullopt (after saying why) when one has no '='.
std::optional<json::object> label_object(const std::vector<std::string>& pairs) {
  json::object out;
  for (const std::string& pair : pairs) {
    const std::size_t equals = pair.find('=');
    if (equals == std::string::npos || equals == 0) {
      std::cerr << "error: label '" << pair << "' is not KEY=VALUE\n";
      return std::nullopt;
    }
    out[pair.substr(0, equals)] = pair.substr(equals + 1);
  }
  return out;
}

// "k=v,k2=v2" for a table cell.
std::string labels_text(const json::value& labels) {
  std::string out;
  if (const auto* object = labels.if_object()) {
    for (const auto& [key, value] : *object) {
      if (!out.empty()) out += ",";
      out += std::string(key) + "=" + display_value(key, value);
    }
  }
  return out;
}

// The reply with every "labels" object of its items flattened for a table.
Outcome with_label_text(Outcome outcome) {
  if (!outcome.ok() || !outcome.json.is_object()) return outcome;
  auto* items = outcome.json.as_object().if_contains("items");
  if (items == nullptr || !items->is_array()) return outcome;
  for (auto& item : items->as_array()) {
    if (auto* row = item.if_object(); row != nullptr && row->contains("labels")) {
      (*row)["labels"] = labels_text(row->at("labels"));
    }
  }
  return outcome;
}

// Prints an agent as key: value lines with labels and certificate flattened (or JSON).
int show_agent(Ctl& ctl, Outcome outcome) {
  if (!outcome.ok() || ctl.json_output() || !outcome.json.is_object()) {
    return ctl.show_object(outcome);
  }
  json::object& agent = outcome.json.as_object();
  if (agent.contains("labels")) agent["labels"] = labels_text(agent.at("labels"));
  if (const auto* certificate = agent.if_contains("certificate")) {
    json::value serial = nullptr, not_after = nullptr;
    if (const auto* object = certificate->if_object()) {
      serial = object->at("serial");
      not_after = object->at("not_after");
    }
    agent.erase("certificate");
    agent["certificate_serial"] = serial;
    agent["certificate_not_after"] = not_after;
  }
  return ctl.show_object(outcome);
}

// Prints a new enrolment token alone on stdout, for `$(sentinelctl agents enroll-token)`; with
// --output json the whole reply, including the command line to run on the host.
int enroll_token(Ctl& ctl, const EnrollTokenArgs& args) {
  json::object body;
  if (!args.group.empty()) body["group"] = args.group;
  if (!args.labels.empty()) {
    auto labels = label_object(args.labels);
    if (!labels) return kExitUsage;
    body["labels"] = std::move(*labels);
  }
  if (args.expires_in_minutes) body["expires_in_minutes"] = *args.expires_in_minutes;
  const Outcome outcome = ctl.call("POST", "/api/v1/agents/enroll-tokens", body);
  const int shown = ctl.show_secret_field(outcome, "token");
  if (shown != kExitOk || ctl.json_output()) return shown;
  const auto* expires = outcome.json.as_object().if_contains("expires_at");
  std::cerr << "one-time enrolment token, expires "
            << (expires != nullptr ? display_value("expires_at", *expires) : std::string("-"))
            << "; --output json also shows the sentinel-agent command line\n";
  return kExitOk;
}

int list_agents(Ctl& ctl, const ListArgs& args) {
  std::string query;
  const auto add = [&query](std::string_view name, const std::string& value) {
    if (value.empty()) return;
    query += (query.empty() ? "?" : "&") + std::string(name) + "=" + url_encode(value);
  };
  add("status", args.status);
  add("group", args.group);
  add("label", args.label);
  add("q", args.search);
  add("limit", "1000");
  const Outcome outcome = ctl.call("GET", "/api/v1/agents" + query);
  return ctl.show_list(ctl.json_output() ? outcome : with_label_text(outcome), kAgentColumns);
}

int label_agent(Ctl& ctl, const LabelArgs& args) {
  auto labels = label_object(args.labels);
  if (!labels) return kExitUsage;
  for (const std::string& key : args.remove) (*labels)[key] = nullptr;
  if (labels->empty()) {
    std::cerr << "error: nothing to change: give KEY=VALUE labels or --remove KEY\n";
    return kExitUsage;
  }
  return show_agent(ctl, ctl.call("PATCH", agent_path(args.id), json::object{{"labels", *labels}}));
}

// A subcommand taking one agent ID, which runs `action` with it.
void add_id_command(CLI::App* agents, Ctl& ctl, const std::string& name,
                    const std::string& description, std::function<int(const std::string&)> action) {
  auto id = std::make_shared<std::string>();
  auto* command = agents->add_subcommand(name, description);
  command->add_option("id", *id, "Agent ID (agt_...)")->required();
  on_run(command, ctl, [id, action = std::move(action)] { return action(*id); });
}

}  // namespace

void add_agent_commands(CLI::App& app, Ctl& ctl) {
  auto* agents = app.add_subcommand("agents", "Manage endpoint agents and their enrolment");
  agents->require_subcommand(1);

  auto enroll_args = std::make_shared<EnrollTokenArgs>();
  auto* enroll = agents->add_subcommand(
      "enroll-token", "Create a one-time enrolment token for sentinel-agent --enroll-token");
  enroll->add_option("--group", enroll_args->group, "Group the enrolled agent joins");
  add_each(enroll, "--label", enroll_args->labels, "KEY=VALUE label of the agent (repeatable)");
  enroll
      ->add_option("--expires-in", enroll_args->expires_in_minutes,
                   "Minutes the token stays usable (default: the server's, 60)")
      ->check(CLI::Range(1, 10080));
  on_run(enroll, ctl, [&ctl, enroll_args] { return enroll_token(ctl, *enroll_args); });

  auto* tokens = agents->add_subcommand("tokens", "List enrolment tokens and their state");
  on_run(tokens, ctl, [&ctl] {
    const Outcome outcome = ctl.call("GET", "/api/v1/agents/enroll-tokens");
    return ctl.show_list(ctl.json_output() ? outcome : with_label_text(outcome), kTokenColumns);
  });

  auto list_args = std::make_shared<ListArgs>();
  auto* list = agents->add_subcommand("list", "List agents with their status");
  list->add_option("--status", list_args->status, "online, offline or revoked")
      ->check(CLI::IsMember({"online", "offline", "revoked"}));
  list->add_option("--group", list_args->group, "Only agents in this group");
  list->add_option("--label", list_args->label, "Only agents with this KEY=VALUE label");
  list->add_option("--search", list_args->search, "Text in the hostname or the id");
  on_run(list, ctl, [&ctl, list_args] { return list_agents(ctl, *list_args); });

  add_id_command(agents, ctl, "show", "Show one agent", [&ctl](const std::string& id) {
    return show_agent(ctl, ctl.call("GET", agent_path(id)));
  });

  auto label_args = std::make_shared<LabelArgs>();
  auto* label = agents->add_subcommand("label", "Set or remove labels of an agent");
  label->add_option("id", label_args->id, "Agent ID (agt_...)")->required();
  label->add_option("labels", label_args->labels, "KEY=VALUE labels to set");
  add_each(label, "--remove", label_args->remove, "Label KEY to remove (repeatable)");
  on_run(label, ctl, [&ctl, label_args] { return label_agent(ctl, *label_args); });

  add_id_command(agents, ctl, "revoke",
                 "Revoke an agent: its connection is closed and it cannot reconnect",
                 [&ctl](const std::string& id) {
                   return ctl.show_done(ctl.call("POST", agent_path(id) + "/revoke"),
                                        "agent " + id + " revoked");
                 });
  add_id_command(agents, ctl, "delete", "Delete an agent and what is stored about it (no prompt)",
                 [&ctl](const std::string& id) {
                   return ctl.show_done(ctl.call("DELETE", agent_path(id)),
                                        "agent " + id + " deleted");
                 });
}

}  // namespace sentinel::ctl
