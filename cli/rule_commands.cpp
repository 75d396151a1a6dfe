// rules list|check|reload.
// list and reload show what the server loaded (GET /api/v1/rules, POST /api/v1/rules/reload): one
// row per rule, then every problem of a rule file as "FILE:LINE:COLUMN: reason".
// check validates Sigma rule files offline with the server's own loader (no server needed). One
// line per file: "FILE: ok (N rules)" or one "FILE:LINE:COLUMN: reason" per problem; with
// --output json, [{"file", "ok", "rules", "errors": [{"line", "column", "reason"}]}]. Exit status
// 0 only when every file loads.

#include <array>
#include <boost/json/value.hpp>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "commands.h"
#include "output.h"
#include "sentinel/detection/rules.h"

namespace sentinel::ctl {
namespace {

namespace json = boost::json;
using detection::RuleFileReport;

constexpr std::array kRuleColumns = {
    Column{"id", "ID"},     Column{"level", "LEVEL"}, Column{"title", "TITLE"},
    Column{"file", "FILE"}, Column{"state", "STATE"},
};

// The "files" of a rules reply, empty when the reply has none.
const json::array& reply_files(const json::value& reply) {
  static const json::array kNone;
  const auto* files = reply.is_object() ? reply.as_object().if_contains("files") : nullptr;
  return files != nullptr && files->is_array() ? files->as_array() : kNone;
}

std::int64_t integer_field(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr) return 0;
  // The server sends counts as unsigned (size_t) and lines as signed integers.
  if (value->is_uint64()) return static_cast<std::int64_t>(value->as_uint64());
  return value->is_int64() ? value->as_int64() : 0;
}

// Every problem of every file in a rules reply as "FILE:LINE:COLUMN: reason" lines, the same
// form as `rules check`, so that editors and grep can jump to them.
void print_problems(std::ostream& out, const json::value& reply) {
  for (const json::value& file : reply_files(reply)) {
    if (!file.is_object()) continue;
    const json::object& report = file.as_object();
    const auto* errors = report.if_contains("errors");
    if (errors == nullptr || !errors->is_array()) continue;
    for (const json::value& error : errors->as_array()) {
      if (!error.is_object()) continue;
      const json::object& problem = error.as_object();
      out << text_field(report, "file") << ":" << integer_field(problem, "line") << ":"
          << integer_field(problem, "column") << ": " << text_field(problem, "reason") << "\n";
    }
  }
}

// One table row per loaded rule. A rule is loaded (enabled) or absent: the state says whether
// its file also had problems, i.e. whether some rule of that file may be missing.
json::array rule_rows(const json::value& reply) {
  std::set<std::string> files_with_problems;
  for (const json::value& file : reply_files(reply)) {
    if (!file.is_object()) continue;
    const auto* errors = file.as_object().if_contains("errors");
    if (errors != nullptr && errors->is_array() && !errors->as_array().empty()) {
      files_with_problems.insert(text_field(file.as_object(), "file"));
    }
  }
  json::array rows;
  const auto* rules = reply.is_object() ? reply.as_object().if_contains("rules") : nullptr;
  if (rules == nullptr || !rules->is_array()) return rows;
  for (const json::value& rule : rules->as_array()) {
    if (!rule.is_object()) continue;
    const json::object& info = rule.as_object();
    const std::string file = text_field(info, "file");
    rows.push_back(json::object{
        {"id", text_field(info, "id")},
        {"level", text_field(info, "severity")},
        {"title", text_field(info, "title")},
        {"file", file},
        {"state", files_with_problems.contains(file) ? "enabled, file has errors" : "enabled"}});
  }
  return rows;
}

// "N rules from M files", the summary line of list and reload.
std::string rule_count(const json::value& reply) {
  const auto* rules = reply.is_object() ? reply.as_object().if_contains("rules") : nullptr;
  const std::size_t count = rules != nullptr && rules->is_array() ? rules->as_array().size() : 0;
  const std::size_t files = reply_files(reply).size();
  return counted(static_cast<std::int64_t>(count), "rule") + " from " +
         counted(static_cast<std::int64_t>(files), "file");
}

int list_rules(Ctl& ctl) {
  const Outcome outcome = ctl.call("GET", "/api/v1/rules");
  if (!outcome.ok()) return outcome.exit_code;
  if (ctl.json_output()) {
    std::cout << pretty_json(outcome.json) << "\n";
    return kExitOk;
  }
  const json::array rows = rule_rows(outcome.json);
  if (!rows.empty()) print_table(std::cout, rows, kRuleColumns);
  std::cout << "\n" << rule_count(outcome.json) << " loaded";
  if (outcome.json.is_object()) {
    const std::string loaded = text_field(outcome.json.as_object(), "loaded");
    if (!loaded.empty()) std::cout << " at " << loaded;
  }
  std::cout << "\n";
  const std::int64_t problems =
      outcome.json.is_object() ? integer_field(outcome.json.as_object(), "problems") : 0;
  if (problems > 0) {
    std::cout << "\nproblems (" << problems << "):\n";
    print_problems(std::cout, outcome.json);
  }
  return kExitOk;
}

// Exit status 1 when the reload reported a problem, so that a deploy script stops there; the
// rules that did load are in force either way.
int reload_rules(Ctl& ctl) {
  const Outcome outcome = ctl.call("POST", "/api/v1/rules/reload");
  if (!outcome.ok()) return outcome.exit_code;
  const std::int64_t problems =
      outcome.json.is_object() ? integer_field(outcome.json.as_object(), "problems") : 0;
  if (ctl.json_output()) {
    std::cout << pretty_json(outcome.json) << "\n";
  } else {
    std::cout << "reloaded: " << rule_count(outcome.json) << " loaded, "
              << counted(problems, "problem") << "\n";
    print_problems(std::cout, outcome.json);
  }
  return problems == 0 ? kExitOk : kExitFailed;
}

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
      std::cout << report.file << ": ok ("
                << counted(static_cast<std::int64_t>(report.rules), "rule") << ")\n";
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

  auto* list = rules->add_subcommand(
      "list", "List the rules the server loaded, then every problem of its rule files");
  on_run(list, ctl, [&ctl] { return list_rules(ctl); });

  auto* reload = rules->add_subcommand(
      "reload", "Make the server re-read its rule files now; fails when a file has problems");
  on_run(reload, ctl, [&ctl] { return reload_rules(ctl); });

  auto paths = std::make_shared<std::vector<std::string>>();
  auto* check = rules->add_subcommand(
      "check", "Check Sigma rule files offline, as the server would load them (no server needed)");
  check->add_option("paths", *paths, "Rule files, or directories searched for *.yml and *.yaml")
      ->required();
  on_run(check, ctl, [&ctl, paths] { return check_rules(ctl, *paths); });
}

}  // namespace sentinel::ctl
