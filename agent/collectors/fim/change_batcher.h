#pragma once
// Turns the changes of one window into events: one `fim` event per change, except that the
// changes in one directory become a single `fim.batch` event when there are more than the
// threshold of them (a package upgrade, an archive unpacked), so that a storm stays one event.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "agent/collectors/collected_event.h"
#include "agent/collectors/fim/file_state.h"

namespace sentinel::agent::fim {

/// How many paths a `fim.batch` event names in `fim.sample`.
inline constexpr std::size_t kBatchSamples = 20;

/// Collects a window's changes. Memory stays bounded per directory: once a directory is over
/// the threshold only its counts and samples are kept. Not thread-safe: one owner.
class ChangeBatcher {
 public:
  /// More than `threshold` changes in one directory make a batch.
  explicit ChangeBatcher(std::size_t threshold) : threshold_(threshold) {}

  /// Adds a change; its directory is the one its path is in.
  void add(FileChange change);
  /// The changes held one by one (those of directories not yet over the threshold).
  std::size_t held() const { return held_; }
  bool empty() const { return groups_.empty(); }
  /// Appends the window's events to `out` and starts a new window: per directory (in path
  /// order) either one `fim.batch` (fim.count, fim.created, fim.modified, fim.deleted,
  /// file.directory, fim.sample: the first paths, newline-separated, fim.trigger) or its
  /// changes' `fim` events in the order they were added.
  void flush(Trigger trigger, std::int64_t time_ms, std::vector<CollectedEvent>& out);

 private:
  struct Group {
    std::vector<FileChange> changes;  // while not over the threshold
    std::int64_t count = 0;
    std::int64_t created = 0;
    std::int64_t modified = 0;
    std::int64_t deleted = 0;
    std::vector<std::string> samples;
  };

  std::size_t threshold_;
  std::size_t held_ = 0;
  std::map<std::string, Group, std::less<>> groups_;
};

}  // namespace sentinel::agent::fim
