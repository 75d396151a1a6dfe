#!/usr/bin/env bash
# Port scanning over a real link (issue 6): the scan bed of bench/scan.sh (500 hosts, seed 7, so
# the same plan and truth) served inside a network namespace this script creates, reached only
# through a veth pair, and the same three scanners over it in the same run: our engine
# (bench/scan_ports.cpp, raw SYN as root), `nmap -sS -T4` and masscan, which sends at the link
# layer and so cannot scan loopback. Wall time, probes per second, recall and precision against
# the truth, and each one's wall time against ours. The link has no delay or loss: this kernel
# has no sch_netem, and the NFQUEUE delayer of tests/scanbed/netns.sh (Python) is far too slow
# for half a million probes.
#
#   bench/scan_veth.sh          set up, measure, clean up (also on failure or a signal)
#   bench/scan_veth.sh down     remove what a killed run left behind (a run does it first too)
#
# Layout: the bed's hosts are BASE+1 .. BASE+HOSTS of 10.214.0.0/23, made local in the namespace
# by a `local` route on its lo, so that scanbed (run with `ip netns exec`) binds every address;
# the link is 10.214.255.0/30 (host side .1, namespace side .2). The host gains one route, the
# /23 via the namespace side of the veth; the namespace has no default route and does not
# forward, so nothing leaves the pair. Nothing is set up when the host already routes or has an
# address in 10.214.0.0/16. Only that /23 (and nothing else) is scanned.
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${BENCH_SCAN_HOSTS:-500}
ns=sentinel-scanbench
host_veth=sbscan-h
ns_veth=sbscan-n
guard_net=10.214      # the /16 that must be unused on the host
bed_net=10.214.0.0/23 # BENCH_SCAN_HOSTS <= 510
base=10.214.0.0
link_host=10.214.255.1
link_ns=10.214.255.2
masscan_rate=${BENCH_MASSCAN_RATE:-1000000}
masscan_wait=10 # masscan 1.3.2's default --wait: seconds it listens after the last probe

veth_down() {
  local pid
  if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
    # After a killed run the bed may still serve in the namespace; nothing else runs there.
    for pid in $(ip netns pids "$ns"); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns delete "$ns"
  fi
  # Deleting the namespace takes its veth end and so the pair, and the host's route with it,
  # a moment later; after a crash half of it may be left on the host.
  for _ in $(seq 1 50); do
    ip link show "$host_veth" > /dev/null 2>&1 || return 0
    sleep 0.1
  done
  ip link delete "$host_veth"
}

veth_up() {
  veth_down
  # Any route naming an address of the /16, whatever its type or table.
  if ip -4 route show table all | grep -qE "(^| )${guard_net//./\\.}\."; then
    echo "scan_veth: the host already routes addresses in $guard_net.0.0/16; refusing" >&2
    exit 1
  fi
  if ip -4 -o addr show | awk '{print $4}' | grep -q "^${guard_net//./\\.}\."; then
    echo "scan_veth: a host interface has an address in $guard_net.0.0/16; refusing" >&2
    exit 1
  fi
  on_exit veth_down
  ip netns add "$ns"
  ip link add "$host_veth" type veth peer name "$ns_veth" netns "$ns"
  local in_ns=(ip netns exec "$ns")
  # IPv4 only, so that the link carries nothing but the scans (and the count below is theirs).
  sysctl -qw "net.ipv6.conf.$host_veth.disable_ipv6=1"
  "${in_ns[@]}" sysctl -qw "net.ipv6.conf.$ns_veth.disable_ipv6=1"
  ip addr add "$link_host/30" dev "$host_veth"
  ip link set "$host_veth" up
  "${in_ns[@]}" sysctl -qw net.ipv4.ip_forward=0
  "${in_ns[@]}" ip link set lo up
  "${in_ns[@]}" ip route add local "$bed_net" dev lo
  "${in_ns[@]}" ip addr add "$link_ns/30" dev "$ns_veth"
  "${in_ns[@]}" ip link set "$ns_veth" up
  ip route add "$bed_net" via "$link_ns" dev "$host_veth"
  ns_mac=$("${in_ns[@]}" cat "/sys/class/net/$ns_veth/address")
}

# TCP segments the namespace's kernel has sent (SYN-ACKs and RSTs included).
tcp_out_segments() {
  ip netns exec "$ns" awk '/^Tcp:/ && $1 == "Tcp:" && $12 ~ /^[0-9]+$/ {print $12}' /proc/net/snmp
}

if [[ ${1:-} == down ]]; then
  veth_down
  exit 0
fi
[[ $(id -u) -eq 0 ]] || { echo "scan_veth: must run as root (namespace, raw sockets)" >&2; exit 1; }
((hosts >= 1 && hosts <= 510)) || { echo "scan_veth: BENCH_SCAN_HOSTS must be 1..510 (a /23)" >&2; exit 1; }
# One run at a time: a second one would tear down the first's namespace.
exec 9> /run/lock/sentinel-scan-veth.lock
flock -n 9 || { echo "scan_veth: another run holds /run/lock/sentinel-scan-veth.lock" >&2; exit 1; }

source bench/lib.sh
source bench/scan/ports.sh
# The EXIT trap of lib.sh then removes the namespace, also on a signal.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

veth_up
start_bed "$base" "$hosts" ip netns exec "$ns"
scan_ours --scope "$bed_net" --method syn
scan_nmap
masscan_args=(--rate "$masscan_rate" --adapter "$host_veth" --adapter-ip "$link_host" --router-mac "$ns_mac")
# masscan's receive thread (libpcap, TPACKET_V3) sleeps until a packet arrives, also after its
# --wait is over, so on a silent link it would never end: a datagram from the namespace every
# 0.1 s wakes it, as the traffic of any real network would.
ip netns exec "$ns" bash -c "while :; do echo > /dev/udp/$link_host/9; sleep 0.1; done" 2> /dev/null &
heartbeat=$!
pids+=("$heartbeat")
bed_out_before=$(tcp_out_segments)
found_masscan=0
scan_masscan 120 "${masscan_args[@]}" && found_masscan=1
bed_out=$(($(tcp_out_segments) - bed_out_before))
kill "$heartbeat"
if ((found_masscan)); then
  masscan_cell=$(awk "BEGIN{printf \"%.1f×\", $masscan_s / $ours_s}")
else
  masscan_score='{"found":0,"recall":0,"precision":"-"}'
  masscan_cell="found nothing: $(tr '\r' '\n' < "$work/masscan.log" | grep -v '^ *$' | tail -n 1)"
fi

probes=$((hosts * 1000))
echo "## Network scanning: ports over a veth pair"
echo
echo "Scan bed: the same ${hosts} hosts and truth in a network namespace (${targets}), reached through a veth pair without delay or loss; $(echo "$ours_score" | json_field expected) open ports among nmap's top 1,000; each scanner scans every host x top 1,000 TCP ports without host discovery. masscan's wall time includes its default --wait of ${masscan_wait} s after the last probe; its probes/s is over the rest."
echo
ports_table_head "wall / ours"
ports_row "sentinel ($(echo "$ours" | json_field method))" "$ours_s" "$(echo "$ours" | json_field probes_per_second)" "$ours_score" "1×"
ports_row "nmap $nmap_version -sS -T4" "$nmap_s" "$(awk "BEGIN{print $probes / $nmap_s}")" "$nmap_score" \
  "$(awk "BEGIN{printf \"%.1f× (goal 5×)\", $nmap_s / $ours_s}")"
ports_row "masscan $masscan_version --rate $masscan_rate" "$masscan_s" \
  "$(awk "BEGIN{s = $masscan_s - $masscan_wait; print (s > 0 ? $probes / s : 0)}")" "$masscan_score" "$masscan_cell"
echo
echo "During masscan's run the bed sent $bed_out TCP segments (one SYN-ACK or RST answers each of its $probes probes); masscan recorded $(echo "${masscan_score}" | json_field found) open ports."
echo
