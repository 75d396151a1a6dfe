#pragma once
// One fetch of a feed: fetch, parse, and store the canonical networks with the outcome in one
// transaction; the outcome counts and names the networks the allow-list leaves out now (policies
// compile without them, feed_contents.*). A failed fetch, or one in which no line holds an
// address (an error page), only records its error and the previous contents stay.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "sentinel/common/clock.h"
#include "sentinel/common/result.h"
#include "sentinel/firewall/allow_list.h"
#include "sentinel/firewall/feed_fetcher.h"
#include "sentinel/firewall/feed_list.h"
#include "sentinel/firewall/feed_service.h"
#include "sentinel/store/database.h"

namespace sentinel::firewall {

/// Fetches feeds, one fetch of each feed at a time in this process (the scheduler and a refresh
/// asked over HTTP may meet). Owns the fetcher; the other collaborators and `options` must
/// outlive it. Thread-safe.
class FeedRefresher {
 public:
  FeedRefresher(store::Database& database, const Clock& clock, AllowList& allow_list,
                std::unique_ptr<FeedFetcher> fetcher, const FeedServiceOptions& options);

  /// Fetches `feed` once a fetch of it in progress ended.
  FeedRefresh refresh(const Feed& feed);
  /// Fetches `feed`, or nullopt when a fetch of it in progress is still running after `wait`.
  std::optional<FeedRefresh> try_refresh(const Feed& feed, std::chrono::seconds wait);

 private:
  /// What a fetch stores (every network of the list) and reports (the parser's problems, then
  /// the networks the allow-list leaves out now: skipped, named without a line).
  struct FetchedList {
    std::vector<IpNetwork> networks;
    FeedList report;
  };

  Result<FetchedList> fetch_list(const FeedDefinition& definition);
  FeedRefresh fetch_and_store(const Feed& feed);
  std::timed_mutex& feed_mutex(std::int64_t id);

  store::Database& database_;
  const Clock& clock_;
  AllowList& allow_list_;
  const std::unique_ptr<FeedFetcher> fetcher_;
  const FeedServiceOptions& options_;

  std::mutex feed_mutexes_mutex_;
  std::map<std::int64_t, std::unique_ptr<std::timed_mutex>> feed_mutexes_;
};

}  // namespace sentinel::firewall
