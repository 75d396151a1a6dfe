#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "sentinel/common/time_format.h"
#include "sentinel/detect/routes.h"

namespace sentinel::detect {
namespace {

boost::json::object status_json(const RulesStatus& status) {
  boost::json::array rules;
  for (const detection::RuleInfo& rule : status.rules) {
    boost::json::array tags;
    for (const std::string& tag : rule.tags) tags.emplace_back(tag);
    rules.push_back(boost::json::object{{"id", rule.id},
                                        {"title", rule.title},
                                        {"description", rule.description},
                                        {"kind", rule.kind},
                                        {"severity", detection::to_string(rule.severity)},
                                        {"tags", std::move(tags)},
                                        {"file", rule.file}});
  }
  boost::json::array files;
  std::size_t problems = 0;
  for (const detection::RuleFileReport& file : status.files) {
    boost::json::array errors;
    for (const detection::RuleProblem& problem : file.problems) {
      errors.push_back(boost::json::object{
          {"line", problem.line}, {"column", problem.column}, {"reason", problem.reason}});
    }
    problems += file.problems.size();
    files.push_back(boost::json::object{{"file", file.file},
                                        {"ok", file.ok()},
                                        {"rules", file.rules},
                                        {"errors", std::move(errors)}});
  }
  return boost::json::object{{"rules", std::move(rules)},
                             {"files", std::move(files)},
                             {"problems", problems},
                             {"loaded", iso8601_utc(status.loaded_ms)}};
}

Result<gateway::Response> reload(DetectService& service, auth::AuditLog& audit,
                                 gateway::Request& request) {
  const RulesStatus status = service.reload();
  boost::json::object answer = status_json(status);
  const Result<auth::AuditEntry> recorded = audit.record(
      auth::AuditRecord{.actor = request.caller().username,
                        .action = "rules.reload",
                        .target = "",
                        .source_address = request.remote_address,
                        .outcome = "success",
                        .details_json = boost::json::serialize(boost::json::object{
                            {"rules", status.rules.size()}, {"problems", answer["problems"]}})});
  if (!recorded) return recorded.error();
  return gateway::Response::json(std::move(answer));
}

}  // namespace

Status register_rule_routes(gateway::Router& router, DetectService& service,
                            auth::AuditLog& audit) {
  SENTINEL_TRY(router.add({"GET", "/api/v1/rules", "rules:read",
                           "Loaded detection rules, and every rule file with its problems (file, "
                           "line, column, reason)",
                           [&service](gateway::Request&) -> Result<gateway::Response> {
                             return gateway::Response::json(status_json(service.status()));
                           }}));
  return router.add(
      {"POST", "/api/v1/rules/reload", "rules:write",
       "Re-read every rule file now; answers like GET /api/v1/rules",
       [&service, &audit](gateway::Request& request) { return reload(service, audit, request); }});
}

}  // namespace sentinel::detect
