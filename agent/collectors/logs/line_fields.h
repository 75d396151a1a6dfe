#pragma once
// The fields parsed from one log line. Reused from line to line: clear() keeps the strings'
// buffers, so that parsing allocates nothing once it has seen a few lines.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/detection/detection.h"

namespace sentinel::agent::logs {

/// An ordered set of (name, value) fields. Not thread-safe.
class LineFields {
 public:
  /// Forgets the fields, keeping their storage.
  void clear() { size_ = 0; }

  /// Appends a field. The caller guarantees that `name` is not present yet (the parsers know
  /// which fields they set); use add_unique() for names taken from the input.
  void add(std::string_view name, std::string_view value);

  /// Appends an integer field in decimal.
  void add_int(std::string_view name, std::int64_t value);

  /// Appends a field unless `name` is present; returns whether it was added.
  bool add_unique(std::string_view name, std::string_view value);

  /// The value of `name`, or nullptr.
  const std::string* find(std::string_view name) const;

  /// Replaces the value of `name`, appending it when absent.
  void set(std::string_view name, std::string_view value);

  /// The fields, in the order added. Valid until the next change.
  std::span<const detection::Field> fields() const { return {fields_.data(), size_}; }

  std::size_t size() const { return size_; }

  /// Copies the fields out.
  std::vector<detection::Field> to_vector() const {
    return {fields_.begin(), fields_.begin() + static_cast<std::ptrdiff_t>(size_)};
  }

 private:
  std::vector<detection::Field> fields_;
  std::size_t size_ = 0;
};

}  // namespace sentinel::agent::logs
