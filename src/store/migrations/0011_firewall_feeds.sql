-- Threat-intel feeds (ADR 0006 "Feeds"): named address sets filled from a file or a URL on a
-- schedule. Times are Unix milliseconds.

-- One feed: what admins defined, and how its last fetch went. name follows the policy
-- object-name grammar (policies refer to it by name, so it never changes). source is an
-- http(s) URL or an absolute path under <data_dir>/feeds. csv_column names the column of a csv
-- feed (a header name or a 1-based number; '' for plain). next_fetch_at is when the scheduler
-- fetches it next; a process claims a due feed by moving it with a compare-and-set. entry_count,
-- bad_lines and problems (JSON list of {"line","message"}, the first skipped lines) describe the
-- last successful fetch; last_error the last failed one ('' once one succeeded).
CREATE TABLE firewall_feeds (
  id {{id}},
  name TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL,
  format TEXT NOT NULL CHECK (format IN ('plain', 'csv')),
  csv_column TEXT NOT NULL DEFAULT '',
  refresh_s BIGINT NOT NULL CHECK (refresh_s >= 300),
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  description TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL,
  next_fetch_at BIGINT NOT NULL,
  last_fetch_at BIGINT,
  last_success_at BIGINT,
  entry_count BIGINT NOT NULL DEFAULT 0,
  bad_lines BIGINT NOT NULL DEFAULT 0,
  problems TEXT NOT NULL DEFAULT '[]',
  last_error TEXT NOT NULL DEFAULT ''
);

CREATE INDEX firewall_feeds_due ON firewall_feeds (enabled, next_fetch_at);

-- The current contents of a feed: its networks in canonical text, sorted, one per line, and
-- their SHA-256 (a fetch that changes nothing is not pushed again). One row per feed, replaced
-- in the same transaction as the feed's fetch outcome; a failed fetch leaves it as it was, and
-- a restart reads it instead of fetching.
CREATE TABLE firewall_feed_contents (
  feed_id BIGINT PRIMARY KEY REFERENCES firewall_feeds (id) ON DELETE CASCADE,
  networks TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  entry_count BIGINT NOT NULL,
  stored_at BIGINT NOT NULL
);
