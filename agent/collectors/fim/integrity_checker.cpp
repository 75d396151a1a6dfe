#include "agent/collectors/fim/integrity_checker.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace sentinel::agent::fim {
namespace {

// Hash jobs queued or running at once: enough to keep every hashing thread busy while the
// walk goes on, few enough that their states take no memory worth counting.
constexpr std::size_t kMaxInFlight = 64;
// A window holding this many changes one by one is reported early, to bound memory.
constexpr std::size_t kMaxHeldChanges = 10'000;

bool is_below(std::string_view path, std::string_view root) {
  if (root == "/") return path.size() > 1 && path.front() == '/';
  return path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
         path[root.size()] == '/';
}

}  // namespace

struct IntegrityChecker::Scan {
  Scan(std::uint64_t scan_id, Trigger scan_trigger, std::size_t threshold)
      : id(scan_id), trigger(scan_trigger), batcher(threshold) {}

  bool has_work() const {
    return !paths.empty() || !trees.empty() || !directories.empty() || next_entry < entries.size();
  }
  bool done() const { return !has_work() && in_flight == 0; }

  std::uint64_t id;
  Trigger trigger;
  std::vector<std::string> paths;        // checked alone; taken from the back
  std::vector<std::string> trees;        // checked with everything below; from the back
  std::vector<std::string> directories;  // to list
  std::string directory;                 // the one whose entries are being checked
  std::vector<Entry> entries;
  std::size_t next_entry = 0;
  std::size_t in_flight = 0;
  ChangeBatcher batcher;
  std::int64_t window_start_ms = -1;  // when the batcher got its first change
  std::int64_t first_held = -1;       // the journal sequence of the batcher's first change
};

IntegrityChecker::IntegrityChecker(Baseline& baseline, HashPool& pool, const Clock& clock,
                                   const FimConfig& config, ExcludeList excludes,
                                   const std::set<std::string>& complete_roots, DirectoryHook hook)
    : baseline_(baseline),
      pool_(pool),
      clock_(clock),
      config_(config),
      excludes_(std::move(excludes)),
      hook_(std::move(hook)) {
  for (const std::string& path : config.paths) {
    Root root;
    root.path = normalize_path(path);
    root.complete = complete_roots.contains(root.path);
    roots_.push_back(std::move(root));
  }
}

IntegrityChecker::~IntegrityChecker() = default;

void IntegrityChecker::start_full_check() {
  if (full_) return;
  full_ = std::make_unique<Scan>(next_scan_id_++, Trigger::kScheduled, config_.batch_threshold);
  for (auto root = roots_.rbegin(); root != roots_.rend(); ++root) {
    full_->trees.push_back(root->path);
  }
}

void IntegrityChecker::start_realtime_check(std::vector<std::string> paths,
                                            std::vector<std::string> trees) {
  auto scan = std::make_unique<Scan>(next_scan_id_++, Trigger::kRealtime, config_.batch_threshold);
  std::reverse(paths.begin(), paths.end());
  std::reverse(trees.begin(), trees.end());
  scan->paths = std::move(paths);
  scan->trees = std::move(trees);
  realtime_.push_back(std::move(scan));
}

bool IntegrityChecker::in_scope(std::string_view path) const {
  const bool under_root = std::any_of(roots_.begin(), roots_.end(), [&](const Root& root) {
    return path == root.path || is_below(path, root.path);
  });
  return under_root && !excludes_.excludes(path);
}

IntegrityChecker::Root* IntegrityChecker::root_of(std::string_view path) {
  Root* best = nullptr;
  for (Root& root : roots_) {
    if ((path == root.path || is_below(path, root.path)) &&
        (best == nullptr || root.path.size() > best->path.size())) {
      best = &root;
    }
  }
  return best;
}

bool IntegrityChecker::silent(std::string_view path) {
  const Root* root = root_of(path);
  return root == nullptr || !root->complete;
}

IntegrityChecker::Scan* IntegrityChecker::find_scan(std::uint64_t id) {
  if (full_ && full_->id == id) return full_.get();
  for (auto& scan : realtime_) {
    if (scan->id == id) return scan.get();
  }
  return nullptr;
}

IntegrityChecker::Scan* IntegrityChecker::next_with_work() {
  for (auto& scan : realtime_) {
    if (scan->has_work()) return scan.get();
  }
  if (full_ && full_->has_work()) return full_.get();
  return nullptr;
}

Status IntegrityChecker::step(std::chrono::steady_clock::time_point deadline,
                              std::vector<CollectedEvent>& out) {
  for (;;) {
    pool_.take(results_, std::chrono::steady_clock::time_point{});  // no wait
    SENTINEL_TRY(apply_results());
    SENTINEL_TRY(finish_done(out));
    if (idle() || std::chrono::steady_clock::now() >= deadline) return ok();
    Scan* scan = next_with_work();
    if (scan != nullptr && in_flight_ < kMaxInFlight) {
      SENTINEL_TRY(work_on(*scan));
      continue;
    }
    if (in_flight_ == 0) return ok();  // not reached: a scan without work or jobs is done
    // Full: wait for half the jobs, so that one wake-up refills many. Idle: for all of them.
    pool_.take(results_, deadline, scan != nullptr ? kMaxInFlight / 2 : in_flight_);
  }
}

Status IntegrityChecker::apply_results() {
  for (HashResult& result : results_) {
    --in_flight_;
    Scan* scan = find_scan(result.job.scan);
    if (scan == nullptr) continue;  // cannot happen: a scan ends only when its jobs are back
    --scan->in_flight;
    HashJob& job = result.job;
    if (!result.error) {
      SENTINEL_TRY(apply(*scan, job.path, job.before, job.after));
      continue;
    }
    switch (result.error->code) {
      case ErrorCode::kNotFound:
      case ErrorCode::kConflict: {
        // Gone or replaced by another type since the walk saw it: look again.
        SENTINEL_ASSIGN(info, check_path(*scan, job.path, job.before));
        (void)info;
        break;
      }
      default:
        // Unreadable: keep what is known of the content when nothing says it changed.
        ++unreadable_;
        if (job.before && same_content_stamp(*job.before, job.after)) {
          job.after.sha256 = job.before->sha256;
        }
        SENTINEL_TRY(apply(*scan, job.path, job.before, job.after));
        break;
    }
  }
  results_.clear();
  return ok();
}

void IntegrityChecker::flush(Scan& scan, std::vector<CollectedEvent>& out) {
  scan.batcher.flush(scan.trigger, clock_.now_ms(), out);
  scan.window_start_ms = -1;
  scan.first_held = -1;
}

std::int64_t IntegrityChecker::settled_change() const {
  // Sequences grow, so a window's first change is its lowest: everything before the lowest
  // held one has been reported.
  std::int64_t lowest_held = -1;
  const auto consider = [&](const Scan& scan) {
    if (scan.first_held >= 0 && (lowest_held < 0 || scan.first_held < lowest_held)) {
      lowest_held = scan.first_held;
    }
  };
  if (full_) consider(*full_);
  for (const auto& scan : realtime_) consider(*scan);
  return lowest_held >= 0 ? lowest_held - 1 : baseline_.last_change();
}

Status IntegrityChecker::report(Scan& scan, FileChange change) {
  SENTINEL_ASSIGN(sequence, baseline_.record_change(change, scan.trigger));
  if (scan.first_held < 0) scan.first_held = sequence;
  if (scan.window_start_ms < 0) scan.window_start_ms = clock_.now_ms();
  scan.batcher.add(std::move(change));
  return ok();
}

Status IntegrityChecker::finish_done(std::vector<CollectedEvent>& out) {
  for (auto it = realtime_.begin(); it != realtime_.end();) {
    Scan& scan = **it;
    if (scan.done()) {
      flush(scan, out);
      it = realtime_.erase(it);
      continue;
    }
    if (scan.batcher.held() >= kMaxHeldChanges) flush(scan, out);
    ++it;
  }
  if (!full_) return ok();
  if (full_->done()) {
    flush(*full_, out);
    for (Root& root : roots_) {
      if (!root.complete) {
        SENTINEL_TRY(baseline_.mark_complete(root.path));
        root.complete = true;
      }
    }
    SENTINEL_TRY(baseline_.flush());
    full_.reset();
    ++full_checks_done_;
    return ok();
  }
  // A full check runs for minutes: what it found is reported window by window.
  if (full_->batcher.held() >= kMaxHeldChanges ||
      (full_->window_start_ms >= 0 &&
       clock_.now_ms() >= full_->window_start_ms + config_.window_ms)) {
    flush(*full_, out);
  }
  return ok();
}

Status IntegrityChecker::work_on(Scan& scan) {
  if (scan.next_entry < scan.entries.size()) {
    Entry& entry = scan.entries[scan.next_entry++];
    const std::string path = join_path(scan.directory, entry.name);
    if (!entry.on_disk) {
      if (excludes_.excludes(path)) return forget(path, *entry.before);
      SENTINEL_TRY(apply(scan, path, entry.before, std::nullopt));
      if (entry.before->type == FileType::kDirectory) SENTINEL_TRY(delete_below(scan, path));
      return ok();
    }
    SENTINEL_ASSIGN(info, check_path(scan, path, entry.before));
    // A watched path inside another is walked by a full check as a start of its own.
    const Root* owner = root_of(path);
    const bool own_start = &scan == full_.get() && owner != nullptr && owner->path == path;
    if (info && S_ISDIR(info->st_mode) && !own_start && may_enter(path, *info)) {
      scan.directories.push_back(path);
    }
    return ok();
  }
  if (!scan.directories.empty()) {
    const std::string dir = std::move(scan.directories.back());
    scan.directories.pop_back();
    return list_directory(scan, dir);
  }
  const bool tree = !scan.trees.empty();
  std::vector<std::string>& starts = tree ? scan.trees : scan.paths;
  const std::string path = std::move(starts.back());
  starts.pop_back();
  Root* root = root_of(path);
  if (root == nullptr) return ok();
  SENTINEL_ASSIGN(before, baseline_.get(path));
  SENTINEL_ASSIGN(info, check_path(scan, path, before));
  if (root->path == path) root->device.reset();  // looked at again below
  if (info && root->path == path) root->device = info->st_dev;
  // A directory that is new to the baseline is entered even when only its name was notified.
  if (info && S_ISDIR(info->st_mode) && (tree || !before) && may_enter(path, *info)) {
    scan.directories.push_back(path);
  }
  return ok();
}

Result<std::optional<struct stat>> IntegrityChecker::check_path(
    Scan& scan, const std::string& path, const std::optional<FileState>& before) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    if (errno != ENOENT && errno != ENOTDIR) {
      ++unreadable_;  // cannot tell: the baseline keeps what it knew
      return std::optional<struct stat>();
    }
    if (before) {
      SENTINEL_TRY(apply(scan, path, before, std::nullopt));
      if (before->type == FileType::kDirectory) SENTINEL_TRY(delete_below(scan, path));
    }
    return std::optional<struct stat>();
  }
  if (excludes_.excludes(path)) {
    if (before) SENTINEL_TRY(forget(path, *before));
    return std::optional<struct stat>();
  }
  FileState after = state_from_stat(info);
  if (before && before->type == FileType::kDirectory && after.type != FileType::kDirectory) {
    SENTINEL_TRY(delete_below(scan, path));
  }
  const bool unchanged_content =
      before && same_content_stamp(*before, after) && !before->sha256.empty();
  if (after.type == FileType::kFile && !unchanged_content) {
    pool_.submit(HashJob{scan.id, path, before, std::move(after)});
    ++scan.in_flight;
    ++in_flight_;
    return std::optional<struct stat>(info);
  }
  if (unchanged_content) {
    after.sha256 = before->sha256;
  } else if (after.type == FileType::kSymlink) {
    auto digest = hash_symlink(path);
    if (digest) after.sha256 = std::move(*digest);
  }
  SENTINEL_TRY(apply(scan, path, before, after));
  return std::optional<struct stat>(info);
}

Status IntegrityChecker::list_directory(Scan& scan, const std::string& dir) {
  if (hook_) hook_(dir);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    // Gone or replaced: the check of its name (here or in a notification) reports that.
    if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP) ++unreadable_;
    return ok();
  }
  DIR* stream = ::fdopendir(fd);
  if (stream == nullptr) {
    ::close(fd);
    ++unreadable_;
    return ok();
  }
  std::vector<std::string> names;
  errno = 0;
  while (const struct dirent* entry = ::readdir(stream)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  const int error = errno;
  ::closedir(stream);
  // A partial listing would make the rest look deleted.
  if (error != 0) {
    ++unreadable_;
    return ok();
  }
  std::sort(names.begin(), names.end());

  // One directory's entries are the largest thing a check holds (18k in /usr/share/man/man1):
  // the baseline's rows are merged into the listing as they are read, not copied first.
  std::vector<Entry>& entries = scan.entries;
  entries.clear();
  if (entries.capacity() > 4 * names.size() + 1024) std::vector<Entry>().swap(entries);
  entries.reserve(names.size());
  for (std::string& name : names) entries.push_back(Entry{std::move(name), std::nullopt, true});
  std::vector<std::string>().swap(names);
  std::vector<Entry> gone;
  std::size_t next = 0;
  SENTINEL_TRY(baseline_.children(dir, [&](std::string_view name, FileState state) {
    while (next < entries.size() && std::string_view(entries[next].name) < name) ++next;
    if (next < entries.size() && entries[next].name == name) {
      entries[next].before = std::move(state);
    } else {
      gone.push_back(Entry{std::string(name), std::move(state), false});
    }
  }));
  for (Entry& entry : gone) entries.push_back(std::move(entry));
  scan.directory = dir;
  scan.next_entry = 0;
  return ok();
}

bool IntegrityChecker::may_enter(const std::string& path, const struct stat& info) {
  if (excludes_.excludes_below(path)) return false;
  Root* root = root_of(path);
  if (root == nullptr) return false;
  if (config_.cross_filesystems) return true;
  if (!root->device) {
    struct stat root_info {};
    if (::lstat(root->path.c_str(), &root_info) != 0) return false;
    root->device = root_info.st_dev;
  }
  return info.st_dev == *root->device;
}

Status IntegrityChecker::apply(Scan& scan, const std::string& path,
                               const std::optional<FileState>& before,
                               const std::optional<FileState>& after) {
  if (before == after) return ok();
  if (after) {
    SENTINEL_TRY(baseline_.put(path, *after));
  } else {
    SENTINEL_TRY(baseline_.remove(path));
  }
  const auto action = classify(before, after);
  if (!action || silent(path)) return ok();
  return report(scan, FileChange{*action, path, before, after});
}

Status IntegrityChecker::forget(const std::string& path, const FileState& before) {
  SENTINEL_TRY(baseline_.remove(path));
  if (before.type != FileType::kDirectory) return ok();
  return baseline_.remove_below(path, [](std::string, FileState) {});
}

Status IntegrityChecker::delete_below(Scan& scan, const std::string& dir) {
  if (silent(dir)) return baseline_.remove_below(dir, [](std::string, FileState) {});
  // Journalled while the rows are read: SQLite allows writing another table meanwhile, and a
  // removed /usr is not held in memory whole.
  Status recorded = ok();
  SENTINEL_TRY(baseline_.remove_below(dir, [&](std::string path, FileState state) {
    if (!recorded) return;
    recorded =
        report(scan, FileChange{ChangeAction::kDeleted, std::move(path), std::move(state), {}});
  }));
  return recorded;
}

}  // namespace sentinel::agent::fim
