#include "ingest_writer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>
#include <chrono>

namespace sentinel::agents {
namespace {

std::shared_ptr<spdlog::logger> logger() {
  auto existing = spdlog::get("ingest");
  return existing ? existing : spdlog::default_logger();
}

std::int64_t last_seq_of(const IngestBatch& batch) {
  if (batch.gap) return batch.gap->to_seq;
  return batch.events.empty() ? 0 : batch.events.back().seq;
}

std::size_t size_of(const IngestBatch& batch) { return batch.gap ? 1 : batch.events.size(); }

}  // namespace

IngestWriter::IngestWriter(store::Database& database, bus::Bus& bus,
                           inventory::InventoryService* inventory, const Clock& clock,
                           MetricsRegistry& metrics, IngestOptions options)
    : database_(database),
      bus_(bus),
      inventory_(inventory),
      clock_(clock),
      metrics_(metrics),
      options_(options) {}

IngestWriter::~IngestWriter() { stop(); }

Status IngestWriter::start() {
  thread_ = std::thread([this] { run(); });
  return ok();
}

void IngestWriter::drain() {
  std::unique_lock lock(mutex_);
  stopping_ = true;
  wake_.notify_all();
}

void IngestWriter::stop() {
  drain();
  if (thread_.joinable()) thread_.join();
}

Status IngestWriter::submit(IngestBatch batch, IngestDone done) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return unavailable("ingest is stopping");
    if (queue_.size() >= options_.max_queued_batches) return unavailable("ingest queue is full");
    queue_.push_back(Pending{std::move(batch), std::move(done)});
  }
  wake_.notify_one();
  return ok();
}

Result<std::int64_t> IngestWriter::last_seq(const std::string& agent_id) const {
  SENTINEL_ASSIGN(rows, database_.query("SELECT last_seq FROM agents WHERE id = $1", {agent_id}));
  if (rows.empty()) return not_found(fmt::format("agent {} not found", agent_id));
  return rows[0].integer(0);
}

std::vector<IngestWriter::Pending> IngestWriter::take_group() {
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
  std::vector<Pending> group;
  std::size_t events = 0;
  // Always at least one batch, then as many as fit: a batch is never split across commits.
  while (!queue_.empty() && (group.empty() || events + size_of(queue_.front().batch) <=
                                                  options_.max_events_per_commit)) {
    events += size_of(queue_.front().batch);
    group.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return group;
}

void IngestWriter::run() {
  while (true) {
    std::vector<Pending> group = take_group();
    if (group.empty()) return;  // stopping and nothing left: in-flight batches are all done
    commit_group(group);
  }
}

void IngestWriter::commit_group(std::vector<Pending>& group) {
  const auto started = std::chrono::steady_clock::now();
  const std::int64_t now_ms = clock_.now_ms();
  std::vector<events::StoredEvent> published;
  Status status = database_.transact([&](store::Connection& tx) -> Status {
    for (const Pending& pending : group) SENTINEL_TRY(write(tx, pending.batch, now_ms, published));
    return ok();
  });
  if (!status && group.size() > 1) {
    // One batch spoiled the group: commit each alone so the others still land.
    logger()->warn("ingest group of {} batches failed ({}); retrying one by one", group.size(),
                   status.error().message);
    for (Pending& pending : group) {
      std::vector<events::StoredEvent> one;
      Status single = database_.transact(
          [&](store::Connection& tx) { return write(tx, pending.batch, now_ms, one); });
      if (single) publish(one);
      pending.done(std::move(single));
    }
    return;
  }
  std::size_t events = 0;
  for (const Pending& pending : group) events += size_of(pending.batch);
  metrics_.observe(
      "sentinel_ingest_commit_seconds", "Time to commit one ingest group", {},
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (status) {
    metrics_.count("sentinel_ingest_events_total", "Agent events committed", {},
                   static_cast<double>(events));
    publish(published);
  }
  for (Pending& pending : group) pending.done(status);
}

Status IngestWriter::write(store::Connection& tx, const IngestBatch& batch, std::int64_t now_ms,
                           std::vector<events::StoredEvent>& published) {
  std::vector<events::NewEvent> rows;
  if (batch.gap) {
    const protocol::SpoolGap& gap = *batch.gap;
    rows.push_back(events::NewEvent{.agent_id = batch.agent_id,
                                    .seq = std::nullopt,
                                    .time_ms = gap.last_time_ms,
                                    .type = "agent.spool_dropped",
                                    .data_json = boost::json::serialize(boost::json::object{
                                        {"from_seq", gap.from_seq},
                                        {"to_seq", gap.to_seq},
                                        {"events", gap.to_seq - gap.from_seq + 1},
                                        {"bytes", gap.dropped_bytes},
                                        {"first_time", gap.first_time_ms},
                                        {"last_time", gap.last_time_ms}})});
  }
  rows.reserve(batch.events.size());
  for (const protocol::Event& event : batch.events) {
    rows.push_back(events::NewEvent{.agent_id = batch.agent_id,
                                    .seq = event.seq,
                                    .time_ms = event.time_ms,
                                    .type = event.type,
                                    .data_json = boost::json::serialize(event.data)});
  }
  SENTINEL_ASSIGN(ids, events::EventStore::insert(tx, rows, now_ms));
  const auto stored = [&](std::int64_t id, const events::NewEvent& event) {
    published.push_back(events::StoredEvent{.id = id,
                                            .agent_id = event.agent_id,
                                            .seq = event.seq,
                                            .time_ms = event.time_ms,
                                            .received_ms = now_ms,
                                            .type = event.type,
                                            .data_json = event.data_json});
  };

  std::vector<events::NewEvent> derived;
  const std::size_t first_event = batch.gap ? 1 : 0;
  for (std::size_t i = 0; i < batch.events.size(); ++i) {
    const protocol::Event& event = batch.events[i];
    const std::int64_t id = ids[first_event + i];
    if (id == 0) continue;  // a resend: applied the first time
    if (!inventory::InventoryService::handles(event.type)) {
      stored(id, rows[first_event + i]);
      continue;
    }
    if (inventory_ == nullptr) continue;
    std::vector<inventory::DerivedEvent> changes;
    SENTINEL_TRY(tx.execute("SAVEPOINT inventory_apply"));
    Status applied = inventory_->apply(tx, batch.agent_id, event, changes);
    if (!applied && applied.error().code == ErrorCode::kInvalidArgument) {
      SENTINEL_TRY(tx.execute("ROLLBACK TO SAVEPOINT inventory_apply"));
      SENTINEL_TRY(tx.execute("RELEASE SAVEPOINT inventory_apply"));
      logger()->warn("agent={} seq={} inventory data rejected: {}", batch.agent_id, event.seq,
                     applied.error().message);
      derived.push_back(
          events::NewEvent{.agent_id = batch.agent_id,
                           .seq = std::nullopt,
                           .time_ms = event.time_ms,
                           .type = "inventory.rejected",
                           .data_json = boost::json::serialize(boost::json::object{
                               {"seq", event.seq}, {"reason", applied.error().message}})});
      continue;
    }
    SENTINEL_TRY(applied);
    SENTINEL_TRY(tx.execute("RELEASE SAVEPOINT inventory_apply"));
    for (inventory::DerivedEvent& change : changes) {
      derived.push_back(events::NewEvent{.agent_id = batch.agent_id,
                                         .seq = std::nullopt,
                                         .time_ms = event.time_ms,
                                         .type = std::move(change.type),
                                         .data_json = boost::json::serialize(change.data)});
    }
  }
  if (batch.gap) stored(ids.front(), rows.front());
  if (!derived.empty()) {
    SENTINEL_ASSIGN(derived_ids, events::EventStore::insert(tx, derived, now_ms));
    for (std::size_t i = 0; i < derived.size(); ++i) stored(derived_ids[i], derived[i]);
  }
  SENTINEL_TRY(tx.execute("UPDATE agents SET last_seq = $2 WHERE id = $1 AND last_seq < $2",
                          {batch.agent_id, last_seq_of(batch)}));
  return ok();
}

void IngestWriter::publish(const std::vector<events::StoredEvent>& stored) {
  for (const events::StoredEvent& event : stored) {
    std::string payload = fmt::format(
        R"({{"type":"event","event":{{"id":{},"agent_id":{},"seq":{},"time":{},"type":{},"data":{}}}}})",
        event.id, boost::json::serialize(boost::json::value(event.agent_id)),
        event.seq ? std::to_string(*event.seq) : "null", event.time_ms,
        boost::json::serialize(boost::json::value(event.type)), event.data_json);
    if (!bus_.publish("event", std::move(payload))) {
      // The event is stored; only live subscribers miss it.
      metrics_.count("sentinel_ingest_bus_dropped_total",
                     "Stored events not published because the bus was full", {});
    }
  }
}

}  // namespace sentinel::agents
