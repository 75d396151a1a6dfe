#include "sentinel/auth/audit_routes.h"

#include <fmt/format.h>

#include <charconv>

#include "audit_chain.h"

namespace sentinel::auth {
namespace {

constexpr std::string_view kPermission = "audit:read";

// An integer query parameter, nullopt when absent. AuditLog::list checks the ranges.
Result<std::optional<std::int64_t>> integer_param(const gateway::Request& request,
                                                  std::string_view name) {
  const auto text = request.query_param(name);
  if (!text) return std::optional<std::int64_t>{};
  std::int64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (text->empty() || ec != std::errc() || ptr != end) {
    return invalid_argument(fmt::format("query parameter '{}' must be an integer", name),
                            std::string(name));
  }
  return std::optional<std::int64_t>(value);
}

Result<gateway::Response> list_audit(gateway::Request& request, AuditLog& log) {
  AuditQuery query;
  SENTINEL_ASSIGN(limit, integer_param(request, "limit"));
  SENTINEL_ASSIGN(before, integer_param(request, "before"));
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
  SENTINEL_TRY(router.add({"GET", "/api/v1/audit/verify", std::string(kPermission),
                           "Verify the audit hash chain and name the first broken entry",
                           [&log](gateway::Request&) { return verify_audit(log); }}));
  return ok();
}

}  // namespace sentinel::auth
