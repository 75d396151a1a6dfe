#include "feed_context.h"

namespace sentinel::firewall {

ValidationContext with_known_feeds(ValidationContext context, const KnownFeeds& feeds) {
  if (!feeds) return context;
  if (const std::shared_ptr<const FeedContents> known = feeds()) context.feeds = *known;
  return context;
}

}  // namespace sentinel::firewall
