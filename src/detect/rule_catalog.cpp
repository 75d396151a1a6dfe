#include "rule_catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace sentinel::detect {

detection::RuleLoad RuleCatalog::load() {
  std::vector<detection::RuleSource> sources;
  if (builtin_pack_) {
    for (const EmbeddedRuleFile& file : builtin_rule_pack()) {
      sources.push_back({fmt::format("builtin:{}", file.name), std::string(file.text)});
    }
  }
  std::vector<detection::RuleFileReport> unreadable;
  for (const std::string& directory : directories_) {
    Result<std::vector<detection::RuleSource>> read = detection::read_rule_sources({directory});
    if (!read) {
      unreadable.push_back({directory, 0, {{directory, 0, 0, read.error().message}}});
      continue;
    }
    for (detection::RuleSource& source : *read) sources.push_back(std::move(source));
  }
  loaded_signature_ = signature();
  detection::RuleLoad load = detection::load_rules(sources);
  for (detection::RuleFileReport& report : unreadable) load.files.push_back(std::move(report));
  return load;
}

bool RuleCatalog::changed() const { return signature() != loaded_signature_; }

// Path, size and mtime of every YAML file under the directories, in walk order (sorted below).
std::string RuleCatalog::signature() const {
  std::vector<std::string> entries;
  for (const std::string& directory : directories_) {
    std::error_code ec;
    std::filesystem::recursive_directory_iterator it(directory, ec), end;
    if (ec) {
      entries.push_back(fmt::format("{}:missing", directory));
      continue;
    }
    for (; it != end; it.increment(ec)) {
      if (ec) break;
      const std::filesystem::path& path = it->path();
      const std::string extension = path.extension().string();
      if (extension != ".yml" && extension != ".yaml") continue;
      std::error_code size_ec, time_ec;
      const auto size = std::filesystem::file_size(path, size_ec);
      const auto time = std::filesystem::last_write_time(path, time_ec);
      entries.push_back(fmt::format("{}:{}:{}", path.string(), size_ec ? 0 : size,
                                    time_ec ? 0 : time.time_since_epoch().count()));
    }
  }
  std::sort(entries.begin(), entries.end());
  std::string joined;
  for (const std::string& entry : entries) joined += entry + '\n';
  return joined;
}

}  // namespace sentinel::detect
