// /api/v1/alerts: list, show (with evidence and comments), change status and assignee, comment.

#include <fmt/format.h>

#include <boost/json/array.hpp>
#include <cstdint>

#include "alert_body.h"
#include "alert_json.h"
#include "sentinel/alerts/routes.h"
#include "sentinel/events/event_routes.h"
#include "sentinel/gateway/request_params.h"

namespace sentinel::alerts {
namespace {

using gateway::client_of;
using gateway::Request;
using gateway::Response;

constexpr std::string_view kRead = "alerts:read";
constexpr std::string_view kWrite = "alerts:write";
constexpr std::int64_t kMaxLimit = 1000;
constexpr std::size_t kMaxTextLength = 256;

// Ids are positive integers; anything else names no alert and is answered without the database.
Result<std::int64_t> alert_id(const Request& request) {
  return gateway::positive_path_id(request, "alert");
}

// "new,acknowledged" -> both; an unknown name is an error naming the parameter.
Result<std::vector<AlertStatus>> statuses_of(std::string_view text) {
  std::vector<AlertStatus> statuses;
  while (true) {
    const std::size_t comma = text.find(',');
    const std::string_view name = text.substr(0, comma);
    const auto status = parse_alert_status(name);
    if (!status) {
      return invalid_argument(
          fmt::format("status '{}' is not one of new, acknowledged, resolved, false_positive",
                      name.substr(0, 32)),
          "status");
    }
    statuses.push_back(*status);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return statuses;
}

Result<AlertFilter> filter_of(const Request& request) {
  AlertFilter filter;
  for (const std::string_view name : {"status", "severity", "rule", "agent", "q"}) {
    if (request.query_param(name).value_or("").size() > kMaxTextLength) {
      return invalid_argument(fmt::format("{} is limited to {} characters", name, kMaxTextLength),
                              std::string(name));
    }
  }
  if (const auto status = request.query_param("status")) {
    SENTINEL_ASSIGN(statuses, statuses_of(*status));
    filter.statuses = std::move(statuses);
  }
  if (const auto severity = request.query_param("severity")) {
    filter.min_severity = detection::parse_severity(*severity);
    if (!filter.min_severity) {
      return invalid_argument(
          "severity must be informational, low, medium, high or critical (the minimum shown)",
          "severity");
    }
  }
  filter.rule_id = std::string(request.query_param("rule").value_or(""));
  filter.agent_id = std::string(request.query_param("agent").value_or(""));
  filter.text = std::string(request.query_param("q").value_or(""));
  SENTINEL_ASSIGN(since, gateway::integer_query(request, "since", 0, INT64_MAX));
  SENTINEL_ASSIGN(limit, gateway::integer_query(request, "limit", 1, kMaxLimit));
  SENTINEL_ASSIGN(offset, gateway::integer_query(request, "offset", 0, INT64_MAX));
  filter.since_ms = since;
  filter.limit = limit.value_or(filter.limit);
  filter.offset = offset.value_or(filter.offset);
  return filter;
}

Result<Response> list(AlertService& service, Request& request) {
  SENTINEL_ASSIGN(filter, filter_of(request));
  SENTINEL_ASSIGN(page, service.list(filter));
  boost::json::array items;
  for (const Alert& alert : page.items) items.emplace_back(alert_json(alert));
  return Response::json(boost::json::object{{"items", std::move(items)}, {"total", page.total}});
}

Result<Response> show(AlertService& service, Request& request) {
  SENTINEL_ASSIGN(id, alert_id(request));
  SENTINEL_ASSIGN(detail, service.get(id));
  boost::json::object body = alert_json(detail.alert);
  boost::json::array evidence;
  for (const events::StoredEvent& event : detail.evidence) {
    evidence.emplace_back(events::event_json(event));
  }
  boost::json::array comments;
  for (const AlertComment& comment : detail.comments) comments.emplace_back(comment_json(comment));
  body["evidence"] = std::move(evidence);
  body["comments"] = std::move(comments);
  return Response::json(body);
}

Result<Response> update(AlertService& service, Request& request) {
  SENTINEL_ASSIGN(id, alert_id(request));
  SENTINEL_ASSIGN(change, parse_alert_update(request.body));
  SENTINEL_ASSIGN(alert, service.update(request.caller(), id, change, client_of(request)));
  return Response::json(alert_json(alert));
}

Result<Response> comment(AlertService& service, Request& request) {
  SENTINEL_ASSIGN(id, alert_id(request));
  SENTINEL_ASSIGN(text, parse_alert_comment(request.body));
  SENTINEL_ASSIGN(added, service.comment(request.caller(), id, text, client_of(request)));
  return Response::json(comment_json(added), 201);
}

}  // namespace

Status register_alert_routes(gateway::Router& router, AlertService& service) {
  SENTINEL_TRY(router.add(
      {"GET", "/api/v1/alerts", std::string(kRead),
       "List alerts, newest last_seen first (status = comma list, severity = minimum, rule, "
       "agent, since in Unix ms, q = text in title, summary or entity, limit, offset); total "
       "counts every match",
       [&service](Request& r) { return list(service, r); }}));
  SENTINEL_TRY(router.add({"GET", "/api/v1/alerts/{id}", std::string(kRead),
                           "Show one alert with its evidence events and comments",
                           [&service](Request& r) { return show(service, r); }}));
  SENTINEL_TRY(router.add({"PATCH",
                           "/api/v1/alerts/{id}",
                           std::string(kWrite),
                           "Change an alert's status (new, acknowledged, resolved, "
                           "false_positive) and assignee (a username, or null)",
                           [&service](Request& r) { return update(service, r); },
                           {"status", "assignee"}}));
  return router.add({"POST",
                     "/api/v1/alerts/{id}/comments",
                     std::string(kWrite),
                     "Comment on an alert (text: 1-4000 characters)",
                     [&service](Request& r) { return comment(service, r); },
                     {"text"}});
}

}  // namespace sentinel::alerts
