// The real FeedFetcher: files inside the feed directory, and HTTP(S) (feed_http_fetch.cpp).

#include "sentinel/firewall/feed_fetcher.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

#include "feed_http_fetch.h"

namespace sentinel::firewall {
namespace {

namespace fs = std::filesystem;

Error too_large(const std::string& what, std::size_t max_bytes) {
  return Error{ErrorCode::kPayloadTooLarge,
               fmt::format("{} is larger than {} bytes", what, max_bytes),
               {},
               {}};
}

// Reads a file whose real path (links resolved) lies inside the real feed directory: a link
// placed there cannot hand out the server's keys.
Result<std::string> read_file(const fs::path& path, const fs::path& root, std::size_t max_bytes) {
  std::error_code error;
  const fs::path real_root = fs::canonical(root, error);
  if (error) {
    return unavailable(fmt::format("the feed directory {}: {}", root.string(), error.message()));
  }
  const fs::path real = fs::canonical(path, error);
  if (error) {
    if (error == std::errc::no_such_file_or_directory) {
      return not_found(fmt::format("{}: no such file", path.string()));
    }
    return unavailable(fmt::format("{}: {}", path.string(), error.message()));
  }
  const auto [root_end, ignored] =
      std::mismatch(real_root.begin(), real_root.end(), real.begin(), real.end());
  if (root_end != real_root.end() || real == real_root) {
    return invalid_argument(fmt::format("{} leads to {}, outside the feed directory {}",
                                        path.string(), real.string(), real_root.string()),
                            "source");
  }
  if (!fs::is_regular_file(real, error)) {
    return invalid_argument(fmt::format("{} is not a regular file", path.string()), "source");
  }
  const auto size = fs::file_size(real, error);
  if (error) return unavailable(fmt::format("{}: {}", path.string(), error.message()));
  if (size > max_bytes) return too_large(path.string(), max_bytes);
  std::ifstream in(real, std::ios::binary);
  if (!in) return unavailable(fmt::format("{}: cannot be opened", path.string()));
  // The file may grow between the size check and the read: never more than the cap.
  std::string text;
  text.reserve(static_cast<std::size_t>(size));
  char chunk[64 << 10];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) return too_large(path.string(), max_bytes);
  }
  if (in.bad()) return unavailable(fmt::format("{}: read error", path.string()));
  return text;
}

class RealFeedFetcher final : public FeedFetcher {
 public:
  explicit RealFeedFetcher(FeedFetcherOptions options) : options_(std::move(options)) {}

  Result<std::string> fetch(const FeedLocation& location, std::size_t max_bytes) override {
    if (location.kind == FeedSourceKind::kFile) {
      if (options_.file_root.empty()) {
        return invalid_argument("file feeds are not enabled on this server", "source");
      }
      return read_file(location.path, options_.file_root, max_bytes);
    }
    return fetch_http(location, max_bytes, options_);
  }

 private:
  const FeedFetcherOptions options_;
};

}  // namespace

std::unique_ptr<FeedFetcher> make_feed_fetcher(FeedFetcherOptions options) {
  return std::make_unique<RealFeedFetcher>(std::move(options));
}

}  // namespace sentinel::firewall
