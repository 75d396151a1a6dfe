// rules check: validates Sigma rule files offline with the server's own loader (no server
// needed). One line per file: "FILE: ok (N rules)" or one "FILE:LINE:COLUMN: reason" per
// problem; with --output json, [{"file", "ok", "rules", "errors": [{"line", "column",
// "reason"}]}]. Exit status 0 only when every file loads.

#include <boost/json/value.hpp>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "sentinel/detection/rules.h"

namespace sentinel::ctl {
namespace {

namespace json = boost::json;
using detection::RuleFileReport;

// Loads every rule file under `paths` together, so that correlations may name rules of other
// files; a path that cannot be read becomes a report of its own.
std::vector<RuleFileReport> check_paths(const std::vector<std::string>& paths) {
  std::vector<detection::RuleSource> sources;
  std::vector<RuleFileReport> unreadable;
  for (const std::string& path : paths) {
    auto read = detection::read_rule_sources({path});
    if (!read) {
      unreadable.push_back({path, 0, {{path, 0, 0, read.error().message}}});
      continue;
    }
    if (read->empty()) {
      unreadable.push_back({path, 0, {{path, 0, 0, "no *.yml or *.yaml file in it"}}});
      continue;
    }
    for (detection::RuleSource& source : *read) sources.push_back(std::move(source));
  }
  std::vector<RuleFileReport> reports = detection::load_rules(sources).files;
  reports.insert(reports.end(), unreadable.begin(), unreadable.end());
  return reports;
}

int check_rules(const Ctl& ctl, const std::vector<std::string>& paths) {
  const std::vector<RuleFileReport> reports = check_paths(paths);
  bool all_ok = true;
  json::array files;
  for (const RuleFileReport& report : reports) {
    all_ok = all_ok && report.ok();
    if (ctl.json_output()) {
      json::array errors;
      for (const auto& problem : report.problems) {
        errors.push_back(json::object{
            {"line", problem.line}, {"column", problem.column}, {"reason", problem.reason}});
      }
      files.push_back(json::object{{"file", report.file},
                                   {"ok", report.ok()},
                                   {"rules", report.rules},
                                   {"errors", std::move(errors)}});
      continue;
    }
    if (report.ok()) {
      std::cout << report.file << ": ok (" << report.rules
                << (report.rules == 1 ? " rule)" : " rules)") << "\n";
    }
    for (const auto& problem : report.problems) {
      std::cout << problem.file << ":" << problem.line << ":" << problem.column << ": "
                << problem.reason << "\n";
    }
  }
  if (ctl.json_output()) std::cout << pretty_json(files) << "\n";
  return all_ok ? kExitOk : kExitFailed;
}

}  // namespace

void add_rule_commands(CLI::App& app, Ctl& ctl) {
  auto* rules = app.add_subcommand("rules", "Work with detection rules");
  rules->require_subcommand(1);

  auto paths = std::make_shared<std::vector<std::string>>();
  auto* check = rules->add_subcommand(
      "check", "Check Sigma rule files offline, as the server would load them (no server needed)");
  check->add_option("paths", *paths, "Rule files, or directories searched for *.yml and *.yaml")
      ->required();
  on_run(check, ctl, [&ctl, paths] { return check_rules(ctl, *paths); });
}

}  // namespace sentinel::ctl
