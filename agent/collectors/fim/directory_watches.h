#pragma once
// inotify watches on directories and what their notifications mean for the monitor. The kernel
// names a directory by watch descriptor; this keeps the descriptor <-> path map, and forgets a
// moved directory's subtree (its watches would otherwise report under the old path).

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sentinel/common/result.h"

namespace sentinel::agent::fim {

/// One thing a batch of inotify events asks the monitor to look at.
struct Notification {
  enum class Kind {
    kPath,               // this path may have changed (content, attributes, created, gone)
    kDirectoryAppeared,  // a directory was created or moved in: check everything below it
    kOverflow,           // the kernel dropped events: only a full check can tell what changed
  };
  Kind kind = Kind::kPath;
  std::string path;  // empty for kOverflow
};

/// The inotify instance. Not thread-safe: one owner.
class DirectoryWatches {
 public:
  /// A non-blocking inotify instance; kUnavailable when the kernel refuses one
  /// (fs.inotify.max_user_instances).
  static Result<std::unique_ptr<DirectoryWatches>> open();

  ~DirectoryWatches();
  DirectoryWatches(const DirectoryWatches&) = delete;
  DirectoryWatches& operator=(const DirectoryWatches&) = delete;

  /// The descriptor to poll for POLLIN.
  int fd() const { return fd_; }

  enum class Added { kWatched, kLimit, kGone, kFailed };
  /// Watches directory `dir` (not following a symlink) for close-after-write, attribute
  /// changes, creation, deletion and moves of its entries and of itself. kLimit when
  /// fs.inotify.max_user_watches is reached, kGone when it is no longer a directory.
  Added watch(const std::string& dir);
  /// Removes the watches of `dir` and of every directory below it.
  void unwatch_below(const std::string& dir);
  /// Reads every pending event without blocking and appends what they mean to `out`.
  Status read(std::vector<Notification>& out);
  /// Directories watched.
  std::size_t size() const { return by_path_.size(); }

 private:
  explicit DirectoryWatches(int fd) : fd_(fd) {}

  void forget(int wd);

  int fd_;
  std::map<std::string, int> by_path_;
  std::unordered_map<int, std::map<std::string, int>::iterator> by_wd_;
};

}  // namespace sentinel::agent::fim
