#pragma once
// Collects the host inventory on a schedule (full at first start and on request, deltas on the
// interval), in a confined child process, and spools the resulting events.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "agent/spool/spool.h"
#include "sentinel/common/result.h"

namespace sentinel::agent {

class ResourceGovernor;

struct InventoryJobOptions {
  std::string data_dir;  // the tracker keeps what it last reported under DATA_DIR/inventory
  std::chrono::seconds interval{300};
  bool sandbox = true;
  std::string sandbox_user = "nobody";
};

/// One thread. trigger_full() and set_interval() are thread-safe.
class InventoryJob {
 public:
  /// `spooled` runs after new events are in the spool; `governor` may be null.
  InventoryJob(InventoryJobOptions options, Spool& spool, std::function<void()> spooled,
               ResourceGovernor* governor);
  ~InventoryJob();

  void start();
  void stop();
  /// Collect everything now and send full snapshots.
  void trigger_full();
  void set_interval(std::chrono::seconds interval);
  /// Runs one collection on the calling thread (tests, --once).
  Status collect_once(bool full);

 private:
  void run();

  InventoryJobOptions options_;
  Spool& spool_;
  std::function<void()> spooled_;
  ResourceGovernor* governor_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool full_requested_ = false;
  std::thread thread_;
};

}  // namespace sentinel::agent
