#pragma once
// Strict JSON reading with problems collected, not thrown: syntax errors with line and column,
// duplicate keys (boost::json would keep the last silently), unknown keys and wrong types, each
// with the JSON path. Internal to the policy library.

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/firewall/policy_problem.h"

namespace sentinel::firewall::detail {

/// A JSON path such as "chains.input.rules[3].ports[0]". Keys that are not plain identifiers are
/// written as ["key"].
class JsonPath {
 public:
  JsonPath() = default;
  JsonPath key(std::string_view name) const;
  JsonPath index(std::size_t position) const;
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

/// Collects problems; while a rule is being read they carry its id and index.
class ProblemSink {
 public:
  explicit ProblemSink(std::vector<Problem>& problems) : problems_(problems) {}

  void error(const JsonPath& path, std::string code, std::string message);
  void warning(const JsonPath& path, std::string code, std::string message);
  void add(Problem problem);

  /// Problems from now on concern this rule (id may be empty while unknown).
  void enter_rule(std::string id, std::size_t index);
  void leave_rule();
  /// Number of errors added so far.
  std::size_t errors() const { return errors_; }

 private:
  std::vector<Problem>& problems_;
  std::size_t errors_ = 0;
  std::optional<std::size_t> rule_index_;
  std::string rule_id_;
};

/// Parses `text` as one JSON value; reports a syntax error (with line and column) or every
/// duplicate key, and then returns nullopt.
std::optional<boost::json::value> read_json(std::string_view text, ProblemSink& sink);

/// "an object", "a string", "a number", ... for messages.
std::string_view describe_type(const boost::json::value& value);

/// The object, or nullopt after reporting "expected an object".
const boost::json::object* expect_object(const boost::json::value& value, const JsonPath& path,
                                         ProblemSink& sink);

/// Reports each key not in `allowed`.
void check_keys(const boost::json::object& object, const JsonPath& path,
                std::initializer_list<std::string_view> allowed, ProblemSink& sink);

/// The string, or nullopt after reporting "expected a string".
std::optional<std::string_view> expect_string(const boost::json::value& value, const JsonPath& path,
                                              ProblemSink& sink);

/// The boolean, or nullopt after reporting.
std::optional<bool> expect_bool(const boost::json::value& value, const JsonPath& path,
                                ProblemSink& sink);

/// An integer in [low, high], or nullopt after reporting the type or the range.
std::optional<std::int64_t> expect_integer(const boost::json::value& value, const JsonPath& path,
                                           std::int64_t low, std::int64_t high,
                                           std::string_view what, ProblemSink& sink);

/// Calls `each(value, path)` for every element when `value` is an array, or once for the value
/// itself when `single_allowed` and it is not an array. Reports an empty array.
template <typename Each>
void for_each_item(const boost::json::value& value, const JsonPath& path, bool single_allowed,
                   ProblemSink& sink, Each&& each);

/// Quotes text for a message: printable ASCII as is, anything else as \xNN, cut at 80 bytes.
std::string quote(std::string_view text);

// ----- implementation of the template -----

template <typename Each>
void for_each_item(const boost::json::value& value, const JsonPath& path, bool single_allowed,
                   ProblemSink& sink, Each&& each) {
  if (const auto* array = value.if_array()) {
    if (array->empty()) sink.error(path, "empty", "must not be empty");
    for (std::size_t i = 0; i < array->size(); ++i) each((*array)[i], path.index(i));
    return;
  }
  if (single_allowed) {
    each(value, path);
    return;
  }
  sink.error(path, "wrong_type",
             std::string("expected an array, got ") + std::string(describe_type(value)));
}

}  // namespace sentinel::firewall::detail
