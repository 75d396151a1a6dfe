#pragma once
// A feed's networks as they are stored (canonical text, one network per line, and its SHA-256)
// and as policies compile with them: parsed once per SHA-256, without what the allow-list holds
// now (the one place where the allow-list meets feed networks in effect), shared.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "feed_repository.h"
#include "sentinel/firewall/address.h"
#include "sentinel/firewall/allow_list.h"
#include "sentinel/firewall/feed_service.h"
#include "sentinel/store/database.h"

namespace sentinel::firewall {

/// `networks` (in the parser's order: sorted, IPv4 first) as stored. Pure.
StoredContents stored_contents(const std::vector<IpNetwork>& networks);

/// The stored contents of every enabled feed that has some, less the networks that overlap an
/// entry of the allow-list now (`leave_out_allowed`, built-in entries included), read and
/// filtered again only when the database names other contents or the allow-list changed.
/// Thread-safe; the database and the allow-list must outlive it.
class FeedContentsCache {
 public:
  FeedContentsCache(store::Database& database, AllowList& allow_list)
      : database_(database), allow_list_(allow_list) {}

  /// Never fails: on a database error the last snapshot (or an empty one) is returned.
  FeedSnapshot snapshot();

  /// Takes a snapshot, then answers (and forgets) the feeds whose networks in effect changed
  /// because the allow-list did, with the same stored contents, since the last call: their
  /// agents need their policy again. A fetch, enabling or disabling a feed is not named here.
  std::vector<std::string> take_changed_by_allow_list();

 private:
  struct CachedNetworks {
    std::string sha256;                                    // of the stored contents
    std::shared_ptr<const std::vector<IpNetwork>> stored;  // as the last fetch stored them
    std::string allowed;  // the allow-list `effective` was made with (allow_list_key)
    std::shared_ptr<const std::vector<IpNetwork>> effective;  // `stored` less the allow-list
  };

  FeedSnapshot snapshot_locked();
  bool same_heads(const std::vector<ContentsHead>& heads) const;

  store::Database& database_;
  AllowList& allow_list_;
  std::mutex mutex_;  // guards the members below
  std::vector<ContentsHead> heads_;
  std::string allowed_;  // allow_list_key of the allow-list snapshot_ was made with
  std::map<std::int64_t, CachedNetworks> cache_;
  std::set<std::string> changed_by_allow_list_;
  FeedSnapshot snapshot_;
};

}  // namespace sentinel::firewall
