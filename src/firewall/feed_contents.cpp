#include "feed_contents.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "../auth/autocommit.h"
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
  if (snapshot_ && same_heads(heads)) return snapshot_;
  auto contents = std::make_shared<FeedContents>();
  std::map<std::int64_t, CachedNetworks> cache;
  for (const ContentsHead& head : heads) {
    const auto cached = cache_.find(head.feed_id);
    if (cached != cache_.end() && cached->second.sha256 == head.sha256) {
      cache.emplace(head.feed_id, cached->second);
    } else {
      auth::Autocommit connection(database_);
      Result<std::optional<StoredContents>> stored =
          FeedRepository(connection).contents(head.feed_id);
      if (!stored || !*stored) continue;  // deleted meanwhile: unknown, as if never fetched
      cache.emplace(head.feed_id, CachedNetworks{(*stored)->sha256,
                                                 std::make_shared<const std::vector<IpNetwork>>(
                                                     networks_of((*stored)->networks, head.name))});
    }
    contents->emplace(head.name, *cache.at(head.feed_id).networks);
  }
  cache_ = std::move(cache);
  heads_ = std::move(heads);
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
