// /api/v1/firewall/feeds (ADR 0006 "Feeds").

#include "sentinel/firewall/feed_routes.h"

#include <boost/json/array.hpp>

#include "feed_body.h"
#include "feed_json.h"
#include "firewall_json.h"
#include "policy/policy_syntax.h"
#include "sentinel/gateway/request_params.h"

namespace sentinel::firewall {
namespace {

using gateway::client_of;
using gateway::Request;
using gateway::Response;

constexpr std::string_view kRead = "firewall:read";
constexpr std::string_view kWrite = "firewall:write";

// A name that cannot be a feed's names nothing: answered without the database.
Result<std::string> feed_name(const Request& request) {
  const std::string_view name = request.path_param("name");
  if (!detail::is_object_name(name)) return not_found("No such firewall feed.");
  return std::string(name);
}

// Readers see a source's query values hidden; writers set the source and see it whole.
SourceView source_view(const Request& request) {
  return request.caller().has(kWrite) ? SourceView::kWhole : SourceView::kShown;
}

Result<Response> list(FeedService& service, Request& request) {
  SENTINEL_ASSIGN(feeds, service.list());
  boost::json::array items;
  for (const Feed& feed : feeds) items.emplace_back(feed_json(feed, source_view(request)));
  return Response::json(boost::json::object{{"items", std::move(items)}});
}

Result<Response> show(FeedService& service, Request& request) {
  SENTINEL_ASSIGN(name, feed_name(request));
  SENTINEL_ASSIGN(feed, service.get(name));
  SENTINEL_ASSIGN(users, service.users(name));
  return Response::json(feed_json(feed, users, source_view(request)));
}

// A refused definition lists every problem, as a refused policy does.
Result<Response> written(FeedWrite write, int status) {
  if (write.feed) return Response::json(feed_json(*write.feed, SourceView::kWhole), status);
  if (write.problems.empty()) return std::move(write.feed).error();
  return refusal_with_problems(write.feed.error(), write.problems);
}

Result<Response> create(FeedService& service, Request& request) {
  SENTINEL_ASSIGN(definition, parse_feed_definition(request.body));
  return written(service.create_feed(request.caller(), definition, client_of(request)), 201);
}

Result<Response> update(FeedService& service, Request& request) {
  SENTINEL_ASSIGN(name, feed_name(request));
  SENTINEL_ASSIGN(change, parse_feed_change(request.body));
  return written(service.update(request.caller(), name, change, client_of(request)), 200);
}

Result<Response> remove(FeedService& service, Request& request) {
  SENTINEL_ASSIGN(name, feed_name(request));
  SENTINEL_TRY(service.remove(request.caller(), name, client_of(request)));
  return Response::no_content();
}

Result<Response> refresh(FeedService& service, Request& request) {
  SENTINEL_ASSIGN(name, feed_name(request));
  SENTINEL_ASSIGN(outcome, service.refresh(request.caller(), name, client_of(request)));
  return Response::json(refresh_json(outcome));
}

}  // namespace

Status register_feed_routes(gateway::Router& router, FeedService& service) {
  SENTINEL_TRY(router.add({"GET", "/api/v1/firewall/feeds", std::string(kRead),
                           "List threat-intel feeds with how their last fetch went",
                           [&service](Request& r) { return list(service, r); }}));
  SENTINEL_TRY(
      router.add({"POST",
                  "/api/v1/firewall/feeds",
                  std::string(kWrite),
                  "Add a feed (an http(s) URL or a file in the feed directory, plain "
                  "or csv); it is fetched at once, then every refresh_s",
                  [&service](Request& r) { return create(service, r); },
                  {"name", "source", "format", "column", "refresh_s", "enabled", "description"}}));
  SENTINEL_TRY(router.add({"GET", "/api/v1/firewall/feeds/{name}", std::string(kRead),
                           "Show a feed and the policies that use it",
                           [&service](Request& r) { return show(service, r); }}));
  SENTINEL_TRY(router.add({"PUT",
                           "/api/v1/firewall/feeds/{name}",
                           std::string(kWrite),
                           "Change a feed's source, format, column, schedule or description, "
                           "or enable or disable it (never its name)",
                           [&service](Request& r) { return update(service, r); },
                           {"source", "format", "column", "refresh_s", "enabled", "description"}}));
  SENTINEL_TRY(router.add({"DELETE", "/api/v1/firewall/feeds/{name}", std::string(kWrite),
                           "Delete a feed no policy uses (409 names the policies that do)",
                           [&service](Request& r) { return remove(service, r); }}));
  // A fetch may take its whole deadline against a slow feed server.
  return router.add(gateway::long_running_route(
      {"POST", "/api/v1/firewall/feeds/{name}/refresh", std::string(kWrite),
       "Fetch a feed now: the entries, the skipped lines and their first "
       "messages, or the error (the previous contents stay)",
       [&service](Request& r) { return refresh(service, r); }}));
}

}  // namespace sentinel::firewall
