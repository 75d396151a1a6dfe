#pragma once
// Strict JSON for untrusted frames: one parse that builds the value and refuses, naming the path
// of the offending element, what Boost.JSON's own parser lets through (duplicate keys, numbers
// that do not fit a double) or reports without context (depth, invalid UTF-8, syntax).

#include <boost/json/value.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "sentinel/common/result.h"

namespace sentinel::protocol {

/// Parses one complete JSON text. Nesting deeper than `max_depth` arrays and objects, a
/// duplicate key, a non-finite number, invalid UTF-8 or a syntax error is kInvalidArgument whose
/// message starts with the path of the element ("events[2].data.name: duplicate key"); errors at
/// the top level are named `root_name`, which also prefixes every path when `root_is_prefix`
/// ("data.name" rather than "name"). Doubles are converted exactly (shortest round trip), so
/// that serialising and parsing again gives the same value. Never recurses beyond max_depth.
Result<boost::json::value> parse_strict_json(std::string_view text, std::size_t max_depth,
                                             std::string_view root_name,
                                             bool root_is_prefix = false);

/// Bytes of `object` serialised compactly, counted without building the text; counting stops
/// once the size exceeds `limit` (the result is then some number > limit).
std::size_t serialized_size(const boost::json::object& object, std::size_t limit);

/// `prefix` + ".key", or `prefix` + "[\"key\"]" (JSON-escaped, truncated) when the key is not a
/// plain identifier, so that hostile keys stay readable and harmless in logs.
std::string append_path_key(std::string_view prefix, std::string_view key);

/// A value from the frame quoted for an error message: JSON-escaped, at most 64 bytes of it.
std::string quote_for_message(std::string_view text);

}  // namespace sentinel::protocol
