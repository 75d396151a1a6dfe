#pragma once
// Runs the host-event collectors (logs, file integrity, processes; ADR 0004) in one long-lived
// confined child and spools what they see. The child's checkpoint (log positions) is saved only
// after the events before it are in the spool, so a restart never skips a line.

#include <boost/json/object.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/spool/spool.h"
#include "agent/watch/event_source.h"
#include "agent/watch/watch_protocol.h"

namespace spdlog {
class logger;
}

namespace sentinel::agent {

/// Builds the sources in the child from the last saved checkpoint (runs after fork: allocate,
/// open files, but no locks other threads may hold, so no logging through the agent's loggers).
/// `logger` is the child's own: its lines reach the agent's log as `log` records.
/// `privileged_fd`: what WatchJobOptions::open_privileged_fd opened for this child, now the
/// child's (-1: none).
using SourceFactory = std::function<std::vector<std::unique_ptr<watch::EventSource>>(
    const boost::json::object& checkpoint, std::shared_ptr<spdlog::logger> logger,
    int privileged_fd)>;

struct WatchJobOptions {
  std::string data_dir;  // checkpoint in DATA_DIR/watch-checkpoint.json
  bool sandbox = true;
  std::string sandbox_user = "nobody";
  std::chrono::milliseconds restart_backoff{1000};  // doubles up to a minute while it keeps dying
  /// Opens, with the agent's privileges and before each confined child starts, an fd the child
  /// needs but may not open itself (the process connector's socket with a receive queue above
  /// net.core.rmem_max); -1 when it cannot. The child gets it (kInheritedFd), the agent closes
  /// its copy. Null, or without the sandbox: none.
  std::function<int()> open_privileged_fd;
};

/// One reader thread; start() and stop() from one thread.
class WatchJob {
 public:
  /// `spooled` runs after new events are in the spool.
  WatchJob(WatchJobOptions options, Spool& spool, SourceFactory sources,
           std::function<void()> spooled);
  ~WatchJob();

  void start();
  void stop();

 private:
  void run();
  // Reads records from `fd` until EOF or stop; false when the stream was malformed.
  bool pump(int fd);
  Status store(watch::WatchBatch& batch);

  WatchJobOptions options_;
  Spool& spool_;
  SourceFactory sources_;
  std::function<void()> spooled_;
  boost::json::object checkpoint_;
  int stop_fd_ = -1;  // eventfd: wakes the reader on stop
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sentinel::agent
