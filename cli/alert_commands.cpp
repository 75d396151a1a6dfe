// alerts list|show|ack|resolve.

#include <array>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <iostream>
#include <memory>
#include <optional>
#include <vector>

#include "commands.h"

namespace sentinel::ctl {
namespace {

namespace json = boost::json;

constexpr std::array kAlertColumns = {
    Column{"id", "ID"},           Column{"severity", "SEVERITY"},   Column{"status", "STATUS"},
    Column{"rule_title", "RULE"}, Column{"hostname", "HOST"},       Column{"entity", "ENTITY"},
    Column{"count", "COUNT"},     Column{"last_seen", "LAST SEEN"}, Column{"assignee", "ASSIGNEE"},
};

constexpr std::array kEvidenceColumns = {
    Column{"id", "EVENT"},
    Column{"time", "TIME"},
    Column{"type", "TYPE"},
    Column{"message", "MESSAGE"},
};

constexpr std::array kCommentColumns = {
    Column{"created_at", "TIME"},
    Column{"author", "AUTHOR"},
    Column{"text", "COMMENT"},
};

struct ListArgs {
  std::vector<std::string> statuses;
  std::string severity;
  std::optional<std::int64_t> limit;
};

std::string alert_path(std::int64_t id) { return "/api/v1/alerts/" + std::to_string(id); }

int list_alerts(Ctl& ctl, const ListArgs& args) {
  std::string query;
  const auto add = [&query](std::string_view name, const std::string& value) {
    query += (query.empty() ? "?" : "&") + std::string(name) + "=" + url_encode(value);
  };
  if (!args.statuses.empty()) {
    std::string joined;
    for (const std::string& status : args.statuses) joined += (joined.empty() ? "" : ",") + status;
    add("status", joined);
  }
  if (!args.severity.empty()) add("severity", args.severity);
  add("limit", std::to_string(args.limit.value_or(100)));
  const Outcome outcome = ctl.call("GET", "/api/v1/alerts" + query);
  const int status = ctl.show_list(outcome, kAlertColumns);
  if (status != kExitOk || ctl.json_output()) return status;
  const auto* items = list_items(outcome.json);
  const auto* total = outcome.json.as_object().if_contains("total");
  if (items != nullptr && total != nullptr && total->is_int64() &&
      total->as_int64() > static_cast<std::int64_t>(items->size())) {
    std::cerr << "showing " << items->size() << " of " << total->as_int64()
              << " alerts; raise --limit (at most 1000) to see more\n";
  }
  return kExitOk;
}

// An event's raw line when it has one, else its fields as JSON, for one table cell.
std::string event_text(const json::value& event) {
  const auto* data = event.is_object() ? event.as_object().if_contains("data") : nullptr;
  if (data == nullptr || !data->is_object()) return "-";
  if (const auto* message = data->as_object().if_contains("message");
      message != nullptr && message->is_string()) {
    return std::string(message->as_string());
  }
  return json::serialize(*data);
}

// The alert as key: value lines, then its evidence and comments as tables (or the JSON reply).
int show_alert(Ctl& ctl, std::int64_t id) {
  Outcome outcome = ctl.call("GET", alert_path(id));
  if (!outcome.ok() || ctl.json_output() || !outcome.json.is_object()) {
    return ctl.show_object(outcome);
  }
  json::object& alert = outcome.json.as_object();
  json::array evidence;
  json::array comments;
  if (auto* found = alert.if_contains("evidence"); found != nullptr && found->is_array()) {
    evidence = std::move(found->as_array());
  }
  if (auto* found = alert.if_contains("comments"); found != nullptr && found->is_array()) {
    comments = std::move(found->as_array());
  }
  alert.erase("evidence");
  alert.erase("comments");
  print_fields(std::cout, alert);
  for (json::value& event : evidence) {
    if (event.is_object()) event.as_object()["message"] = event_text(event);
  }
  std::cout << "\nevidence (" << evidence.size() << " stored events):\n";
  if (!evidence.empty()) print_table(std::cout, evidence, kEvidenceColumns);
  std::cout << "\ncomments (" << comments.size() << "):\n";
  if (!comments.empty()) print_table(std::cout, comments, kCommentColumns);
  return kExitOk;
}

int set_status(Ctl& ctl, std::int64_t id, const std::string& status, const std::string& done) {
  return ctl.show_done(ctl.call("PATCH", alert_path(id), json::object{{"status", status}}),
                       "alert " + std::to_string(id) + " " + done);
}

// A subcommand taking one alert ID.
CLI::App* add_id_command(CLI::App* alerts, const std::string& name, const std::string& description,
                         std::int64_t& id) {
  auto* command = alerts->add_subcommand(name, description);
  command->add_option("id", id, "Alert ID")->required()->check(CLI::PositiveNumber);
  return command;
}

}  // namespace

void add_alert_commands(CLI::App& app, Ctl& ctl) {
  auto* alerts = app.add_subcommand("alerts", "List and triage alerts");
  alerts->require_subcommand(1);

  auto list_args = std::make_shared<ListArgs>();
  auto* list = alerts->add_subcommand("list", "List alerts, most recently seen first");
  add_repeatable(list, "--status", list_args->statuses,
                 "Only alerts in these states: new, acknowledged, resolved, false_positive "
                 "(repeatable or comma-separated)")
      ->check(CLI::IsMember({"new", "acknowledged", "resolved", "false_positive"}));
  list->add_option("--severity", list_args->severity,
                   "Only alerts at least this severe: informational, low, medium, high, critical")
      ->check(CLI::IsMember({"informational", "low", "medium", "high", "critical"}));
  list->add_option("--limit", list_args->limit, "At most this many alerts (default 100)")
      ->check(CLI::Range(1, 1000));
  on_run(list, ctl, [&ctl, list_args] { return list_alerts(ctl, *list_args); });

  auto show_id = std::make_shared<std::int64_t>();
  auto* show =
      add_id_command(alerts, "show", "Show an alert with its evidence and comments", *show_id);
  on_run(show, ctl, [&ctl, show_id] { return show_alert(ctl, *show_id); });

  auto ack_id = std::make_shared<std::int64_t>();
  auto* ack = add_id_command(alerts, "ack", "Acknowledge an alert: someone is on it", *ack_id);
  on_run(ack, ctl,
         [&ctl, ack_id] { return set_status(ctl, *ack_id, "acknowledged", "acknowledged"); });

  auto resolve_id = std::make_shared<std::int64_t>();
  auto false_positive = std::make_shared<bool>(false);
  auto* resolve = add_id_command(alerts, "resolve", "Close an alert as resolved", *resolve_id);
  resolve->add_flag("--false-positive", *false_positive,
                    "Close it as a false positive instead: the rule fired wrongly");
  on_run(resolve, ctl, [&ctl, resolve_id, false_positive] {
    return *false_positive
               ? set_status(ctl, *resolve_id, "false_positive", "closed as a false positive")
               : set_status(ctl, *resolve_id, "resolved", "resolved");
  });
}

}  // namespace sentinel::ctl
