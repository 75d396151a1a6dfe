// /api/v1/scan-scopes: list, add, remove, and check targets against the scopes.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <charconv>

#include "scope_body.h"
#include "sentinel/common/time_format.h"
#include "sentinel/gateway/request_params.h"
#include "sentinel/scanner/routes.h"

namespace sentinel::scanner {
namespace {

using gateway::client_of;
using gateway::Request;
using gateway::Response;

// Only admins widen what may be scanned; reading and checking is for whoever reads scans.
constexpr std::string_view kRead = "scans:read";
constexpr std::string_view kAdmin = "scans:admin";

// Ids are integers other than 0 (the configuration's scopes are negative); anything else names
// no scope and is answered without the database.
Result<std::int64_t> scope_id(const Request& request) {
  const std::string_view text = request.path_param("id");
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || id == 0) {
    return not_found("No such scan scope.");
  }
  return id;
}

boost::json::array strings(const std::vector<std::string>& items) {
  boost::json::array out;
  for (const std::string& item : items) out.emplace_back(item);
  return out;
}

boost::json::object scope_json(const ScopeEntry& scope) {
  const bool stored = scope.source == kScopeSourceApi;
  return {{"id", scope.id},
          {"cidr", scope.cidr},
          {"comment", scope.comment},
          {"source", scope.source},
          {"deletable", stored},
          {"created_by", stored ? boost::json::value(scope.created_by) : nullptr},
          {"created_at", stored ? boost::json::value(iso8601_utc(scope.created_ms)) : nullptr}};
}

Result<Response> list(ScopeRegistry& scopes) {
  SENTINEL_ASSIGN(entries, scopes.list());
  boost::json::array items;
  for (const ScopeEntry& entry : entries) items.emplace_back(scope_json(entry));
  return Response::json(boost::json::object{{"items", std::move(items)}});
}

Result<Response> add(ScopeRegistry& scopes, Request& request) {
  SENTINEL_ASSIGN(scope, parse_scope_request(request.body));
  SENTINEL_ASSIGN(entry, scopes.add(request.caller(), scope, client_of(request)));
  return Response::json(scope_json(entry), 201);
}

Result<Response> remove(ScopeRegistry& scopes, Request& request) {
  SENTINEL_ASSIGN(id, scope_id(request));
  SENTINEL_TRY(scopes.remove(request.caller(), id, client_of(request)));
  return Response::no_content();
}

Result<Response> check(ScopeRegistry& scopes, Request& request) {
  SENTINEL_ASSIGN(targets, parse_scope_check_request(request.body));
  SENTINEL_ASSIGN(checked, scopes.check(targets));
  boost::json::array items;
  bool all_in_scope = true;
  for (const TargetCheck& target : checked) {
    const bool parses = target.error.empty();
    all_in_scope = all_in_scope && parses && target.in_scope;
    items.push_back(boost::json::object{
        {"target", target.target},
        {"parses", parses},
        {"error", parses ? boost::json::value(nullptr) : boost::json::value(target.error)},
        {"addresses", target.addresses},
        {"in_scope", parses && target.in_scope},
        {"scopes", strings(target.scopes)},
        {"outside", strings(target.outside)}});
  }
  return Response::json(
      boost::json::object{{"items", std::move(items)}, {"all_in_scope", all_in_scope}});
}

}  // namespace

Status register_scope_routes(gateway::Router& router, ScopeRegistry& scopes) {
  SENTINEL_TRY(router.add({"GET", "/api/v1/scan-scopes", std::string(kRead),
                           "The networks scans may target: the configuration's (scanner.scopes, "
                           "--scan-scope; source config, negative ids) and those added through "
                           "the API (source api)",
                           [&scopes](Request&) { return list(scopes); }}));
  SENTINEL_TRY(router.add({"POST",
                           "/api/v1/scan-scopes",
                           std::string(kAdmin),
                           "Allow scans of one more network (cidr: one address or block; "
                           "confirm_broad for more than a /8 or an IPv6 /32); 201 with it",
                           [&scopes](Request& r) { return add(scopes, r); },
                           {"cidr", "comment", "confirm_broad"}}));
  SENTINEL_TRY(router.add({"DELETE", "/api/v1/scan-scopes/{id}", std::string(kAdmin),
                           "Remove a scope added through the API (the configuration's cannot "
                           "be removed here: 409); new and waiting scans are checked without it",
                           [&scopes](Request& r) { return remove(scopes, r); }}));
  // Host names among the targets are looked up in DNS, which may take seconds each.
  return router.add(gateway::long_running_route(
      {"POST",
       "/api/v1/scan-scopes/check",
       std::string(kRead),
       "Whether target entries parse (the scan targets' grammar; an entry may "
       "itself be a list separated by commas or whitespace, with !TARGET "
       "exclusions, answered as a whole), how many addresses each covers and "
       "which scopes hold them",
       [&scopes](Request& r) { return check(scopes, r); },
       {"targets"}}));
}

}  // namespace sentinel::scanner
