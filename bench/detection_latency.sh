#!/usr/bin/env bash
# End-to-end detection latency (issue 5): from a log line written on the host to the alert
# received on the portal's WebSocket stream (/api/v1/stream, a token holding only alerts:read),
# p50 and p99 at 1,000 and 20,000 lines per second; beside fail2ban-server watching a file with
# the same lines and an action that records the ban time, in the same run (one after the other,
# so that they do not share the two cores). Real processes: sentinel-server (SQLite, embedded
# defaults) and an enrolled sentinel-agent tailing the file. A marker is five failed passwords
# from a fresh 127.x address; latency = receipt − the write of its fifth line. Also the agent's
# memory (agent + watcher child) during the fastest rate.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${BENCH_LATENCY_S:-20}
marker_every=${BENCH_MARKER_EVERY_S:-0.2}
read -r -a rates <<< "${BENCH_LATENCY_RATES:-1000 20000}"
drain_s=30  # how long to wait after the writer for the last markers

source bench/lib.sh
tree_ticks() {  # PID: CPU ticks of it and its live children
  local total child
  total=$(awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0)
  for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$child/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
# wait_markers MARKERS ARRIVALS: until every marker has arrived or drain_s passed.
wait_markers() {
  local sent
  sent=$(wc -l < "$1")
  for _ in $(seq 1 $((drain_s * 10))); do
    [[ $(python3 bench/detection/latency_stats.py "$1" "$2" | cut -d' ' -f2) == "$sent" ]] && return
    sleep 0.1
  done
}

# --- sentinel: server, agent, stream listener -----------------------------------------------------
start_server "$work/server"
token=$(api_token '["agents:read","agents:write"]')
alerts_token=$(api_token '["alerts:read"]')
log="$work/auth.log"
: > "$log"
chmod 644 "$log"
start_agent "$work/agent" "$(printf "inventory:\n  interval_s: 86400\nprocess:\n  enabled: false\nlogs:\n  files: ['%s']\n" "$log")" "$token"
wait_online "$token"

python3 bench/detection/alert_listener.py "$url" "$ca" "$alerts_token" "$work/alerts.txt" \
  2> "$work/listener.log" &
pids+=("$!")
for _ in $(seq 1 100); do grep -q "# ready" "$work/alerts.txt" 2>/dev/null && break; sleep 0.1; done
grep -q "# ready" "$work/alerts.txt" || { echo "detection_latency: no stream" >&2; cat "$work/listener.log" >&2; exit 1; }

# Warm-up: the agent follows the file from its end once its watcher runs; markers until one
# raises its alert, so that the measured runs start with everything up.
for _ in $(seq 1 30); do
  python3 bench/detection/log_writer.py "$log" "$work/warmup.txt" 100 1 0.5 254 > /dev/null
  grep -q ' 127\.254\.' "$work/alerts.txt" && break
done
grep -q ' 127\.254\.' "$work/alerts.txt" || {
  echo "detection_latency: no alert during the warm-up" >&2; tail "$work/agent.log" "$work/server.log" >&2; exit 1; }
sleep 2

declare -A ours memory agent_cpu server_cpu
prefix=200
for rate in "${rates[@]}"; do
  prefix=$((prefix + 1))
  python3 bench/detection/rss_sampler.py "$agent_pid" > "$work/rss-$rate.txt" &
  sampler=$!
  a0=$(tree_ticks "$agent_pid"); s0=$(tree_ticks "$server_pid"); t0=$(now)
  python3 bench/detection/log_writer.py "$log" "$work/markers-$rate.txt" "$rate" "$seconds" \
    "$marker_every" "$prefix" > "$work/writer-$rate.txt"
  wait_markers "$work/markers-$rate.txt" "$work/alerts.txt"
  a1=$(tree_ticks "$agent_pid"); s1=$(tree_ticks "$server_pid"); t1=$(now)
  kill -TERM "$sampler"; wait "$sampler" || true
  # Percent of one core from the writer's start until the last marker arrived.
  agent_cpu[$rate]=$(echo "scale=0; ($a1 - $a0) * 100 / $(getconf CLK_TCK) / ($t1 - $t0)" | bc)
  server_cpu[$rate]=$(echo "scale=0; ($s1 - $s0) * 100 / $(getconf CLK_TCK) / ($t1 - $t0)" | bc)
  ours[$rate]=$(python3 bench/detection/latency_stats.py "$work/markers-$rate.txt" "$work/alerts.txt")
  memory[$rate]=$(cut -d' ' -f1 "$work/rss-$rate.txt")
done
# Where the time goes: from the line's own timestamp (the writer stamps it just before the write)
# to the server storing its event (received_ms), for the fifth line of every marker.
declare -A stored
prefix=200
for rate in "${rates[@]}"; do
  prefix=$((prefix + 1))
  stored[$rate]=$(sqlite3 "$work/server/sentinel.db" \
    "SELECT received_ms - time_ms FROM events WHERE type = 'log' AND data LIKE '%from 127.$prefix.% port 40001 ssh2%'" |
    sort -n | awk '{v[NR] = $1} END {if (NR == 0) {print "- -"; exit}
      p50 = int((NR * 50 + 99) / 100); p99 = int((NR * 99 + 99) / 100); print v[p50], v[p99]}')
done
kill "$agent_pid" "$server_pid" 2>/dev/null || true
wait "$agent_pid" "$server_pid" 2>/dev/null || true

# --- fail2ban-server: the same writer, the sshd filter, an action that records the ban time ----
declare -A peer
f2b="$work/fail2ban"
mkdir -p "$f2b/action.d" "$f2b/jail.d"
cp -r /etc/fail2ban/filter.d "$f2b/"
backend=polling
/usr/bin/python3 -c 'import pyinotify' 2>/dev/null && backend=pyinotify
cat > "$f2b/fail2ban.conf" <<EOF
[Definition]
loglevel = INFO
logtarget = $work/fail2ban.log
socket = $work/fail2ban.sock
pidfile = $work/fail2ban.pid
dbfile = :memory:
EOF
cat > "$f2b/action.d/record.conf" <<EOF
[Definition]
actionban = printf '%%s <ip>\n' "\$(date +%%s.%%N)" >> $work/bans.txt
EOF
for rate in "${rates[@]}"; do
  prefix=$((prefix + 1))
  peer_log="$work/peer-$rate.log"
  : > "$peer_log"
  cat > "$f2b/jail.conf" <<EOF
[sshd]
enabled = true
filter = sshd
logpath = $peer_log
backend = $backend
maxretry = 5
findtime = 600
bantime = 600
ignoreself = false
ignoreip =
usedns = no
action = record
EOF
  rm -f "$work/fail2ban.log"
  fail2ban-server -f -x -c "$f2b" > "$work/fail2ban.out" 2>&1 &
  f2b_pid=$!
  pids+=("$f2b_pid")
  for _ in $(seq 1 100); do grep -q "Jail 'sshd' started" "$work/fail2ban.log" 2>/dev/null && break; sleep 0.1; done
  grep -q "Jail 'sshd' started" "$work/fail2ban.log" || {
    echo "detection_latency: fail2ban-server did not start" >&2; cat "$work/fail2ban.out" "$work/fail2ban.log" >&2; exit 1; }
  : > "$work/bans.txt"
  python3 bench/detection/log_writer.py "$peer_log" "$work/peer-markers-$rate.txt" "$rate" "$seconds" \
    "$marker_every" "$prefix" > /dev/null
  wait_markers "$work/peer-markers-$rate.txt" "$work/bans.txt"
  peer[$rate]=$(python3 bench/detection/latency_stats.py "$work/peer-markers-$rate.txt" "$work/bans.txt")
  kill "$f2b_pid"; wait "$f2b_pid" 2>/dev/null || true
done

echo "## Threat detection: end-to-end latency"
echo
echo "Log line written → alert on the WebSocket stream (sentinel) / ban action run (fail2ban"
echo "$(fail2ban-server -V 2>/dev/null | head -1), backend ${backend}); ${seconds} s per rate, a marker every ${marker_every} s."
echo
echo "| lines/s | sentinel p50 | sentinel p99 (goal < 100 ms) | sentinel max | markers sent / alerts received | fail2ban p50 | fail2ban p99 | fail2ban max | markers sent / bans | ratio p99 sentinel/fail2ban | agent + watcher peak memory | CPU agent / server | of which line → event stored p50 / p99 |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
failed=0
for rate in "${rates[@]}"; do
  read -r s_sent s_recv s_p50 s_p99 s_max <<< "${ours[$rate]}"
  read -r p_sent p_recv p_p50 p_p99 p_max <<< "${peer[$rate]}"
  ratio="-"
  [[ "$s_p99" != "-" && "$p_p99" != "-" ]] && ratio=$(echo "scale=2; $s_p99 / $p_p99" | bc)
  echo "| ${rate} | ${s_p50} ms | ${s_p99} ms | ${s_max} ms | ${s_sent} / ${s_recv} | ${p_p50} ms | ${p_p99} ms | ${p_max} ms | ${p_sent} / ${p_recv} | ${ratio} | $((${memory[$rate]} / 1024)) MB (goal 30 MB) | ${agent_cpu[$rate]} % / ${server_cpu[$rate]} % of a core | $(echo "${stored[$rate]}" | awk '{print $1 " ms / " $2 " ms"}') |"
  [[ "$s_sent" == "$s_recv" ]] || failed=1
done
echo
if ((failed)); then
  echo "detection_latency: markers were lost (sent / received above)" >&2
  exit 1
fi
