#!/usr/bin/env bash
# The scan bed behind a real (emulated) network: a network namespace joined to the host by a
# veth pair with tc netem delay and loss, where only some addresses of a /24 exist, so that
# probes to the others really time out. The scanner runs on the host side.
#
#   netns.sh up NAME            create namespace, veth pair, addresses, routes, netem
#   netns.sh bed NAME [ARGS]    start scanbed inside it on the present addresses (ARGS go to
#                               scanbed, e.g. --seed 7 --hostile); waits until it is ready
#   netns.sh status NAME        show what exists
#   netns.sh down NAME          stop the bed and remove everything (also after a crash)
#
# Layout (defaults; override with the environment variables in brackets):
#   targets  10.213.0.0/24 [SCANBED_SUBNET=10.213.0]: .1 .. .N serve the bed's hosts
#            [SCANBED_PRESENT=20], .N+1 .. .N+4 are up for the hostile listeners (closed ports
#            without --hostile), every other address is absent: packets to it are dropped in the
#            namespace without an answer (blackhole route).
#   link     10.213.255.0/30 [SCANBED_LINK=10.213.255]: host side .1, namespace side .2.
#   impair   each way 20 ms delay [SCANBED_DELAY_MS=20] and 1% loss [SCANBED_LOSS_PERCENT=1]:
#            "tc qdisc ... netem delay 20ms loss 1%" on both ends of the veth, so the round trip
#            is twice the delay. Where the kernel has no sch_netem, the same from nftables in the
#            namespace: random drop (numgen) and a queue (NFQUEUE) that nfqueue_delay.py holds
#            for the delay; `status` says which is in use.
#   scanbed  [SCANBED_BIN], default: the first of build*/bin/scanbed in the repository.
#   state    /run/scanbed/NAME [SCANBED_STATE]: truth.json, ready.json, scanbed.log, *.pid
#
# Safety: the host gains one route, SUBNET.0/24 via the namespace end of the veth, and nothing
# else; the namespace has no default route and does not forward, so nothing the bed sends can
# leave the pair. `up` refuses to run when 10.213.0.0/16 (the two nets' /16) is already routed
# or assigned on the host by anything else.

set -euo pipefail

SUBNET=${SCANBED_SUBNET:-10.213.0}
LINK=${SCANBED_LINK:-10.213.255}
PRESENT=${SCANBED_PRESENT:-20}
DELAY_MS=${SCANBED_DELAY_MS:-20}
LOSS_PERCENT=${SCANBED_LOSS_PERCENT:-1}
QUEUE=0
HOSTILE_SLOTS=4
HERE=$(cd "$(dirname "$0")" && pwd)

die() {
  echo "netns.sh: $*" >&2
  exit 1
}

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[[ $# -ge 2 ]] || usage
COMMAND=$1
NAME=$2
shift 2
[[ $NAME =~ ^[a-z0-9][a-z0-9_-]{0,11}$ ]] || die "NAME must be 1-12 of [a-z0-9_-]: '$NAME'"
if ! [[ $PRESENT =~ ^[0-9]+$ ]] || ((PRESENT < 1 || PRESENT + HOSTILE_SLOTS > 250)); then
  die "SCANBED_PRESENT must be 1..246"
fi
[[ $DELAY_MS =~ ^[0-9]+$ ]] || die "SCANBED_DELAY_MS must be whole milliseconds"
if ! [[ $LOSS_PERCENT =~ ^[0-9]+(\.[0-9]+)?$ ]] ||
  ! awk -v l="$LOSS_PERCENT" 'BEGIN { exit !(l <= 100) }'; then
  die "SCANBED_LOSS_PERCENT must be 0..100"
fi
for net in "$SUBNET" "$LINK"; do
  [[ $net =~ ^10\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || die "subnets must be three octets in 10/8: '$net'"
done

HOST_VETH="sb-$NAME-h"
NS_VETH="sb-$NAME-n"
STATE=${SCANBED_STATE:-/run/scanbed/$NAME}
LAST=$((PRESENT + HOSTILE_SLOTS))

netns_exists() { ip netns list | awk '{print $1}' | grep -qx "$NAME"; }
link_exists() { ip link show "$HOST_VETH" >/dev/null 2>&1; }

# The pid in $STATE/STEM.pid, if it is still the program named WORD (not a recycled pid).
state_pid() {
  local stem=$1 word=$2 pid
  [[ -f $STATE/$stem.pid ]] || return 1
  pid=$(cat "$STATE/$stem.pid")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$word" || return 1
  echo "$pid"
}
bed_pid() { state_pid scanbed scanbed; }
delay_pid() { state_pid delay nfqueue_delay; }

stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

down() {
  local pid
  if pid=$(bed_pid); then stop_pid "$pid"; fi
  if pid=$(delay_pid); then stop_pid "$pid"; fi
  if netns_exists; then ip netns delete "$NAME"; fi
  # Deleting the namespace takes its veth end and with it the pair; after a crash half of it
  # may be left on the host.
  if link_exists; then ip link delete "$HOST_VETH"; fi
  rm -rf "$STATE"
}

check_host_is_clear() {
  local prefix=${SUBNET%.*}
  [[ ${LINK%.*} == "$prefix" ]] || prefix="${SUBNET%.*}|${LINK%.*}"
  if ip -4 route show table all | awk '{print $1}' | grep -E "^(${prefix//./\\.})\." |
    grep -q .; then
    die "the host already routes addresses in ${SUBNET%.*}.0.0/16; refusing to add the bed"
  fi
  if ip -4 -o addr show | awk '{print $4}' | grep -qE "^(${prefix//./\\.})\."; then
    die "a host interface already has an address in ${SUBNET%.*}.0.0/16; refusing"
  fi
}

up() {
  command -v tc >/dev/null || die "tc (iproute2) is missing"
  [[ $(id -u) -eq 0 ]] || die "must run as root"
  down
  check_host_is_clear
  mkdir -p "$STATE"
  ip netns add "$NAME"
  ip link add "$HOST_VETH" type veth peer name "$NS_VETH" netns "$NAME"

  ip addr add "$LINK.1/30" dev "$HOST_VETH"
  ip link set "$HOST_VETH" up
  ip route add "$SUBNET.0/24" via "$LINK.2" dev "$HOST_VETH"

  local in_ns=(ip netns exec "$NAME")
  "${in_ns[@]}" ip link set lo up
  "${in_ns[@]}" ip addr add "$LINK.2/30" dev "$NS_VETH"
  "${in_ns[@]}" ip link set "$NS_VETH" up
  for ((i = 1; i <= LAST; i++)); do
    "${in_ns[@]}" ip addr add "$SUBNET.$i/32" dev lo
  done
  # Absent addresses: dropped without an ICMP answer, as if nobody were there.
  "${in_ns[@]}" ip route add blackhole "$SUBNET.0/24"
  "${in_ns[@]}" sysctl -qw net.ipv4.ip_forward=0

  impair
  echo "netns $NAME: $SUBNET.1-$LAST present (bed hosts .1-.$PRESENT), rest of $SUBNET.0/24" \
    "absent; ${DELAY_MS} ms delay and ${LOSS_PERCENT}% loss each way by" \
    "$(cat "$STATE/impairment"); host side $HOST_VETH $LINK.1"
}

# Delay and loss on both directions of the veth: netem if the kernel has it, else nftables.
impair() {
  local netem=(netem delay "${DELAY_MS}ms" loss "${LOSS_PERCENT}%")
  if tc qdisc add dev "$HOST_VETH" root "${netem[@]}" 2>/dev/null; then
    ip netns exec "$NAME" tc qdisc add dev "$NS_VETH" root "${netem[@]}"
    echo "tc netem" >"$STATE/impairment"
    return
  fi
  command -v nft >/dev/null || die "the kernel has no sch_netem and nft is missing"
  local per_10000 drop_in="" drop_out=""
  per_10000=$(awk -v l="$LOSS_PERCENT" 'BEGIN { printf "%d", l * 100 + 0.5 }')
  if ((per_10000 > 0)); then
    drop_in="iifname \"$NS_VETH\" numgen random mod 10000 < $per_10000 drop"
    drop_out="oifname \"$NS_VETH\" numgen random mod 10000 < $per_10000 drop"
  fi
  ip netns exec "$NAME" nft -f - <<RULES
table inet scanbed_impair {
  chain arriving {
    type filter hook prerouting priority -300; policy accept;
    $drop_in
  }
  chain leaving {
    type filter hook postrouting priority 300; policy accept;
    $drop_out
  }
}
RULES
  if ((DELAY_MS > 0)); then
    # The queue through iptables' NFQUEUE target: some kernels have it without nft's queue.
    # "bypass": should the delayer die, packets pass undelayed instead of being dropped.
    command -v iptables >/dev/null || die "the kernel has no sch_netem and iptables is missing"
    ip netns exec "$NAME" python3 "$HERE/nfqueue_delay.py" --queue "$QUEUE" \
      --delay-ms "$DELAY_MS" >"$STATE/delay.log" 2>&1 &
    echo $! >"$STATE/delay.pid"
    ip netns exec "$NAME" iptables -t mangle -A PREROUTING -i "$NS_VETH" \
      -j NFQUEUE --queue-num "$QUEUE" --queue-bypass
    ip netns exec "$NAME" iptables -t mangle -A POSTROUTING -o "$NS_VETH" \
      -j NFQUEUE --queue-num "$QUEUE" --queue-bypass
    sleep 0.3
    if ! delay_pid >/dev/null; then
      cat "$STATE/delay.log" >&2
      die "nfqueue_delay.py did not start"
    fi
  fi
  echo "nftables drop + NFQUEUE delay (no sch_netem in this kernel)" >"$STATE/impairment"
}

find_scanbed() {
  if [[ -n ${SCANBED_BIN:-} ]]; then
    echo "$SCANBED_BIN"
    return
  fi
  local candidate
  for candidate in "$HERE"/../../build*/bin/scanbed; do
    [[ -x $candidate ]] && {
      echo "$candidate"
      return
    }
  done
  die "no scanbed binary: build the target or set SCANBED_BIN"
}

bed() {
  netns_exists || die "namespace $NAME does not exist: run 'netns.sh up $NAME' first"
  if bed_pid >/dev/null; then die "a bed already runs in $NAME (pid $(bed_pid))"; fi
  local binary
  binary=$(find_scanbed)
  mkdir -p "$STATE"
  rm -f "$STATE/ready.json"
  ip netns exec "$NAME" "$binary" --base "$SUBNET.0" --hosts "$PRESENT" \
    --truth "$STATE/truth.json" --ready-file "$STATE/ready.json" "$@" \
    >"$STATE/scanbed.log" 2>&1 &
  echo $! >"$STATE/scanbed.pid"
  for _ in $(seq 300); do
    if [[ -f $STATE/ready.json ]]; then
      echo "scanbed ready in $NAME: truth $STATE/truth.json"
      return
    fi
    kill -0 "$(cat "$STATE/scanbed.pid")" 2>/dev/null || break
    sleep 0.1
  done
  cat "$STATE/scanbed.log" >&2
  die "scanbed did not become ready"
}

status() {
  if netns_exists; then echo "namespace $NAME: present"; else echo "namespace $NAME: absent"; fi
  if link_exists; then ip -br addr show "$HOST_VETH"; fi
  ip -4 route show "$SUBNET.0/24"
  if [[ -f $STATE/impairment ]]; then
    echo "delay ${DELAY_MS} ms, loss ${LOSS_PERCENT}% each way by $(cat "$STATE/impairment")"
  fi
  local pid
  if pid=$(bed_pid); then
    echo "scanbed: pid $pid, truth $STATE/truth.json"
  else
    echo "scanbed: not running"
  fi
}

case $COMMAND in
  up) up ;;
  down) down ;;
  bed) bed "$@" ;;
  status) status ;;
  *) usage ;;
esac
