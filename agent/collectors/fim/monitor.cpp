#include "agent/collectors/fim/monitor.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>
#include <thread>

#include "agent/collectors/fim/baseline.h"
#include "agent/collectors/fim/directory_watches.h"
#include "agent/collectors/fim/file_hasher.h"
#include "agent/collectors/fim/integrity_checker.h"
#include "agent/collectors/fim/path_glob.h"

namespace sentinel::agent::fim {
namespace {

constexpr const char* kBaselineFile = "fim-baseline.db";
// Reads of 1 MiB: fewer system calls than 64 KiB without costing the hashing threads much.
constexpr std::size_t kReadBufferBytes = 1 << 20;
// A window naming this many paths closes early, to bound memory.
constexpr std::size_t kMaxWindowPaths = 10'000;
// How long process() works on checks before it returns to read notifications.
constexpr std::chrono::milliseconds kSlice{50};
constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
// The change journal keeps at most this many entries (of those already drained), pruned every
// kJournalTrimEvery changes, so that a child running for months does not grow the file without
// bound. The agent reads the pipe in order and the child blocks while it is full, so entries
// this old were stored long ago unless a storm of fim.batch events (10k changes each) came
// faster than the agent could spool them. The normal pruning is at start, up to the agent's
// checkpoint.
constexpr std::int64_t kJournalKeep = 100'000;
constexpr std::int64_t kJournalTrimEvery = 10'000;

// `path` as a glob that matches only itself.
std::string escape_glob(const std::string& path) {
  std::string out;
  for (const char c : path) {
    if (c == '*' || c == '?' || c == '[' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace

struct Monitor::State {
  State(MonitorOptions monitor_options, const Clock& monitor_clock)
      : options(std::move(monitor_options)), clock(monitor_clock) {}

  template <typename... Args>
  void warn(fmt::format_string<Args...> format, Args&&... args) {
    if (options.logger) options.logger->warn(format, std::forward<Args>(args)...);
  }

  void watch_directory(const std::string& dir) {
    if (!watches) return;
    switch (watches->watch(dir)) {
      case DirectoryWatches::Added::kWatched:
      case DirectoryWatches::Added::kGone:
        return;
      case DirectoryWatches::Added::kFailed:
        ++unwatched_directories;
        return;
      case DirectoryWatches::Added::kLimit:
        ++unwatched_directories;
        if (!checker->full_check_running()) {
          // A directory created since the last full check went unwatched: a full check sees
          // its changes; one is scheduled unless the last one already met the limit.
          if (!limit_met_in_full_check) request_full_check();
        } else {
          limit_met_in_full_check = true;
        }
        if (!limit_warned) {
          warn(
              "fim: inotify watch limit reached at {} (fs.inotify.max_user_watches); directories "
              "without a watch are covered by full checks only",
              dir);
          limit_warned = true;
        }
        return;
    }
  }

  void request_full_check() {
    if (checker->full_check_running()) {
      rerun_full_check = true;
    } else {
      next_full_check_ms = clock.now_ms();
    }
  }

  std::size_t pending() const { return dirty.size() + dirty_trees.size(); }

  // Counts the events a step appended to `ready` from index `from` on.
  void count_reported(std::size_t from) {
    for (std::size_t i = from; i < ready.size(); ++i) {
      const CollectedEvent& event = ready[i];
      if (event.type == "fim") {
        ++changes;
      } else if (event.type == "fim.batch") {
        ++batches;
        for (const detection::Field& field : event.fields) {
          std::int64_t count = 0;
          if (field.name == "fim.count" &&
              std::from_chars(field.value.data(), field.value.data() + field.value.size(), count)
                      .ec == std::errc()) {
            batched_changes += count;
          }
        }
      }
    }
  }

  void handle(const Notification& notification) {
    switch (notification.kind) {
      case Notification::Kind::kOverflow:
        ++queue_overflows;
        warn(
            "fim: inotify queue overflowed (fs.inotify.max_queued_events); real-time changes "
            "were lost, a full check is scheduled");
        request_full_check();
        return;
      case Notification::Kind::kDirectoryAppeared:
        if (!checker->in_scope(notification.path)) return;
        dirty_trees.insert(notification.path);
        break;
      case Notification::Kind::kPath:
        if (!checker->in_scope(notification.path)) return;
        dirty.insert(notification.path);
        break;
    }
    if (window_start_ms < 0) window_start_ms = clock.now_ms();
  }

  void close_window() {
    ++realtime_windows;
    checker->start_realtime_check(std::vector<std::string>(dirty.begin(), dirty.end()),
                                  std::vector<std::string>(dirty_trees.begin(), dirty_trees.end()));
    dirty.clear();
    dirty_trees.clear();
    window_start_ms = -1;
  }

  // Reports again the journalled changes the agent has not acknowledged, and prunes those it
  // has. A checkpoint of another baseline (removed and made anew) acknowledges nothing.
  Status replay_unacknowledged() {
    const FimCheckpoint& resume = options.resume;
    const std::int64_t acknowledged =
        resume.baseline == baseline->id() && resume.change > 0 ? resume.change : 0;
    if (acknowledged > 0) SENTINEL_TRY(baseline->forget_changes_through(acknowledged));
    const std::size_t threshold = options.config.batch_threshold;
    ChangeBatcher realtime(threshold);
    ChangeBatcher scheduled(threshold);
    std::int64_t replayed = 0;
    SENTINEL_TRY(baseline->changes_after(acknowledged, [&](JournalEntry entry) {
      ++replayed;
      (entry.trigger == Trigger::kRealtime ? realtime : scheduled).add(std::move(entry.change));
    }));
    SENTINEL_TRY(baseline->flush());
    const std::int64_t now = clock.now_ms();
    realtime.flush(Trigger::kRealtime, now, ready);
    scheduled.flush(Trigger::kScheduled, now, ready);
    count_reported(0);
    if (replayed > 0) {
      warn("fim: reporting again {} changes whose events the agent had not stored (a crash)",
           replayed);
    }
    drained_change = acknowledged;
    ready_settled = baseline->last_change();
    journal_trimmed_at = ready_settled;
    return ok();
  }

  MonitorOptions options;
  const Clock& clock;
  // Declared in the order they are built: the checker goes first, then the pool's threads.
  std::unique_ptr<Baseline> baseline;
  std::unique_ptr<HashPool> pool;
  std::unique_ptr<IntegrityChecker> checker;
  std::unique_ptr<DirectoryWatches> watches;

  std::set<std::string> dirty;        // paths notified in the open window
  std::set<std::string> dirty_trees;  // directories that appeared in it
  std::int64_t window_start_ms = -1;
  std::int64_t next_full_check_ms = kNever;
  bool rerun_full_check = false;
  std::int64_t full_checks_seen = 0;
  bool limit_met_in_full_check = false;
  bool limit_warned = false;
  std::int64_t unreadable_warned = 0;

  std::vector<Notification> notifications;
  std::vector<CollectedEvent> ready;
  std::int64_t ready_settled = 0;   // every change up to it is drained or in `ready`
  std::int64_t drained_change = 0;  // every change up to it is drained
  std::int64_t journal_trimmed_at = 0;
  std::int64_t queue_overflows = 0;
  std::int64_t unwatched_directories = 0;
  std::int64_t baseline_errors = 0;
  std::int64_t realtime_windows = 0;
  std::int64_t changes = 0;
  std::int64_t batches = 0;
  std::int64_t batched_changes = 0;
  std::int64_t full_check_started_ms = 0;
  std::int64_t last_full_check_ms = -1;
};

Monitor::Monitor(std::unique_ptr<State> state) : state_(std::move(state)) {}

Monitor::~Monitor() = default;

Result<std::unique_ptr<Monitor>> Monitor::create(MonitorOptions options, const Clock& clock) {
  SENTINEL_TRY(validate_config(options.config));
  for (std::string& path : options.config.paths) path = normalize_path(std::move(path));
  if (options.state_dir.empty()) return invalid_argument("fim: no state directory", "state_dir");
  if (::mkdir(options.state_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return internal_error("fim: cannot create " + options.state_dir + ": " + std::strerror(errno));
  }
  auto state = std::make_unique<State>(std::move(options), clock);
  SENTINEL_ASSIGN(baseline, Baseline::open(join_path(state->options.state_dir, kBaselineFile)));
  // The baseline changes with every check: watching it would report the monitor's own writes.
  std::vector<std::string> patterns = state->options.config.excludes;
  const std::filesystem::path state_dir =
      std::filesystem::absolute(state->options.state_dir).lexically_normal();
  patterns.push_back(escape_glob(normalize_path(state_dir.string())) + "/**");
  SENTINEL_ASSIGN(excludes, ExcludeList::compile(patterns));
  SENTINEL_ASSIGN(complete_roots, baseline->complete_roots());
  state->baseline = std::move(baseline);
  state->pool = std::make_unique<HashPool>(state->options.config.hash_threads, kReadBufferBytes);
  State* raw = state.get();
  state->checker = std::make_unique<IntegrityChecker>(
      *state->baseline, *state->pool, clock, state->options.config, std::move(excludes),
      complete_roots, [raw](const std::string& dir) { raw->watch_directory(dir); });
  SENTINEL_TRY(state->replay_unacknowledged());
  return std::unique_ptr<Monitor>(new Monitor(std::move(state)));
}

Status Monitor::start() {
  State& state = *state_;
  if (state.options.realtime && !state.watches) {
    auto watches = DirectoryWatches::open();
    if (watches) {
      state.watches = std::move(*watches);
    } else {
      state.warn("fim: no real-time watching: {}; changes are found by full checks only",
                 watches.error().message);
    }
  }
  state.next_full_check_ms = state.clock.now_ms();
  return ok();
}

int Monitor::fd() const { return state_->watches ? state_->watches->fd() : -1; }

std::chrono::milliseconds Monitor::due_in() const {
  const State& state = *state_;
  if (!state.checker->idle() || state.pending() >= kMaxWindowPaths) {
    return std::chrono::milliseconds(0);
  }
  std::int64_t due = state.next_full_check_ms;
  if (state.window_start_ms >= 0) {
    due = std::min(due, state.window_start_ms + state.options.config.window_ms);
  }
  if (due == kNever) return std::chrono::hours(1);
  const std::int64_t wait = due - state.clock.now_ms();
  return std::chrono::milliseconds(std::clamp<std::int64_t>(wait, 0, 3'600'000));
}

Status Monitor::poll(std::chrono::milliseconds timeout) {
  const auto wait = std::max(std::chrono::milliseconds(0), std::min(timeout, due_in()));
  if (state_->watches) {
    struct pollfd descriptor {
      state_->watches->fd(), POLLIN, 0
    };
    ::poll(&descriptor, 1, static_cast<int>(wait.count()));  // EINTR: process() anyway
  } else if (wait.count() > 0) {
    std::this_thread::sleep_for(wait);
  }
  return process();
}

Status Monitor::process() {
  State& state = *state_;
  if (state.watches) {
    state.notifications.clear();
    SENTINEL_TRY(state.watches->read(state.notifications));
    for (const Notification& notification : state.notifications) state.handle(notification);
  }
  const std::int64_t now = state.clock.now_ms();
  if (state.window_start_ms >= 0 &&
      (now >= state.window_start_ms + state.options.config.window_ms ||
       state.pending() >= kMaxWindowPaths)) {
    state.close_window();
  }
  if (!state.checker->full_check_running() && now >= state.next_full_check_ms) {
    // The directory holding each watched path names it when it is created, replaced or
    // removed, which the path's own watch cannot (and a watched file has none).
    for (const std::string& path : state.options.config.paths) {
      if (path != "/") state.watch_directory(std::string(split_path(path).first));
    }
    state.checker->start_full_check();
    state.full_check_started_ms = now;
    state.next_full_check_ms = kNever;
    state.limit_met_in_full_check = false;
  }
  const std::size_t reported_before = state.ready.size();
  Status stepped = state.checker->step(std::chrono::steady_clock::now() + kSlice, state.ready);
  state.count_reported(reported_before);
  if (stepped && state.baseline->last_change() - state.journal_trimmed_at >= kJournalTrimEvery) {
    // Never an entry whose event has not even left the monitor.
    stepped = state.baseline->forget_changes_through(
        std::min(state.baseline->last_change() - kJournalKeep, state.drained_change));
    state.journal_trimmed_at = state.baseline->last_change();
  }
  // Committed before the events can leave: a change handed over is one the journal holds.
  if (stepped) stepped = state.baseline->flush();
  if (!stepped) {
    ++state.baseline_errors;
    return stepped;
  }
  state.ready_settled = state.checker->settled_change();
  if (state.checker->full_checks_done() != state.full_checks_seen) {
    state.full_checks_seen = state.checker->full_checks_done();
    state.last_full_check_ms = state.clock.now_ms() - state.full_check_started_ms;
    state.next_full_check_ms =
        state.rerun_full_check
            ? state.clock.now_ms()
            : state.clock.now_ms() + state.options.config.full_check_interval_s * 1000;
    state.rerun_full_check = false;
    if (state.checker->unreadable() > state.unreadable_warned) {
      state.warn("fim: {} paths could not be read so far; their last known state is kept",
                 state.checker->unreadable());
      state.unreadable_warned = state.checker->unreadable();
    }
  }
  return ok();
}

void Monitor::drain(std::vector<CollectedEvent>& out) {
  std::vector<CollectedEvent>& ready = state_->ready;
  out.insert(out.end(), std::make_move_iterator(ready.begin()),
             std::make_move_iterator(ready.end()));
  ready.clear();
  state_->drained_change = state_->ready_settled;
}

FimCheckpoint Monitor::checkpoint() const {
  return FimCheckpoint{state_->baseline->id(), state_->drained_change};
}

void Monitor::request_full_check() { state_->request_full_check(); }

MonitorStats Monitor::stats() const {
  const State& state = *state_;
  MonitorStats stats;
  stats.realtime = state.watches != nullptr;
  stats.full_check_running = state.checker->full_check_running();
  stats.full_checks = state.checker->full_checks_done();
  stats.watches = state.watches ? static_cast<std::int64_t>(state.watches->size()) : 0;
  stats.pending_paths = static_cast<std::int64_t>(state.pending());
  stats.files_hashed = state.pool->files_hashed();
  stats.queue_overflows = state.queue_overflows;
  stats.unwatched_directories = state.unwatched_directories;
  stats.unreadable = state.checker->unreadable();
  stats.baseline_errors = state.baseline_errors;
  stats.realtime_windows = state.realtime_windows;
  stats.changes = state.changes;
  stats.batches = state.batches;
  stats.batched_changes = state.batched_changes;
  stats.last_full_check_ms = state.last_full_check_ms;
  return stats;
}

Result<std::int64_t> Monitor::baseline_paths() { return state_->baseline->size(); }

}  // namespace sentinel::agent::fim
