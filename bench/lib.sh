# Shared by the bench scripts; source it after `cd` to the repository root.
# Gives a temp dir `work` (mode 755: a PostgreSQL peer runs as postgres) removed at exit, an array
# `pids` of processes killed at exit, `on_exit CMD` for further clean-up (run after the kills),
# and small helpers. Benchmarks only ever listen on and connect to 127.0.0.1.

work=$(mktemp -d)
chmod 755 "$work"
pids=()
exit_steps=()
on_exit() { exit_steps+=("$1"); }
bench_cleanup() {
  local pid step
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for step in "${exit_steps[@]}"; do eval "$step" || true; done
  rm -rf "$work"
}
trap bench_cleanup EXIT

# A TCP port nothing on this machine listens on.
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    ss -Hltn "sport = :$port" | grep -q . || { echo "$port"; return; }
  done
}
# The value of "NAME": "text" or "NAME": number in the JSON on stdin (the last one on a line).
json_field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p"; }
now() { date +%s.%N; }
# User + system CPU ticks of process PID (0 once it is gone).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# The binaries measured: BENCH_BUILD's (default build/) bin directory.
bin="${BENCH_BUILD:-build}/bin"

# start_server DIR [ARGS...]: sentinel-server with its data in DIR and ARGS, listening on
# 127.0.0.1, its agent channel on a free port; waits until it listens and signs in as admin.
# Sets server_pid (stopped at exit), url, ca, channel; api_token then makes tokens.
start_server() {
  local dir=$1 password="Bench-Root-Password-$RANDOM$RANDOM"
  shift
  channel="127.0.0.1:$(free_port)"
  SENTINEL_ADMIN_PASSWORD="$password" "${BENCH_SERVER_BIN:-$bin/sentinel-server}" --data-dir "$dir" \
    --listen 127.0.0.1:0 --log-level warn --set "agents.listen=$channel" "$@" > "$dir.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 1 300); do [[ -s "$dir/server.url" ]] && break; sleep 0.05; done
  [[ -s "$dir/server.url" ]] || { echo "the server did not start:" >&2; cat "$dir.log" >&2; exit 1; }
  url=$(cat "$dir/server.url")
  ca="$dir/tls/server.crt"
  admin_cookies="$dir.cookies"
  admin_csrf=$(curl -sS --cacert "$ca" -c "$admin_cookies" -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$password\"}" "$url/api/v1/auth/login" | json_field csrf_token)
}

# api_token [PERMISSIONS_JSON]: prints a new API token of the admin, with all of the admin's
# permissions or those listed (e.g. '["alerts:read"]'); fails when none comes back.
api_token() {
  local body="{\"name\":\"bench-$RANDOM\"${1:+,\"permissions\":$1}}" made
  made=$(curl -sS --cacert "$ca" -b "$admin_cookies" -H 'Content-Type: application/json' \
    -H "X-CSRF-Token: $admin_csrf" -d "$body" "$url/api/v1/tokens" | json_field token)
  [[ -n "$made" ]] || { echo "could not create an API token" >&2; exit 1; }
  echo "$made"
}

# start_agent DIR AGENT_YAML TOKEN [LOG_LEVEL]: a sentinel-agent enrolled to that server (TOKEN
# must hold agents:write) with its data in DIR, AGENT_YAML as its config and its log in DIR.log
# (level warn unless given). Sets agent_pid (stopped at exit) and agent_started (launch time).
start_agent() {
  local dir=$1 enroll
  enroll=$(curl -sS --cacert "$ca" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' \
    -d '{}' "$url/api/v1/agents/enroll-tokens" | json_field token)
  mkdir -m 700 "$dir"
  printf '%s' "$2" > "$dir/agent.yaml"
  chmod 600 "$dir/agent.yaml"
  agent_started=$(now)
  "$bin/sentinel-agent" --server "$url" --enroll-token "$enroll" --data-dir "$dir" \
    --log-level "${4:-warn}" > "$dir.log" 2>&1 &
  agent_pid=$!
  pids+=("$agent_pid")
}

# wait_online TOKEN: until an agent shows as online (30 s at most); sets agent_id, exits if none.
wait_online() {
  agent_id=""
  for _ in $(seq 1 1500); do
    agent_id=$(curl -sS --cacert "$ca" -H "Authorization: Bearer $1" "$url/api/v1/agents?status=online" | json_field id)
    [[ -n "$agent_id" ]] && return
    sleep 0.02
  done
  echo "no agent came online" >&2
  exit 1
}
