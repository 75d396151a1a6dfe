#!/usr/bin/env bash
# Firewall policy to a fleet (issue 7): the time from a policy save to every one of 200 agents
# having applied and confirmed it. The agents are simulated by agent_load --mode firewall: real
# enrolment, real mutual-TLS channel, the real agent's command parser and scope guard, and
# answers as the agent gives them, but no nftables (bench/firewall_apply.sh times the kernel's
# part on one host; a real agent adds that once, in parallel with the others). No peer manages
# whole host policy centrally (Wazuh, CrowdSec and fail2ban only insert timed bans), so there is
# no peer figure here. Everything listens on and connects to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
agents=${BENCH_FW_FLEET_AGENTS:-200}
rounds=${BENCH_FW_FLEET_ROUNDS:-5}
addresses=${BENCH_FW_FLEET_ADDRESSES:-1000}
source bench/lib.sh

start_server "$work/fleet" --db "sqlite:$work/fleet/sentinel.db"
token=$(api_token)
mkdir -p "$work/pki-fleet"
result=$(SENTINEL_TOKEN="$token" "$bin/agent_load" --server "$url" --ca-file "$ca" \
  --channel "$channel" --server-pid "$server_pid" --mode firewall --agents "$agents" \
  --rounds "$rounds" --addresses "$addresses" --dir "$work/pki-fleet")

echo "## Firewall policy to $agents agents (SQLite, $rounds versions, $addresses-address set)"
echo
echo "| what | seconds |"
echo "| --- | --- |"
echo "| save a version → all $agents agents applied and confirmed (median of $rounds) | $(echo "$result" | json_field save_to_all_confirmed_s_median) |"
echo "| the same, slowest round | $(echo "$result" | json_field save_to_all_confirmed_s_max) |"
echo "| the apply request alone (POST /api/v1/firewall/apply, median) | $(echo "$result" | json_field apply_request_s_median) |"
echo
echo "Simulated agents (no nftables; see bench/firewall_apply.sh for one host's transaction). No"
echo "peer: none manages whole host policy centrally. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
