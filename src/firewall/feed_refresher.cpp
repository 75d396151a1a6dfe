#include "feed_refresher.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "../auth/autocommit.h"
#include "feed_allow_list.h"
#include "feed_contents.h"
#include "feed_repository.h"
#include "logger.h"

namespace sentinel::firewall {

FeedRefresher::FeedRefresher(store::Database& database, const Clock& clock, AllowList& allow_list,
                             std::unique_ptr<FeedFetcher> fetcher,
                             const FeedServiceOptions& options)
    : database_(database),
      clock_(clock),
      allow_list_(allow_list),
      fetcher_(std::move(fetcher)),
      options_(options) {}

FeedRefresh FeedRefresher::refresh(const Feed& feed) {
  std::lock_guard lock(feed_mutex(feed.id));
  return fetch_and_store(feed);
}

std::optional<FeedRefresh> FeedRefresher::try_refresh(const Feed& feed, std::chrono::seconds wait) {
  std::unique_lock lock(feed_mutex(feed.id), std::defer_lock);
  if (!lock.try_lock_for(wait)) return std::nullopt;
  return fetch_and_store(feed);
}

// The networks to store, or why nothing is stored.
Result<FeedRefresher::FetchedList> FeedRefresher::fetch_list(const FeedDefinition& definition) {
  SENTINEL_ASSIGN(location, parse_feed_source(definition.source, options_.file_root));
  SENTINEL_ASSIGN(text, fetcher_->fetch(location, options_.max_bytes));
  FeedOptions parse_options;
  parse_options.format = definition.format;
  parse_options.column = definition.column;
  parse_options.max_bytes = options_.max_bytes;
  parse_options.max_entries = options_.max_entries;
  SENTINEL_ASSIGN(list, parse_feed_list(text, parse_options));
  if (list.networks.empty() && list.skipped > 0) {
    // An error page or a changed format, not an empty list: keep what we have.
    return invalid_argument(
        fmt::format("no line holds an address ({} skipped; line {}: {})", list.skipped,
                    list.problems.empty() ? 0 : list.problems.front().line,
                    list.problems.empty() ? "" : list.problems.front().message),
        "source");
  }
  SENTINEL_ASSIGN(entries, allow_list_.list());
  FetchedList fetched{list.networks, std::move(list)};
  leave_out_allowed(fetched.report, entries, parse_options.max_reported);
  return fetched;
}

// The caller holds the feed's mutex.
FeedRefresh FeedRefresher::fetch_and_store(const Feed& feed) {
  const FeedDefinition& definition = feed.definition;
  const std::int64_t now = clock_.now_ms();
  FeedRefresh outcome;
  Result<FetchedList> fetched = fetch_list(definition);
  if (!fetched) {
    outcome.error = fetched.error().message;
    const std::int64_t retry_s =
        std::min<std::int64_t>(definition.refresh_s, options_.retry_after_failure.count());
    auth::Autocommit connection(database_);
    if (Status recorded = FeedRepository(connection)
                              .record_failure(feed.id, now, outcome.error, now + retry_s * 1000);
        !recorded) {
      firewall_log().error("feed={} failure not recorded: {}", definition.name,
                           recorded.error().message);
    }
    firewall_log().warn("feed fetch failed name={} error=\"{}\"; the previous contents stay",
                        definition.name, outcome.error);
  } else {
    // Stored whole, so that the networks come back when their allow-list entry goes.
    const StoredContents contents = stored_contents(fetched->networks);
    const FeedList& report = fetched->report;
    const FetchSuccess success{static_cast<std::int64_t>(report.networks.size()),
                               static_cast<std::int64_t>(report.skipped), report.problems};
    bool changed = false;
    Status stored = database_.transact([&](store::Connection& connection) -> Status {
      FeedRepository feeds(connection);
      SENTINEL_ASSIGN(previous, feeds.contents_sha256(feed.id));
      changed = previous != contents.sha256;
      if (changed) SENTINEL_TRY(feeds.store_contents(feed.id, contents, now));
      return feeds.record_success(feed.id, now, success,
                                  now + definition.refresh_s * std::int64_t{1000});
    });
    if (!stored) {
      outcome.error = "the contents could not be stored: " + stored.error().message;
      firewall_log().error("feed={} {}", definition.name, outcome.error);
    } else {
      outcome.ok = true;
      outcome.changed = changed;
      outcome.entries = success.entries;
      outcome.bad_lines = success.bad_lines;
      outcome.problems = success.problems;
      firewall_log().info("feed fetched name={} entries={} bad_lines={} changed={}",
                          definition.name, success.entries, success.bad_lines, changed);
    }
  }
  auth::Autocommit connection(database_);
  Result<std::optional<Feed>> after = FeedRepository(connection).find(definition.name);
  outcome.feed = after && *after ? std::move(**after) : feed;
  if (!outcome.ok) outcome.entries = outcome.feed.entries;
  return outcome;
}

std::timed_mutex& FeedRefresher::feed_mutex(std::int64_t id) {
  std::lock_guard lock(feed_mutexes_mutex_);
  std::unique_ptr<std::timed_mutex>& slot = feed_mutexes_[id];
  if (!slot) slot = std::make_unique<std::timed_mutex>();
  return *slot;
}

}  // namespace sentinel::firewall
