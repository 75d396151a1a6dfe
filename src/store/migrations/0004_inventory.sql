-- Host inventory: the current state each agent reported, per section, and its history.
-- Items are JSON text (fields in include/sentinel/inventory/sections.h); item_key is the item's
-- stable key (packages "name:arch", listening "tcp 0.0.0.0:22", ...). Times are Unix ms.
-- agent_id is agents.id, deliberately without a foreign key: inventory is written by ingest in
-- the same transaction as the event, and the registry deletes it through InventoryService.

-- One row per agent and section that has reported. has_state: a complete snapshot was applied
-- (a first snapshot is a silent baseline; later ones are diffed). snapshot_parts and
-- snapshot_received track a snapshot that arrives in several parts (0 when none is pending).
CREATE TABLE inventory_sections (
  agent_id TEXT NOT NULL,
  section TEXT NOT NULL,
  has_state INTEGER NOT NULL DEFAULT 0,
  snapshot_parts BIGINT NOT NULL DEFAULT 0,
  snapshot_received BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (agent_id, section)
);

-- The current items of every section.
CREATE TABLE inventory_items (
  agent_id TEXT NOT NULL,
  section TEXT NOT NULL,
  item_key TEXT NOT NULL,
  item TEXT NOT NULL,
  PRIMARY KEY (agent_id, section, item_key)
);

-- Items of a multi-part snapshot until its last part arrives; then diffed and moved to
-- inventory_items, so that queries never see half a snapshot.
CREATE TABLE inventory_staged_items (
  agent_id TEXT NOT NULL,
  section TEXT NOT NULL,
  item_key TEXT NOT NULL,
  item TEXT NOT NULL,
  PRIMARY KEY (agent_id, section, item_key)
);

-- The packages and listening sockets of inventory_items again, as columns, for the queries
-- across agents ("which hosts have X below Y", "which hosts listen on P").
CREATE TABLE inventory_packages (
  agent_id TEXT NOT NULL,
  item_key TEXT NOT NULL,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  arch TEXT NOT NULL,
  source TEXT NOT NULL,
  PRIMARY KEY (agent_id, item_key)
);
CREATE INDEX inventory_packages_name ON inventory_packages (name, agent_id);

CREATE TABLE inventory_listening (
  agent_id TEXT NOT NULL,
  item_key TEXT NOT NULL,
  protocol TEXT NOT NULL,
  address TEXT NOT NULL,
  port BIGINT NOT NULL,
  process TEXT,
  PRIMARY KEY (agent_id, item_key)
);
CREATE INDEX inventory_listening_port ON inventory_listening (port, protocol, agent_id);

-- Every change after the baseline: kind is added, removed or changed; before_item and
-- after_item the item as JSON (NULL for the side that does not exist). time_ms is when the
-- agent saw it, received_ms when the server stored it.
CREATE TABLE inventory_changes (
  id {{id}},
  agent_id TEXT NOT NULL,
  time_ms BIGINT NOT NULL,
  received_ms BIGINT NOT NULL,
  section TEXT NOT NULL,
  kind TEXT NOT NULL,
  item_key TEXT NOT NULL,
  before_item TEXT,
  after_item TEXT
);
CREATE INDEX inventory_changes_agent ON inventory_changes (agent_id, id);
CREATE INDEX inventory_changes_agent_section ON inventory_changes (agent_id, section, id);
