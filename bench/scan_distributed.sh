#!/usr/bin/env bash
# Distributed scanning (issue 6, ADR 0005): 500 hosts x top 1,000 ports of the scan bed
# (tests/scanbed), run as a scan job of sentinel-server twice in the same run: once by the
# server's own engine, once split over three sentinel-agents on this machine (group "bench";
# the job is cut into shards that the agents lease, scan and hand back). Wall time from the
# POST to the completed job, open ports found, recall and precision against the bed's truth.
# Service detection is on in both (scanner.service_detection, the default) unless
# BENCH_SCAN_SERVICES=0. Only 127.0.0.0/8 is scanned.
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${BENCH_SCAN_HOSTS:-500}
base=${BENCH_SCAN_DIST_BASE:-127.86.0.0}
agents=${BENCH_SCAN_AGENTS:-3}
services=${BENCH_SCAN_SERVICES:-1}

source bench/lib.sh
source bench/scan/ports.sh

start_bed "$base" "$hosts"
scope="$(python3 -c "import ipaddress; print(ipaddress.ip_network('$base/16', strict=False))")"

# The top 1,000 TCP ports by nmap's frequencies (1-1000 without nmap), sent as an explicit list
# so that both jobs and the scoring use the very same ports.
python3 - "$work/ports.txt" <<'PY'
import sys
ports = []
try:
    with open("/usr/share/nmap/nmap-services") as table:
        rows = []
        for line in table:
            if line.startswith("#"):
                continue
            fields = line.split()
            if len(fields) >= 3 and fields[1].endswith("/tcp"):
                rows.append((-float(fields[2]), int(fields[1].split("/")[0])))
        ports = sorted(port for _, port in sorted(rows)[:1000])
except OSError:
    ports = list(range(1, 1001))
with open(sys.argv[1], "w") as out:
    out.write("\n".join(str(p) for p in ports) + "\n")
PY
# As runs ("1-5,7,9-11"): the API takes port specs of at most 4,096 characters.
ports=$(python3 -c "
import sys
ports = sorted(int(line) for line in open('$work/ports.txt') if line.strip())
runs, start = [], ports[0]
for previous, port in zip(ports, ports[1:] + [None]):
    if port != previous + 1 if port is not None else True:
        runs.append(str(start) if start == previous else f'{start}-{previous}')
        start = port
print(','.join(runs))")

detection=true
[[ "$services" == 0 ]] && detection=false
mkdir -m 700 "$work/server"
start_server "$work/server" --db "sqlite:$work/server/sentinel.db" --scan-scope "$scope" \
  --set "scanner.service_detection=$detection"
token=$(api_token)
api() { curl -sS --cacert "$ca" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }

# Agents enrolled into group "bench", with caps that let a shard use a core.
agent_yaml=$'inventory:\n  interval_s: 3600\nprocess:\n  enabled: false\nlimits:\n  memory_mb: 512\n  cpu_percent: 100\n'
for n in $(seq 1 "$agents"); do
  enroll=$(api -d '{"group":"bench"}' "$url/api/v1/agents/enroll-tokens" | json_field token)
  dir="$work/agent$n"
  mkdir -m 700 "$dir"
  printf '%s' "$agent_yaml" > "$dir/agent.yaml"
  chmod 600 "$dir/agent.yaml"
  "$bin/sentinel-agent" --server "$url" --enroll-token "$enroll" --data-dir "$dir" \
    --log-level warn > "$dir.log" 2>&1 &
  pids+=($!)
done
for _ in $(seq 1 600); do
  online=$(api "$url/api/v1/agents?status=online&group=bench" | python3 -c "import json,sys; print(json.load(sys.stdin)['total'])")
  [[ "$online" == "$agents" ]] && break
  sleep 0.1
done
[[ "$online" == "$agents" ]] || { echo "scan_distributed: only $online of $agents agents came online" >&2; exit 1; }

# run_job NAME BODY_EXTRA: posts the scan, waits for its end; prints "wall_s status open recall precision".
run_job() {
  local name=$1 extra=$2 reply id status t0 wall
  t0=$(now)
  reply=$(api -d "{\"targets\":[\"$targets\"],\"ports\":\"$ports\"$extra}" "$url/api/v1/scans")
  id=$(echo "$reply" | python3 -c "import json,sys; print(json.load(sys.stdin).get('id', ''))")
  [[ -n "$id" ]] || { echo "scan_distributed: the $name scan was refused: $reply" >&2; exit 1; }
  for _ in $(seq 1 6000); do
    status=$(api "$url/api/v1/scans/$id" | python3 -c "import json,sys; print(json.load(sys.stdin)['status'])")
    [[ "$status" == completed || "$status" == failed || "$status" == cancelled ]] && break
    sleep 0.1
  done
  wall=$(echo "$(now) - $t0" | bc)
  # The results come a page of hosts at a time (at most 1,000): read them all.
  : >"$work/$name.txt"
  local named=0 offset page page_named page_hosts
  for ((offset = 0; ; offset += 1000)); do
    page=$(api "$url/api/v1/scans/$id/results?limit=1000&offset=$offset" | python3 -c "
import json, sys
page = json.load(sys.stdin)
named = 0
with open('$work/$name.txt', 'a') as out:
    for host in page['hosts']:
        for port in host['ports']:
            out.write(f\"{host['address']} {port['port']}\\n\")
            named += 1 if port['service'] and port['service']['service'] else 0
print(named, len(page['hosts']))")
    read -r page_named page_hosts <<<"$page"
    named=$((named + page_named))
    ((page_hosts < 1000)) && break
  done
  score=$(score_found "$work/$name.txt")
  echo "$wall $status $(echo "$score" | json_field found) $(echo "$score" | json_field recall) $(echo "$score" | json_field precision) $named $(echo "$score" | json_field expected)"
}

read -r server_s server_status server_open server_recall server_precision server_named expected < <(run_job server "")
read -r dist_s dist_status dist_open dist_recall dist_precision dist_named _ < <(run_job agents ",\"agents\":{\"group\":\"bench\"}")

echo "## Network scanning: split over agents"
echo
echo "Scan bed: ${hosts} loopback hosts (${targets}), ${expected} open ports among the top 1,000 TCP ports; a scan job of sentinel-server (service detection ${detection}), once run by the server's engine and once split over ${agents} sentinel-agents on this machine (shards leased, polled every 500 ms). Wall time from the request to the completed job."
echo
echo "| job | status | wall s | open ports | recall | precision | services named |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
printf "| server's engine | %s | %.2f | %s | %s | %s | %s |\n" "$server_status" "$server_s" "$server_open" "$server_recall" "$server_precision" "$server_named"
printf "| split over %s agents | %s | %.2f | %s | %s | %s | %s |\n" "$agents" "$dist_status" "$dist_s" "$dist_open" "$dist_recall" "$dist_precision" "$dist_named"
echo
echo "The seed's figure: ${hosts} hosts in 300 s; split over agents: $(printf '%.1f' "$dist_s") s ($(awk "BEGIN{printf \"%.0f\", 300 / $dist_s}")× under it)."
echo
