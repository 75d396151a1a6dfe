#include "feed_json.h"

#include <boost/json/array.hpp>

#include "sentinel/common/time_format.h"
#include "sentinel/firewall/feed_fetcher.h"

namespace sentinel::firewall {
namespace {

boost::json::value optional_time(const std::optional<std::int64_t>& time_ms) {
  return time_ms ? boost::json::value(iso8601_utc(*time_ms)) : boost::json::value(nullptr);
}

boost::json::array problems_json(const std::vector<FeedProblem>& problems) {
  boost::json::array out;
  for (const FeedProblem& problem : problems) {
    boost::json::object item{{"message", problem.message}};
    if (problem.line > 0) item["line"] = static_cast<std::int64_t>(problem.line);
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace

boost::json::object feed_json(const Feed& feed, SourceView view) {
  const FeedDefinition& definition = feed.definition;
  return {{"name", definition.name},
          {"source",
           view == SourceView::kWhole ? definition.source : shown_feed_source(definition.source)},
          {"format", to_string(definition.format)},
          {"column", definition.column},
          {"refresh_s", definition.refresh_s},
          {"enabled", definition.enabled},
          {"description", definition.description},
          {"created_at", iso8601_utc(feed.created_ms)},
          {"created_by", feed.created_by},
          {"updated_at", iso8601_utc(feed.updated_ms)},
          {"updated_by", feed.updated_by},
          {"next_fetch_at", definition.enabled ? boost::json::value(iso8601_utc(feed.next_fetch_ms))
                                               : boost::json::value(nullptr)},
          {"last_fetch_at", optional_time(feed.last_fetch_ms)},
          {"last_success_at", optional_time(feed.last_success_ms)},
          {"entries", feed.entries},
          {"bad_lines", feed.bad_lines},
          {"problems", problems_json(feed.problems)},
          {"last_error", feed.last_error.empty() ? boost::json::value(nullptr)
                                                 : boost::json::value(feed.last_error)}};
}

boost::json::object feed_json(const Feed& feed, const std::vector<FeedUser>& users,
                              SourceView view) {
  boost::json::object out = feed_json(feed, view);
  boost::json::array used_by;
  for (const FeedUser& user : users) {
    used_by.push_back(boost::json::object{{"id", user.policy_id}, {"name", user.policy_name}});
  }
  out["used_by"] = std::move(used_by);
  return out;
}

boost::json::object refresh_json(const FeedRefresh& refresh) {
  boost::json::array agents;
  for (const std::string& agent : refresh.repush) agents.emplace_back(agent);
  boost::json::object out{{"ok", refresh.ok},
                          {"entries", refresh.entries},
                          {"bad_lines", refresh.bad_lines},
                          {"problems", problems_json(refresh.problems)},
                          {"changed", refresh.changed},
                          {"agents", std::move(agents)},
                          {"feed", feed_json(refresh.feed, SourceView::kWhole)}};
  if (!refresh.ok) out["error"] = refresh.error;
  return out;
}

}  // namespace sentinel::firewall
