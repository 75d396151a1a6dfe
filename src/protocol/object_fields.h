#pragma once
// Typed, strict access to the members of one JSON object of a frame. Every error is
// kInvalidArgument whose message and `field` carry the member's full path, for example
// "events[3].seq: must be at least 1".

#include <boost/json/object.hpp>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>

#include "sentinel/common/result.h"

namespace sentinel::protocol {

/// kInvalidArgument "PATH: WHAT" with `field` = PATH.
Error field_error(std::string_view path, std::string_view what);

/// How a string member is checked. Control characters are never allowed; multi-line text may
/// hold \n, \r and \t.
struct TextRule {
  std::size_t max_bytes = 64;
  bool allow_empty = false;
  bool multi_line = false;
};

/// A view of one object at `path` ("" for the frame itself). Moves members out on request, so
/// that large objects are not copied; not thread-safe.
class ObjectFields {
 public:
  ObjectFields(boost::json::object& object, std::string path);

  /// Fails naming the first member whose key is not in `allowed`.
  Status allow_only(std::initializer_list<std::string_view> allowed) const;
  bool has(std::string_view key) const;
  /// The path of a member, e.g. "events[3].seq".
  std::string path_of(std::string_view key) const;

  Result<std::int64_t> integer(std::string_view key, std::int64_t min,
                               std::int64_t max = std::numeric_limits<std::int64_t>::max()) const;
  /// A finite number >= min.
  Result<double> number(std::string_view key, double min) const;
  Result<bool> boolean(std::string_view key) const;
  Result<std::string> text(std::string_view key, const TextRule& rule) const;
  /// A string member without content checks, for values matched against a fixed list.
  Result<std::string_view> any_text(std::string_view key) const;
  /// Moves the object member out (the view's object keeps an empty object in its place).
  Result<boost::json::object> take_object(std::string_view key);
  /// The array member; stays owned by the viewed object.
  Result<boost::json::array*> array(std::string_view key);

 private:
  Result<const boost::json::value*> required(std::string_view key) const;
  Error wrong(std::string_view key, std::string_view what) const;

  boost::json::object& object_;
  std::string path_;
};

}  // namespace sentinel::protocol
