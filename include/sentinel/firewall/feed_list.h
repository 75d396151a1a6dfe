#pragma once
// Threat-intel blocklists (ADR 0006, "Feeds"): the text of a plain IP/CIDR list or an
// abuse.ch-style CSV, read strictly into the networks of a named address set. The text comes
// from outside (a file or a URL someone else controls), so everything is capped and every line
// that is not taken is counted and, for the first few, named with its line number.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/firewall/address.h"

namespace sentinel::firewall {

/// How a feed's text is laid out.
enum class FeedFormat {
  kPlain,  // one address or CIDR per line; '#' and ';' start comments; blank lines skipped
  kCsv,    // comma-separated, optionally quoted fields; '#' lines are comments (abuse.ch puts
           // its header in the last one); the address is in the chosen column
};

/// "plain" or "csv"; nullopt for anything else.
std::optional<FeedFormat> parse_feed_format(std::string_view text);

/// What a feed may hold, and which column of a CSV has the address.
struct FeedOptions {
  FeedFormat format = FeedFormat::kPlain;
  /// For kCsv: a header name ("dst_ip", "ip_address") or a 1-based column number ("2").
  std::string column;
  std::size_t max_bytes = 64u << 20;  // larger text is refused whole
  std::size_t max_entries = 1000000;  // more networks are refused whole
  /// Networks broader than this are refused line by line: a feed that names 0.0.0.0/0, or a
  /// /4, would block everyone (a mistake or an attack by whoever controls the feed).
  int min_prefix_v4 = 8;
  int min_prefix_v6 = 32;
  std::size_t max_reported = 20;  // problems named; the rest only counted
};

/// One line not taken.
struct FeedProblem {
  std::size_t line = 0;  // 1-based
  std::string message;
};

/// A parsed feed: its networks, sorted (IPv4 first) and without duplicates, and what was left
/// out.
struct FeedList {
  std::vector<IpNetwork> networks;
  std::size_t lines = 0;
  std::size_t skipped = 0;            // lines with an entry that was not taken
  std::vector<FeedProblem> problems;  // the first max_reported of them
};

/// What a feed or its server wrote, made safe to store, log and answer as JSON: at most `limit`
/// bytes of `text`, each outside printable ASCII replaced by '?'.
std::string printable_ascii(std::string_view text, std::size_t limit = std::string_view::npos);

/// Parses a feed. kInvalidArgument when the options are wrong (a CSV without a column, a column
/// name not in the header), kPayloadTooLarge beyond max_bytes or max_entries. A line that does
/// not hold a usable network is skipped and reported, never guessed at.
Result<FeedList> parse_feed_list(std::string_view text, const FeedOptions& options);

}  // namespace sentinel::firewall
