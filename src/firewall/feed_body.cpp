#include "feed_body.h"

#include "policy_body.h"
#include "sentinel/gateway/http.h"

namespace sentinel::firewall {
namespace {

Result<std::optional<FeedFormat>> format_field(const boost::json::object& body) {
  SENTINEL_ASSIGN(text, gateway::optional_string(body, "format"));
  if (!text) return std::optional<FeedFormat>();
  const std::optional<FeedFormat> format = parse_feed_format(*text);
  if (!format) return invalid_argument("field 'format' must be \"plain\" or \"csv\"", "format");
  return format;
}

// The fields POST and PUT share, into `change`.
Status read_common(const boost::json::object& body, FeedChange& change) {
  SENTINEL_ASSIGN(source, gateway::optional_string(body, "source"));
  SENTINEL_ASSIGN(format, format_field(body));
  SENTINEL_ASSIGN(column, gateway::optional_string(body, "column"));
  SENTINEL_ASSIGN(refresh_s, gateway::optional_integer(body, "refresh_s"));
  SENTINEL_ASSIGN(enabled, gateway::optional_bool(body, "enabled"));
  SENTINEL_ASSIGN(description, gateway::optional_string(body, "description"));
  change = FeedChange{std::move(source), format,  std::move(column),
                      refresh_s,         enabled, std::move(description)};
  return ok();
}

}  // namespace

Result<FeedDefinition> parse_feed_definition(std::string_view body) {
  SENTINEL_ASSIGN(fields, read_body(body, {"name", "source", "format", "column", "refresh_s",
                                           "enabled", "description"}));
  SENTINEL_ASSIGN(name, gateway::required_string(fields, "name"));
  FeedChange change;
  SENTINEL_TRY(read_common(fields, change));
  if (!change.source) return invalid_argument("field 'source' is required", "source");
  FeedDefinition definition;
  definition.name = std::move(name);
  definition.source = std::move(*change.source);
  definition.format = change.format.value_or(FeedFormat::kPlain);
  definition.column = change.column.value_or("");
  definition.refresh_s = change.refresh_s.value_or(definition.refresh_s);
  definition.enabled = change.enabled.value_or(true);
  definition.description = change.description.value_or("");
  return definition;
}

Result<FeedChange> parse_feed_change(std::string_view body) {
  SENTINEL_ASSIGN(fields, read_body(body, {"name", "source", "format", "column", "refresh_s",
                                           "enabled", "description"}));
  if (fields.contains("name")) {
    return invalid_argument(
        "field 'name' cannot be changed: policies refer to the feed by it (create a new feed)",
        "name");
  }
  if (fields.empty()) {
    return invalid_argument(
        "the body changes nothing: give at least one of source, format, column, refresh_s, "
        "enabled, description");
  }
  FeedChange change;
  SENTINEL_TRY(read_common(fields, change));
  return change;
}

}  // namespace sentinel::firewall
