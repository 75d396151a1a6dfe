#!/usr/bin/env bash
# Atomic apply of a 100,000-address set (issue 7, goal: under 0.5 s), beside `nft -f` of the
# same compiled text and `ipset restore` of the same addresses, in the same run. Every apply
# runs in a fresh network namespace of its own (root needed); nothing is sent anywhere.
# Ours: the enforcer's bare transaction (NftTable::apply) and its whole apply (pending state
# file, transaction with the blocks carried over, verify listing) from firewall_apply_bench.
set -euo pipefail
cd "$(dirname "$0")/.."
addresses=${BENCH_FW_ADDRESSES:-100000}
runs=${BENCH_FW_RUNS:-5}
source bench/lib.sh

if [[ $(id -u) != 0 ]]; then
  echo "## Firewall apply: skipped (needs root for network namespaces)"
  exit 0
fi

raw=$("$bin/firewall_apply_bench" "$addresses" "$runs" "$work")
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
ours_apply=$(awk '/^apply_s/ {print $2}' <<< "$raw" | median)
ours_full=$(awk '/^apply_s/ {print $4}' <<< "$raw" | median)
ours_list=$(awk '/^apply_s/ {print $6}' <<< "$raw" | median)
compile=$(awk '/^compile_s/ {print $2}' <<< "$raw")

# The peers: wall time of the command inside `unshare -n` less that of `true` there.
timed_in_netns() {  # COMMAND... -> seconds
  local start end
  start=$(now)
  unshare -n -- "$@" > /dev/null
  end=$(now)
  echo "$end - $start" | bc
}
base=$(for _ in $(seq "$runs"); do timed_in_netns true; done | median)
nft_s=$(for _ in $(seq "$runs"); do timed_in_netns nft -f "$work/policy.nft"; done | median)
ipset_s=$(for _ in $(seq "$runs"); do
  timed_in_netns sh -c "ipset restore < '$work/ipset.txt'"
done | median)
sub() { awk -v a="$1" -v b="$base" 'BEGIN {x = a - b; if (x < 0) x = 0; printf "%.3f", x}'; }

echo "## Firewall apply of $addresses addresses (median of $runs, fresh namespace each)"
echo
echo "| what | seconds |"
echo "| --- | --- |"
echo "| sentinel: one transaction (NftTable::apply, libnftables $(pkg-config --modversion libnftables 2>/dev/null || echo ?)) | $ours_apply |"
echo "| sentinel: whole apply (state file, transaction, verify listing) | $ours_full |"
echo "| sentinel: verify listing alone (hash + set sizes) | $ours_list |"
echo "| sentinel: compile the policy | $compile |"
echo "| nft -f (same text) | $(sub "$nft_s") |"
echo "| ipset restore (same addresses, hash:ip) | $(sub "$ipset_s") |"
echo
echo "Goal: one transaction under 0.5 s. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
