#pragma once
// One feed fetched over HTTP/1.1 or HTTPS. Beast stays in feed_http_fetch.cpp (its compile
// cost is paid once).

#include <cstddef>
#include <string>

#include "sentinel/common/result.h"
#include "sentinel/firewall/feed_fetcher.h"

namespace sentinel::firewall {

/// GETs `location` (kHttp or kHttps) and follows redirects on the same scheme, all within
/// options.timeout; the body of the final 200 answer, at most `max_bytes`. Blocks the calling
/// thread; thread-safe (each call has its own I/O context).
Result<std::string> fetch_http(const FeedLocation& location, std::size_t max_bytes,
                               const FeedFetcherOptions& options);

}  // namespace sentinel::firewall
