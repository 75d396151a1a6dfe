// read_rule_sources: rule files named directly, or found under directories.

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "sentinel/detection/rules.h"

namespace sentinel::detection {
namespace {

namespace fs = std::filesystem;

// One byte more than load_rules accepts, so that it can tell the file was too big.
constexpr std::size_t kReadLimit = 16 * 1024 * 1024 + 1;

Result<RuleSource> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalid_argument("cannot read rule file " + path.string(), "path");
  RuleSource source{path.string(), std::string(kReadLimit, '\0')};
  in.read(source.text.data(), static_cast<std::streamsize>(kReadLimit));
  if (in.bad()) return invalid_argument("cannot read rule file " + path.string(), "path");
  source.text.resize(static_cast<std::size_t>(in.gcount()));
  source.text.shrink_to_fit();
  return source;
}

bool is_rule_file(const fs::path& path) {
  const std::string name = path.filename().string();
  const std::string extension = path.extension().string();
  return !name.empty() && name.front() != '.' && (extension == ".yml" || extension == ".yaml");
}

}  // namespace

Result<std::vector<RuleSource>> read_rule_sources(const std::vector<std::string>& paths) {
  std::vector<RuleSource> sources;
  for (const std::string& path : paths) {
    std::error_code error;
    const fs::file_status status = fs::status(path, error);
    if (error || !fs::exists(status)) {
      return invalid_argument("no such rule file or directory: " + path, "path");
    }
    if (!fs::is_directory(status)) {
      SENTINEL_ASSIGN(source, read_file(path));
      sources.push_back(std::move(source));
      continue;
    }
    std::vector<fs::path> found;
    fs::recursive_directory_iterator it(path, fs::directory_options::none, error);
    for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
      const std::string name = it->path().filename().string();
      if (!name.empty() && name.front() == '.') {
        if (it->is_directory(error)) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(error) && is_rule_file(it->path())) found.push_back(it->path());
    }
    if (error) return invalid_argument("cannot list " + path + ": " + error.message(), "path");
    std::sort(found.begin(), found.end());
    for (const fs::path& file : found) {
      SENTINEL_ASSIGN(source, read_file(file));
      sources.push_back(std::move(source));
    }
  }
  return sources;
}

}  // namespace sentinel::detection
