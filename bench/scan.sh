#!/usr/bin/env bash
# Port scanning (issue 6): 500 hosts x top 1,000 ports on the scan bed (tests/scanbed: hundreds
# of loopback hosts with real services and a ground truth), our engine (bench/scan_ports.cpp:
# raw SYN as root, else connect()) beside `nmap -sS -T4` on the same targets in the same run:
# wall time, probes per second, recall and precision against the truth. Then service detection
# of the open ports found, ours beside `nmap -sV -T4` on the same hosts and the bed's ports, with
# the service names compared to each other and to the truth. masscan is tried too;
# it sends at the link layer and the kernel drops its 127.x packets as martians, so on loopback
# it finds nothing (said in the table rather than hidden). Only 127.0.0.0/8 is scanned.
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${BENCH_SCAN_HOSTS:-500}
base=${BENCH_SCAN_BASE:-127.88.0.0}

source bench/lib.sh

"$bin/scanbed" --base "$base" --hosts "$hosts" --seed 7 --truth "$work/truth.json" \
  --ready-file "$work/ready.json" > "$work/scanbed.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 600); do [[ -s "$work/ready.json" ]] && break; sleep 0.1; done
[[ -s "$work/ready.json" ]] || { echo "scan: the bed did not start" >&2; cat "$work/scanbed.log" >&2; exit 1; }
first=$(python3 -c "import ipaddress,sys; print(ipaddress.ip_address('$base') + 1)")
last=$(python3 -c "import ipaddress,sys; print(ipaddress.ip_address('$base') + $hosts)")
targets="$first-$last"
python3 -c "import ipaddress; b = ipaddress.ip_address('$base'); print('\\n'.join(str(b + i) for i in range(1, $hosts + 1)))" > "$work/hosts.txt"

ours=$("$bin/scan_ports" --targets "$targets" --top-ports 1000 --open-out "$work/ours.txt" \
  --ports-out "$work/ports.txt" --detect-out "$work/ours-services.txt")
ours_score=$(python3 bench/scan/score_ports.py "$work/truth.json" "$work/ports.txt" "$work/ours.txt")

t0=$(now)
nmap -sS -T4 -n -Pn --top-ports 1000 -oX "$work/nmap.xml" -iL "$work/hosts.txt" > /dev/null
nmap_s=$(echo "$(now) - $t0" | bc)
nmap_score=$(python3 bench/scan/score_ports.py "$work/truth.json" "$work/ports.txt" "$work/nmap.xml")
nmap_probes=$((hosts * 1000))
nmap_version=$(nmap --version | awk 'NR==1{print $3}')

masscan_row="| masscan | does not scan loopback (link-layer sender; the kernel drops its 127.x packets) | | | | |"
if command -v masscan > /dev/null; then
  t0=$(now)
  timeout 60 masscan "$targets" -p "$(paste -sd, "$work/ports.txt")" --rate 200000 -oL "$work/masscan.lst" \
    > /dev/null 2>&1 || true
  masscan_s=$(echo "$(now) - $t0" | bc)
  if [[ -s "$work/masscan.lst" ]] && grep -q "^open" "$work/masscan.lst"; then
    awk '/^open/{print $4, $3}' "$work/masscan.lst" > "$work/masscan.txt"
    masscan_score=$(python3 bench/scan/score_ports.py "$work/truth.json" "$work/ports.txt" "$work/masscan.txt")
    masscan_row=$(printf "| masscan | %.2f | | %s | %s | |" "$masscan_s" \
      "$(echo "$masscan_score" | json_field recall)" "$(echo "$masscan_score" | json_field precision)")
  fi
fi

ours_s=$(echo "$ours" | json_field wall_seconds)
echo "## Network scanning: ports"
echo
echo "Scan bed: ${hosts} loopback hosts (${targets}), $(echo "$ours_score" | json_field expected) open ports among nmap's top 1,000; each scanner scans every host x top 1,000 TCP ports without host discovery."
echo
echo "| scanner | wall s | probes/s | recall | precision | ratio (nmap wall / ours) |"
echo "| --- | --- | --- | --- | --- | --- |"
printf "| sentinel (%s) | %.2f | %.0f | %s | %s | %.1f× (goal 5×) |\n" "$(echo "$ours" | json_field method)" \
  "$ours_s" "$(echo "$ours" | json_field probes_per_second)" "$(echo "$ours_score" | json_field recall)" \
  "$(echo "$ours_score" | json_field precision)" "$(awk "BEGIN{print $nmap_s / $ours_s}")"
printf "| nmap %s -sS -T4 | %.2f | %.0f | %s | %s | |\n" "$nmap_version" "$nmap_s" \
  "$(echo "scale=0; $nmap_probes / $nmap_s" | bc)" "$(echo "$nmap_score" | json_field recall)" \
  "$(echo "$nmap_score" | json_field precision)"
echo "$masscan_row"
echo

# --- service detection ------------------------------------------------------------------------
bed_ports=$(python3 -c "import json; print(','.join(str(p) for p in sorted({p['port'] for h in json.load(open('$work/truth.json'))['hosts'] for p in h['ports']})))")
t0=$(now)
nmap -sV -T4 -n -Pn -p "$bed_ports" -oX "$work/nmap-sv.xml" -iL "$work/hosts.txt" > /dev/null
nmap_sv_s=$(echo "$(now) - $t0" | bc)
services=$(python3 bench/scan/score_services.py "$work/truth.json" "$work/ours-services.txt" "$work/nmap-sv.xml")
detect_s=$(echo "$ours" | json_field detect_wall_seconds)
echo "## Network scanning: services"
echo
echo "The open ports our scan found (top 1,000), identified by our detector with nmap's probe file; nmap -sV on the same hosts and the bed's $(echo "$bed_ports" | tr ',' '\n' | wc -l) ports. Names compared over the bed's $(echo "$services" | json_field ports) open ports."
echo
echo "| | wall s | names equal to the truth | names equal to nmap's (where both named one) |"
echo "| --- | --- | --- | --- |"
printf "| sentinel: ports + services | %.2f (ports %.2f + services %.2f; goal under 30 s) | %s / %s | %s / %s (goal 95%%) |\n" \
  "$(awk "BEGIN{print $ours_s + $detect_s}")" "$ours_s" "$detect_s" \
  "$(echo "$services" | json_field ours_agree_truth)" "$(echo "$services" | json_field ports)" \
  "$(echo "$services" | json_field ours_agree_nmap)" "$(echo "$services" | json_field both_named)"
printf "| nmap %s -sV -T4 | %.2f | %s / %s | |\n" "$nmap_version" "$nmap_sv_s" \
  "$(echo "$services" | json_field nmap_agree_truth)" "$(echo "$services" | json_field ports)"
echo
