#pragma once
// The JSON the feed routes answer with.

#include <boost/json/object.hpp>
#include <vector>

#include "sentinel/firewall/feed_service.h"

namespace sentinel::firewall {

/// {"name","source","format","column","refresh_s","enabled","description","created_at",
/// "created_by","updated_at","updated_by","next_fetch_at","last_fetch_at","last_success_at",
/// "entries","bad_lines","problems":[{"line"?,"message"}],"last_error"} (times ISO 8601,
/// absent ones null; "line" left out for networks the allow-list removed).
boost::json::object feed_json(const Feed& feed);

/// feed_json plus "used_by": [{"id","name"}], the policies whose newest version names it.
boost::json::object feed_json(const Feed& feed, const std::vector<FeedUser>& users);

/// {"ok","entries","bad_lines","problems","changed","error"?,"agents","feed"}: `entries` are the
/// stored ones (the previous contents after a failure).
boost::json::object refresh_json(const FeedRefresh& refresh);

}  // namespace sentinel::firewall
