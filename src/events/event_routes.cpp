#include "sentinel/events/event_routes.h"

#include <fmt/format.h>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include "sentinel/common/time_format.h"

namespace sentinel::events {
namespace {

constexpr std::int64_t kMaxLimit = 1000;
constexpr std::size_t kMaxTextLength = 256;
constexpr std::size_t kMaxFieldFilters = 8;
// field.source.ip=203.0.113.9: the event's data field "source.ip" equals the value.
constexpr std::string_view kFieldPrefix = "field.";

Result<gateway::Response> search(EventStore& store, gateway::Request& request) {
  EventQuery query;
  query.agent_id = std::string(request.query_param("agent").value_or(""));
  query.type = std::string(request.query_param("type").value_or(""));
  query.text = std::string(request.query_param("q").value_or(""));
  if (query.text.size() > kMaxTextLength || query.type.size() > kMaxTextLength ||
      query.agent_id.size() > kMaxTextLength) {
    return invalid_argument("query parameters agent, type and q are limited to 256 characters");
  }
  for (const auto& [key, value] : request.query) {
    if (!key.starts_with(kFieldPrefix)) continue;
    if (query.fields.size() == kMaxFieldFilters) {
      return invalid_argument(fmt::format("at most {} field filters", kMaxFieldFilters), "field");
    }
    if (value.size() > kMaxTextLength) {
      return invalid_argument(fmt::format("{}: limited to 256 characters", key), "field");
    }
    query.fields.push_back({key.substr(kFieldPrefix.size()), value});
  }
  SENTINEL_ASSIGN(limit, gateway::integer_query(request, "limit", 1, kMaxLimit));
  SENTINEL_ASSIGN(offset, gateway::integer_query(request, "offset", 0, INT64_MAX));
  SENTINEL_ASSIGN(since, gateway::integer_query(request, "since", 0, INT64_MAX));
  SENTINEL_ASSIGN(until, gateway::integer_query(request, "until", 0, INT64_MAX));
  query.limit = limit.value_or(100);
  query.offset = offset.value_or(0);
  query.since_ms = since;
  query.until_ms = until;
  SENTINEL_ASSIGN(page, store.search(query));
  boost::json::array items;
  for (const StoredEvent& event : page.items) items.push_back(event_json(event));
  return gateway::Response::json(
      boost::json::object{{"items", std::move(items)}, {"total", page.total}});
}

boost::json::array counts_json(const std::vector<EventCount>& counts, std::string_view key_name) {
  boost::json::array out;
  for (const EventCount& count : counts) {
    out.push_back(boost::json::object{{key_name, count.key}, {"count", count.count}});
  }
  return out;
}

Result<gateway::Response> summary(const EventStore& store, const Clock& clock,
                                  gateway::Request& request) {
  SENTINEL_ASSIGN(hours, gateway::integer_query(request, "hours", 1, kMaxSummaryHours));
  SENTINEL_ASSIGN(counted, store.summary(hours.value_or(24), clock.now_ms()));
  boost::json::array buckets;
  for (std::size_t i = 0; i < counted.buckets.size(); ++i) {
    const std::int64_t start_ms =
        counted.since_ms + static_cast<std::int64_t>(i) * kSummaryBucketMs;
    buckets.push_back(
        boost::json::object{{"start", iso8601_utc(start_ms)}, {"count", counted.buckets[i]}});
  }
  return gateway::Response::json(
      boost::json::object{{"since", iso8601_utc(counted.since_ms)},
                          {"bucket_s", kSummaryBucketMs / 1000},
                          {"buckets", std::move(buckets)},
                          {"by_type", counts_json(counted.by_type, "type")},
                          {"top_agents", counts_json(counted.top_agents, "agent_id")}});
}

}  // namespace

boost::json::object event_json(const StoredEvent& event) {
  boost::system::error_code ec;
  boost::json::value data = boost::json::parse(event.data_json, ec);
  if (ec) data = boost::json::object{};
  return boost::json::object{{"id", event.id},
                             {"agent_id", event.agent_id},
                             {"seq", event.seq ? boost::json::value(*event.seq) : nullptr},
                             {"time", iso8601_utc(event.time_ms)},
                             {"received", iso8601_utc(event.received_ms)},
                             {"type", event.type},
                             {"data", std::move(data)}};
}

Status register_event_routes(gateway::Router& router, EventStore& store, const Clock& clock) {
  SENTINEL_TRY(
      router.add({"GET", "/api/v1/events", "events:read",
                  "Search events (agent, type or type prefix ending in '.', q = free text, "
                  "field.NAME=VALUE for a data field (up to 8), since and until in Unix ms, "
                  "limit, offset); total counts every match",
                  [&store](gateway::Request& request) { return search(store, request); }}));
  return router.add(
      {"GET", "/api/v1/events/summary", "events:read",
       "Events of the last `hours` (1-168, default 24): per UTC hour (oldest first, zeros "
       "included), the 10 most frequent types and the 10 agents with the most events",
       [&store, &clock](gateway::Request& request) { return summary(store, clock, request); }});
}

}  // namespace sentinel::events
