// scan schedule list|add|remove|run: scans the server starts by itself (ADR 0005, "Scanner
// service").

#include <array>
#include <boost/json/object.hpp>
#include <charconv>
#include <iostream>
#include <memory>

#include "commands.h"

namespace sentinel::ctl {
namespace {

namespace json = boost::json;

constexpr std::string_view kSchedules = "/api/v1/scan-schedules";

constexpr std::array kScheduleColumns = {
    Column{"id", "ID"},
    Column{"name", "NAME"},
    Column{"interval_s", "EVERY (S)"},
    Column{"effective_interval_s", "RUNS EVERY (S)"},
    Column{"daily_at", "DAILY (UTC)"},
    Column{"enabled", "ENABLED"},
    Column{"next_run_at", "NEXT RUN"},
    Column{"last_job_id", "LAST JOB"},
    Column{"last_error", "LAST ERROR"},
};

struct ScheduleArgs {
  std::string name;
  std::vector<std::string> targets;
  std::vector<std::string> exclude;
  std::string ports;
  std::string profile;
  bool confirm_large = false;
  std::string every;
  std::string daily_at;
  bool disabled = false;
  std::string id;
};

// "300", "300s", "15m", "2h", "1d" as seconds; nullopt for anything else.
std::optional<std::int64_t> seconds_of(const std::string& text) {
  if (text.empty()) return {};
  std::int64_t unit = 1;
  std::string_view digits = text;
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
      if (text.back() < '0' || text.back() > '9') return {};
      break;
  }
  if (text.back() < '0' || text.back() > '9') digits.remove_suffix(1);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() ||
      value <= 0 || value > 366 * 86400 / unit) {
    return {};
  }
  return value * unit;
}

json::array list_of(const std::vector<std::string>& items) {
  json::array out;
  for (const std::string& item : items) out.emplace_back(item);
  return out;
}

int add_schedule(Ctl& ctl, const ScheduleArgs& args) {
  json::object scan{{"targets", list_of(args.targets)}};
  if (!args.exclude.empty()) scan["exclude"] = list_of(args.exclude);
  if (!args.ports.empty()) scan["ports"] = args.ports;
  if (!args.profile.empty()) scan["profile"] = args.profile;
  if (args.confirm_large) scan["confirm_large"] = true;
  json::object body{{"name", args.name}, {"scan", std::move(scan)}};
  if (!args.every.empty()) {
    const auto seconds = seconds_of(args.every);
    if (!seconds) {
      std::cerr << "error: --every takes a duration such as 300, 300s, 15m, 2h or 1d, not '"
                << args.every << "'\n";
      return kExitUsage;
    }
    body["interval_s"] = *seconds;
  }
  if (!args.daily_at.empty()) body["daily_at"] = args.daily_at;
  if (args.disabled) body["enabled"] = false;
  return ctl.show_object(ctl.call("POST", std::string(kSchedules), json::value(body)));
}

// Like `scan run`: the new job's id alone on stdout.
int run_schedule(Ctl& ctl, const std::string& id) {
  const Outcome started =
      ctl.call("POST", std::string(kSchedules) + "/" + url_encode(id) + "/run-now");
  if (!started.ok()) return started.exit_code;
  if (ctl.json_output()) return ctl.show_object(started);
  const json::object* job = started.json.if_object();
  const json::value* job_id = job != nullptr ? job->if_contains("id") : nullptr;
  if (job_id == nullptr || !job_id->is_int64()) {
    std::cerr << "error: the server's reply lacks the scan id\n";
    return kExitFailed;
  }
  std::cout << job_id->get_int64() << "\n";
  std::cerr << "scan " << job_id->get_int64() << " queued; follow it with: sentinelctl scan show "
            << job_id->get_int64() << "\n";
  return kExitOk;
}

}  // namespace

void add_scan_schedule_commands(CLI::App& scan, Ctl& ctl) {
  auto* schedule = scan.add_subcommand("schedule", "Scans the server starts by itself");
  schedule->require_subcommand(1);
  auto args = std::make_shared<ScheduleArgs>();

  auto* list = schedule->add_subcommand("list", "List schedules, their next run and last job");
  on_run(list, ctl, [&ctl] {
    return ctl.show_list(ctl.call_all_pages(std::string(kSchedules), "items"), kScheduleColumns);
  });

  auto* add = schedule->add_subcommand(
      "add", "Schedule a scan of targets inside the scan scopes (checked now and at each run)");
  add->add_option("name", args->name, "A name of your choice, unique")->required();
  add->add_option("targets", args->targets, "Addresses, CIDRs, ranges (10.0.0.5-40) or host names")
      ->required();
  auto* ports = add->add_option("--ports", args->ports,
                                "Ports as `scan run` takes them: top100, all, 22,80, T:22,U:53");
  add->add_option("--profile", args->profile, "quick, standard or full")
      ->check(CLI::IsMember({"quick", "standard", "full"}))
      ->excludes(ports);
  add_repeatable(add, "--exclude", args->exclude,
                 "Targets to leave out (repeatable or comma-separated)");
  add->add_flag("--confirm-large", args->confirm_large,
                "Allow a scan of more than 65,536 addresses");
  auto* every = add->add_option("--every", args->every,
                                "Run every DURATION: 300s, 15m, 2h, 1d (at least 5 minutes)");
  add->add_option("--daily-at", args->daily_at, "Run daily at HH:MM UTC")->excludes(every);
  add->add_flag("--disabled", args->disabled, "Add it without running it");
  on_run(add, ctl, [&ctl, args] { return add_schedule(ctl, *args); });

  auto* remove = schedule->add_subcommand("remove", "Delete a schedule; its jobs stay");
  remove->add_option("id", args->id, "Schedule id")->required();
  on_run(remove, ctl, [&ctl, args] {
    return ctl.show_done(ctl.call("DELETE", std::string(kSchedules) + "/" + url_encode(args->id)),
                         "removed");
  });

  auto* run = schedule->add_subcommand(
      "run", "Start the schedule's scan now (its next run stays); prints the scan id");
  run->add_option("id", args->id, "Schedule id")->required();
  on_run(run, ctl, [&ctl, args] { return run_schedule(ctl, args->id); });
}

}  // namespace sentinel::ctl
