# Shared by bench/scan.sh (loopback) and bench/scan_veth.sh (a namespace behind a veth pair);
# source it after bench/lib.sh. The scan bed and the port scanners run and scored the same way in
# both, 500 hosts x nmap's top 1,000 TCP ports without host discovery. bench/scan_distributed.sh
# takes the bed and the scoring (start_bed, score_found) for its scan jobs.

# start_bed BASE HOSTS [WRAPPER...]: the scan bed (seed 7, so the same plan on any base) on
# BASE+1 .. BASE+HOSTS, started through WRAPPER when given (`ip netns exec NAME`) and stopped at
# exit; returns when it serves. Writes $work/truth.json and $work/hosts.txt (one address a line);
# sets targets (FIRST-LAST).
start_bed() {
  local base=$1 hosts=$2 first last
  shift 2
  "$@" "$bin/scanbed" --base "$base" --hosts "$hosts" --seed 7 --truth "$work/truth.json" \
    --ready-file "$work/ready.json" > "$work/scanbed.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 600); do [[ -s "$work/ready.json" ]] && break; sleep 0.1; done
  [[ -s "$work/ready.json" ]] || { echo "the scan bed did not start" >&2; cat "$work/scanbed.log" >&2; exit 1; }
  first=$(python3 -c "import ipaddress; print(ipaddress.ip_address('$base') + 1)")
  last=$(python3 -c "import ipaddress; print(ipaddress.ip_address('$base') + $hosts)")
  targets="$first-$last"
  python3 -c "import ipaddress; b = ipaddress.ip_address('$base'); print('\\n'.join(str(b + i) for i in range(1, $hosts + 1)))" > "$work/hosts.txt"
}

# score_found FOUND: recall and precision of FOUND (nmap XML or "ADDRESS PORT" lines) as JSON.
score_found() { python3 bench/scan/score_ports.py "$work/truth.json" "$work/ports.txt" "$1"; }

# scan_ours [ARGS...]: our engine (bench/scan_ports.cpp) over $targets x the top 1,000, ARGS
# added. Writes $work/ports.txt (the port list every scanner is scored over); sets ours (its
# JSON), ours_s, ours_score.
scan_ours() {
  ours=$("$bin/scan_ports" --targets "$targets" --top-ports 1000 --open-out "$work/ours.txt" \
    --ports-out "$work/ports.txt" "$@")
  ours_s=$(echo "$ours" | json_field wall_seconds)
  ours_score=$(score_found "$work/ours.txt")
}

# scan_nmap: nmap -sS -T4 on the same hosts and ports; sets nmap_s, nmap_score, nmap_version.
scan_nmap() {
  local t0
  t0=$(now)
  nmap -sS -T4 -n -Pn --top-ports 1000 -oX "$work/nmap.xml" -iL "$work/hosts.txt" > /dev/null
  nmap_s=$(echo "$(now) - $t0" | bc)
  nmap_score=$(score_found "$work/nmap.xml")
  nmap_version=$(nmap --version | awk 'NR==1{print $3}')
}

# scan_masscan SECONDS [ARGS...]: masscan on the same hosts and ports, ARGS added, killed after
# SECONDS; its stderr goes to $work/masscan.log. Sets masscan_s (wall time, its --wait after
# sending included) and masscan_version; returns 0 with masscan_score set when it found any open
# port, 1 when none (or it failed).
scan_masscan() {
  local limit=$1 t0
  shift
  masscan_version=$(masscan --version 2>/dev/null | awk '/Masscan version/{print $3}')
  t0=$(now)
  # In $work: masscan drops a paused.conf where it runs when interrupted.
  (cd "$work" && timeout "$limit" masscan "$targets" -p "$(paste -sd, ports.txt)" -oL masscan.lst "$@") \
    > /dev/null 2> "$work/masscan.log" || true
  masscan_s=$(echo "$(now) - $t0" | bc)
  [[ -s "$work/masscan.lst" ]] && grep -q "^open" "$work/masscan.lst" || return 1
  awk '/^open/{print $4, $3}' "$work/masscan.lst" > "$work/masscan.txt"
  masscan_score=$(score_found "$work/masscan.txt")
}

# ports_row NAME SECONDS PROBES_PER_SECOND SCORE_JSON [LAST_CELL]: one row of the ports table.
ports_row() {
  printf "| %s | %.2f | %.0f | %s | %s | %s |\n" "$1" "$2" "$3" "$(echo "$4" | json_field recall)" \
    "$(echo "$4" | json_field precision)" "${5:-}"
}

ports_table_head() {
  echo "| scanner | wall s | probes/s | recall | precision | $1 |"
  echo "| --- | --- | --- | --- | --- | --- |"
}
