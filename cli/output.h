#pragma once
// How sentinelctl shows the server's JSON: aligned tables, key: value blocks, or pretty JSON.

#include <boost/json/value.hpp>
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

namespace sentinel::ctl {

/// A table column: the JSON field shown and its heading.
struct Column {
  std::string_view key;
  std::string_view heading;
};

/// Indented JSON, two spaces per level, keys in the server's order.
std::string pretty_json(const boost::json::value& value);

/// One value as a cell: strings bare (empty as "-"), lists comma-separated, null as "-", booleans
/// yes/no, times (fields "time" and "*_at" holding Unix seconds or milliseconds) as ISO 8601 UTC.
std::string display_value(std::string_view key, const boost::json::value& value);

/// The rows of a list reply: the array itself or its "items"; nullptr when it is neither.
const boost::json::array* list_items(const boost::json::value& reply);

/// The string at `key` of `object`; "" when it is absent or not a string.
std::string text_field(const boost::json::object& object, std::string_view key);

/// Prints `rows` as aligned columns under a heading line.
void print_table(std::ostream& out, const boost::json::array& rows,
                 std::span<const Column> columns);

/// Prints each field of `object` as "key: value", keys aligned.
void print_fields(std::ostream& out, const boost::json::object& object);

/// "1 host", "0 hosts", "2 open ports": `count` and the noun, which takes an "s" unless count
/// is 1.
std::string counted(std::int64_t count, std::string_view noun);

}  // namespace sentinel::ctl
