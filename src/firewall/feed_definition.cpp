#include "feed_definition.h"

#include <fmt/format.h>

#include <cstddef>

#include "policy/policy_syntax.h"
#include "sentinel/common/text.h"
#include "sentinel/firewall/feed_fetcher.h"

namespace sentinel::firewall {
namespace {

constexpr std::size_t kMaxDescriptionLength = 1024;
constexpr std::size_t kMaxColumnLength = 64;

}  // namespace

Status check_feed_definition(const FeedDefinition& definition,
                             const std::filesystem::path& file_root) {
  if (!detail::is_object_name(definition.name)) {
    return invalid_argument(
        "a feed name is a letter, then up to 31 letters, digits, '_' or '-' (policies name it "
        "in an address set's \"feed\")",
        "name");
  }
  SENTINEL_TRY(parse_feed_source(definition.source, file_root));
  if (definition.format == FeedFormat::kCsv) {
    if (definition.column.empty()) {
      return invalid_argument(
          "a csv feed needs 'column': the header name or the 1-based number of the column "
          "that holds the address",
          "column");
    }
  } else if (!definition.column.empty()) {
    return invalid_argument("'column' is only for csv feeds", "column");
  }
  if (definition.column.size() > kMaxColumnLength || has_control_character(definition.column)) {
    return invalid_argument(
        fmt::format("'column' has at most {} bytes and no control characters", kMaxColumnLength),
        "column");
  }
  if (definition.refresh_s < kMinFeedRefreshSeconds ||
      definition.refresh_s > kMaxFeedRefreshSeconds) {
    return invalid_argument(fmt::format("'refresh_s' is between {} and {} seconds",
                                        kMinFeedRefreshSeconds, kMaxFeedRefreshSeconds),
                            "refresh_s");
  }
  if (definition.description.size() > kMaxDescriptionLength ||
      has_control_character(definition.description)) {
    return invalid_argument(
        fmt::format("'description' has at most {} bytes on one line", kMaxDescriptionLength),
        "description");
  }
  return ok();
}

}  // namespace sentinel::firewall
