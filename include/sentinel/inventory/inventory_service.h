#pragma once
// The server's view of every agent's host inventory: the current state of each section, the
// history of changes, the events those changes raise, and queries across agents.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/clock.h"
#include "sentinel/common/result.h"
#include "sentinel/protocol/agent_protocol.h"
#include "sentinel/store/database.h"

namespace sentinel::inventory {

/// An event the server raises from an inventory change, stored and published like the agent's
/// own: "package.installed", "package.removed", "package.upgraded", "package.downgraded",
/// "port.opened", "port.closed", "user.created", "user.deleted", "group.changed".
struct DerivedEvent {
  std::string type;
  boost::json::object data;
};

/// One installed package of one agent.
struct PackageRecord {
  std::string agent_id;
  std::string name;
  std::string version;
  std::string arch;
  std::string source;  // "dpkg" or "rpm"
};

/// One listening socket of one agent.
struct PortRecord {
  std::string agent_id;
  std::string protocol;  // "tcp" or "udp"
  std::string address;
  std::int64_t port = 0;
  std::optional<std::string> process;  // unknown when the agent could not see the owner
};

/// One recorded change. `kind` is "added", "removed" or "changed".
struct InventoryChangeRecord {
  std::int64_t id = 0;
  std::int64_t time_ms = 0;  // when the agent saw it
  std::string section;
  std::string kind;
  std::string key;
  std::optional<boost::json::object> before;
  std::optional<boost::json::object> after;
};

/// Filters of changes(): newest first, ids below `before_id` when set.
struct ChangeQuery {
  std::string agent_id;
  std::optional<std::string> section;
  std::int64_t limit = 100;
  std::optional<std::int64_t> before_id;
};

/// Thread-safe; holds no state of its own beyond its collaborators (state is in the database).
class InventoryService {
 public:
  virtual ~InventoryService() = default;

  /// `db` and `clock` must outlive the service.
  static std::unique_ptr<InventoryService> create(store::Database& db, const Clock& clock);

  /// True for the event types apply() takes: "inventory.snapshot", "inventory.delta".
  static bool handles(std::string_view event_type);

  /// Applies one inventory event of `agent_id` inside the caller's transaction `tx` (the one that
  /// stores the event). A snapshot's first part starts a new state of the section, its last
  /// part replaces the current one; the first snapshot ever of a section is a silent baseline,
  /// later ones are diffed against the current state. A delta applies its added, removed and
  /// changed items. Each change is recorded in the history and the changes people care about are
  /// appended to `derived`. Malformed data (the agent is untrusted) is kInvalidArgument naming
  /// the field; on any error the caller must roll `tx` back (nothing is partial then).
  virtual Status apply(store::Connection& tx, const std::string& agent_id,
                       const protocol::Event& event, std::vector<DerivedEvent>& derived) = 0;

  /// Deletes everything known about `agent_id` (when the agent is deleted), inside `tx`.
  virtual Status forget_agent(store::Connection& tx, const std::string& agent_id) = 0;

  /// The agent's packages, sorted by name then arch.
  virtual Result<std::vector<PackageRecord>> packages(const std::string& agent_id) = 0;

  /// The current items of one section, sorted by key; kInvalidArgument for an unknown section.
  virtual Result<boost::json::array> section_items(const std::string& agent_id,
                                                   std::string_view section) = 0;

  /// section_items() of many agents at once, by agent id; agents without items of the section
  /// are absent. One query per 1000 agents, however many there are.
  virtual Result<std::map<std::string, boost::json::array>> section_items_of(
      const std::vector<std::string>& agent_ids, std::string_view section) = 0;

  /// The agent's recorded changes, newest first (limit 1..1000).
  virtual Result<std::vector<InventoryChangeRecord>> changes(const ChangeQuery& query) = 0;

  /// The agents that have package `name`, with `below` only those whose version is lower, in
  /// the version order of each package's source. Sorted by agent id, then arch.
  virtual Result<std::vector<PackageRecord>> find_packages(
      const std::string& name, const std::optional<std::string>& below) = 0;

  /// The agents listening on `port`, optionally only with `protocol` ("tcp", "udp"). Sorted by
  /// agent id, protocol and address.
  virtual Result<std::vector<PortRecord>> find_ports(
      std::int64_t port, const std::optional<std::string>& protocol) = 0;
};

}  // namespace sentinel::inventory
