#pragma once
// The feed service's own thread: it fetches the feeds that are due and re-applies the policy of
// the agents whose effective policy names a feed whose contents changed (by a fetch, or by the
// allow-list), so that neither waits on an HTTP request.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "feed_contents.h"
#include "feed_refresher.h"
#include "sentinel/agents/agent_registry.h"
#include "sentinel/common/clock.h"
#include "sentinel/firewall/feed_service.h"
#include "sentinel/firewall/policy_service.h"
#include "sentinel/store/database.h"

namespace sentinel::firewall {

/// Claims due feeds (a compare-and-set on their next fetch time, so that one process fetches
/// each), fetches them one at a time, and re-applies changed feeds through
/// `PolicyService::apply` as "feed:<name>": those a fetch changed, and at every poll (or wake)
/// those whose networks in effect an allow-list change changed (this process's or another's).
/// `policies` may return null. The other collaborators and `options` must outlive it.
/// Thread-safe.
class FeedScheduler {
 public:
  FeedScheduler(store::Database& database, const Clock& clock, agents::AgentRegistry& registry,
                FeedRefresher& refresher, FeedContentsCache& contents,
                std::function<PolicyService*()> policies, const FeedServiceOptions& options);
  /// Stops.
  ~FeedScheduler();
  FeedScheduler(const FeedScheduler&) = delete;
  FeedScheduler& operator=(const FeedScheduler&) = delete;

  /// Starts the thread; nothing when it runs.
  void start();
  /// Ends the thread after the fetch or apply in progress. Idempotent.
  void stop();
  /// Looks for due feeds and allow-list changes now rather than after the poll interval.
  void wake();
  /// Has the agents whose effective policy names `feed` get it applied again (once, however
  /// often it is queued before).
  void queue_repush(const std::string& feed);

 private:
  void run();
  bool stopping();
  void fetch_due();
  void queue_changed_by_allow_list();
  void repush_queued();
  void repush(const std::string& feed);

  store::Database& database_;
  const Clock& clock_;
  agents::AgentRegistry& registry_;
  FeedRefresher& refresher_;
  FeedContentsCache& contents_;
  const std::function<PolicyService*()> policies_;
  const FeedServiceOptions& options_;

  std::mutex mutex_;  // guards the members below
  std::condition_variable wake_;
  bool stopping_ = false;
  bool woken_ = false;
  std::deque<std::string> repush_;
  std::thread thread_;
};

}  // namespace sentinel::firewall
