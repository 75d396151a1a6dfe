#include "sentinel/store/database.h"

#include <fmt/format.h>

#include <charconv>

#include "postgres_database.h"
#include "sqlite_database.h"

namespace sentinel::store {

bool Row::is_null(std::size_t column) const {
  return std::holds_alternative<std::nullptr_t>(values_.at(column));
}

std::int64_t Row::integer(std::size_t column) const {
  const Value& value = values_.at(column);
  if (const auto* number = std::get_if<std::int64_t>(&value)) return *number;
  if (const auto* real = std::get_if<double>(&value)) return static_cast<std::int64_t>(*real);
  if (const auto* text = std::get_if<std::string>(&value)) {
    const char* end = text->data() + text->size();
    std::int64_t parsed = 0;
    auto [ptr, ec] = std::from_chars(text->data(), end, parsed);
    if (ec == std::errc() && ptr == end) return parsed;
    // PostgreSQL NUMERIC results (SUM, AVG) come as decimal text.
    double decimal = 0;
    auto [decimal_end, decimal_ec] = std::from_chars(text->data(), end, decimal);
    return decimal_ec == std::errc() && decimal_end == end ? static_cast<std::int64_t>(decimal) : 0;
  }
  return 0;
}

std::string Row::text(std::size_t column) const {
  const Value& value = values_.at(column);
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* number = std::get_if<std::int64_t>(&value)) return std::to_string(*number);
  if (const auto* real = std::get_if<double>(&value)) return fmt::format("{}", *real);
  return {};
}

std::optional<std::string> Row::optional_text(std::size_t column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

std::optional<std::int64_t> Row::optional_integer(std::size_t column) const {
  if (is_null(column)) return std::nullopt;
  return integer(column);
}

Result<std::unique_ptr<Database>> open_database(const std::string& url) {
  std::string_view view = url;
  if (view.starts_with("sqlite:")) {
    SENTINEL_ASSIGN(db, SqliteDatabase::open(view.substr(7)));
    return std::unique_ptr<Database>(std::move(db));
  }
  if (view.starts_with("postgresql://") || view.starts_with("postgres://")) {
    SENTINEL_ASSIGN(db, PostgresDatabase::open(url));
    return std::unique_ptr<Database>(std::move(db));
  }
  return invalid_argument("database URL must start with sqlite: or postgresql://", "db");
}

}  // namespace sentinel::store
