#include "strict_json.h"

#include <fmt/format.h>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/serializer.hpp>
#include <charconv>
#include <cmath>
#include <system_error>
#include <utility>
#include <vector>

namespace sentinel::protocol {
namespace {

namespace json = boost::json;

/// Cuts `text` to at most `limit` bytes without splitting a UTF-8 sequence.
std::string_view truncate_utf8(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

bool is_plain_key(std::string_view key) {
  if (key.empty() || key.size() > 64) return false;
  for (const char c : key) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '-';
    if (!plain) return false;
  }
  return true;
}

/// The basic_parser handler: builds the value level by level (at most max_depth containers are
/// open, so memory for the stack is bounded) and keeps enough state to name the path of the
/// element being parsed when something is wrong.
class TreeBuilder {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  TreeBuilder(std::size_t max_depth, std::string_view root_name, bool root_is_prefix)
      : max_depth_(max_depth), root_name_(root_name), root_is_prefix_(root_is_prefix) {
    levels_.reserve(max_depth + 1);
  }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }

  bool on_object_begin(json::error_code& ec) {
    if (levels_.size() >= max_depth_) return fail(ec, too_deep());
    levels_.push_back(Level{true, json::value(json::object()), {}, false});
    return true;
  }
  bool on_object_end(std::size_t, json::error_code& ec) { return close_level(ec); }
  bool on_array_begin(json::error_code& ec) {
    if (levels_.size() >= max_depth_) return fail(ec, too_deep());
    levels_.push_back(Level{false, json::value(json::array()), {}, false});
    return true;
  }
  bool on_array_end(std::size_t, json::error_code& ec) { return close_level(ec); }

  bool on_key_part(json::string_view part, std::size_t, json::error_code&) {
    buffer_.append(part.data(), part.size());
    return true;
  }
  bool on_key(json::string_view part, std::size_t, json::error_code&) {
    Level& level = levels_.back();
    level.key.assign(buffer_);
    level.key.append(part.data(), part.size());
    level.key_pending = true;
    buffer_.clear();
    return true;
  }
  bool on_string_part(json::string_view part, std::size_t, json::error_code&) {
    buffer_.append(part.data(), part.size());
    return true;
  }
  bool on_string(json::string_view part, std::size_t, json::error_code& ec) {
    if (buffer_.empty()) return add(json::string(part), ec);
    buffer_.append(part.data(), part.size());
    json::string text(buffer_);
    buffer_.clear();
    return add(std::move(text), ec);
  }
  bool on_number_part(json::string_view part, json::error_code&) {
    buffer_.append(part.data(), part.size());
    return true;
  }
  bool on_int64(std::int64_t number, json::string_view, json::error_code& ec) {
    buffer_.clear();
    return add(number, ec);
  }
  bool on_uint64(std::uint64_t number, json::string_view, json::error_code& ec) {
    buffer_.clear();
    return add(number, ec);
  }
  bool on_double(double approximate, json::string_view part, json::error_code& ec) {
    // Boost.JSON 1.81 may be off by an ulp; from_chars is exact, which makes decode(encode(x))
    // give back x.
    buffer_.append(part.data(), part.size());
    double exact = 0;
    const auto [end, error] =
        std::from_chars(buffer_.data(), buffer_.data() + buffer_.size(), exact);
    buffer_.clear();
    if (error == std::errc()) return add(exact, ec);
    // Underflow: Boost's value (zero or a subnormal) is harmless; overflow is refused because
    // infinity has no JSON text.
    if (std::isfinite(approximate)) return add(approximate, ec);
    return fail(ec, "number too large");
  }
  bool on_bool(bool value, json::error_code& ec) { return add(value, ec); }
  bool on_null(json::error_code& ec) { return add(nullptr, ec); }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

  /// Where the parser is: the path of the element being parsed, or `root_name`.
  std::string path() const {
    std::string path = root_is_prefix_ ? std::string(root_name_) : std::string();
    for (const Level& level : levels_) {
      if (level.is_object) {
        if (!level.key_pending) break;
        path = append_path_key(path, level.key);
      } else {
        path += fmt::format("[{}]", level.container.get_array().size());
      }
    }
    return path.empty() ? std::string(root_name_) : path;
  }

  const std::string& message() const { return message_; }
  json::value release() { return std::move(root_); }

 private:
  struct Level {
    bool is_object = false;
    json::value container;
    std::string key;  // of the member being parsed (objects)
    bool key_pending = false;
  };

  std::string too_deep() const {
    return fmt::format("nested deeper than {} levels of arrays and objects", max_depth_);
  }

  bool fail(json::error_code& ec, std::string message) {
    message_ = fmt::format("{}: {}", path(), message);
    ec = std::make_error_code(std::errc::invalid_argument);
    return false;
  }

  bool close_level(json::error_code& ec) {
    json::value done = std::move(levels_.back().container);
    levels_.pop_back();
    return add(std::move(done), ec);
  }

  bool add(json::value value, json::error_code& ec) {
    if (levels_.empty()) {
      root_ = std::move(value);
      return true;
    }
    Level& level = levels_.back();
    if (!level.is_object) {
      level.container.get_array().push_back(std::move(value));
      return true;
    }
    if (!level.container.get_object().emplace(level.key, std::move(value)).second) {
      return fail(ec, "duplicate key");
    }
    level.key_pending = false;
    return true;
  }

  std::size_t max_depth_;
  std::string_view root_name_;
  bool root_is_prefix_;
  std::vector<Level> levels_;
  std::string buffer_;  // parts of the current key, string or number
  json::value root_;
  std::string message_;
};

}  // namespace

Result<json::value> parse_strict_json(std::string_view text, std::size_t max_depth,
                                      std::string_view root_name, bool root_is_prefix) {
  json::parse_options options;
  // One more than the builder allows, so that the builder, which knows the path, reports it.
  options.max_depth = max_depth + 1;
  json::basic_parser<TreeBuilder> parser(options, max_depth, root_name, root_is_prefix);
  json::error_code ec;
  const std::size_t consumed = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && consumed != text.size()) ec = json::error::extra_data;
  if (!ec) return parser.handler().release();
  if (!parser.handler().message().empty()) return invalid_argument(parser.handler().message());
  const std::string path = parser.handler().path();
  if (consumed < text.size() && static_cast<unsigned char>(text[consumed]) >= 0x80) {
    return invalid_argument(fmt::format("{}: invalid UTF-8 at byte {}", path, consumed));
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return invalid_argument(fmt::format("{}: empty, expected a JSON object", path));
  }
  return invalid_argument(
      fmt::format("{}: invalid JSON at byte {} ({})", path, consumed, ec.message()));
}

std::size_t serialized_size(const json::object& object, std::size_t limit) {
  json::serializer serializer;
  serializer.reset(&object);
  char buffer[4096];
  std::size_t total = 0;
  while (!serializer.done() && total <= limit) total += serializer.read(buffer).size();
  return total;
}

std::string append_path_key(std::string_view prefix, std::string_view key) {
  if (is_plain_key(key)) {
    return prefix.empty() ? std::string(key) : fmt::format("{}.{}", prefix, key);
  }
  return fmt::format("{}[{}]", prefix, quote_for_message(key));
}

std::string quote_for_message(std::string_view text) {
  const std::string_view shown = truncate_utf8(text, 64);
  std::string quoted = json::serialize(json::string_view(shown.data(), shown.size()));
  if (shown.size() < text.size()) quoted += "...";
  return quoted;
}

}  // namespace sentinel::protocol
