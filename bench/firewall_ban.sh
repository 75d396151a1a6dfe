#!/usr/bin/env bash
# Ban latency (issue 7, goal: under 1 s): from the fifth failed SSH password written to a watched
# auth log to the attacking address's packets being dropped by the kernel, p50 and p99 over
# BENCH_BAN_COUNT (20) attacker addresses; sentinel beside fail2ban-server on the same lines, in
# the same run, one after the other (so that they do not share the two cores).
# Sentinel: sentinel-server and an enrolled sentinel-agent (firewall on, an accept-all policy
# applied through the API) tailing the log; the shipped ssh_bruteforce rule's active response
# blocks the address on the agent. fail2ban: Debian's sshd filter and `nftables-allports` with
# blocktype drop, from a private config dir, socket and pidfile (the system's fail2ban is never
# touched). Both run in a network namespace of their own (root needed), the attackers in a
# second one joined to it by a veth pair with private addresses; nothing leaves them.
# "Dropped" is seen by probe connections (bench/firewall/ban_probe.py), not by reading the set.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $(id -u) != 0 ]]; then
  echo "## Firewall ban latency: skipped (needs root for network namespaces)"
  exit 0
fi
# Everything below (server, agent, fail2ban and their nftables tables) runs in a network
# namespace of its own, which goes away with the last of them.
if [[ -z "${BENCH_BAN_INSIDE:-}" ]]; then
  BENCH_BAN_INSIDE=1 exec unshare --net -- "$0" "$@"
fi
bans=${BENCH_BAN_COUNT:-20}
source bench/lib.sh

# --- the namespaces: this one (the target) and the attackers', joined by a veth pair -----------
target=10.213.0.1
probe_port=22  # nothing listens on it here: a reset means the SYN got through
attackers="sentinel-bench-ban-$$"
ip link set lo up
ip netns add "$attackers"
on_exit "ip netns del $attackers"
ip link add bana type veth peer name banb netns "$attackers"
ip addr add "$target/24" dev bana
ip link set bana up
ip -n "$attackers" link set lo up
ip -n "$attackers" link set banb up
warmup=10.213.0.10
addresses=()
for i in $(seq 1 "$bans"); do addresses+=("10.213.0.$((10 + i))"); done
for address in "$warmup" "${addresses[@]}"; do
  ip -n "$attackers" addr add "$address/24" dev banb
done
# ban_probe.py LOG: prints "ADDRESS WRITTEN DROPPED" per measured address.
run_probe() {
  ip netns exec "$attackers" python3 bench/firewall/ban_probe.py "$1" "$target" "$probe_port" \
    "$warmup" "${addresses[@]}"
}
# stats RESULTS: "BANNED P50_MS P99_MS MAX_MS" (nearest rank; "-" when nothing was banned).
stats() {
  awk '$3 != "-" {printf "%.1f\n", ($3 - $2) * 1000}' "$1" | sort -n |
    awk '{v[NR] = $1} END {if (NR == 0) {print "0 - - -"; exit}
      print NR, v[int((NR * 50 + 99) / 100)], v[int((NR * 99 + 99) / 100)], v[NR]}'
}
# in_set FAMILY TABLE SET: how many of the measured addresses the nftables set holds.
in_set() {
  local listing count=0 address
  listing=$(nft list set "$1" "$2" "$3" 2>/dev/null || true)
  for address in "${addresses[@]}"; do grep -qw "$address" <<< "$listing" && count=$((count + 1)); done
  echo "$count"
}
json_get() { python3 -c 'import json, sys; print(json.load(sys.stdin)'"$1"')'; }

# --- sentinel ----------------------------------------------------------------------------------
start_server "$work/server"
token=$(api_token)
api() { curl -sS --cacert "$ca" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
log="$work/auth-sentinel.log"
: > "$log"
chmod 644 "$log"
start_agent "$work/agent" "$(printf "inventory:\n  interval_s: 86400\nprocess:\n  enabled: false\nlogs:\n  files: ['%s']\n" "$log")" "$token"
wait_online "$token"
policy=$(api -d '{"name": "bench", "document": {"chains": {"input": {"policy": "accept"}}}}' \
  "$url/api/v1/firewall/policies" | json_get '["id"]')
api -X PUT -d "{\"assignments\": [{\"agent_id\": \"$agent_id\"}]}" \
  "$url/api/v1/firewall/policies/$policy/assignments" > /dev/null
outcome=$(api -d "{\"policy_id\": $policy}" "$url/api/v1/firewall/apply" | json_get '["results"][0]["outcome"]')
[[ "$outcome" == confirmed ]] || {
  echo "firewall_ban: the agent did not take the policy ($outcome)" >&2; tail "$work/agent.log" >&2; exit 1; }
run_probe "$log" > "$work/sentinel.txt" || {
  echo "firewall_ban: sentinel run failed" >&2; tail "$work/agent.log" "$work/server.log" >&2; exit 1; }
ours_set=$(in_set inet sentinel block_v4)
ours_blocks=$(api "$url/api/v1/firewall/blocks?active=true&limit=1000" | json_get '["total"]')
kill "$agent_pid" "$server_pid" 2>/dev/null || true
wait "$agent_pid" "$server_pid" 2>/dev/null || true
nft delete table inet sentinel 2>/dev/null || true

# --- fail2ban-server: the same lines, its sshd filter, the nftables action ---------------------
f2b="$work/fail2ban"
mkdir -p "$f2b"
cp -r /etc/fail2ban/filter.d /etc/fail2ban/action.d "$f2b/"
# Drop like sentinel does (Debian's default is reject, which answers the probe).
printf '[Init]\nblocktype = drop\n' > "$f2b/action.d/nftables-common.local"
backend=polling
/usr/bin/python3 -c 'import pyinotify' 2>/dev/null && backend=pyinotify
peer_log="$work/auth-fail2ban.log"
: > "$peer_log"
cat > "$f2b/fail2ban.conf" <<EOF
[Definition]
loglevel = INFO
logtarget = $work/fail2ban.log
socket = $work/fail2ban.sock
pidfile = $work/fail2ban.pid
dbfile = :memory:
EOF
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
banaction = nftables-allports
action = nftables-allports[name=sshd, protocol=tcp]
EOF
fail2ban-server -f -x -c "$f2b" > "$work/fail2ban.out" 2>&1 &
f2b_pid=$!
pids+=("$f2b_pid")
for _ in $(seq 1 100); do grep -q "Jail 'sshd' started" "$work/fail2ban.log" 2>/dev/null && break; sleep 0.1; done
grep -q "Jail 'sshd' started" "$work/fail2ban.log" || {
  echo "firewall_ban: fail2ban-server did not start" >&2; cat "$work/fail2ban.out" "$work/fail2ban.log" >&2; exit 1; }
run_probe "$peer_log" > "$work/fail2ban.txt" || {
  echo "firewall_ban: fail2ban run failed" >&2; tail "$work/fail2ban.log" >&2; exit 1; }
peer_set=$(in_set inet f2b-table addr-set-sshd)
kill "$f2b_pid"
wait "$f2b_pid" 2>/dev/null || true

read -r s_banned s_p50 s_p99 s_max <<< "$(stats "$work/sentinel.txt")"
read -r p_banned p_p50 p_p99 p_max <<< "$(stats "$work/fail2ban.txt")"
ratio() { [[ "$1" != "-" && "$2" != "-" ]] && awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}' || echo "-"; }

echo "## Firewall: ban latency"
echo
echo "Fifth failed SSH password written to the watched log → the attacker's packets dropped, $bans"
echo "attacker addresses, one at a time (a warm-up ban first, not counted). Dropped is seen by a"
echo "probe TCP connection from the attacking address to a closed port of the target every"
echo "millisecond: a reset means it got through; 50 ms of silence, confirmed by a second probe,"
echo "means dropped; the latency runs to the start of that first dropped probe."
echo
echo "| tool | banned | p50 | p99 (goal < 1 s) | max | in the nftables set |"
echo "| --- | --- | --- | --- | --- | --- |"
echo "| sentinel: agent tails the log, server rule ssh_bruteforce, active response, agent nftables set ($ours_blocks blocks active) | $s_banned / $bans | $s_p50 ms | $s_p99 ms | $s_max ms | $ours_set |"
echo "| fail2ban $(fail2ban-server -V 2>/dev/null | head -1) (sshd filter, backend $backend, nftables-allports, blocktype drop) | $p_banned / $bans | $p_p50 ms | $p_p99 ms | $p_max ms | $peer_set |"
echo
echo "Ratio sentinel/fail2ban: p50 $(ratio "$s_p50" "$p_p50"), p99 $(ratio "$s_p99" "$p_p99")."
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo),$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), kernel $(uname -r); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
if [[ "$s_banned" != "$bans" || "$p_banned" != "$bans" ]]; then
  echo "firewall_ban: some attackers were never dropped (banned column above)" >&2
  exit 1
fi
