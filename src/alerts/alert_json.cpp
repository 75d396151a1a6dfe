#include "alert_json.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "sentinel/common/time_format.h"

namespace sentinel::alerts {
namespace {

boost::json::value optional_text(const std::optional<std::string>& text) {
  return text ? boost::json::value(*text) : boost::json::value(nullptr);
}

}  // namespace

boost::json::object alert_json(const Alert& alert) {
  boost::json::array tags;
  for (const std::string& tag : alert.tags) tags.emplace_back(tag);
  return {{"id", alert.id},
          {"rule_id", alert.rule_id},
          {"rule_title", alert.rule_title},
          {"severity", detection::to_string(alert.severity)},
          {"status", to_string(alert.status)},
          {"agent_id", alert.agent_id.empty() ? boost::json::value(nullptr)
                                              : boost::json::value(alert.agent_id)},
          {"hostname", optional_text(alert.hostname)},
          {"entity", alert.entity},
          {"summary", alert.summary},
          {"tags", std::move(tags)},
          {"count", alert.count},
          {"first_seen", iso8601_utc(alert.first_seen_ms)},
          {"last_seen", iso8601_utc(alert.last_seen_ms)},
          {"assignee", optional_text(alert.assignee)},
          {"comment_count", alert.comment_count}};
}

boost::json::object comment_json(const AlertComment& comment) {
  return {{"id", comment.id},
          {"author", comment.author},
          {"text", comment.text},
          {"created_at", iso8601_utc(comment.created_at_ms)}};
}

std::string alert_message(std::string_view action, const Alert& alert) {
  return boost::json::serialize(
      boost::json::object{{"type", "alert"}, {"action", action}, {"alert", alert_json(alert)}});
}

}  // namespace sentinel::alerts
