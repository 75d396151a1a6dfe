#include "agent/collectors/fim/change_batcher.h"

#include "agent/collectors/fim/baseline.h"

namespace sentinel::agent::fim {

void ChangeBatcher::add(FileChange change) {
  const std::string_view directory = split_path(change.path).first;
  auto found = groups_.find(directory);
  if (found == groups_.end()) found = groups_.emplace(std::string(directory), Group{}).first;
  Group& group = found->second;
  ++group.count;
  switch (change.action) {
    case ChangeAction::kCreated:
      ++group.created;
      break;
    case ChangeAction::kModified:
      ++group.modified;
      break;
    case ChangeAction::kDeleted:
      ++group.deleted;
      break;
    case ChangeAction::kAttributesChanged:
      break;
  }
  if (group.samples.size() < kBatchSamples) group.samples.push_back(change.path);
  if (static_cast<std::size_t>(group.count) > threshold_) {
    held_ -= group.changes.size();
    group.changes.clear();
    group.changes.shrink_to_fit();
    return;
  }
  group.changes.push_back(std::move(change));
  ++held_;
}

void ChangeBatcher::flush(Trigger trigger, std::int64_t time_ms, std::vector<CollectedEvent>& out) {
  for (auto& [directory, group] : groups_) {
    if (static_cast<std::size_t>(group.count) <= threshold_) {
      for (const FileChange& change : group.changes) {
        out.push_back(change_event(change, trigger, time_ms));
      }
      continue;
    }
    std::string sample;
    for (const std::string& path : group.samples) {
      if (!sample.empty()) sample += '\n';
      sample += path;
    }
    CollectedEvent event;
    event.type = "fim.batch";
    event.time_ms = time_ms;
    event.fields = {
        {"fim.count", std::to_string(group.count)},
        {"fim.created", std::to_string(group.created)},
        {"fim.modified", std::to_string(group.modified)},
        {"fim.deleted", std::to_string(group.deleted)},
        {"file.directory", directory},
        {"fim.sample", std::move(sample)},
        {"fim.trigger", std::string(to_string(trigger))},
    };
    out.push_back(std::move(event));
  }
  groups_.clear();
  held_ = 0;
}

}  // namespace sentinel::agent::fim
