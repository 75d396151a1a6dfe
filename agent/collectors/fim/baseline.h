#pragma once
// The monitor's memory of every watched path: its last known state, in a SQLite file (WAL,
// mode 0600) in the agent's state directory, so that a check of 100k files needs no more than
// one directory's entries in memory and a restart compares against what was seen before it.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/collectors/fim/file_state.h"
#include "sentinel/common/result.h"

namespace sentinel::agent::fim {

/// A path split into the directory it is in and its name: "/etc/passwd" -> {"/etc", "passwd"},
/// "/etc" -> {"/", "etc"}, "/" -> {"", "/"}.
std::pair<std::string_view, std::string_view> split_path(std::string_view path);

/// The path of `name` in `dir` (the inverse of split_path).
std::string join_path(std::string_view dir, std::string_view name);

/// A reported change as the change journal keeps it until the agent has stored its event.
struct JournalEntry {
  std::int64_t sequence = 0;
  Trigger trigger = Trigger::kScheduled;
  FileChange change;
};

/// The baseline store. Writes go into a transaction that flush() (or every few thousand writes)
/// commits, so a crash loses at most the unflushed writes and the next check finds those
/// changes again.
///
/// Beside the states it keeps a change journal: every reported change, with the state before
/// and after it, under a sequence number that only grows (never reused, even after pruning).
/// It is written in the same transaction as the new state, so a committed state always has its
/// change recorded; the watcher re-reports changes the agent has not acknowledged (its
/// checkpoint) after a crash, and prunes those it has. Not thread-safe: one owner.
class Baseline {
 public:
  /// Opens or creates `file` (created 0600; an existing one and its WAL files are tightened to
  /// 0600). kInternal when it cannot be opened or was written by a newer schema.
  static Result<std::unique_ptr<Baseline>> open(const std::string& file);

  ~Baseline();
  Baseline(const Baseline&) = delete;
  Baseline& operator=(const Baseline&) = delete;

  /// The state of `path`, or nullopt when the baseline has none.
  Result<std::optional<FileState>> get(std::string_view path);
  /// Shows each entry directly in `dir` to `visit`, in name order (bytewise). `visit` must not
  /// write to the baseline.
  Status children(std::string_view dir,
                  const std::function<void(std::string_view name, FileState state)>& visit);
  /// Records `state` for `path`.
  Status put(std::string_view path, const FileState& state);
  /// Forgets `path` (not what is below it).
  Status remove(std::string_view path);
  /// Forgets everything below `dir` (not `dir` itself), showing each path and state to
  /// `visit` first.
  Status remove_below(std::string_view dir,
                      const std::function<void(std::string path, FileState state)>& visit);

  /// The watched paths whose first full check has finished: changes under others are silent.
  Result<std::set<std::string>> complete_roots();
  /// Records that the first full check of `root` has finished.
  Status mark_complete(std::string_view root);

  /// Records a reported change in the journal (in the open write transaction); returns its
  /// sequence number.
  Result<std::int64_t> record_change(const FileChange& change, Trigger trigger);
  /// Shows each journal entry with a sequence above `after` to `visit`, in sequence order.
  Status changes_after(std::int64_t after, const std::function<void(JournalEntry entry)>& visit);
  /// Drops the journal entries with a sequence up to `through` (acknowledged by the agent).
  Status forget_changes_through(std::int64_t through);
  /// The highest sequence number handed out so far (0: none).
  std::int64_t last_change() const;
  /// A random name given to this baseline file when it was created: a checkpoint names it,
  /// so that one taken against a removed baseline acknowledges nothing in a new one.
  const std::string& id() const;

  /// Commits the open write transaction, if any.
  Status flush();
  /// The number of paths held.
  Result<std::int64_t> size();

 private:
  struct State;
  explicit Baseline(std::unique_ptr<State> state);

  // Opens the write transaction; commits the open one first when it is large, if allowed.
  Status begin_write(bool may_commit = true);

  std::unique_ptr<State> state_;
};

}  // namespace sentinel::agent::fim
