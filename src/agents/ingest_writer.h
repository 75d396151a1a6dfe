#pragma once
// Ingest: agents' event batches into the events table with group commit. The channel session
// acknowledges a batch to its agent only after `done(ok)`, i.e. after the database commit.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sentinel/bus/bus.h"
#include "sentinel/common/clock.h"
#include "sentinel/common/metrics.h"
#include "sentinel/events/event_store.h"
#include "sentinel/inventory/inventory_service.h"
#include "sentinel/protocol/agent_protocol.h"
#include "sentinel/server/service.h"
#include "sentinel/store/database.h"

namespace sentinel::agents {

/// Consecutive events of one agent, or one spool gap (then `events` is empty).
struct IngestBatch {
  std::string agent_id;
  std::vector<protocol::Event> events;
  std::optional<protocol::SpoolGap> gap;
};

/// Called once per batch on the writer thread: ok after commit, or why it was not stored.
using IngestDone = std::function<void(Status)>;

struct IngestOptions {
  std::size_t max_events_per_commit = 20000;  // one transaction takes batches up to this many
  std::size_t max_queued_batches = 65536;     // each connection has at most one batch queued
};

/// One writer thread. Every batch queued while a commit runs goes into the next transaction
/// together (group commit), which is what makes many small agents cheap. Idempotent: events whose
/// (agent, seq) is already stored are skipped, so a resend stores nothing twice. Inventory events
/// are applied in the same transaction, under a savepoint: data the inventory rejects is kept as
/// an event plus an "inventory.rejected" event, so one bad event never blocks an agent's spool.
/// Thread-safe submit(); lifecycle from one thread.
class IngestWriter : public server::Service {
 public:
  IngestWriter(store::Database& database, bus::Bus& bus, inventory::InventoryService* inventory,
               const Clock& clock, MetricsRegistry& metrics, IngestOptions options = {});
  ~IngestWriter() override;

  std::string_view name() const override { return "ingest"; }
  Status start() override;
  void drain() override;
  void stop() override;

  /// Queues `batch`; `done` runs after its commit. kUnavailable when stopped or full.
  Status submit(IngestBatch batch, IngestDone done);
  /// The agent's highest committed sequence number (0 when none).
  Result<std::int64_t> last_seq(const std::string& agent_id) const;

 private:
  struct Pending {
    IngestBatch batch;
    IngestDone done;
  };
  void run();
  std::vector<Pending> take_group();
  void commit_group(std::vector<Pending>& group);
  Status write(store::Connection& tx, const IngestBatch& batch, std::int64_t now_ms,
               std::vector<events::StoredEvent>& published);
  void publish(const std::vector<events::StoredEvent>& stored);

  store::Database& database_;
  bus::Bus& bus_;
  inventory::InventoryService* inventory_;
  const Clock& clock_;
  MetricsRegistry& metrics_;
  IngestOptions options_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sentinel::agents
