#pragma once
// The file-integrity monitor (ADR 0004, issue 5): a SHA-256 baseline of the watched paths kept
// in the agent's state directory, inotify watches on every directory under them, and scheduled
// full checks. Changes come out as `fim` events, or one `fim.batch` event for a directory with
// more than the threshold of changes in one window.
//
// Threading: a Monitor is driven by one thread, which calls every method; it is not
// thread-safe. It runs `config.hash_threads` threads of its own that only open, read and hash
// files. Driving it:
//
//   auto monitor = Monitor::create(options, clock);    // opens the baseline
//   monitor->start();                                  // watches; the first full check is due
//   while (running) {
//     monitor->poll(std::chrono::seconds(1));          // or ::poll(fd()) + process()
//     monitor->drain(events);                          // then send them
//   }

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "agent/collectors/collected_event.h"
#include "agent/collectors/fim/fim_config.h"
#include "sentinel/common/clock.h"
#include "sentinel/common/result.h"

namespace spdlog {
class logger;
}

namespace sentinel::agent::fim {

/// How far the agent has stored a monitor's changes: the id of the baseline they were recorded
/// in and the highest change sequence whose event (and every one before it) is in the spool.
struct FimCheckpoint {
  std::string baseline;
  std::int64_t change = 0;
};

/// How a monitor is set up.
struct MonitorOptions {
  FimConfig config;
  /// The agent's state directory (created 0700 when missing); the baseline is the file
  /// `fim-baseline.db` (and its WAL files) in it, mode 0600.
  std::string state_dir;
  /// false: no inotify; changes are found by the scheduled full checks only.
  bool realtime = true;
  /// Where warnings go (queue overflow, watch limit, unreadable paths). Null: nowhere, the
  /// counters in MonitorStats still say it. Pass one created in the process that runs the
  /// monitor: a logger inherited over fork may hold a lock forever.
  std::shared_ptr<spdlog::logger> logger;
  /// The agent's last saved checkpoint() of this monitor (empty: none). Changes recorded after
  /// it are reported again at once (their events may have died with a crash: at least once);
  /// those up to it are dropped from the journal.
  FimCheckpoint resume;
};

/// What the monitor has done and what it could not do.
struct MonitorStats {
  bool realtime = false;             // inotify watches are in use
  bool full_check_running = false;   // a full check is under way (the first one: the baseline)
  std::int64_t full_checks = 0;      // finished since start
  std::int64_t watches = 0;          // directories watched
  std::int64_t pending_paths = 0;    // notified and waiting for their window to close
  std::int64_t files_hashed = 0;     // files read whole since start
  std::int64_t queue_overflows = 0;  // inotify dropped events: a full check was scheduled
  std::int64_t unwatched_directories = 0;  // refused by fs.inotify.max_user_watches
  std::int64_t unreadable = 0;             // paths that could not be listed, read or stat'ed
  std::int64_t baseline_errors = 0;        // baseline writes that failed (disk full)
  std::int64_t realtime_windows = 0;       // windows of inotify changes handed to a check
  std::int64_t changes = 0;                // changes reported one by one (`fim` events)
  std::int64_t batches = 0;                // `fim.batch` events reported
  std::int64_t batched_changes = 0;        // the changes those batches stand for
  std::int64_t last_full_check_ms = -1;    // how long the last finished full check took; -1: none
};

/// The monitor. Not thread-safe (see the file comment).
class Monitor {
 public:
  /// Validates the config (kInvalidArgument listing every problem) and opens or creates the
  /// baseline (kInternal when it cannot). Starts the hashing threads. `clock` must outlive it.
  static Result<std::unique_ptr<Monitor>> create(MonitorOptions options, const Clock& clock);

  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  /// Opens inotify (when `realtime`; if the kernel refuses, says so and carries on with
  /// scheduled checks only) and makes a full check due now: the first one records the
  /// baseline silently, later ones (after a restart) report what changed while stopped.
  Status start();

  /// The inotify descriptor to poll for POLLIN, or -1 without real-time watching.
  int fd() const;
  /// How long the owner may wait on fd() before calling process(): zero while a check is
  /// running, else until the open window closes or the next full check is due.
  std::chrono::milliseconds due_in() const;
  /// Waits on fd() for at most min(timeout, due_in()), then process().
  Status poll(std::chrono::milliseconds timeout);
  /// Reads pending notifications without waiting, closes a window that is due (or full),
  /// starts a full check that is due, and works on the running checks for about 50 ms.
  /// Errors: the baseline's (kInternal), after which the owner should restart the monitor.
  Status process();

  /// Moves the events ready so far to the end of `out`.
  void drain(std::vector<CollectedEvent>& out);
  /// Makes a full check due now (after the running one, if any).
  void request_full_check();

  /// Where the agent may resume once it has stored every event drained so far: changes up to
  /// it have all been drained. Cheap, for every poll.
  FimCheckpoint checkpoint() const;

  /// Counters since start(); cheap, for every poll.
  MonitorStats stats() const;
  /// The number of paths (files, directories, links) the baseline holds: a query, so call it
  /// when reporting, not on every poll. Errors: the baseline's (kInternal).
  Result<std::int64_t> baseline_paths();

 private:
  struct State;
  explicit Monitor(std::unique_ptr<State> state);

  std::unique_ptr<State> state_;
};

}  // namespace sentinel::agent::fim
