#!/usr/bin/env bash
# make bench: every benchmark beside its peer, measured in the same run on this machine.
# Results are printed and written to bench/results/latest.md; docs/benchmarks.md keeps the last
# published copy.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
out=bench/results/latest.md
{
  echo "# Benchmark results"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "- kernel: $(uname -r)"
  echo
} > "$out"
for bench in bench/api_rps.sh bench/agent.sh bench/portal.sh bench/detection_engine.sh \
  bench/detection_latency.sh bench/detection_fim.sh bench/firewall_apply.sh bench/firewall_fleet.sh \
  bench/firewall_ban.sh bench/scan.sh bench/scan_veth.sh bench/scan_distributed.sh; do
  "$bench" | tee -a "$out"
done
echo "results: $out"
