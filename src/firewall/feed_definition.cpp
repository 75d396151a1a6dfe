#include "feed_definition.h"

#include <fmt/format.h>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "policy/policy_syntax.h"
#include "policy_check.h"
#include "sentinel/common/text.h"
#include "sentinel/firewall/feed_fetcher.h"

namespace sentinel::firewall {
namespace {

constexpr std::size_t kMaxDescriptionLength = 1024;
constexpr std::size_t kMaxColumnLength = 64;

}  // namespace

std::vector<Problem> check_feed_definition(const FeedDefinition& definition,
                                           const std::filesystem::path& file_root) {
  std::vector<Problem> problems;
  const auto report = [&problems](std::string field, std::string code, std::string message) {
    problems.push_back(Problem{
        Severity::kError, std::move(code), std::move(field), {}, std::nullopt, std::move(message)});
  };
  if (!detail::is_object_name(definition.name)) {
    report("name", "invalid_name",
           "a feed name is a letter, then up to 31 letters, digits, '_' or '-' (policies name it "
           "in an address set's \"feed\")");
  }
  if (Result<FeedLocation> source = parse_feed_source(definition.source, file_root); !source) {
    report("source", "invalid_source", source.error().message);
  }
  // One problem for the column at most: the first is the one to fix.
  if (definition.format == FeedFormat::kCsv && definition.column.empty()) {
    report("column", "missing_column",
           "a csv feed needs 'column': the header name or the 1-based number of the column that "
           "holds the address");
  } else if (definition.format != FeedFormat::kCsv && !definition.column.empty()) {
    report("column", "invalid_for_format", "'column' is only for csv feeds");
  } else if (definition.column.size() > kMaxColumnLength ||
             has_control_character(definition.column)) {
    report(
        "column", "invalid_text",
        fmt::format("'column' has at most {} bytes and no control characters", kMaxColumnLength));
  }
  if (definition.refresh_s < kMinFeedRefreshSeconds ||
      definition.refresh_s > kMaxFeedRefreshSeconds) {
    report("refresh_s", "out_of_range",
           fmt::format("'refresh_s' is between {} and {} seconds", kMinFeedRefreshSeconds,
                       kMaxFeedRefreshSeconds));
  }
  if (definition.description.size() > kMaxDescriptionLength ||
      has_control_character(definition.description)) {
    report("description", "invalid_text",
           fmt::format("'description' has at most {} bytes on one line", kMaxDescriptionLength));
  }
  return problems;
}

Error invalid_feed_definition(const std::vector<Problem>& problems) {
  // A single problem keeps the message it always had; scripts and people know it.
  std::string message = problems.size() == 1 ? problems.front().message
                                             : errors_summary("the feed definition", problems);
  return invalid_argument(std::move(message), problems.front().path);
}

}  // namespace sentinel::firewall
