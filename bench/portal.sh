#!/usr/bin/env bash
# The portal, measured in Chromium (issue 4):
#  1. /agents holding BENCH_PORTAL_AGENTS (10,000) agents: time from navigation until the grid
#     shows its first rows and the count, and from typing a search until the filtered count shows;
#     median of BENCH_PORTAL_RUNS (5) each;
#  2. the gzipped JavaScript and CSS the first page loads.
# The agents are written straight into the server's SQLite database before it starts
# (bench/portal/seed_agents.sql): enrolling 10,000 through the API would take minutes and measure
# enrolment, not the portal. Needs build/bin/sentinel-server, web/dist (make web), sqlite3,
# Chromium (/usr/bin/chromium) and playwright-core from tests/e2e (npm ci there).
set -euo pipefail
cd "$(dirname "$0")/.."
agents=${BENCH_PORTAL_AGENTS:-10000}
runs=${BENCH_PORTAL_RUNS:-5}

for need in build/bin/sentinel-server web/dist/index.html tests/e2e/node_modules/playwright-core/index.mjs; do
  [[ -e "$need" ]] || { echo "bench/portal.sh: $need is missing (build the server, make web, npm ci in tests/e2e)" >&2; exit 2; }
done
command -v sqlite3 > /dev/null || { echo "bench/portal.sh: sqlite3 is missing" >&2; exit 2; }

source bench/lib.sh
server_pid=""
on_exit '[[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null'

# A copy of the built portal: a rebuild of web/dist during the run must not change what is measured.
cp -r web/dist "$work/web"
data="$work/data"
password="Bench-Portal-Password-$RANDOM$RANDOM"
channel="127.0.0.1:$(free_port)"
start_portal_server() {
  rm -f "$data/server.url"
  # offline_after a day: the seeded "connected" agents stay online for the whole run.
  SENTINEL_ADMIN_PASSWORD="$password" build/bin/sentinel-server --data-dir "$data" \
    --listen 127.0.0.1:0 --log-level warn --db "sqlite:$data/sentinel.db" --web-root "$work/web" \
    --set "agents.listen=$channel" --set agents.offline_after_s=86400 >> "$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do [[ -s "$data/server.url" ]] && break; sleep 0.05; done
  [[ -s "$data/server.url" ]] || { echo "bench/portal.sh: the server did not start:" >&2; tail -20 "$work/server.log" >&2; exit 1; }
  url=$(cat "$data/server.url")
}
stop_portal_server() {
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# The first start creates the database and its schema; the agents go in while it is stopped.
start_portal_server
stop_portal_server
t0=$(date +%s.%N)
sqlite3 "$data/sentinel.db" ".parameter set :count $agents" ".parameter set :now $(date +%s%3N)" \
  ".read bench/portal/seed_agents.sql"
seed_s=$(printf "%.2f" "$(echo "$(date +%s.%N) - $t0" | bc)")
start_portal_server

# The server must see them all before the browser is timed.
csrf=$(curl -sS --cacert "$data/tls/server.crt" -c "$work/cookies" -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$password\"}" "$url/api/v1/auth/login" |
  sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')
[[ -n "$csrf" ]] || { echo "bench/portal.sh: cannot sign in" >&2; exit 1; }
total=$(curl -sS --cacert "$data/tls/server.crt" -b "$work/cookies" "$url/api/v1/agents?limit=1" |
  sed -n 's/.*"total":\([0-9]*\).*/\1/p')
[[ "$total" == "$agents" ]] || { echo "bench/portal.sh: the server lists $total agents, not $agents" >&2; exit 1; }
# The server's own search, to check the count the portal shows after filtering.
server_hits=$(curl -sS --cacert "$data/tls/server.crt" -b "$work/cookies" "$url/api/v1/agents?limit=1&q=web-fra" |
  sed -n 's/.*"total":\([0-9]*\).*/\1/p')

echo "## Portal (issue 4)"
echo
echo "Chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}') headless, 1440×900, on the same machine as the server;"
echo "${agents} agents seeded into SQLite in ${seed_s} s; the server answers GET /api/v1/agents?q=web-fra with total ${server_hits}."
echo "There is no real peer for a portal table: the rows below are measured against the issue's goals only."
echo
echo "| measure | portal | peer | goal |"
echo "| --- | --- | --- | --- |"
node bench/portal/measure.mjs --url "$url" --password "$password" --agents "$agents" --runs "$runs" \
  --filter web-fra --dist "$work/web"
echo
