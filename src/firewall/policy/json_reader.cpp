#include "json_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <unordered_set>

namespace sentinel::firewall::detail {
namespace {

namespace json = boost::json;

bool is_identifier(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

// A basic_parser handler that builds nothing: it follows the nesting to know the path of each
// key and records keys seen twice in one object.
class DuplicateKeyFinder {
 public:
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

  std::vector<std::string> duplicates;  // JSON paths

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    frames_.push_back({true});
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) { return close(); }
  bool on_array_begin(json::error_code&) {
    frames_.push_back({false});
    return true;
  }
  bool on_array_end(std::size_t, json::error_code&) { return close(); }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    Frame& frame = frames_.back();
    frame.key = key_;
    if (!frame.keys.insert(key_).second) duplicates.push_back(path());
    key_.clear();
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, json::error_code&) { return scalar(); }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, json::error_code&) { return scalar(); }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return scalar(); }
  bool on_double(double, json::string_view, json::error_code&) { return scalar(); }
  bool on_bool(bool, json::error_code&) { return scalar(); }
  bool on_null(json::error_code&) { return scalar(); }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  struct Frame {
    bool object = false;
    std::string key;
    std::size_t index = 0;
    std::unordered_set<std::string> keys;
  };

  bool scalar() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
    return true;
  }
  bool close() {
    frames_.pop_back();
    return scalar();
  }
  std::string path() const {
    JsonPath path;
    for (const Frame& frame : frames_) {
      path = frame.object ? path.key(frame.key) : path.index(frame.index);
    }
    return path.str();
  }

  std::vector<Frame> frames_;
  std::string key_;
};

}  // namespace

JsonPath JsonPath::key(std::string_view name) const {
  JsonPath next = *this;
  if (is_identifier(name)) {
    if (!next.text_.empty()) next.text_ += '.';
    next.text_ += name;
  } else {
    next.text_ += fmt::format(
        "[{}]", json::serialize(json::value(json::string_view(name.data(), name.size()))));
  }
  return next;
}

JsonPath JsonPath::index(std::size_t position) const {
  JsonPath next = *this;
  next.text_ += fmt::format("[{}]", position);
  return next;
}

void ProblemSink::error(const JsonPath& path, std::string code, std::string message) {
  add({Severity::kError, std::move(code), path.str(), {}, {}, std::move(message)});
}

void ProblemSink::warning(const JsonPath& path, std::string code, std::string message) {
  add({Severity::kWarning, std::move(code), path.str(), {}, {}, std::move(message)});
}

void ProblemSink::add(Problem problem) {
  if (rule_index_ && !problem.rule_index) {
    problem.rule_index = rule_index_;
    problem.rule_id = rule_id_;
  }
  if (problem.severity == Severity::kError) ++errors_;
  problems_.push_back(std::move(problem));
}

void ProblemSink::enter_rule(std::string id, std::size_t index) {
  rule_id_ = std::move(id);
  rule_index_ = index;
}

void ProblemSink::leave_rule() {
  rule_id_.clear();
  rule_index_.reset();
}

std::optional<json::value> read_json(std::string_view text, ProblemSink& sink) {
  json::parse_options options;
  options.max_depth = 16;  // the policy shape is 7 deep
  json::basic_parser<DuplicateKeyFinder> parser(options);
  json::error_code error;
  const std::size_t used = parser.write_some(false, text.data(), text.size(), error);
  if (error) {
    // Line and column of where the parser stopped, 1-based.
    const std::string_view before = text.substr(0, std::min(used, text.size()));
    const std::size_t line = 1 + std::count(before.begin(), before.end(), '\n');
    const std::size_t line_start = before.rfind('\n');
    const std::size_t column =
        1 + (line_start == std::string_view::npos ? before.size() : before.size() - line_start - 1);
    sink.error(
        JsonPath(), "json_syntax",
        fmt::format("not valid JSON at line {}, column {}: {}", line, column, error.message()));
    return std::nullopt;
  }
  if (!parser.handler().duplicates.empty()) {
    for (const std::string& path : parser.handler().duplicates) {
      JsonPath at;
      sink.add({Severity::kError, "duplicate_key", path, {}, {}, "key appears more than once"});
    }
    return std::nullopt;
  }
  json::value value = json::parse(json::string_view(text.data(), text.size()), error, {}, options);
  if (error) {  // cannot happen after the first pass; kept so that a mismatch is not a crash
    sink.error(JsonPath(), "json_syntax", "not valid JSON: " + error.message());
    return std::nullopt;
  }
  return value;
}

std::string_view describe_type(const json::value& value) {
  switch (value.kind()) {
    case json::kind::object:
      return "an object";
    case json::kind::array:
      return "an array";
    case json::kind::string:
      return "a string";
    case json::kind::int64:
    case json::kind::uint64:
      return "an integer";
    case json::kind::double_:
      return "a floating-point number";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::null:
      return "null";
  }
  return "a value";
}

const json::object* expect_object(const json::value& value, const JsonPath& path,
                                  ProblemSink& sink) {
  if (const auto* object = value.if_object()) return object;
  sink.error(path, "wrong_type", fmt::format("expected an object, got {}", describe_type(value)));
  return nullptr;
}

void check_keys(const json::object& object, const JsonPath& path,
                std::initializer_list<std::string_view> allowed, ProblemSink& sink) {
  for (const auto& member : object) {
    const std::string_view key(member.key().data(), member.key().size());
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string expected;
    for (std::string_view name : allowed) {
      if (!expected.empty()) expected += ", ";
      expected += name;
    }
    sink.error(path.key(key), "unknown_key",
               fmt::format("unknown key {} (expected one of: {})", quote(key), expected));
  }
}

std::optional<std::string_view> expect_string(const json::value& value, const JsonPath& path,
                                              ProblemSink& sink) {
  if (const auto* string = value.if_string()) {
    return std::string_view(string->data(), string->size());
  }
  sink.error(path, "wrong_type", fmt::format("expected a string, got {}", describe_type(value)));
  return std::nullopt;
}

std::optional<bool> expect_bool(const json::value& value, const JsonPath& path, ProblemSink& sink) {
  if (const auto* flag = value.if_bool()) return *flag;
  sink.error(path, "wrong_type",
             fmt::format("expected true or false, got {}", describe_type(value)));
  return std::nullopt;
}

std::optional<std::int64_t> expect_integer(const json::value& value, const JsonPath& path,
                                           std::int64_t low, std::int64_t high,
                                           std::string_view what, ProblemSink& sink) {
  std::optional<std::int64_t> number;
  bool too_big = false;
  if (const auto* i = value.if_int64()) {
    number = *i;
  } else if (const auto* u = value.if_uint64()) {
    too_big = true;  // boost::json uses uint64 only above INT64_MAX
    (void)u;
  } else {
    sink.error(path, "wrong_type",
               fmt::format("expected {} (an integer), got {}", what, describe_type(value)));
    return std::nullopt;
  }
  if (too_big || *number < low || *number > high) {
    sink.error(path, "out_of_range",
               fmt::format("{} must be {}-{}, got {}", what, low, high, json::serialize(value)));
    return std::nullopt;
  }
  return number;
}

std::string quote(std::string_view text) {
  std::string out = "'";
  const std::size_t limit = std::min<std::size_t>(text.size(), 80);
  for (std::size_t i = 0; i < limit; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  if (text.size() > limit) out += "...";
  out += "'";
  return out;
}

}  // namespace sentinel::firewall::detail
