#pragma once
// Lists of names without spaces (permissions, roles) stored as one space-separated text column.

#include <algorithm>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "sentinel/store/database.h"

namespace sentinel::store {

inline std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) {
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

/// The words of `text`, sorted.
inline std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string word; in >> word;) words.push_back(word);
  std::sort(words.begin(), words.end());
  return words;
}

/// A nullable integer parameter.
inline Value optional_value(const std::optional<std::int64_t>& value) {
  return value ? Value(*value) : Value(nullptr);
}

}  // namespace sentinel::store
