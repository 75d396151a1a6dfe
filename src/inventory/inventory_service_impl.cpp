#include "inventory_service_impl.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "derived_events.h"
#include "inventory_event.h"
#include "inventory_tables.h"
#include "sentinel/inventory/version_compare.h"

namespace sentinel::inventory {
namespace {

constexpr std::int64_t kMaxChangeLimit = 1000;
// Agents whose items one query of section_items_of() reads (its parameters stay far below
// SQLite's and PostgreSQL's limits).
constexpr std::size_t kAgentsPerQuery = 1000;

}  // namespace

std::unique_ptr<InventoryService> InventoryService::create(store::Database& db,
                                                           const Clock& clock) {
  return std::make_unique<InventoryServiceImpl>(db, clock);
}

bool InventoryService::handles(std::string_view event_type) {
  return event_type == kSnapshotEventType || event_type == kDeltaEventType;
}

std::int64_t InventoryServiceImpl::change_time(const protocol::Event& event) const {
  return event.time_ms > 0 ? event.time_ms : clock_.now_ms();
}

Status InventoryServiceImpl::apply(store::Connection& tx, const std::string& agent_id,
                                   const protocol::Event& event,
                                   std::vector<DerivedEvent>& derived) {
  if (agent_id.empty()) return invalid_argument("agent_id: must not be empty", "agent_id");
  // Events are appended only once everything is written, so that a failure adds none.
  std::vector<DerivedEvent> raised;
  if (event.type == kSnapshotEventType) {
    SENTINEL_TRY(apply_snapshot(tx, agent_id, event, raised));
  } else if (event.type == kDeltaEventType) {
    SENTINEL_TRY(apply_delta(tx, agent_id, event, raised));
  } else {
    return invalid_argument(fmt::format("type: '{}' is not an inventory event", event.type),
                            "type");
  }
  for (DerivedEvent& event_out : raised) derived.push_back(std::move(event_out));
  return ok();
}

Status InventoryServiceImpl::apply_snapshot(store::Connection& tx, const std::string& agent_id,
                                            const protocol::Event& event,
                                            std::vector<DerivedEvent>& derived) {
  SENTINEL_ASSIGN(snapshot, parse_snapshot_part(event.data));
  InventoryTables tables(tx, agent_id, snapshot.section);
  SENTINEL_ASSIGN(state, tables.load_state());
  const std::int64_t now = clock_.now_ms();

  KeyedItems incoming;
  if (snapshot.parts == 1) {
    if (state.snapshot_parts != 0) SENTINEL_TRY(tables.clear_staged());  // an abandoned one
    incoming = std::move(snapshot.items);
  } else {
    if (snapshot.part == 1) {
      SENTINEL_TRY(tables.clear_staged());
    } else if (state.snapshot_parts != snapshot.parts ||
               state.snapshot_received != snapshot.part - 1) {
      return invalid_argument(
          state.snapshot_parts == 0
              ? fmt::format("part: part {} of {} without part 1", snapshot.part, snapshot.parts)
              : fmt::format("part: expected part {} of {}, got part {} of {}",
                            state.snapshot_received + 1, state.snapshot_parts, snapshot.part,
                            snapshot.parts),
          "part");
    }
    SENTINEL_TRY(tables.stage(snapshot.items));
    if (snapshot.part < snapshot.parts) {
      state.snapshot_parts = snapshot.parts;
      state.snapshot_received = snapshot.part;
      return tables.save_state(state, now);
    }
    SENTINEL_ASSIGN(staged, tables.take_staged());
    incoming = std::move(staged);
  }

  SENTINEL_ASSIGN(current, tables.load_items());
  const std::vector<ItemChange> changes = diff_items(current, incoming);
  SENTINEL_TRY(tables.apply_changes(changes));
  // The first snapshot of a section is the baseline: thousands of "installed" at enrolment would
  // bury the changes that matter.
  if (state.has_state) {
    SENTINEL_TRY(tables.record_changes(changes, change_time(event), now));
    for (DerivedEvent& raised : derive_events(snapshot.section, changes)) {
      derived.push_back(std::move(raised));
    }
  }
  return tables.save_state({true, true, 0, 0}, now);
}

Status InventoryServiceImpl::apply_delta(store::Connection& tx, const std::string& agent_id,
                                         const protocol::Event& event,
                                         std::vector<DerivedEvent>& derived) {
  SENTINEL_ASSIGN(delta, parse_section_delta(event.data));
  InventoryTables tables(tx, agent_id, delta.section);
  SENTINEL_ASSIGN(state, tables.load_state());

  // The server's own state is the "before" of every change: a delta that repeats what is
  // already known changes nothing.
  std::map<std::string, ItemChange, std::less<>> changes;
  const auto upsert = [&](const std::string& key, const boost::json::object& item) -> Status {
    SENTINEL_ASSIGN(existing, tables.load_item(key));
    if (!existing) {
      changes[key] = {ItemChange::Kind::kAdded, key, std::nullopt, item};
    } else if (*existing != item) {
      changes[key] = {ItemChange::Kind::kChanged, key, std::move(*existing), item};
    }
    return ok();
  };
  for (const auto& [key, item] : delta.added) SENTINEL_TRY(upsert(key, item));
  for (const auto& [key, item] : delta.changed) SENTINEL_TRY(upsert(key, item));
  for (const auto& [key, item] : delta.removed) {
    SENTINEL_ASSIGN(existing, tables.load_item(key));
    if (existing) changes[key] = {ItemChange::Kind::kRemoved, key, std::move(*existing), {}};
  }

  std::vector<ItemChange> ordered;
  ordered.reserve(changes.size());
  for (auto& [key, change] : changes) ordered.push_back(std::move(change));
  const std::int64_t now = clock_.now_ms();
  SENTINEL_TRY(tables.apply_changes(ordered));
  SENTINEL_TRY(tables.record_changes(ordered, change_time(event), now));
  for (DerivedEvent& raised : derive_events(delta.section, ordered)) {
    derived.push_back(std::move(raised));
  }
  // A delta alone is no baseline: has_state stays as it was.
  state.exists = true;
  return tables.save_state(state, now);
}

Status InventoryServiceImpl::forget_agent(store::Connection& tx, const std::string& agent_id) {
  return delete_agent_inventory(tx, agent_id);
}

Result<std::vector<PackageRecord>> InventoryServiceImpl::packages(const std::string& agent_id) {
  SENTINEL_ASSIGN(rows, db_.query("SELECT agent_id, name, version, arch, source "
                                  "FROM inventory_packages WHERE agent_id = $1",
                                  {agent_id}));
  std::vector<PackageRecord> packages;
  packages.reserve(rows.size());
  for (const store::Row& row : rows) {
    packages.push_back({row.text(0), row.text(1), row.text(2), row.text(3), row.text(4)});
  }
  // Byte order on both backends (PostgreSQL's ORDER BY follows the database's collation).
  std::sort(packages.begin(), packages.end(), [](const PackageRecord& a, const PackageRecord& b) {
    return std::tie(a.name, a.arch) < std::tie(b.name, b.arch);
  });
  return packages;
}

Result<boost::json::array> InventoryServiceImpl::section_items(const std::string& agent_id,
                                                               std::string_view section) {
  SENTINEL_ASSIGN(by_agent, section_items_of({agent_id}, section));
  auto found = by_agent.find(agent_id);
  return found != by_agent.end() ? std::move(found->second) : boost::json::array();
}

Result<std::map<std::string, boost::json::array>> InventoryServiceImpl::section_items_of(
    const std::vector<std::string>& agent_ids, std::string_view section) {
  if (!is_section(section)) {
    return invalid_argument(fmt::format("section: unknown inventory section '{}'", section),
                            "section");
  }
  // (agent, key) -> item; sorted here, in byte order of the key, the same on both backends.
  std::map<std::pair<std::string, std::string>, std::string> keyed;
  for (std::size_t first = 0; first < agent_ids.size(); first += kAgentsPerQuery) {
    const std::size_t count = std::min(kAgentsPerQuery, agent_ids.size() - first);
    // A list of placeholders, so that both backends look each agent up by the primary key.
    store::Params params{std::string(section)};
    std::string alternatives;
    for (std::size_t i = 0; i < count; ++i) {
      params.emplace_back(agent_ids[first + i]);
      alternatives += fmt::format("{}${}", i == 0 ? "" : ", ", params.size());
    }
    SENTINEL_ASSIGN(rows, db_.query(fmt::format("SELECT agent_id, item_key, item FROM "
                                                "inventory_items WHERE section = $1 AND "
                                                "agent_id IN ({})",
                                                alternatives),
                                    params));
    for (const store::Row& row : rows) {
      keyed.emplace(std::pair(row.text(0), row.text(1)), row.text(2));
    }
  }
  std::map<std::string, boost::json::array> out;
  for (const auto& [key, json] : keyed) {
    SENTINEL_ASSIGN(item, stored_item(json));
    out[key.first].emplace_back(std::move(item));
  }
  return out;
}

Result<std::vector<InventoryChangeRecord>> InventoryServiceImpl::changes(const ChangeQuery& query) {
  if (query.limit < 1 || query.limit > kMaxChangeLimit) {
    return invalid_argument(fmt::format("limit: must be from 1 to {}", kMaxChangeLimit), "limit");
  }
  if (query.section && !is_section(*query.section)) {
    return invalid_argument(fmt::format("section: unknown inventory section '{}'", *query.section),
                            "section");
  }
  // Optional filters as "$n IS NULL OR ..." would defeat the index on PostgreSQL; build the
  // statement instead, with placeholders only.
  std::string sql =
      "SELECT id, time_ms, section, kind, item_key, before_item, after_item "
      "FROM inventory_changes WHERE agent_id = $1";
  store::Params params{query.agent_id};
  if (query.section) {
    params.emplace_back(*query.section);
    sql += fmt::format(" AND section = ${}", params.size());
  }
  if (query.before_id) {
    params.emplace_back(*query.before_id);
    sql += fmt::format(" AND id < ${}", params.size());
  }
  params.emplace_back(query.limit);
  sql += fmt::format(" ORDER BY id DESC LIMIT ${}", params.size());
  SENTINEL_ASSIGN(rows, db_.query(sql, params));

  std::vector<InventoryChangeRecord> records;
  records.reserve(rows.size());
  for (const store::Row& row : rows) {
    InventoryChangeRecord record{row.integer(0), row.integer(1), row.text(2), row.text(3),
                                 row.text(4),    std::nullopt,   std::nullopt};
    if (const auto before = row.optional_text(5)) {
      SENTINEL_ASSIGN(item, stored_item(*before));
      record.before = std::move(item);
    }
    if (const auto after = row.optional_text(6)) {
      SENTINEL_ASSIGN(item, stored_item(*after));
      record.after = std::move(item);
    }
    records.push_back(std::move(record));
  }
  return records;
}

Result<std::vector<PackageRecord>> InventoryServiceImpl::find_packages(
    const std::string& name, const std::optional<std::string>& below) {
  SENTINEL_ASSIGN(rows, db_.query("SELECT agent_id, name, version, arch, source "
                                  "FROM inventory_packages WHERE name = $1",
                                  {name}));
  std::vector<PackageRecord> found;
  for (const store::Row& row : rows) {
    PackageRecord record{row.text(0), row.text(1), row.text(2), row.text(3), row.text(4)};
    if (below) {
      // Each host's package manager decides what "below" means for its own versions.
      const VersionComparator compare = comparator_for_source(record.source);
      if (compare == nullptr || compare(record.version, *below) >= 0) continue;
    }
    found.push_back(std::move(record));
  }
  std::sort(found.begin(), found.end(), [](const PackageRecord& a, const PackageRecord& b) {
    return std::tie(a.agent_id, a.arch) < std::tie(b.agent_id, b.arch);
  });
  return found;
}

Result<std::vector<PortRecord>> InventoryServiceImpl::find_ports(
    std::int64_t port, const std::optional<std::string>& protocol) {
  std::string sql =
      "SELECT agent_id, protocol, address, port, process FROM inventory_listening "
      "WHERE port = $1";
  store::Params params{port};
  if (protocol) {
    params.emplace_back(*protocol);
    sql += " AND protocol = $2";
  }
  SENTINEL_ASSIGN(rows, db_.query(sql, params));
  std::vector<PortRecord> found;
  found.reserve(rows.size());
  for (const store::Row& row : rows) {
    found.push_back({row.text(0), row.text(1), row.text(2), row.integer(3), row.optional_text(4)});
  }
  std::sort(found.begin(), found.end(), [](const PortRecord& a, const PortRecord& b) {
    return std::tie(a.agent_id, a.protocol, a.address) <
           std::tie(b.agent_id, b.protocol, b.address);
  });
  return found;
}

}  // namespace sentinel::inventory
