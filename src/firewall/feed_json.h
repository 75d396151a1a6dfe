#pragma once
// The JSON the feed routes answer with.

#include <boost/json/object.hpp>
#include <vector>

#include "sentinel/firewall/feed_service.h"

namespace sentinel::firewall {

/// Which source a caller sees: the whole one to those who may change feeds (they set it), else
/// shown_feed_source's, whose query values are hidden (an API key in a feed's URL).
enum class SourceView { kShown, kWhole };

/// {"name","source","format","column","refresh_s","enabled","description","created_at",
/// "created_by","updated_at","updated_by","next_fetch_at","last_fetch_at","last_success_at",
/// "entries","bad_lines","problems":[{"line"?,"message"}],"last_error"} (times ISO 8601,
/// absent ones null; "line" left out for networks the allow-list removed).
boost::json::object feed_json(const Feed& feed, SourceView view);

/// feed_json plus "used_by": [{"id","name"}], the policies whose newest version names it.
boost::json::object feed_json(const Feed& feed, const std::vector<FeedUser>& users,
                              SourceView view);

/// {"ok","entries","bad_lines","problems","changed","error"?,"agents","feed"}: `entries` are the
/// stored ones (the previous contents after a failure); only callers who may change feeds
/// refresh, so "feed" has the whole source.
boost::json::object refresh_json(const FeedRefresh& refresh);

}  // namespace sentinel::firewall
