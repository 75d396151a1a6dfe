#include "output.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdint>
#include <sstream>
#include <vector>

namespace sentinel::ctl {
namespace {

namespace json = boost::json;

bool is_time_key(std::string_view key) {
  return key == "time" || (key.size() > 3 && key.substr(key.size() - 3) == "_at");
}

std::string iso_time(std::int64_t stamp) {
  // Below 10^11 a stamp is in seconds (until the year 5138), above in milliseconds.
  const std::int64_t ms = stamp < 100'000'000'000 ? stamp * 1000 : stamp;
  const std::chrono::sys_time<std::chrono::milliseconds> time{std::chrono::milliseconds(ms)};
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", std::chrono::floor<std::chrono::seconds>(time));
}

void write_pretty(std::ostream& out, const json::value& value, int depth) {
  const std::string inner(static_cast<std::size_t>(depth + 1) * 2, ' ');
  const std::string outer(static_cast<std::size_t>(depth) * 2, ' ');
  if (value.is_object() && !value.as_object().empty()) {
    out << "{\n";
    bool first = true;
    for (const auto& [key, member] : value.as_object()) {
      out << (first ? "" : ",\n") << inner << json::serialize(json::string(key)) << ": ";
      write_pretty(out, member, depth + 1);
      first = false;
    }
    out << "\n" << outer << "}";
  } else if (value.is_array() && !value.as_array().empty()) {
    out << "[\n";
    bool first = true;
    for (const auto& element : value.as_array()) {
      out << (first ? "" : ",\n") << inner;
      write_pretty(out, element, depth + 1);
      first = false;
    }
    out << "\n" << outer << "]";
  } else {
    out << json::serialize(value);
  }
}

}  // namespace

std::string pretty_json(const json::value& value) {
  std::ostringstream out;
  write_pretty(out, value, 0);
  return out.str();
}

std::string display_value(std::string_view key, const json::value& value) {
  switch (value.kind()) {
    case json::kind::null:
      return "-";
    case json::kind::bool_:
      return value.as_bool() ? "yes" : "no";
    case json::kind::string:
      return value.as_string().empty() ? "-" : std::string(value.as_string());
    case json::kind::int64:
      return is_time_key(key) ? iso_time(value.as_int64()) : std::to_string(value.as_int64());
    case json::kind::uint64:
      return std::to_string(value.as_uint64());
    case json::kind::array: {
      std::string joined;
      for (const auto& element : value.as_array()) {
        if (!joined.empty()) joined += ",";
        joined += display_value(key, element);
      }
      return joined.empty() ? "-" : joined;
    }
    default:
      return json::serialize(value);
  }
}

const json::array* list_items(const json::value& reply) {
  if (reply.is_array()) return &reply.as_array();
  if (!reply.is_object()) return nullptr;
  const auto* items = reply.as_object().if_contains("items");
  return items != nullptr && items->is_array() ? &items->as_array() : nullptr;
}

void print_table(std::ostream& out, const json::array& rows, std::span<const Column> columns) {
  std::vector<std::vector<std::string>> cells(1);
  for (const auto& column : columns) cells[0].emplace_back(column.heading);
  for (const auto& row : rows) {
    auto& line = cells.emplace_back();
    for (const auto& column : columns) {
      const auto* field = row.is_object() ? row.as_object().if_contains(column.key) : nullptr;
      line.push_back(field != nullptr ? display_value(column.key, *field) : "-");
    }
  }
  std::vector<std::size_t> widths(columns.size(), 0);
  for (const auto& line : cells) {
    for (std::size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], line[i].size());
  }
  for (const auto& line : cells) {
    std::string text;
    for (std::size_t i = 0; i < line.size(); ++i) {
      text += line[i];
      if (i + 1 < line.size()) text += std::string(widths[i] - line[i].size() + 2, ' ');
    }
    out << text << "\n";
  }
}

void print_fields(std::ostream& out, const json::object& object) {
  std::size_t width = 0;
  for (const auto& [key, value] : object) width = std::max(width, key.size());
  for (const auto& [key, value] : object) {
    out << std::string(key) << ":" << std::string(width - key.size() + 1, ' ')
        << display_value(key, value) << "\n";
  }
}

std::string counted(std::int64_t count, std::string_view noun) {
  return std::to_string(count) + " " + std::string(noun) + (count == 1 ? "" : "s");
}

std::string text_field(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
}

}  // namespace sentinel::ctl
