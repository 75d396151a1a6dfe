// /api/v1/firewall: policies, versions, diff, rollback, validate, preview, assignments, status,
// effective policy and apply (ADR 0006 "Routes (permission)").

#include <fmt/format.h>

#include <boost/json/array.hpp>

#include "firewall_json.h"
#include "policy_body.h"
#include "sentinel/firewall/policy_parser.h"
#include "sentinel/firewall/policy_validator.h"
#include "sentinel/firewall/routes.h"
#include "sentinel/gateway/request_params.h"

namespace sentinel::firewall {
namespace {

using gateway::client_of;
using gateway::Request;
using gateway::Response;

constexpr std::string_view kRead = "firewall:read";
constexpr std::string_view kWrite = "firewall:write";
constexpr std::int64_t kMaxLimit = 1000;

// Ids and version numbers are positive integers; anything else names nothing.
Result<std::int64_t> policy_id(const Request& request) {
  return gateway::positive_path_id(request, "firewall policy");
}

// The version as an entity tag, so that a client can send it back in If-Match.
Response with_etag(Response response, std::int64_t version) {
  response.headers.emplace_back("ETag", fmt::format("\"{}\"", version));
  return response;
}

// A refused document: the error document plus every problem, so that an editor can show each
// next to its rule.
Result<Response> saved_or_problems(Result<SavedPolicy> saved, std::string_view document_json,
                                   int status) {
  if (saved) return with_etag(Response::json(saved_json(*saved), status), saved->version.version);
  const Error& error = saved.error();
  if (error.reason != "invalid_policy") return saved.error();
  return refusal_with_problems(error, check_policy(document_json, {}));
}

Result<Response> list(PolicyService& service, Request& request) {
  SENTINEL_ASSIGN(limit, gateway::integer_query(request, "limit", 1, kMaxLimit));
  SENTINEL_ASSIGN(offset, gateway::integer_query(request, "offset", 0, INT64_MAX));
  SENTINEL_ASSIGN(page, service.list(limit.value_or(100), offset.value_or(0)));
  boost::json::array items;
  for (const PolicySummary& policy : page.items) items.emplace_back(summary_json(policy));
  return Response::json(boost::json::object{{"items", std::move(items)}, {"total", page.total}});
}

Result<Response> create(PolicyService& service, Request& request) {
  SENTINEL_ASSIGN(policy, parse_new_policy(request.body));
  return saved_or_problems(service.create_policy(request.caller(), policy, client_of(request)),
                           policy.document_json, 201);
}

Result<Response> show(PolicyService& service, Request& request) {
  SENTINEL_ASSIGN(id, policy_id(request));
  SENTINEL_ASSIGN(detail, service.get(id));
  return with_etag(Response::json(detail_json(detail)), detail.policy.version);
}

Result<Response> update(PolicyService& service, Request& request) {
  SENTINEL_ASSIGN(id, policy_id(request));
  SENTINEL_ASSIGN(edit, parse_policy_edit(request.body, request.header("if-match")));
  return saved_or_problems(service.update(request.caller(), id, edit, client_of(request)),
                           edit.document_json, 200);
}

Result<Response> remove(PolicyService& service, Request& request) {
  SENTINEL_ASSIGN(id, policy_id(request));
  SENTINEL_TRY(service.remove(request.caller(), id, client_of(request)));
  return Response::no_content();
}

Result<Response> versions(PolicyService& service, Request& request) {
  SENTINEL_ASSIGN(id, policy_id(request));
  SENTINEL_ASSIGN(found, service.versions(id));
  boost::json::array items;
  for (const PolicyVersion& version : found) items.emplace_back(version_json(version));
  return Response::json(boost::json::object{{"items", std::move(items)}});
}

Result<Response> version(PolicyService& service, Request& request) {
  SENTINEL_ASSIGN(id, policy_id(request));
  SENTINEL_ASSIGN(number, gateway::positive_path_id(request, "policy version", "n"));
  SENTINEL_ASSIGN(found, service.version(id, number));
  return Response::json(version_json(found));
}

Result<Response> diff(PolicyService& service, Request& request) {
  SENTINEL_ASSIGN(id, policy_id(request));
  SENTINEL_ASSIGN(to, gateway::integer_query(request, "to", 1, INT64_MAX));
  SENTINEL_ASSIGN(from, gateway::integer_query(request, "from", 1, INT64_MAX));
  std::int64_t newest = 0;
  if (!to || !from) {
    SENTINEL_ASSIGN(detail, service.get(id));
    newest = detail.policy.version;
  }
  const std::int64_t after = to.value_or(newest);
  const std::int64_t before = from.value_or(after - 1);
  if (before < 1) {
    return invalid_argument(
        fmt::format("version {} has no earlier version; give 'from' to compare", after), "from");
  }
  SENTINEL_ASSIGN(changes, service.diff(id, before, after));
  return Response::json(boost::json::object{
      {"policy_id", id}, {"from", before}, {"to", after}, {"diff", to_json(changes)}});
}

Result<Response> rollback(PolicyService& service, Request& request) {
  SENTINEL_ASSIGN(id, policy_id(request));
  SENTINEL_ASSIGN(wanted, parse_policy_rollback(request.body, request.header("if-match")));
  SENTINEL_ASSIGN(saved, service.rollback(request.caller(), id, wanted, client_of(request)));
  return with_etag(Response::json(saved_json(saved), 201), saved.version.version);
}

Result<Response> validate(PolicyService& service, Request& request) {
  SENTINEL_ASSIGN(wanted, parse_validation_request(request.body));
  SENTINEL_ASSIGN(problems, service.validate(wanted));
  std::int64_t errors = 0;
  for (const Problem& problem : problems) errors += problem.severity == Severity::kError ? 1 : 0;
  return Response::json(
      boost::json::object{{"valid", errors == 0},
                          {"errors", errors},
                          {"warnings", static_cast<std::int64_t>(problems.size()) - errors},
                          {"problems", to_json(problems)}});
}

Result<Response> preview(PolicyService& service, Request& request) {
  SENTINEL_ASSIGN(id, policy_id(request));
  SENTINEL_ASSIGN(number, gateway::integer_query(request, "version", 1, INT64_MAX));
  const std::string agent(request.query_param("agent").value_or(""));
  SENTINEL_ASSIGN(shown, service.preview(id, number, agent));
  return Response::json(boost::json::object{
      {"policy_id", shown.policy_id},
      {"version", shown.version},
      {"agent_id",
       shown.agent_id.empty() ? boost::json::value(nullptr) : boost::json::value(shown.agent_id)},
      {"nft", shown.nft.empty() ? boost::json::value(nullptr) : boost::json::value(shown.nft)},
      {"problems", to_json(shown.problems)}});
}

Response assignments_response(const std::vector<Assignment>& assignments) {
  boost::json::array items;
  for (const Assignment& assignment : assignments) items.emplace_back(assignment_json(assignment));
  return Response::json(boost::json::object{{"items", std::move(items)}});
}

Result<Response> get_assignments(PolicyService& service, Request& request) {
  SENTINEL_ASSIGN(id, policy_id(request));
  SENTINEL_ASSIGN(found, service.assignments(id));
  return assignments_response(found);
}

Result<Response> put_assignments(PolicyService& service, Request& request) {
  SENTINEL_ASSIGN(id, policy_id(request));
  SENTINEL_ASSIGN(wanted, parse_assignments(request.body));
  SENTINEL_ASSIGN(stored,
                  service.set_assignments(request.caller(), id, wanted, client_of(request)));
  return assignments_response(stored);
}

Result<Response> effective(PolicyService& service, Request& request) {
  const std::string agent_id(request.path_param("id"));
  SENTINEL_ASSIGN(found, service.effective(agent_id));
  return Response::json(effective_json(agent_id, found));
}

Result<Response> status(PolicyService& service, Request& request) {
  std::optional<std::string> agent;
  if (const auto value = request.query_param("agent")) agent = std::string(*value);
  SENTINEL_ASSIGN(rows, service.status(agent));
  boost::json::array items;
  for (const AgentFirewallStatus& row : rows) items.emplace_back(status_json(row));
  return Response::json(boost::json::object{{"items", std::move(items)}});
}

Result<Response> apply(PolicyService& service, Request& request) {
  SENTINEL_ASSIGN(wanted, parse_apply_request(request.body));
  SENTINEL_ASSIGN(results, service.apply(request.caller(), wanted, client_of(request)));
  boost::json::array items;
  for (const AgentApplyResult& result : results) items.emplace_back(apply_result_json(result));
  return Response::json(boost::json::object{{"results", std::move(items)}});
}

}  // namespace

Status register_policy_routes(gateway::Router& router, PolicyService& service) {
  const auto route = [&service](std::string method, std::string pattern,
                                std::string_view permission, std::string summary,
                                Result<Response> (*handler)(PolicyService&, Request&),
                                std::vector<std::string> body_fields = {}) {
    return gateway::Route{std::move(method),
                          std::move(pattern),
                          std::string(permission),
                          std::move(summary),
                          [&service, handler](Request& r) { return handler(service, r); },
                          std::move(body_fields)};
  };
  const std::string base = "/api/v1/firewall";
  const std::string policy = base + "/policies/{id}";
  SENTINEL_TRY(router.add(route("GET", base + "/policies", kRead,
                                "List firewall policies by name (limit, offset)", list)));
  SENTINEL_TRY(router.add(route("POST", base + "/policies", kWrite,
                                "Create a firewall policy (version 1); 400 with every problem "
                                "when the document is refused",
                                create, {"name", "description", "document", "comment"})));
  SENTINEL_TRY(router.add(route("GET", policy, kRead,
                                "A firewall policy with its newest version's document (ETag: "
                                "the version)",
                                show)));
  SENTINEL_TRY(
      router.add(route("PUT", policy, kWrite,
                       "Save a new version of a firewall policy; If-Match or "
                       "base_version not the newest version: 409",
                       update, {"document", "comment", "name", "description", "base_version"})));
  SENTINEL_TRY(
      router.add(route("DELETE", policy, kWrite,
                       "Delete a firewall policy with its versions and assignments", remove)));
  SENTINEL_TRY(router.add(route("GET", policy + "/versions", kRead,
                                "The versions of a firewall policy, newest first", versions)));
  SENTINEL_TRY(router.add(route("GET", policy + "/versions/{n}", kRead,
                                "One version of a firewall policy with its document", version)));
  SENTINEL_TRY(router.add(route("GET", policy + "/diff", kRead,
                                "Changes between two versions (from, to; default: the newest "
                                "against the one before)",
                                diff)));
  SENTINEL_TRY(router.add(route("POST", policy + "/rollback", kWrite,
                                "Save an earlier version's document as the newest version",
                                rollback, {"version", "comment", "base_version"})));
  SENTINEL_TRY(router.add(route("GET", policy + "/preview", kRead,
                                "The nftables text an agent would get for a version (agent, "
                                "version), with the problems for that agent",
                                preview)));
  SENTINEL_TRY(
      router.add(route("GET", policy + "/assignments", kRead,
                       "The groups and agents a firewall policy is assigned to", get_assignments)));
  SENTINEL_TRY(router.add(route("PUT", policy + "/assignments", kWrite,
                                "Replace a policy's assignments ({group | agent_id, priority}); "
                                "an agent's own assignment wins over its group's, then the "
                                "highest priority",
                                put_assignments, {"assignments"})));
  SENTINEL_TRY(router.add(route("POST", base + "/validate", kWrite,
                                "Every problem of a policy document, each with its path and "
                                "rule; with agent_id the cut-off check for that agent",
                                validate, {"document", "agent_id", "force"})));
  // Waits for the agents' answers, up to 25 s.
  SENTINEL_TRY(router.add(gateway::long_running_route(
      route("POST", base + "/apply", kWrite,
            "Push each targeted agent's effective policy now (policy_id, "
            "agent_ids, force) and confirm it; per-agent outcomes",
            apply, {"policy_id", "agent_ids", "force"}))));
  SENTINEL_TRY(router.add(route("GET", base + "/status", kRead,
                                "Per agent: applied and confirmed version, hashes, drift, "
                                "rollbacks, last error, in sync or not (agent)",
                                status)));
  return router.add(route("GET", base + "/agents/{id}/effective", kRead,
                          "The policy an agent gets and the assignment that decides it",
                          effective));
}

}  // namespace sentinel::firewall
