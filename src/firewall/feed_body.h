#pragma once
// Strict readers of the feed routes' JSON bodies: unknown or repeated keys, wrong types and
// missing fields are refused with a message naming the field. Values are checked by the
// service. Pure.

#include <string_view>

#include "sentinel/common/result.h"
#include "sentinel/firewall/feed_service.h"

namespace sentinel::firewall {

/// POST /api/v1/firewall/feeds: {"name", "source", "format"? ("plain", default, or "csv"),
/// "column"?, "refresh_s"? (default 3600), "enabled"? (default true), "description"?}.
Result<FeedDefinition> parse_feed_definition(std::string_view body);

/// PUT /api/v1/firewall/feeds/{name}: the same fields but "name" (a feed is never renamed),
/// each optional, at least one.
Result<FeedChange> parse_feed_change(std::string_view body);

}  // namespace sentinel::firewall
