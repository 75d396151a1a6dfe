#include "yaml_documents.h"

namespace sentinel::detection {
namespace {

// True when `line` is the marker `marker` alone or followed by white space.
bool is_marker(std::string_view line, std::string_view marker) {
  if (line.substr(0, 3) != marker) return false;
  return line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r';
}

}  // namespace

std::vector<YamlDocument> split_documents(std::string_view text) {
  std::vector<YamlDocument> documents;
  YamlDocument current;
  int line_number = 0;
  std::size_t start = 0;
  const auto finish = [&documents](YamlDocument& document) {
    if (document.text.find_first_not_of(" \t\r\n") != std::string::npos) {
      documents.push_back(std::move(document));
    }
    document = {};
  };
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    const bool last = end == std::string_view::npos;
    if (last) end = text.size();
    std::string_view line = text.substr(start, end - start);
    const bool starts = is_marker(line, "---");
    const bool ends = is_marker(line, "...");
    if (starts || ends) {
      finish(current);
      current.first_line = ends ? line_number + 1 : line_number;
      if (starts) current.text.append("   ").append(line.substr(3));
    } else {
      current.text.append(line);
    }
    if (!ends) current.text.push_back('\n');
    if (last) break;
    start = end + 1;
    ++line_number;
  }
  finish(current);
  return documents;
}

std::pair<int, int> ProblemSink::position(const YAML::Mark& mark) const {
  const YAML::Mark& at = mark.is_null() ? fallback_ : mark;
  if (at.is_null()) return {first_line_ + 1, 0};
  return {first_line_ + at.line + 1, at.column + 1};
}

void ProblemSink::add(const YAML::Mark& mark, std::string reason, int column_offset) {
  auto [line, column] = position(mark);
  if (column > 0) column += column_offset;
  out_.push_back({file_, line, column, std::move(reason)});
  ++count_;
}

}  // namespace sentinel::detection
