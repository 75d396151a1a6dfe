// Reading a UDP payload file (nmap's `nmap-payloads` format, or our own set in it): strict about
// what it accepts, capped in what it keeps, and never failing as a whole.

#include "sentinel/scan/udp_payloads.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "builtin_udp_payloads.h"
#include "nmap_data_file.h"
#include "sentinel/common/text.h"

namespace sentinel::scan {
namespace {

// nmap's file is about 21 KB; these leave room for it to grow and bound a hostile one.
constexpr std::size_t kMaxFileBytes = 1 << 20;
constexpr std::size_t kMaxLineBytes = 1024;  // nmap ignores longer lines too
constexpr std::size_t kMaxPayloadBytes = 2048;
constexpr std::size_t kMaxEntries = 4096;
// (port, payload) pairs over the file: nmap's has about 33,000 (one entry covers 32768-65535).
// The table keeps runs of ports, not pairs; the cap bounds the payloads a port may have together
// and the work of indexing the runs (their payload lists add up to at most this).
constexpr std::size_t kMaxPortPayloads = std::size_t{1} << 18;
constexpr std::size_t kMaxProblems = 100;

/// A word (`udp`, a port list, a keyword) or a quoted string with its escapes resolved.
struct Token {
  bool is_string = false;
  std::string text;
};

/// Text for a message: at most 40 bytes, other than printable ASCII written as \xHH.
std::string snippet(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < 40; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7f) {
      out += static_cast<char>(byte);
    } else {
      out += fmt::format("\\x{:02x}", byte);
    }
  }
  if (text.size() > 40) out += "...";
  return out;
}

/// Reads the string that starts after the quote at `text[start - 1]`, resolving C escapes
/// (\0 \a \b \f \n \r \t \v \\ \" \' \xHH); `end` is set past the closing quote. A string ends on
/// its own line; raw control bytes must be written as escapes.
Result<std::string> read_string(std::string_view text, std::size_t start, std::size_t& end) {
  std::string out;
  for (std::size_t i = start; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      end = i + 1;
      return out;
    }
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
      return invalid_argument(
          fmt::format("payload string: raw control byte 0x{:02x}; write it as an escape",
                      static_cast<unsigned>(c)));
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i == text.size()) break;
    switch (const char escaped = text[i]) {
      case '0':
        out += '\0';
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
      case '"':
      case '\'':
        out += escaped;
        break;
      case 'x': {
        const auto high = i + 1 < text.size() ? hex_digit_value(text[i + 1]) : std::nullopt;
        const auto low = i + 2 < text.size() ? hex_digit_value(text[i + 2]) : std::nullopt;
        if (!high || !low) return invalid_argument("payload string: \\x needs two hex digits");
        out += static_cast<char>(*high * 16 + *low);
        i += 2;
        break;
      }
      default:
        return invalid_argument(
            fmt::format("payload string: unknown escape \\{}", snippet({&text[i], 1})));
    }
  }
  return invalid_argument("payload string: no closing quote on its line");
}

/// A line's words and strings up to the first error, and the error.
struct LineTokens {
  std::vector<Token> tokens;
  std::optional<Error> error;
};

/// The words and strings of one line, comments (`#` outside a string) dropped.
LineTokens tokenize(std::string_view line) {
  LineTokens result;
  std::vector<Token>& tokens = result.tokens;
  std::size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (c == '#') {
      break;
    } else if (c == '"') {
      std::size_t end = 0;
      auto text = read_string(line, i + 1, end);
      if (!text) {
        result.error = std::move(text).error();
        break;
      }
      tokens.push_back({true, std::move(*text)});
      i = end;
    } else {
      const std::size_t start = i;
      while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '"' &&
             line[i] != '#') {
        ++i;
      }
      tokens.push_back({false, std::string(line.substr(start, i - start))});
    }
  }
  return result;
}

using PortRange = std::pair<std::uint16_t, std::uint16_t>;

/// `53,69,5353` or `32768-65535`: ports 1-65535, ranges low to high, no spaces.
Result<std::vector<PortRange>> parse_port_list(std::string_view text) {
  std::vector<PortRange> ranges;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    if (item.empty()) return invalid_argument("port list: an empty item between commas");
    const std::size_t dash = item.find('-');
    const auto low = parse_nmap_port(item.substr(0, dash));
    const auto high = dash == std::string_view::npos ? low : parse_nmap_port(item.substr(dash + 1));
    if (!low || !high) {
      return invalid_argument(
          fmt::format("port list: '{}' is not a port or range of ports 1-65535", snippet(item)));
    }
    if (*low > *high) {
      return invalid_argument(fmt::format("port list: range '{}' runs backwards", snippet(item)));
    }
    ranges.emplace_back(*low, *high);
    start = comma + 1;
  }
  return ranges;
}

}  // namespace

/// One pass over the text, a line at a time: an entry is `udp PORTS`, then strings on that and
/// the following lines, then keyword lines; the next `udp` (or the end) closes it.
class UdpPayloads::Parser {
 public:
  explicit Parser(UdpPayloads& table) : table_(table) {}

  void line(int number, std::string_view text) {
    if (text.size() > kMaxLineBytes) {
      problem(number, fmt::format("line longer than {} bytes", kMaxLineBytes));
      spoil();
      return;
    }
    LineTokens line_tokens = tokenize(text);
    if (line_tokens.error) {
      problem(number, line_tokens.error->message);
      const std::vector<Token>& read = line_tokens.tokens;
      if (!read.empty() && !read[0].is_string && read[0].text == "udp") {
        // The bad line starts an entry of its own: the one before it is fine.
        commit();
        entry_ = Entry{.line = number, .bad = true};
        state_ = State::kStrings;
      } else {
        spoil();
      }
      return;
    }
    const std::vector<Token>& tokens = line_tokens.tokens;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      const Token& token = tokens[i];
      const bool starts_entry = !token.is_string && token.text == "udp";
      if (state_ == State::kTop || state_ == State::kSkipping) {
        if (starts_entry) {
          i += start_entry(number, tokens, i);
          continue;
        }
        if (state_ == State::kTop) {
          problem(number, token.is_string
                              ? std::string("payload string outside an entry (an entry starts "
                                            "with 'udp' and a port list)")
                              : fmt::format("expected 'udp' and a port list, found '{}'",
                                            snippet(token.text)));
          state_ = State::kSkipping;
        }
        return;  // skipping: the next line may start an entry
      }
      if (starts_entry) {
        commit();
        i += start_entry(number, tokens, i);
        continue;
      }
      if (token.is_string) {
        if (state_ == State::kKeywords) {
          problem(number, "payload string after a keyword; strings come first");
          entry_->bad = true;
          return;
        }
        append(number, token.text);
        continue;
      }
      keyword(number, tokens, i);
      state_ = State::kKeywords;
      return;  // a keyword's data is the rest of its line
    }
  }

  void finish() {
    commit();
    table_.index_ranges(std::move(kept_));
  }

 private:
  enum class State { kTop, kSkipping, kStrings, kKeywords };
  struct Entry {
    int line = 0;
    std::vector<PortRange> ranges;
    std::string payload;
    bool has_string = false;
    bool bad = false;  // a problem was reported: the entry is dropped
  };

  void problem(int line, std::string reason) {
    if (table_.problems_.size() < kMaxProblems) {
      table_.problems_.push_back({line, std::move(reason)});
    } else if (table_.problems_.size() == kMaxProblems) {
      table_.problems_.push_back({line, "more problems follow; not listed"});
    }
  }

  /// A line that could not be read: the entry it belongs to is dropped.
  void spoil() {
    if (entry_) {
      entry_->bad = true;
    } else {
      state_ = State::kSkipping;
    }
  }

  /// Opens an entry at tokens[i] (`udp`); returns how many tokens after it were used.
  std::size_t start_entry(int number, const std::vector<Token>& tokens, std::size_t i) {
    entry_ = Entry{.line = number};
    state_ = State::kStrings;
    if (i + 1 >= tokens.size() || tokens[i + 1].is_string) {
      problem(number, "port list: missing after 'udp'");
      entry_->bad = true;
      return 0;
    }
    auto ranges = parse_port_list(tokens[i + 1].text);
    if (!ranges) {
      problem(number, ranges.error().message);
      entry_->bad = true;
    } else {
      entry_->ranges = std::move(*ranges);
    }
    return 1;
  }

  void append(int number, std::string_view bytes) {
    entry_->has_string = true;
    if (entry_->payload.size() + bytes.size() > kMaxPayloadBytes) {
      if (!entry_->bad) {
        problem(number,
                fmt::format("payload string: the payload exceeds {} bytes", kMaxPayloadBytes));
      }
      entry_->bad = true;
      return;
    }
    entry_->payload += bytes;
  }

  void keyword(int number, const std::vector<Token>& tokens, std::size_t i) {
    const std::string& name = tokens[i].text;
    if (!entry_->has_string) {
      problem(number, fmt::format("payload string: none before '{}'", snippet(name)));
      entry_->bad = true;
      return;
    }
    if (name == "source") {
      // The source port nmap's file asks for; nmap does not honour it either, but it must be one.
      if (i + 2 != tokens.size() || tokens[i + 1].is_string ||
          !parse_nmap_port(tokens[i + 1].text)) {
        problem(number, "keyword source: expected one port number 1-65535");
        entry_->bad = true;
      }
      return;
    }
    problem(number,
            fmt::format("unknown keyword '{}' ignored with the rest of its line", snippet(name)));
  }

  void commit() {
    std::optional<Entry> entry = std::exchange(entry_, std::nullopt);
    state_ = State::kTop;
    if (!entry || entry->bad) return;
    if (!entry->has_string) {
      problem(entry->line, "payload string: the entry has none");
      return;
    }
    if (entries_ == kMaxEntries) {
      problem(entry->line, fmt::format("more than {} entries; the rest are dropped", kMaxEntries));
    }
    if (entries_++ >= kMaxEntries) return;
    std::size_t pairs = 0;
    for (const auto& [low, high] : entry->ranges) pairs += std::size_t{high} - low + 1;
    if (pairs_ + pairs > kMaxPortPayloads) {
      problem(entry->line, fmt::format("port list: more than {} (port, payload) pairs in the "
                                       "file; entry dropped",
                                       kMaxPortPayloads));
      return;
    }
    pairs_ += pairs;
    const auto index = static_cast<std::uint32_t>(table_.payloads_.size());
    table_.payloads_.push_back(std::move(entry->payload));
    for (const auto& [low, high] : entry->ranges) kept_.push_back({low, high, index});
  }

  UdpPayloads& table_;
  State state_ = State::kTop;
  std::optional<Entry> entry_;
  std::size_t entries_ = 0;
  std::vector<EntryRange> kept_;  // file order
  std::size_t pairs_ = 0;         // what kept_ covers, for the cap
};

UdpPayloads UdpPayloads::parse(std::string_view text, std::string_view origin) {
  UdpPayloads table;
  table.origin_ = std::string(origin);
  Parser parser(table);
  int number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    parser.line(++number, line);
    start = end + 1;
  }
  parser.finish();
  return table;
}

Result<UdpPayloads> UdpPayloads::load(const std::string& path) {
  SENTINEL_ASSIGN(text, read_nmap_data_file(path, kMaxFileBytes));
  UdpPayloads table = parse(text, path);
  if (table.runs_.empty()) return invalid_argument(fmt::format("{} holds no payload", path));
  return table;
}

UdpPayloads UdpPayloads::builtin() { return parse(kBuiltinUdpPayloads, "builtin"); }

UdpPayloads UdpPayloads::system_or_builtin() {
  Result<UdpPayloads> system = load(std::string(kNmapPayloadsPath));
  return system ? std::move(*system) : builtin();
}

}  // namespace sentinel::scan
