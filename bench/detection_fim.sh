#!/usr/bin/env bash
# File-integrity baseline of /usr (issue 5): a real enrolled sentinel-agent (fim.paths: [/usr])
# against `aide --init` with a comparable private configuration (SHA-256, type, permissions,
# owner, group, size, mtime, ctime, inode, link target; the same number of hashing threads;
# uncompressed database; both written to a temp dir), in the same run. Wall time, CPU time and
# peak memory of each: for the agent its process's RSS plus its watcher child's private pages
# (what the child shares with the agent counted once; sampled every 100 ms); for aide
# /usr/bin/time's maximum RSS. The agent says the baseline is complete
# with the log line "fim: baseline complete paths=N duration_ms=M ...".
# /usr is read once beforehand so that both find it in the page cache: the figures compare
# hashing and bookkeeping, not the disk.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${BENCH_FIM_PATH:-/usr}
timeout_s=${BENCH_FIM_TIMEOUT_S:-300}

source bench/lib.sh

t0=$(now)
find "$target" -xdev -type f -print0 | xargs -0 -n 256 -P 2 cat > /dev/null 2>&1 || true
warm_s=$(printf "%.1f" "$(echo "$(now) - $t0" | bc)")

# --- sentinel-agent ----------------------------------------------------------------------------
start_server "$work/server"
token=$(api_token)
config=$(printf "inventory:\n  interval_s: 604800\nprocess:\n  enabled: false\nfim:\n  paths: ['%s']\n  interval_s: 2592000\n" "$target")
start_agent "$work/agent" "$config" "$token" info
started=$agent_started
python3 bench/detection/rss_sampler.py "$agent_pid" > "$work/rss-baseline.txt" &
sampler=$!
done_line=""
for _ in $(seq 1 $((timeout_s * 10))); do
  done_line=$(grep -m1 "fim: baseline complete" "$work/agent.log" || true)
  [[ -n "$done_line" ]] && break
  sleep 0.1
done
finished=$(now)
[[ -n "$done_line" ]] || { echo "detection_fim: no 'fim: baseline complete' within ${timeout_s} s" >&2; tail "$work/agent.log" >&2; exit 1; }
# CPU of the agent and its live children (the watcher with its hashing threads).
ticks=$(cpu_ticks "$agent_pid")
for child in $(cat /proc/"$agent_pid"/task/*/children 2>/dev/null); do ticks=$((ticks + $(cpu_ticks "$child"))); done
kill -TERM "$sampler"; wait "$sampler" || true
agent_wall=$(printf "%.1f" "$(echo "$finished - $started" | bc)")
agent_cpu=$(printf "%.1f" "$(echo "$ticks / $(getconf CLK_TCK)" | bc -l)")
agent_peak_kb=$(cut -d' ' -f1 "$work/rss-baseline.txt")
agent_paths=$(echo "$done_line" | sed -n 's/.*paths=\([0-9]*\).*/\1/p')
agent_own_ms=$(echo "$done_line" | sed -n 's/.*duration_ms=\([0-9]*\).*/\1/p')
unreadable=$(echo "$done_line" | sed -n 's/.*unreadable=\([0-9]*\).*/\1/p')
kill "$agent_pid" "$server_pid" 2>/dev/null || true
wait "$agent_pid" "$server_pid" 2>/dev/null || true

# --- aide --init with a private configuration ----------------------------------------------------
cat > "$work/aide.conf" <<EOF
database_out=file:$work/aide.db.new
gzip_dbout=no
num_workers=2
report_url=file:$work/aide.report
Bench = ftype+p+i+u+g+s+m+c+l+sha256
$target Bench
EOF
/usr/bin/time -v -o "$work/aide.time" aide --init -c "$work/aide.conf" > "$work/aide.out" 2>&1 || {
  echo "detection_fim: aide --init failed" >&2; cat "$work/aide.out" >&2; exit 1; }
time_field() { sed -n "s/^\s*$1: //p" "$work/aide.time"; }
aide_wall=$(time_field 'Elapsed (wall clock) time (h:mm:ss or m:ss)' | awk -F: '{s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s}')
aide_cpu=$(printf "%.1f" "$(echo "$(time_field 'User time (seconds)') + $(time_field 'System time (seconds)')" | bc)")
aide_peak_kb=$(time_field 'Maximum resident set size (kbytes)')
aide_entries=$(grep -ho 'Number of entries:[[:space:]]*[0-9]*' "$work/aide.out" "$work/aide.report" 2>/dev/null | head -1 | grep -o '[0-9]*$' || echo "?")

ratio() { echo "scale=2; $1 / $2" | bc; }
echo "## Threat detection: file-integrity baseline of ${target}"
echo
echo "sentinel-agent (fim.paths: [${target}], 2 hashing threads) against $(aide --version 2>&1 | head -1) --init"
echo "(num_workers=2, ftype+p+i+u+g+s+m+c+l+sha256, uncompressed); ${target} read into the page"
echo "cache first (${warm_s} s). Agent wall time from its start to the log line, enrolment included."
echo
echo "| measure | sentinel-agent | aide --init | ratio |"
echo "| --- | --- | --- | --- |"
echo "| paths recorded | ${agent_paths} (${unreadable} unreadable) | ${aide_entries} | |"
echo "| wall time | ${agent_wall} s (monitor's own: $(echo "scale=1; ${agent_own_ms:-0} / 1000" | bc) s) | ${aide_wall} s | $(ratio "$agent_wall" "$aide_wall") |"
echo "| CPU time | ${agent_cpu} s | ${aide_cpu} s | $(ratio "$agent_cpu" "$aide_cpu") |"
echo "| peak memory (agent + watcher child / aide max RSS) | $((agent_peak_kb / 1024)) MB (goal 30 MB) | $((aide_peak_kb / 1024)) MB | $(ratio "$agent_peak_kb" "$aide_peak_kb") |"
echo
