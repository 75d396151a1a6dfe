#include "feed_contents.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "../auth/autocommit.h"
#include "feed_allow_list.h"
#include "logger.h"
#include "sentinel/common/crypto.h"

namespace sentinel::firewall {
namespace {

std::vector<IpNetwork> networks_of(std::string_view text, std::string_view feed) {
  std::vector<IpNetwork> networks;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.empty()) continue;
    if (Result<IpNetwork> network = parse_ip_network(line); network) {
      networks.push_back(*network);
    } else {
      firewall_log().error("feed={} stored contents hold '{}': {}", feed, line.substr(0, 64),
                           network.error().message);
    }
  }
  return networks;
}

// What tells one allow-list from another: its networks, in order.
std::string allow_list_key(const std::vector<AllowListEntry>& entries) {
  std::string text;
  for (const AllowListEntry& entry : entries) {
    text += entry.cidr;
    text += '\n';
  }
  return crypto::sha256_hex(text);
}

// `stored` less what overlaps the allow-list, as a fetch leaves it out (shared when nothing is).
std::shared_ptr<const std::vector<IpNetwork>> without_allowed(
    const std::shared_ptr<const std::vector<IpNetwork>>& stored,
    const std::vector<AllowListEntry>& allowed) {
  FeedList list;
  list.networks = *stored;
  leave_out_allowed(list, allowed, 0);
  if (list.skipped == 0) return stored;
  return std::make_shared<const std::vector<IpNetwork>>(std::move(list.networks));
}

}  // namespace

StoredContents stored_contents(const std::vector<IpNetwork>& networks) {
  std::string text;
  text.reserve(networks.size() * 16);
  for (const IpNetwork& network : networks) {
    text += format_ip_network(network);
    text += '\n';
  }
  std::string sha256 = crypto::sha256_hex(text);
  return StoredContents{std::move(text), std::move(sha256),
                        static_cast<std::int64_t>(networks.size())};
}

FeedSnapshot FeedContentsCache::snapshot() {
  std::lock_guard lock(mutex_);
  return snapshot_locked();
}

std::vector<std::string> FeedContentsCache::take_changed_by_allow_list() {
  std::lock_guard lock(mutex_);
  snapshot_locked();
  std::vector<std::string> changed(changed_by_allow_list_.begin(), changed_by_allow_list_.end());
  changed_by_allow_list_.clear();
  return changed;
}

// The caller holds mutex_.
FeedSnapshot FeedContentsCache::snapshot_locked() {
  std::vector<ContentsHead> heads;
  {
    auth::Autocommit connection(database_);
    Result<std::vector<ContentsHead>> found = FeedRepository(connection).enabled_heads();
    if (!found) {
      firewall_log().error("feed contents unknown, the last ones are used: {}",
                           found.error().message);
      return snapshot_ ? snapshot_ : std::make_shared<const FeedContents>();
    }
    heads = std::move(*found);
  }
  Result<std::vector<AllowListEntry>> allowed = allow_list_.list();
  if (!allowed) {
    firewall_log().error("allow-list unknown, the last feed contents are used: {}",
                         allowed.error().message);
    return snapshot_ ? snapshot_ : std::make_shared<const FeedContents>();
  }
  std::string allowed_key = allow_list_key(*allowed);
  if (snapshot_ && allowed_key == allowed_ && same_heads(heads)) return snapshot_;
  auto contents = std::make_shared<FeedContents>();
  std::map<std::int64_t, CachedNetworks> cache;
  for (const ContentsHead& head : heads) {
    const auto cached = cache_.find(head.feed_id);
    const bool same_stored = cached != cache_.end() && cached->second.sha256 == head.sha256;
    CachedNetworks networks;
    if (same_stored) {
      networks = cached->second;
    } else {
      auth::Autocommit connection(database_);
      Result<std::optional<StoredContents>> stored =
          FeedRepository(connection).contents(head.feed_id);
      if (!stored || !*stored) continue;  // deleted meanwhile: unknown, as if never fetched
      networks.sha256 = (*stored)->sha256;
      networks.stored = std::make_shared<const std::vector<IpNetwork>>(
          networks_of((*stored)->networks, head.name));
    }
    if (!networks.effective || networks.allowed != allowed_key) {
      networks.effective = without_allowed(networks.stored, *allowed);
      networks.allowed = allowed_key;
      if (same_stored && cached->second.effective &&
          *cached->second.effective != *networks.effective) {
        changed_by_allow_list_.insert(head.name);
        firewall_log().info(
            "feed={} networks in effect changed with the allow-list: {} of {} (were {})", head.name,
            networks.effective->size(), networks.stored->size(), cached->second.effective->size());
      }
    }
    contents->emplace(head.name, *networks.effective);
    cache.emplace(head.feed_id, std::move(networks));
  }
  cache_ = std::move(cache);
  heads_ = std::move(heads);
  allowed_ = std::move(allowed_key);
  snapshot_ = std::move(contents);
  return snapshot_;
}

bool FeedContentsCache::same_heads(const std::vector<ContentsHead>& heads) const {
  return std::equal(heads.begin(), heads.end(), heads_.begin(), heads_.end(),
                    [](const ContentsHead& a, const ContentsHead& b) {
                      return a.feed_id == b.feed_id && a.name == b.name && a.sha256 == b.sha256;
                    });
}

}  // namespace sentinel::firewall
