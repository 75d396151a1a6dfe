#pragma once
// A feed's networks as they are stored (canonical text, one network per line, and its SHA-256)
// and as policies compile with them (parsed once per SHA-256, shared).

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "feed_repository.h"
#include "sentinel/firewall/address.h"
#include "sentinel/firewall/feed_service.h"
#include "sentinel/store/database.h"

namespace sentinel::firewall {

/// `networks` (in the parser's order: sorted, IPv4 first) as stored. Pure.
StoredContents stored_contents(const std::vector<IpNetwork>& networks);

/// The stored contents of every enabled feed that has some, read again only when the database
/// names other contents. Thread-safe; the database must outlive it.
class FeedContentsCache {
 public:
  explicit FeedContentsCache(store::Database& database) : database_(database) {}

  /// Never fails: on a database error the last snapshot (or an empty one) is returned.
  FeedSnapshot snapshot();

 private:
  struct CachedNetworks {
    std::string sha256;
    std::shared_ptr<const std::vector<IpNetwork>> networks;
  };

  bool same_heads(const std::vector<ContentsHead>& heads) const;

  store::Database& database_;
  std::mutex mutex_;  // guards the members below
  std::vector<ContentsHead> heads_;
  std::map<std::int64_t, CachedNetworks> cache_;
  FeedSnapshot snapshot_;
};

}  // namespace sentinel::firewall
