// Which feed sources are taken (ADR 0006 "Feeds", "Safety"): http(s) URLs without user info,
// and absolute files inside the feed directory.

#include <fmt/format.h>

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "sentinel/common/text.h"
#include "sentinel/firewall/feed_fetcher.h"
#include "sentinel/firewall/feed_list.h"

namespace sentinel::firewall {
namespace {

namespace urls = boost::urls;

Error bad_source(std::string message) { return invalid_argument(std::move(message), "source"); }

// Host names as DNS has them; anything percent-encoded or stranger is not a feed's host.
bool is_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
  });
}

Result<FeedLocation> url_location(std::string_view text) {
  // Messages may reach readers (a redirect's becomes the feed's last error): the query is hidden.
  const std::string shown = shown_feed_source(text);
  if (text.find("://") == std::string_view::npos) {
    return bad_source(
        fmt::format("'{}' is neither an http(s) URL nor an absolute path", shown.substr(0, 200)));
  }
  const auto parsed = urls::parse_uri(text);
  if (!parsed) return bad_source(fmt::format("'{}' is not a URL", shown.substr(0, 200)));
  const urls::url_view& url = *parsed;
  FeedLocation location;
  if (url.scheme_id() == urls::scheme::https) {
    location.kind = FeedSourceKind::kHttps;
    location.port = 443;
  } else if (url.scheme_id() == urls::scheme::http) {
    location.kind = FeedSourceKind::kHttp;
    location.port = 80;
  } else {
    return bad_source(
        fmt::format("'{}': a feed URL starts with http:// or https://", shown.substr(0, 64)));
  }
  if (url.has_userinfo()) {
    // It would be stored and listed with the feed: credentials do not belong in a source.
    return bad_source("a feed URL must not carry a user name or password");
  }
  if (url.has_fragment()) return bad_source("a feed URL must not have a fragment (#...)");
  switch (url.host_type()) {
    case urls::host_type::name:
      if (url.encoded_host().find('%') != std::string_view::npos ||
          !is_host_name(url.encoded_host())) {
        return bad_source(fmt::format("'{}' is not a host name", std::string(url.encoded_host())));
      }
      location.host = std::string(url.encoded_host());
      break;
    case urls::host_type::ipv4:
      location.host = url.host_ipv4_address().to_string();
      break;
    case urls::host_type::ipv6:
      location.host = url.host_ipv6_address().to_string();
      break;
    default:
      return bad_source("a feed URL needs a host name or an IP address");
  }
  if (url.has_port()) {
    if (url.port().empty() || url.port_number() == 0) {
      return bad_source(fmt::format("'{}' is not a port (1-65535)", std::string(url.port())));
    }
    location.port = url.port_number();
  }
  std::string target(url.encoded_target());
  if (target.empty() || target.front() != '/') target.insert(0, "/");
  location.target = std::move(target);
  location.url = std::string(text);
  location.shown = shown;
  return location;
}

// True when `path` lies inside `root` (both lexically normal and absolute).
bool is_inside(const std::filesystem::path& path, const std::filesystem::path& root) {
  auto root_part = root.begin();
  auto path_part = path.begin();
  for (; root_part != root.end(); ++root_part, ++path_part) {
    if (path_part == path.end() || *root_part != *path_part) return false;
  }
  return path_part != path.end();
}

Result<FeedLocation> file_location(std::string_view text, const std::filesystem::path& root) {
  if (root.empty() || !root.is_absolute()) {
    return bad_source("file feeds are not enabled on this server");
  }
  const std::filesystem::path path(text);
  if (!path.is_absolute()) {
    return bad_source(fmt::format("'{}' is neither an http(s) URL nor an absolute path", text));
  }
  for (const auto& part : path) {
    if (part == "." || part == "..") {
      return bad_source(fmt::format("'{}': '.' and '..' are not allowed in a feed's path", text));
    }
  }
  std::filesystem::path normal_root = root.lexically_normal();
  if (!normal_root.has_filename()) normal_root = normal_root.parent_path();  // "/x/feeds/"
  if (!is_inside(path.lexically_normal(), normal_root)) {
    return bad_source(
        fmt::format("'{}' is not inside the feed directory {}", text, normal_root.string()));
  }
  FeedLocation location;
  location.kind = FeedSourceKind::kFile;
  location.path = path.lexically_normal();
  location.url = location.shown = location.path.string();
  return location;
}

}  // namespace

std::string shown_feed_source(std::string_view source) {
  constexpr std::string_view kHidden = "***";
  const std::size_t query = source.find('?');
  if (query == std::string_view::npos) return std::string(source);
  const auto parsed = urls::parse_uri_reference(source);
  if (!parsed) return fmt::format("{}?{}", source.substr(0, query), kHidden);
  urls::url shown(*parsed);
  shown.remove_fragment();
  if (parsed->encoded_query().empty()) return std::string(shown.buffer());
  std::string hidden;
  for (const urls::param_pct_view param : parsed->encoded_params()) {
    if (!hidden.empty()) hidden += '&';
    if (param.has_value) {
      hidden += param.key;
      hidden += '=';
    }
    hidden += kHidden;
  }
  shown.set_encoded_query(hidden);
  return std::string(shown.buffer());
}

Result<FeedLocation> parse_feed_source(std::string_view source,
                                       const std::filesystem::path& file_root) {
  if (source.empty()) return bad_source("field 'source' must not be empty");
  if (source.size() > kMaxFeedSourceLength) {
    return bad_source(fmt::format("field 'source' is longer than {} bytes", kMaxFeedSourceLength));
  }
  if (has_control_character(source)) return bad_source("field 'source' holds a control character");
  if (source.front() == '/') return file_location(source, file_root);
  return url_location(source);
}

Result<FeedLocation> redirect_location(const FeedLocation& from, std::string_view location) {
  if (location.empty() || location.size() > kMaxFeedSourceLength ||
      has_control_character(location)) {
    return invalid_argument(fmt::format("{} redirects without a usable Location", from.shown),
                            "source");
  }
  const auto base = urls::parse_uri(from.url);
  const auto reference = urls::parse_uri_reference(location);
  // The feed's server wrote `location`: the message becomes the feed's last error.
  if (!base || !reference) {
    return invalid_argument(fmt::format("{} redirects to '{}', which is not a URL", from.shown,
                                        printable_ascii(shown_feed_source(location), 200)),
                            "source");
  }
  urls::url resolved;
  if (!urls::resolve(*base, *reference, resolved)) {
    return invalid_argument(fmt::format("{} redirects to '{}', which does not resolve", from.shown,
                                        printable_ascii(shown_feed_source(location), 200)),
                            "source");
  }
  resolved.remove_fragment();
  const std::string target(resolved.buffer());
  const std::string shown_target = shown_feed_source(target).substr(0, 200);
  Result<FeedLocation> next = url_location(target);
  if (!next) {
    Error error = std::move(next).error();
    error.message = fmt::format("{} redirects to {}: {}", from.shown, shown_target, error.message);
    return error;
  }
  if (next->kind != from.kind) {
    return invalid_argument(
        fmt::format("{} redirects to {}: a redirect must keep the scheme, not followed", from.shown,
                    shown_target),
        "source");
  }
  return next;
}

}  // namespace sentinel::firewall
