#pragma once
// Where a threat-intel feed comes from (ADR 0006 "Feeds"): an http(s) URL or a file under the
// server's feed directory, and the fetcher that reads it with strict limits. The text it returns
// comes from someone else; parse_feed_list (feed_list.h) reads it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "sentinel/common/result.h"

namespace sentinel::firewall {

/// The longest source text taken.
inline constexpr std::size_t kMaxFeedSourceLength = 2048;

/// How a feed is read.
enum class FeedSourceKind { kFile, kHttp, kHttps };

/// A checked source: a file path (lexically normal, absolute, inside the feed directory), or a
/// URL split into what a request needs. A plain value.
struct FeedLocation {
  FeedSourceKind kind = FeedSourceKind::kFile;
  std::filesystem::path path;  // kFile
  std::string host;            // URLs: a name, an IPv4 address or an IPv6 address (no brackets)
  std::uint16_t port = 0;
  std::string target;  // path and query, "/" at least
  std::string url;     // the URL as given (for requests and redirects)
  std::string shown;   // shown_feed_source(url): for messages, which readers see
};

/// A source as messages, logs, audit records and readers without firewall:write see it: every
/// value of a URL's query becomes "***", as does a query item without a value (feeds that need an
/// API key often take it there, and a signed redirect carries its signature there); a path, or a
/// URL without a query, as it is. Text that is not a URL loses everything after its first '?'.
/// Pure.
std::string shown_feed_source(std::string_view source);

/// Checks a source: "http://..." or "https://..." (no user info, no fragment, a host, port
/// 1-65535) or an absolute path inside `file_root` ("." and ".." segments refused; symbolic
/// links are resolved at fetch time). kInvalidArgument naming "source". Pure.
Result<FeedLocation> parse_feed_source(std::string_view source,
                                       const std::filesystem::path& file_root);

/// The location a redirect from `from` names in its Location header (absolute or relative).
/// kInvalidArgument when it is not a URL or changes the scheme (https never becomes http, and
/// the other way round). Pure.
Result<FeedLocation> redirect_location(const FeedLocation& from, std::string_view location);

/// Reads the text of a feed. Implementations are thread-safe; `max_bytes` is a hard cap (more
/// is kPayloadTooLarge, never truncated text). Failures are kUnavailable (cannot connect,
/// timeout, HTTP status), kNotFound (no such file), kInvalidArgument (a source that is not
/// allowed) or kPayloadTooLarge, each with a message for the feed's last error.
class FeedFetcher {
 public:
  virtual ~FeedFetcher() = default;
  virtual Result<std::string> fetch(const FeedLocation& location, std::size_t max_bytes) = 0;
};

/// Limits of the real fetcher.
struct FeedFetcherOptions {
  std::filesystem::path file_root;  // file sources must resolve inside it
  // The whole fetch, redirects included; a refresh asked over HTTP answers within the
  // gateway's request timeout (30 s by default).
  std::chrono::milliseconds timeout{20'000};
  int max_redirects = 3;
  std::string user_agent = "sentinel-server feed fetcher";
};

/// The real fetcher: files under `file_root` (resolved, so that a link cannot lead out), and
/// HTTP/1.1 over TCP or TLS (1.2 or later, verified against the system CA store and the host
/// name). Redirects are followed on the same scheme only; link-local, unspecified and multicast
/// addresses and the cloud metadata services outside link-local are never connected to;
/// loopback and private addresses are (feeds served inside the network). Compressed answers are
/// refused. Messages quote what the far end wrote as printable ASCII only.
std::unique_ptr<FeedFetcher> make_feed_fetcher(FeedFetcherOptions options);

}  // namespace sentinel::firewall
