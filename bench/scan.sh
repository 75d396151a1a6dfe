#!/usr/bin/env bash
# Port scanning (issue 6): 500 hosts x top 1,000 ports on the scan bed (tests/scanbed: hundreds
# of loopback hosts with real services and a ground truth), our engine (bench/scan_ports.cpp:
# raw SYN as root, else connect()) beside `nmap -sS -T4` on the same targets in the same run:
# wall time, probes per second, recall and precision against the truth. Then service detection
# of the open ports found, ours beside `nmap -sV -T4` on the same hosts and the bed's ports, with
# the service names compared to each other and to the truth. masscan is tried too;
# it sends at the link layer and the kernel drops its 127.x packets as martians, so on loopback
# it finds nothing (said in the table rather than hidden); bench/scan_veth.sh runs the same bed
# and scanners behind a veth pair, where it can. Only 127.0.0.0/8 is scanned.
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${BENCH_SCAN_HOSTS:-500}
base=${BENCH_SCAN_BASE:-127.88.0.0}

source bench/lib.sh
source bench/scan/ports.sh

start_bed "$base" "$hosts"
scan_ours --detect-out "$work/ours-services.txt"
scan_nmap
masscan_row="| masscan | does not scan loopback (link-layer sender; the kernel drops its 127.x packets) | | | | |"
if command -v masscan > /dev/null && scan_masscan 60 --rate 200000; then
  masscan_row=$(ports_row "masscan" "$masscan_s" "$(awk "BEGIN{print $hosts * 1000 / $masscan_s}")" "$masscan_score")
fi

echo "## Network scanning: ports"
echo
echo "Scan bed: ${hosts} loopback hosts (${targets}), $(echo "$ours_score" | json_field expected) open ports among nmap's top 1,000; each scanner scans every host x top 1,000 TCP ports without host discovery."
echo
ports_table_head "ratio (nmap wall / ours)"
ports_row "sentinel ($(echo "$ours" | json_field method))" "$ours_s" "$(echo "$ours" | json_field probes_per_second)" \
  "$ours_score" "$(awk "BEGIN{printf \"%.1f× (goal 5×)\", $nmap_s / $ours_s}")"
ports_row "nmap $nmap_version -sS -T4" "$nmap_s" "$(awk "BEGIN{print $hosts * 1000 / $nmap_s}")" "$nmap_score"
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
