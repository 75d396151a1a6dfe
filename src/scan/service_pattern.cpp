#include "service_pattern.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

namespace sentinel::scan {
namespace {

// nmap substitutes at most $1..$9.
constexpr int kMaxCapture = 9;

struct Cursor {
  std::string_view text;
  void skip_spaces() {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  }
};

// `X<d>content<d>` with any delimiter <d> after the prefix: the content, with the cursor after
// the closing delimiter.
Result<std::string_view> delimited(Cursor& cursor, std::string_view what) {
  if (cursor.text.empty()) return invalid_argument(fmt::format("{}: missing delimiter", what));
  const char delimiter = cursor.text.front();
  const std::size_t end = cursor.text.find(delimiter, 1);
  if (end == std::string_view::npos) {
    return invalid_argument(fmt::format("{}: no closing '{}'", what, delimiter));
  }
  std::string_view content = cursor.text.substr(1, end - 1);
  cursor.text.remove_prefix(end + 1);
  return content;
}

// The capture `index` of the last match, empty when it did not take part.
std::string_view capture(std::string_view subject, const PCRE2_SIZE* ovector, std::uint32_t pairs,
                         int index) {
  if (index < 0 || static_cast<std::uint32_t>(index) >= pairs) return {};
  const PCRE2_SIZE begin = ovector[2 * index];
  const PCRE2_SIZE end = ovector[2 * index + 1];
  if (begin == PCRE2_UNSET || end < begin || end > subject.size()) return {};
  return subject.substr(begin, end - begin);
}

// Reads "N" from a "$X(N...)" argument list; advances past it.
std::optional<int> capture_number(std::string_view& args) {
  int number = 0;
  const auto [end, error] = std::from_chars(args.data(), args.data() + args.size(), number);
  if (error != std::errc() || number < 1 || number > kMaxCapture) return std::nullopt;
  args.remove_prefix(static_cast<std::size_t>(end - args.data()));
  return number;
}

// Reads `,"text"` from an argument list; advances past it.
std::optional<std::string_view> quoted_argument(std::string_view& args) {
  if (args.size() < 3 || args[0] != ',' || args[1] != '"') return std::nullopt;
  const std::size_t end = args.find('"', 2);
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view value = args.substr(2, end - 2);
  args.remove_prefix(end + 1);
  return value;
}

void append_printable(std::string& out, std::string_view text) {
  for (char c : text) {
    if (std::isprint(static_cast<unsigned char>(c)) != 0) out += c;
  }
}

void append_replaced(std::string& out, std::string_view text, std::string_view from,
                     std::string_view to) {
  if (from.empty()) {
    out += text;
    return;
  }
  for (std::size_t at = 0;;) {
    const std::size_t found = text.find(from, at);
    if (found == std::string_view::npos) {
      out += text.substr(at);
      return;
    }
    out += text.substr(at, found - at);
    out += to;
    at = found + from.size();
  }
}

// Up to 8 bytes as an unsigned integer, big-endian for ">", little-endian for "<".
void append_unpacked(std::string& out, std::string_view bytes, bool big_endian) {
  if (bytes.size() > 8) return;
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto byte = static_cast<unsigned char>(bytes[big_endian ? i : bytes.size() - 1 - i]);
    value = (value << 8) | byte;
  }
  out += std::to_string(value);
}

// A template with `$1`, `$P(1)`, `$SUBST(1,"a","b")` and `$I(1,">")` filled from the captures.
std::string fill(std::string_view pattern, std::string_view subject, const PCRE2_SIZE* ovector,
                 std::uint32_t pairs) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c != '$' || i + 1 >= pattern.size()) {
      out += c;
      continue;
    }
    std::string_view rest = pattern.substr(i + 1);
    if (rest[0] >= '1' && rest[0] <= '9') {
      out += capture(subject, ovector, pairs, rest[0] - '0');
      ++i;
      continue;
    }
    // A function: NAME(args); anything malformed stays as literal text.
    const std::size_t open = rest.find('(');
    const std::size_t close = rest.find(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
      out += c;
      continue;
    }
    const std::string_view name = rest.substr(0, open);
    std::string_view args = rest.substr(open + 1, close - open - 1);
    const std::optional<int> number = capture_number(args);
    bool done = false;
    if (number) {
      const std::string_view value = capture(subject, ovector, pairs, *number);
      if (name == "P" && args.empty()) {
        append_printable(out, value);
        done = true;
      } else if (name == "SUBST") {
        const auto from = quoted_argument(args);
        const auto to = quoted_argument(args);
        if (from && to && args.empty()) {
          append_replaced(out, value, *from, *to);
          done = true;
        }
      } else if (name == "I") {
        const auto order = quoted_argument(args);
        if (order && args.empty() && (*order == ">" || *order == "<")) {
          append_unpacked(out, value, *order == ">");
          done = true;
        }
      }
    }
    if (!done) {
      out += c;
      continue;
    }
    i += close + 1;
  }
  return out;
}

// Reads the version fields after the pattern: `p/.../ v/.../ i/ h/ o/ d/ cpe:/.../a`.
Result<VersionTemplate> read_template(Cursor& cursor) {
  VersionTemplate result;
  for (cursor.skip_spaces(); !cursor.text.empty(); cursor.skip_spaces()) {
    if (cursor.text.starts_with("cpe:")) {
      cursor.text.remove_prefix(4);
      SENTINEL_ASSIGN(cpe, delimited(cursor, "cpe"));
      result.cpes.emplace_back(cpe);
      if (!cursor.text.empty() && cursor.text.front() == 'a') cursor.text.remove_prefix(1);
      continue;
    }
    const char field = cursor.text.front();
    std::string* target = nullptr;
    switch (field) {
      case 'p':
        target = &result.product;
        break;
      case 'v':
        target = &result.version;
        break;
      case 'i':
        target = &result.info;
        break;
      case 'h':
        target = &result.hostname;
        break;
      case 'o':
        target = &result.os;
        break;
      case 'd':
        target = &result.device;
        break;
      default:
        return invalid_argument(fmt::format("unknown version field '{}'", field));
    }
    cursor.text.remove_prefix(1);
    SENTINEL_ASSIGN(value, delimited(cursor, std::string(1, field)));
    target->assign(value);
  }
  return result;
}

}  // namespace

Result<ServicePattern> ServicePattern::parse(std::string_view text, bool soft) {
  Cursor cursor{text};
  cursor.skip_spaces();
  const std::size_t space = cursor.text.find(' ');
  if (space == 0 || space == std::string_view::npos) {
    return invalid_argument("expected a service name and a pattern");
  }
  ServicePattern pattern;
  pattern.soft_ = soft;
  pattern.service_.assign(cursor.text.substr(0, space));
  cursor.text.remove_prefix(space);
  cursor.skip_spaces();
  if (!cursor.text.starts_with("m")) return invalid_argument("expected m<d>pattern<d>");
  cursor.text.remove_prefix(1);
  SENTINEL_ASSIGN(regex, delimited(cursor, "pattern"));
  std::uint32_t options = 0;
  while (!cursor.text.empty() && cursor.text.front() != ' ') {
    switch (cursor.text.front()) {
      case 's':
        options |= PCRE2_DOTALL;
        break;
      case 'i':
        options |= PCRE2_CASELESS;
        break;
      default:
        return invalid_argument(fmt::format("unknown pattern flag '{}'", cursor.text.front()));
    }
    cursor.text.remove_prefix(1);
  }
  SENTINEL_ASSIGN(version_template, read_template(cursor));
  pattern.template_ = std::move(version_template);

  int error = 0;
  PCRE2_SIZE error_offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(regex.data()), regex.size(),
                                   options, &error, &error_offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof(message));
    return invalid_argument(fmt::format("pattern does not compile at offset {}: {}", error_offset,
                                        reinterpret_cast<const char*>(message)));
  }
  pattern.code_.reset(code, CodeDeleter{});
  pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &pattern.capture_count_);
  return pattern;
}

std::optional<ServiceInfo> ServicePattern::match(std::string_view response, pcre2_match_data* data,
                                                 pcre2_match_context* context) const {
  const int result = pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(response.data()),
                                 response.size(), 0, 0, data, context);
  if (result < 0) return std::nullopt;  // no match, or a limit reached
  const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data);
  const std::uint32_t pairs = pcre2_get_ovector_count(data);
  ServiceInfo info;
  info.service = service_;
  info.soft = soft_;
  info.product = fill(template_.product, response, ovector, pairs);
  info.version = fill(template_.version, response, ovector, pairs);
  info.info = fill(template_.info, response, ovector, pairs);
  info.hostname = fill(template_.hostname, response, ovector, pairs);
  info.os = fill(template_.os, response, ovector, pairs);
  info.device = fill(template_.device, response, ovector, pairs);
  for (const std::string& cpe : template_.cpes) {
    info.cpes.push_back("cpe:/" + fill(cpe, response, ovector, pairs));
  }
  return info;
}

}  // namespace sentinel::scan
