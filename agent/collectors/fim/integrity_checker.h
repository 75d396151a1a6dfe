#pragma once
// The checks themselves: walk paths, compare what is found with the baseline, hash what may
// have changed on the pool, record the changes and bring the baseline up to date. A full check
// walks every watched path (trigger "scheduled"); a real-time check looks at the paths inotify
// named (trigger "realtime"). Checks advance in slices (step) so that one thread can keep
// reading inotify while a check of /usr runs.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collected_event.h"
#include "agent/collectors/fim/baseline.h"
#include "agent/collectors/fim/change_batcher.h"
#include "agent/collectors/fim/file_hasher.h"
#include "agent/collectors/fim/fim_config.h"
#include "agent/collectors/fim/path_glob.h"
#include "sentinel/common/clock.h"

namespace sentinel::agent::fim {

/// Runs the checks. Not thread-safe: one owner (the monitor); the pool's threads only hash.
class IntegrityChecker {
 public:
  /// Called with each directory a check is about to list, before it lists it, so that a watch
  /// added there misses nothing created after the listing.
  using DirectoryHook = std::function<void(const std::string& dir)>;

  /// `config` must be valid; `complete_roots` are the watched paths whose first full check has
  /// finished (changes under the others only update the baseline). Everything passed by
  /// reference must outlive the checker.
  IntegrityChecker(Baseline& baseline, HashPool& pool, const Clock& clock, const FimConfig& config,
                   ExcludeList excludes, const std::set<std::string>& complete_roots,
                   DirectoryHook hook);
  ~IntegrityChecker();
  IntegrityChecker(const IntegrityChecker&) = delete;
  IntegrityChecker& operator=(const IntegrityChecker&) = delete;

  /// Starts a full check of every watched path, unless one is running.
  void start_full_check();
  /// Starts a real-time check of `paths` (each alone; a new directory also with what is in it)
  /// and `trees` (each with everything below it). Its changes form one window.
  void start_realtime_check(std::vector<std::string> paths, std::vector<std::string> trees);
  bool full_check_running() const { return full_ != nullptr; }
  /// No check is running.
  bool idle() const { return full_ == nullptr && realtime_.empty(); }

  /// Works on the running checks (real-time ones first) until `deadline` or until none is
  /// left, appending the events of finished windows to `out`. Errors are the baseline's.
  Status step(std::chrono::steady_clock::time_point deadline, std::vector<CollectedEvent>& out);

  /// Whether `path` is watched: a watched path or below one, and not excluded.
  bool in_scope(std::string_view path) const;
  const ExcludeList& excludes() const { return excludes_; }

  /// The highest change sequence (Baseline::record_change) such that every reported change up
  /// to it has left the checker as an event: changes still held in an open window are not.
  std::int64_t settled_change() const;

  std::int64_t full_checks_done() const { return full_checks_done_; }
  /// Directories that could not be listed and files that could not be read.
  std::int64_t unreadable() const { return unreadable_; }

 private:
  struct Root {
    std::string path;
    bool complete = false;
    std::optional<dev_t> device;  // of the path, when it existed at the last look
  };
  struct Entry {
    std::string name;
    std::optional<FileState> before;
    bool on_disk = false;
  };
  struct Scan;

  Scan* find_scan(std::uint64_t id);
  /// The next check with work of its own (not only waiting for hashes), or nullptr.
  Scan* next_with_work();
  Status work_on(Scan& scan);
  Status apply_results();
  Status finish_done(std::vector<CollectedEvent>& out);
  void flush(Scan& scan, std::vector<CollectedEvent>& out);

  /// Compares `path` on disk with `before`; returns its lstat when it exists and is not
  /// excluded.
  Result<std::optional<struct stat>> check_path(Scan& scan, const std::string& path,
                                                const std::optional<FileState>& before);
  Status list_directory(Scan& scan, const std::string& dir);
  Status apply(Scan& scan, const std::string& path, const std::optional<FileState>& before,
               const std::optional<FileState>& after);
  /// Forgets `path` (and what is below it) without reporting: it is excluded now.
  Status forget(const std::string& path, const FileState& before);
  /// Records everything below `dir` as deleted.
  Status delete_below(Scan& scan, const std::string& dir);
  /// Journals `change` and adds it to the scan's window.
  Status report(Scan& scan, FileChange change);
  /// Whether a walk goes into directory `path`: not excluded below, on the watched path's
  /// filesystem unless crossing is allowed.
  bool may_enter(const std::string& path, const struct stat& info);
  Root* root_of(std::string_view path);
  bool silent(std::string_view path);

  Baseline& baseline_;
  HashPool& pool_;
  const Clock& clock_;
  const FimConfig& config_;
  ExcludeList excludes_;
  DirectoryHook hook_;
  std::vector<Root> roots_;
  std::unique_ptr<Scan> full_;
  std::deque<std::unique_ptr<Scan>> realtime_;
  std::uint64_t next_scan_id_ = 1;
  std::size_t in_flight_ = 0;
  std::int64_t full_checks_done_ = 0;
  std::int64_t unreadable_ = 0;
  std::vector<HashResult> results_;  // reused between steps
};

}  // namespace sentinel::agent::fim
