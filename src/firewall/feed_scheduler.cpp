#include "feed_scheduler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string_view>
#include <vector>

#include "../auth/autocommit.h"
#include "feed_repository.h"
#include "feed_users.h"
#include "logger.h"

namespace sentinel::firewall {
namespace {

constexpr std::int64_t kDueBatch = 16;

}  // namespace

FeedScheduler::FeedScheduler(store::Database& database, const Clock& clock,
                             agents::AgentRegistry& registry, FeedRefresher& refresher,
                             FeedContentsCache& contents, std::function<PolicyService*()> policies,
                             const FeedServiceOptions& options)
    : database_(database),
      clock_(clock),
      registry_(registry),
      refresher_(refresher),
      contents_(contents),
      policies_(std::move(policies)),
      options_(options) {}

FeedScheduler::~FeedScheduler() { stop(); }

void FeedScheduler::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
  firewall_log().info("feed scheduler started poll_ms={} file_root={}",
                      options_.poll_interval.count(), options_.file_root.string());
}

void FeedScheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void FeedScheduler::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void FeedScheduler::queue_repush(const std::string& feed) {
  {
    std::lock_guard lock(mutex_);
    if (std::find(repush_.begin(), repush_.end(), feed) == repush_.end()) {
      repush_.push_back(feed);
    }
  }
  wake();
}

void FeedScheduler::run() {
  while (true) {
    fetch_due();
    queue_changed_by_allow_list();
    repush_queued();
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, options_.poll_interval, [this] { return stopping_ || woken_; });
    if (stopping_) return;
    woken_ = false;
  }
}

bool FeedScheduler::stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void FeedScheduler::fetch_due() {
  std::vector<Feed> due;
  const std::int64_t now = clock_.now_ms();
  {
    auth::Autocommit connection(database_);
    Result<std::vector<Feed>> found = FeedRepository(connection).due(now, kDueBatch);
    if (!found) {
      firewall_log().error("due feeds unknown: {}", found.error().message);
      return;
    }
    due = std::move(*found);
  }
  for (const Feed& feed : due) {
    if (stopping()) return;
    {
      auth::Autocommit connection(database_);
      Result<bool> claimed = FeedRepository(connection)
                                 .claim(feed.id, feed.next_fetch_ms,
                                        now + feed.definition.refresh_s * std::int64_t{1000});
      if (!claimed || !*claimed) continue;  // another process fetches it
    }
    if (refresher_.refresh(feed).changed) queue_repush(feed.definition.name);
  }
}

// An allow-list entry added or removed (here, in another process, or a built-in one such as an
// interface address) changes the networks in effect of the feeds it overlaps at once, in every
// compile; the agents using them get that here.
void FeedScheduler::queue_changed_by_allow_list() {
  const std::vector<std::string> changed = contents_.take_changed_by_allow_list();
  std::lock_guard lock(mutex_);
  for (const std::string& feed : changed) {
    if (std::find(repush_.begin(), repush_.end(), feed) == repush_.end()) repush_.push_back(feed);
  }
}

void FeedScheduler::repush_queued() {
  while (true) {
    std::string feed;
    {
      std::lock_guard lock(mutex_);
      if (stopping_ || repush_.empty()) return;
      feed = std::move(repush_.front());
      repush_.pop_front();
    }
    repush(feed);
  }
}

// The agents whose effective policy names `feed` get it compiled with the new contents, with
// the validation of any apply (a feed now holding the server's address is refused there).
void FeedScheduler::repush(const std::string& feed) {
  Result<std::vector<std::string>> agents = agents_using_feed(database_, registry_, feed);
  if (!agents) {
    firewall_log().error("feed={} agents to update unknown: {}", feed, agents.error().message);
    return;
  }
  if (agents->empty()) return;
  PolicyService* policies = policies_ ? policies_() : nullptr;
  if (policies == nullptr) {
    firewall_log().warn("feed={} changed; no policy service here to update {} agents", feed,
                        agents->size());
    return;
  }
  auth::Principal system;
  system.username = "feed:" + feed;
  ApplyRequest request;
  request.agent_ids = std::move(*agents);
  Result<std::vector<AgentApplyResult>> results =
      policies->apply(system, request, auth::ClientInfo{"", "feed scheduler"});
  if (!results) {
    firewall_log().error("feed={} re-apply failed: {}", feed, results.error().message);
    return;
  }
  std::map<std::string_view, int> outcomes;
  for (const AgentApplyResult& result : *results) ++outcomes[to_string(result.outcome)];
  std::string counts;
  for (const auto& [outcome, count] : outcomes) {
    counts += fmt::format("{}{}={}", counts.empty() ? "" : ",", outcome, count);
  }
  firewall_log().info("feed={} changed: re-applied to {} agents outcomes={}", feed, results->size(),
                      counts);
}

}  // namespace sentinel::firewall
