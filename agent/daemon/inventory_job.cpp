#include "agent/daemon/inventory_job.h"

#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>

#include "agent/collectors/inventory/inventory.h"
#include "agent/collectors/inventory/inventory_tracker.h"
#include "agent/sandbox/resource_governor.h"
#include "agent/sandbox/sandbox.h"

namespace sentinel::agent {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Collects every section, in a confined child when asked to (the collectors only read files and
// /proc; the child drops to an unprivileged user under a seccomp filter).
Result<inventory::Snapshot> collect(const InventoryJobOptions& options) {
  const inventory::SystemRoots roots;
  if (!options.sandbox) return inventory::collect_all(roots);
  SandboxOptions sandbox;
  sandbox.user = options.sandbox_user;
  sandbox.allow_exec = std::filesystem::exists(roots.rpm);
  SENTINEL_ASSIGN(
      text, run_confined(
                [&roots]() -> Result<std::string> {
                  return boost::json::serialize(inventory::to_json(inventory::collect_all(roots)));
                },
                sandbox));
  boost::system::error_code ec;
  const boost::json::value json = boost::json::parse(text, ec);
  if (ec) return internal_error("the collector returned unreadable inventory");
  return inventory::snapshot_from_json(json);
}

}  // namespace

InventoryJob::InventoryJob(InventoryJobOptions options, Spool& spool, std::function<void()> spooled,
                           ResourceGovernor* governor)
    : options_(std::move(options)),
      spool_(spool),
      spooled_(std::move(spooled)),
      governor_(governor) {}

InventoryJob::~InventoryJob() { stop(); }

void InventoryJob::start() {
  thread_ = std::thread([this] { run(); });
}

void InventoryJob::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void InventoryJob::trigger_full() {
  {
    std::lock_guard lock(mutex_);
    full_requested_ = true;
  }
  wake_.notify_all();
}

void InventoryJob::set_interval(std::chrono::seconds interval) {
  {
    std::lock_guard lock(mutex_);
    options_.interval = interval;
  }
  wake_.notify_all();
}

Status InventoryJob::collect_once(bool full) {
  const auto started = std::chrono::steady_clock::now();
  SENTINEL_ASSIGN(snapshot, collect(options_));
  for (const auto& [section, why] : snapshot.errors) {
    spdlog::warn("inventory: section {} not collected: {}", section, why);
  }
  SENTINEL_ASSIGN(tracker, inventory::InventoryTracker::open(options_.data_dir + "/inventory"));
  SENTINEL_ASSIGN(pending, tracker.next_events(snapshot, full));
  if (!pending.empty()) {
    std::vector<NewEvent> events;
    events.reserve(pending.size());
    const std::int64_t time = now_ms();
    for (const auto& event : pending) {
      events.push_back(NewEvent{event.type, boost::json::serialize(event.data), time});
    }
    SENTINEL_TRY(spool_.append_batch(events));
    SENTINEL_TRY(tracker.commit());
    spooled_();
  }
  spdlog::debug("inventory: {} collection, {} events, {} ms", full ? "full" : "delta",
                pending.size(),
                std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - started)
                    .count());
  return ok();
}

void InventoryJob::run() {
  bool full = false;  // the tracker sends full snapshots by itself when it has no state
  while (true) {
    if (governor_ != nullptr) {
      // Over the CPU budget: wait before the next collection rather than add to it.
      if (const auto pause = governor_->backoff(); pause.count() > 0) {
        std::unique_lock lock(mutex_);
        if (wake_.wait_for(lock, pause, [this] { return stopping_; })) return;
      }
    }
    if (Status collected = collect_once(full); !collected) {
      spdlog::error("inventory: {}", collected.error().message);
    }
    release_free_memory();  // a full inventory leaves megabytes of freed memory behind
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, options_.interval, [this] { return stopping_ || full_requested_; });
    if (stopping_) return;
    full = full_requested_;
    full_requested_ = false;
  }
}

}  // namespace sentinel::agent
