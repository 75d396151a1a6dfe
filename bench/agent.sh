#!/usr/bin/env bash
# The agent and the channel, measured:
#  1. sentinel-agent's resident memory and CPU over 60 s idle and during a full inventory, beside
#     the same inventory taken with the usual tools (dpkg-query, ps, ss, getent, who);
#  2. the server holding BENCH_HOLD_AGENTS (2,000) simulated agents over mutual TLS: memory per
#     connection and CPU for their heartbeats;
#  3. events per second committed end to end from 100 simulated agents, SQLite and PostgreSQL,
#     beside the database's own bulk-load rate for the same rows (sqlite3 / psql COPY).
set -euo pipefail
cd "$(dirname "$0")/.."
idle_s=${BENCH_AGENT_IDLE_S:-60}
hold_agents=${BENCH_HOLD_AGENTS:-2000}
ingest_agents=${BENCH_INGEST_AGENTS:-100}
ingest_s=${BENCH_INGEST_S:-20}

source bench/lib.sh
on_exit '[[ -n "${pg_dir:-}" ]] && su postgres -s /bin/sh -c "pg_ctl -D $pg_dir -m immediate stop" >/dev/null 2>&1'
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

echo "## Agent and channel"
echo

# --- 1. the agent's own footprint ---------------------------------------------------------------
start_server "$work/footprint" --db "sqlite:$work/footprint/sentinel.db"
token=$(api_token)
start_agent "$work/agent" $'inventory:\n  interval_s: 300\n' "$token"
wait_online "$token"
online_s=$(printf "%.2f" "$(echo "$(now) - $agent_started" | bc)")
sleep 5  # let the first full inventory finish
ticks0=$(cpu_ticks "$agent_pid"); peak_idle=0
for _ in $(seq 1 "$idle_s"); do
  r=$(rss_kb "$agent_pid"); ((r > peak_idle)) && peak_idle=$r
  sleep 1
done
idle_cpu=$(echo "scale=3; ($(cpu_ticks "$agent_pid") - $ticks0) * 100 / $(getconf CLK_TCK) / $idle_s" | bc)
# RSS counts every mapped page of shared libraries (libc, libcrypto, ...) that other processes
# use too; the private (USS) and proportional (PSS) sizes say what the agent itself costs the host.
read -r idle_uss idle_pss < <(awk '/^Private_(Clean|Dirty):/ {u += $2} /^Pss:/ {p = $2}
  END {print u, p}' "/proc/$agent_pid/smaps_rollup")
# A full inventory on request: peak memory of the agent and its collector child, and its time.
ticks0=$(cpu_ticks "$agent_pid"); peak_full=0
t0=$(date +%s.%N)
curl -sS --cacert "$ca" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"name":"collect_inventory"}' "$url/api/v1/agents/$agent_id/commands" > /dev/null
for _ in $(seq 1 100); do
  total=$(rss_kb "$agent_pid")
  for child in $(pgrep -P "$agent_pid" || true); do total=$((total + $(rss_kb "$child" 2>/dev/null || echo 0))); done
  ((total > peak_full)) && peak_full=$total
  sleep 0.05
done
full_cpu_s=$(echo "scale=2; ($(cpu_ticks "$agent_pid") - $ticks0) / $(getconf CLK_TCK)" | bc)
# The peer: the same facts with the usual tools, one after the other.
peer=$(python3 - <<'PY'
import resource, subprocess, time
cmds = [["dpkg-query", "-W"], ["ps", "-eo", "pid,ppid,user,lstart,args"], ["ss", "-ltnup"],
        ["getent", "passwd"], ["getent", "group"], ["who"], ["ip", "-j", "addr"], ["df", "-P"],
        ["cat", "/proc/cpuinfo", "/proc/meminfo", "/etc/os-release"]]
t = time.time()
for c in cmds: subprocess.run(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(f"{time.time() - t:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
PY
)
peer_s=${peer% *}; peer_rss=${peer#* }
echo "| measure | sentinel-agent | peer | ratio |"
echo "| --- | --- | --- | --- |"
echo "| enrolment to online | ${online_s} s | | |"
echo "| resident memory, ${idle_s} s idle (peak) | $((peak_idle / 1024)) MB | | goal 15 MB |"
echo "| of it private (USS) / proportional (PSS), at the end | $((idle_uss / 1024)) MB / $((idle_pss / 1024)) MB | | |"
echo "| CPU, ${idle_s} s idle | ${idle_cpu} % of a core | | goal 1 % |"
echo "| full inventory: peak memory (agent + collector child) | $((peak_full / 1024)) MB | largest single tool $((peer_rss / 1024)) MB | |"
echo "| full inventory: CPU time of the agent process | ${full_cpu_s} s | shell tools, wall ${peer_s} s | |"
kill "$agent_pid"; kill "$server_pid"; wait "$agent_pid" "$server_pid" 2>/dev/null || true

# --- 2. holding many agents ---------------------------------------------------------------------
start_server "$work/hold" --db "sqlite:$work/hold/sentinel.db"
token=$(api_token)
mkdir -p "$work/pki-hold"
hold=$(SENTINEL_TOKEN="$token" "$bin/agent_load" --server "$url" --ca-file "$ca" --channel "$channel" \
  --server-pid "$server_pid" --mode hold --agents "$hold_agents" --seconds 60 --heartbeat-s 15 \
  --dir "$work/pki-hold")
echo "| server holding ${hold_agents} agents: memory per connection | $(echo "$hold" | json_field server_kb_per_connection) KB | | |"
echo "| server CPU for their heartbeats (one per agent per 15 s) | $(echo "$hold" | json_field server_cpu_percent) % of a core | | |"
echo "| ${hold_agents} agents: enrolment through the API / connection | $(echo "$hold" | json_field enrol_seconds) s / $(echo "$hold" | json_field connect_seconds) s | | |"
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true

# --- 3. ingest ---------------------------------------------------------------------------------
ingest() {  # NAME DB_URL
  start_server "$work/$1" --db "$2"
  token=$(api_token)
  mkdir -p "$work/pki-$1"
  SENTINEL_TOKEN="$token" "$bin/agent_load" --server "$url" --ca-file "$ca" --channel "$channel" \
    --server-pid "$server_pid" --mode ingest --agents "$ingest_agents" --seconds "$ingest_s" \
    --batch 1000 --window 4 --dir "$work/pki-$1" | json_field events_per_second
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
}
# Peer: the database loading the same rows on its own, in one transaction.
rows=500000
python3 - "$work/rows.csv" "$rows" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for n in range(int(sys.argv[2])):
        f.write(f'agt_load,{n+1},{1767225600000+n},1767225600000,bench.event,"{{""user"":""alice"",""source_ip"":""192.0.2.7"",""n"":{n}}}"\n')
PY
schema="CREATE TABLE events (id INTEGER PRIMARY KEY, agent_id TEXT NOT NULL, seq BIGINT, time_ms BIGINT NOT NULL, received_ms BIGINT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, UNIQUE (agent_id, seq));"
t0=$(date +%s.%N)
sqlite3 "$work/peer.db" "PRAGMA journal_mode=WAL;" "$schema" \
  "CREATE TABLE events_import (agent_id, seq, time_ms, received_ms, type, data);" \
  ".import --csv $work/rows.csv events_import" \
  "INSERT INTO events (agent_id, seq, time_ms, received_ms, type, data) SELECT * FROM events_import;" > /dev/null
sqlite_peer=$(echo "scale=0; $rows / ($(date +%s.%N) - $t0)" | bc)
sqlite_rate=$(ingest ingest-sqlite "sqlite:$work/ingest-sqlite/sentinel.db")
echo "| events/s ingested end to end from ${ingest_agents} agents, SQLite | ${sqlite_rate} | sqlite3 bulk import ${sqlite_peer} | $(echo "scale=2; ${sqlite_rate} / $sqlite_peer" | bc) (goal: 50,000/s) |"

pg_dir="$work/pg"; pg_port=$(free_port)
mkdir -p "$pg_dir"; chown postgres "$pg_dir"
pg_bin=/usr/lib/postgresql/15/bin
su postgres -s /bin/sh -c "$pg_bin/initdb -D $pg_dir -A trust -U postgres >/dev/null && $pg_bin/pg_ctl -D $pg_dir -o '-p $pg_port -k /tmp -c fsync=on' -l $pg_dir/log start >/dev/null"
psql_run() { psql -h 127.0.0.1 -p "$pg_port" -U postgres -qAt "$@"; }
psql_run -c "CREATE DATABASE peer" -c "CREATE DATABASE sentinel"
psql_run -d peer -c "${schema/INTEGER PRIMARY KEY/BIGSERIAL PRIMARY KEY}"
t0=$(date +%s.%N)
psql_run -d peer -c "\\copy events (agent_id, seq, time_ms, received_ms, type, data) FROM '$work/rows.csv' CSV"
pg_peer=$(echo "scale=0; $rows / ($(date +%s.%N) - $t0)" | bc)
pg_rate=$(ingest ingest-pg "postgresql://postgres@127.0.0.1:$pg_port/sentinel")
echo "| events/s ingested end to end from ${ingest_agents} agents, PostgreSQL | ${pg_rate} | psql COPY ${pg_peer} | $(echo "scale=2; ${pg_rate} / $pg_peer" | bc) |"
echo
