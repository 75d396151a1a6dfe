#!/usr/bin/env bash
# Rule-engine throughput (issue 5), beside fail2ban-regex on the same sshd log in the same run:
# events per CPU second (one core) of raw line -> the agent's log parser -> the bus payload ->
# the detect service's normaliser -> the engine with every rule of a 10, 100 and 1,000-rule
# Sigma set (bench/detection_engine.cpp), against fail2ban-regex with Debian's sshd filter.
# Sanity: the failed-password lines our counting rule matched must equal fail2ban's "matched".
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${BENCH_ENGINE_LINES:-100000}
min_cpu_s=${BENCH_ENGINE_MIN_CPU_S:-2}
filter=/etc/fail2ban/filter.d/sshd.conf

source bench/lib.sh
cpu_of() {  # COMMAND... -> user+sys CPU seconds of the command (its stdout goes to $work/out)
  /usr/bin/time -f '%U %S' -o "$work/time" "$@" > "$work/out" 2>&1
  awk '{print $1 + $2}' "$work/time"
}

failed=$(python3 bench/detection/make_log.py "$work/auth.log" "$lines")

# fail2ban-regex: its CPU time on the log less its CPU time on an empty file (Python start-up,
# filter compilation), as only our loop is timed.
: > "$work/empty.log"
f2b_args=(--print-no-missed --print-no-ignored)
f2b_base=$(cpu_of fail2ban-regex "${f2b_args[@]}" "$work/empty.log" "$filter")
f2b_cpu=$(cpu_of fail2ban-regex "${f2b_args[@]}" "$work/auth.log" "$filter")
f2b_matched=$(sed -n 's/^Lines: .* \([0-9]*\) matched.*/\1/p' "$work/out")
f2b_rate=$(echo "scale=0; $lines / ($f2b_cpu - $f2b_base)" | bc)
f2b_version=$(fail2ban-regex --version 2>/dev/null | head -1 | awk '{print $NF}')
if [[ "$f2b_matched" != "$failed" ]]; then
  echo "detection_engine: fail2ban-regex matched $f2b_matched lines, the log holds $failed failed passwords" >&2
  exit 1
fi

echo "## Threat detection: rule engine"
echo
echo "Log: ${lines} generated sshd/auth lines (RFC 3339 syslog), ${failed} failed passwords among them;"
echo "each figure in events per CPU second of one core; ours repeated until ${min_cpu_s} s of CPU."
echo
echo "| rules | sentinel: line → parser → normaliser → engine | parser alone | payload + normaliser alone | engine alone | fail2ban-regex ${f2b_version} (sshd filter) | ratio | failed passwords matched (ours / fail2ban) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for count in 10 100 1000; do
  python3 bench/detection/make_rules.py rules "$work/rules$count" "$count"
  result=$("$bin/detection_engine" --log "$work/auth.log" --rules "$work/rules$count" \
    --min-cpu-s "$min_cpu_s")
  loaded=$(echo "$result" | json_field rules)
  rate=$(echo "$result" | json_field events_per_cpu_second)
  parse=$(echo "$result" | json_field parse_events_per_cpu_second)
  normalise=$(echo "$result" | json_field normalise_events_per_cpu_second)
  engine=$(echo "$result" | json_field engine_events_per_cpu_second)
  ours_matched=$(echo "$result" | sed -n 's/.*"00000000-0000-4000-8000-00000000b5c0":\([0-9]*\).*/\1/p')
  if [[ "$loaded" != "$count" || "$ours_matched" != "$f2b_matched" ]]; then
    echo "detection_engine: $count rules: loaded ${loaded:-?}, matched ${ours_matched:-0} failed passwords, fail2ban $f2b_matched" >&2
    exit 1
  fi
  echo "| ${count} | ${rate} | ${parse} | ${normalise} | ${engine} | ${f2b_rate} | $(echo "scale=1; $rate / $f2b_rate" | bc)× (goal 100×) | ${ours_matched} / ${f2b_matched} |"
done
echo
