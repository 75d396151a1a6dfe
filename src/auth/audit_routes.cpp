#include "sentinel/auth/audit_routes.h"

#include <fmt/format.h>

#include <cstdint>

#include "audit_chain.h"

namespace sentinel::auth {
namespace {

constexpr std::string_view kPermission = "audit:read";

Result<gateway::Response> list_audit(gateway::Request& request, AuditLog& log) {
  AuditQuery query;
  SENTINEL_ASSIGN(limit, gateway::integer_query(request, "limit", INT64_MIN, INT64_MAX));
  SENTINEL_ASSIGN(before, gateway::integer_query(request, "before", INT64_MIN, INT64_MAX));
  query.limit = limit.value_or(query.limit);
  query.before_seq = before;
  query.action_prefix = std::string(request.query_param("action").value_or(""));
  query.actor = std::string(request.query_param("actor").value_or(""));
  SENTINEL_ASSIGN(entries, log.list(query));

  boost::json::array items;
  for (const AuditEntry& entry : entries) items.push_back(audit::to_json(entry));
  // A full page may have older entries behind it; seq 1 has none.
  boost::json::value next_before = nullptr;
  if (static_cast<std::int64_t>(entries.size()) == query.limit && entries.back().seq > 1) {
    next_before = entries.back().seq;
  }
  return gateway::Response::json(
      boost::json::object{{"items", std::move(items)}, {"next_before", std::move(next_before)}});
}

Result<gateway::Response> verify_audit(AuditLog& log) {
  SENTINEL_ASSIGN(verification, log.verify());
  boost::json::value first_broken = nullptr;
  if (verification.first_broken_seq) first_broken = *verification.first_broken_seq;
  return gateway::Response::json(boost::json::object{{"intact", verification.intact},
                                                     {"checked", verification.checked},
                                                     {"first_broken_seq", std::move(first_broken)},
                                                     {"problem", verification.problem}});
}

}  // namespace

Status register_audit_routes(gateway::Router& router, AuditLog& log) {
  SENTINEL_TRY(
      router.add({"GET", "/api/v1/audit", std::string(kPermission),
                  "List audit entries, newest first (limit, before, action, actor)",
                  [&log](gateway::Request& request) { return list_audit(request, log); }}));
  // Reads and hashes the whole log: seconds once it is long.
  SENTINEL_TRY(router.add(
      gateway::long_running_route({"GET", "/api/v1/audit/verify", std::string(kPermission),
                                   "Verify the audit hash chain and name the first broken entry",
                                   [&log](gateway::Request&) { return verify_audit(log); }})));
  return ok();
}

}  // namespace sentinel::auth
