#include "sentinel/firewall/feed_list.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <tuple>

namespace sentinel::firewall {
namespace {

// Longer lines are not feed entries; they are refused without being read further.
constexpr std::size_t kMaxLineBytes = 4096;

std::string_view trim(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

// The fields of one CSV line: commas separate, a field may be quoted ("" is a quote inside).
// nullopt for an unterminated quote.
std::optional<std::vector<std::string>> csv_fields(std::string_view line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  bool was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"' && trim(field).empty() && !was_quoted) {
      field.clear();
      quoted = was_quoted = true;
    } else if (c == ',') {
      fields.push_back(was_quoted ? field : std::string(trim(field)));
      field.clear();
      was_quoted = false;
    } else {
      field += c;
    }
  }
  if (quoted) return std::nullopt;
  fields.push_back(was_quoted ? field : std::string(trim(field)));
  return fields;
}

// Keeps only what the person who fixes the feed needs: the entry, shortened.
std::string shown(std::string_view entry) {
  constexpr std::size_t kShown = 64;
  const std::string out(entry.substr(0, kShown));
  return entry.size() > kShown ? out + "..." : out;
}

class FeedReader {
 public:
  explicit FeedReader(const FeedOptions& options) : options_(options) {}

  Status set_column(std::string_view header_line) {
    if (column_index_) return ok();
    const auto fields = csv_fields(header_line);
    if (!fields) return ok();
    const auto found = std::find(fields->begin(), fields->end(), options_.column);
    if (found != fields->end()) column_index_ = static_cast<std::size_t>(found - fields->begin());
    return ok();
  }

  Status init_column() {
    if (options_.format != FeedFormat::kCsv) return ok();
    if (options_.column.empty()) {
      return invalid_argument("a CSV feed needs the column that holds the address", "column");
    }
    std::size_t number = 0;
    const char* end = options_.column.data() + options_.column.size();
    const auto [ptr, error] = std::from_chars(options_.column.data(), end, number);
    if (error == std::errc() && ptr == end) {
      if (number == 0) return invalid_argument("CSV columns are numbered from 1", "column");
      column_index_ = number - 1;
    }
    return ok();
  }

  // The candidate entry of a data line; nullopt when the line holds none (then it was reported).
  std::optional<std::string_view> entry_of(std::string_view line, std::string& storage) {
    if (options_.format == FeedFormat::kPlain) {
      const std::size_t comment = line.find_first_of("#;");
      std::string_view entry = trim(line.substr(0, comment));
      if (entry.find_first_of(" \t") != std::string_view::npos) {
        problem(fmt::format("more than one entry on the line: '{}'", shown(entry)));
        return std::nullopt;
      }
      return entry;
    }
    const auto fields = csv_fields(line);
    if (!fields) {
      problem("a quoted field is not closed");
      return std::nullopt;
    }
    if (!column_index_) {
      // A named column: the first data line may be the header itself.
      const auto found = std::find(fields->begin(), fields->end(), options_.column);
      if (found != fields->end()) {
        column_index_ = static_cast<std::size_t>(found - fields->begin());
        return std::string_view();
      }
      missing_header_ = true;
      return std::nullopt;
    }
    if (*column_index_ >= fields->size()) {
      problem(fmt::format("no column {} (the line has {})", *column_index_ + 1, fields->size()));
      return std::nullopt;
    }
    storage = (*fields)[*column_index_];
    return std::string_view(storage);
  }

  void take(std::string_view entry) {
    auto network = parse_ip_network(entry);
    if (!network) {
      problem(fmt::format("'{}': {}", shown(entry), network.error().message));
      return;
    }
    const int minimum =
        network->address.family == IpFamily::kV4 ? options_.min_prefix_v4 : options_.min_prefix_v6;
    if (network->prefix < minimum) {
      problem(fmt::format("'{}' is broader than /{}, refused: it would block too much",
                          shown(entry), minimum));
      return;
    }
    list_.networks.push_back(*network);
  }

  void problem(const std::string& message) {
    ++list_.skipped;
    if (list_.problems.size() < options_.max_reported) {
      // Messages quote the feed, which may hold anything.
      list_.problems.push_back({line_, printable_ascii(message)});
    }
  }

  Result<FeedList> read(std::string_view text) {
    SENTINEL_TRY(init_column());
    std::string storage;
    while (!text.empty()) {
      const std::size_t end = text.find('\n');
      std::string_view line = text.substr(0, end);
      text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
      ++line_;
      if (line.size() > kMaxLineBytes) {
        problem(fmt::format("line longer than {} bytes", kMaxLineBytes));
        continue;
      }
      line = trim(line);
      if (line.empty()) continue;
      if (line.front() == '#' || (options_.format == FeedFormat::kPlain && line.front() == ';')) {
        // abuse.ch keeps its CSV header in a comment; the last one naming the column wins.
        if (options_.format == FeedFormat::kCsv && !column_index_) {
          header_candidate_ = std::string(trim(line.substr(1)));
        }
        continue;
      }
      if (options_.format == FeedFormat::kCsv && !column_index_ && !header_candidate_.empty()) {
        SENTINEL_TRY(set_column(header_candidate_));
      }
      const auto entry = entry_of(line, storage);
      if (missing_header_) {
        return invalid_argument(
            fmt::format("no header names the column '{}' before the first entry (line {})",
                        shown(options_.column), line_),
            "column");
      }
      if (!entry || entry->empty()) continue;
      take(*entry);
      if (list_.networks.size() > options_.max_entries) {
        return Error{ErrorCode::kPayloadTooLarge,
                     fmt::format("the feed holds more than {} entries", options_.max_entries),
                     {},
                     {}};
      }
    }
    list_.lines = line_;
    const auto key = [](const IpNetwork& n) {
      return std::tuple(n.address.family, n.address.value, n.prefix);
    };
    std::sort(list_.networks.begin(), list_.networks.end(),
              [&](const IpNetwork& a, const IpNetwork& b) { return key(a) < key(b); });
    list_.networks.erase(std::unique(list_.networks.begin(), list_.networks.end()),
                         list_.networks.end());
    return std::move(list_);
  }

 private:
  const FeedOptions& options_;
  FeedList list_;
  std::size_t line_ = 0;
  std::optional<std::size_t> column_index_;
  std::string header_candidate_;
  bool missing_header_ = false;
};

}  // namespace

std::string printable_ascii(std::string_view text, std::size_t limit) {
  std::string out(text.substr(0, limit));
  for (char& c : out) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) c = '?';
  }
  return out;
}

std::optional<FeedFormat> parse_feed_format(std::string_view text) {
  if (text == "plain") return FeedFormat::kPlain;
  if (text == "csv") return FeedFormat::kCsv;
  return std::nullopt;
}

Result<FeedList> parse_feed_list(std::string_view text, const FeedOptions& options) {
  if (text.size() > options.max_bytes) {
    return Error{
        ErrorCode::kPayloadTooLarge,
        fmt::format("the feed is {} bytes; at most {} are taken", text.size(), options.max_bytes),
        {},
        {}};
  }
  return FeedReader(options).read(text);
}

}  // namespace sentinel::firewall
