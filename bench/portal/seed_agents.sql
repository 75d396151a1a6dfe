-- bench/portal.sh: :count synthetic agents written straight into a stopped server's SQLite
-- database (schema src/store/migrations/0003_agents.sql), far faster than enrolling them through
-- the API. Hostnames, OS, versions, groups, labels, statuses and last-seen times vary the way a
-- fleet's do, so that the portal's filters have something to choose from.
-- Parameters (sqlite3 .parameter): :count, :now (Unix ms).
-- Status as the server computes it: revoked when revoked_at is set; online when connected = 1 and
-- last_seen is within agents.offline_after_s (the bench sets a day); offline otherwise.

BEGIN;

WITH RECURSIVE
  n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count),
  fleet AS (
    SELECT i,
           CASE i % 5 WHEN 0 THEN 'web' WHEN 1 THEN 'db' WHEN 2 THEN 'cache' WHEN 3 THEN 'worker' ELSE 'edge' END AS role,
           CASE (i / 5) % 4 WHEN 0 THEN 'fra' WHEN 1 THEN 'ams' WHEN 2 THEN 'nyc' ELSE 'sfo' END AS site,
           CASE WHEN i % 10 < 7 THEN 'prod' WHEN i % 10 < 9 THEN 'staging' ELSE 'dev' END AS env,
           i % 10 < 6 AND i % 50 <> 7 AS online
    FROM n)
INSERT INTO agents (id, hostname, os, kernel, arch, agent_version, group_name, labels, enrolled_at,
                    first_seen, last_seen, last_address, connected, revoked_at, last_seq)
SELECT printf('agt_bench%06d', i),
       printf('%s-%s-%05d', role, site, i),
       CASE i % 4 WHEN 0 THEN 'Debian GNU/Linux 12 (bookworm)' WHEN 1 THEN 'Ubuntu 24.04.1 LTS'
                  WHEN 2 THEN 'Rocky Linux 9.4 (Blue Onyx)' ELSE 'Debian GNU/Linux 11 (bullseye)' END,
       CASE i % 4 WHEN 2 THEN '5.14.0-427.13.1.el9_4.x86_64' ELSE '6.1.0-26-amd64' END,
       CASE WHEN i % 7 = 0 THEN 'aarch64' ELSE 'x86_64' END,
       CASE i % 3 WHEN 0 THEN '0.1.0' WHEN 1 THEN '0.1.1' ELSE '0.2.0' END,
       role,
       json_object('env', env, 'role', role, 'site', site),  -- keys in order, as the server writes them
       :now - 90 * 86400000 + i * 1000,
       :now - 90 * 86400000 + i * 1000 + 60000,
       CASE WHEN online THEN :now ELSE :now - (i % 720) * 3600000 END,  -- offline: up to 30 days ago
       printf('10.%d.%d.%d', i / 65536 % 256, i / 256 % 256, i % 256),
       online,
       CASE WHEN i % 50 = 7 THEN :now - 86400000 END,
       0
FROM fleet;

INSERT INTO agent_labels (agent_id, label_key, label_value)
SELECT agents.id, labels.key, labels.value
FROM agents, json_each(agents.labels) AS labels
WHERE agents.id LIKE 'agt_bench%';

-- One certificate each, as enrolment leaves it; some expire within days.
INSERT INTO agent_certificates (serial, agent_id, fingerprint, not_after, issued_at, revoked_at)
SELECT printf('be%06x', CAST(substr(id, 10) AS INTEGER)), id,
       printf('%064x', CAST(substr(id, 10) AS INTEGER)),
       :now + (CAST(substr(id, 10) AS INTEGER) % 60 + 1) * 86400000,
       :now - 30 * 86400000,
       revoked_at
FROM agents
WHERE id LIKE 'agt_bench%';

COMMIT;
