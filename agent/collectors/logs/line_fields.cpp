#include "agent/collectors/logs/line_fields.h"

#include <charconv>

namespace sentinel::agent::logs {

void LineFields::add(std::string_view name, std::string_view value) {
  if (size_ < fields_.size()) {
    fields_[size_].name.assign(name);
    fields_[size_].value.assign(value);
  } else {
    fields_.push_back({std::string(name), std::string(value)});
  }
  ++size_;
}

void LineFields::add_int(std::string_view name, std::int64_t value) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  add(name, std::string_view(digits, static_cast<std::size_t>(result.ptr - digits)));
}

bool LineFields::add_unique(std::string_view name, std::string_view value) {
  if (find(name) != nullptr) return false;
  add(name, value);
  return true;
}

const std::string* LineFields::find(std::string_view name) const {
  for (std::size_t i = 0; i < size_; ++i) {
    if (fields_[i].name == name) return &fields_[i].value;
  }
  return nullptr;
}

void LineFields::set(std::string_view name, std::string_view value) {
  for (std::size_t i = 0; i < size_; ++i) {
    if (fields_[i].name == name) {
      fields_[i].value.assign(value);
      return;
    }
  }
  add(name, value);
}

}  // namespace sentinel::agent::logs
