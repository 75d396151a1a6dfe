-- The hash-chained audit log (see src/auth/audit_chain.h for the hash).
-- seq is assigned by the writer as the head's seq + 1, never by the database, so that a deleted
-- row leaves a visible gap.
CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  time_ms BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  source_address TEXT NOT NULL,
  outcome TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);

CREATE INDEX audit_log_actor_seq ON audit_log (actor, seq);

-- The chain's head: the last seq and hash, updated in the same transaction as each insert.
-- It detects deleted newest entries, and its row lock serialises writers on every backend.
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);

INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
