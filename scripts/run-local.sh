#!/usr/bin/env bash
# Runs the platform on its embedded defaults: the server on https://127.0.0.1:8443 with SQLite
# under ./var and a local agent (data dir ./var/agent) enrolled to it. The first run creates the
# admin user with a random password kept in ./var/initial-admin-password (0600) so that later runs
# can print it again.
set -euo pipefail
cd "$(dirname "$0")/.."

data_dir=${SENTINEL_DATA_DIR:-./var}
mkdir -p "$data_dir"
chmod 700 "$data_dir"
password_file="$data_dir/initial-admin-password"
if [[ ! -s "$password_file" ]]; then
  (umask 077 && openssl rand -base64 18 | tr -d '\n' > "$password_file")
fi
password=$(cat "$password_file")

cat <<INFO
SentinelSecure
  portal:      https://127.0.0.1:8443   (open it in a browser; the certificate is self-signed)
  API:         https://127.0.0.1:8443/api/v1   (certificate: $data_dir/tls/server.crt)
  admin login: admin / $password   (the initial password; change it with 'sentinelctl passwd')
  CLI:         build/bin/sentinelctl --ca-file $data_dir/tls/server.crt login --username admin
  agent:       $data_dir/agent (channel https://127.0.0.1:8444, mutual TLS)
  scans:       allowed in 127.0.0.0/8 (the loopback example scope; more with --scan-scope CIDR)
Stop with Ctrl-C.
INFO

export SENTINEL_ADMIN_PASSWORD="$password"
rm -f "$data_dir/server.url"
# The loopback example scope: scans of 127.0.0.0/8 are allowed, nothing else (add --scan-scope).
build/bin/sentinel-server --data-dir "$data_dir" --web-root web/dist --scan-scope 127.0.0.0/8 "$@" &
server_pid=$!
agent_pid=""
stop() {
  [[ -n "$agent_pid" ]] && kill "$agent_pid" 2>/dev/null
  kill "$server_pid" 2>/dev/null
  wait
}
trap stop INT TERM
for _ in $(seq 1 600); do
  [[ -s "$data_dir/server.url" ]] && break
  kill -0 "$server_pid" 2>/dev/null || exit 1
  sleep 0.05
done
url=$(cat "$data_dir/server.url")

# The local agent: enrolled once with a token made by the admin, then started from its data dir.
agent_dir="$data_dir/agent"
if [[ ! -s "$agent_dir/identity/agent.pem" ]]; then
  ca="$data_dir/tls/server.crt"
  field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
  csrf=$(curl -sS --cacert "$ca" -c "$data_dir/.run-cookies" -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$password\"}" "$url/api/v1/auth/login" | field csrf_token)
  token=""
  if [[ -n "$csrf" ]]; then
    token=$(curl -sS --cacert "$ca" -b "$data_dir/.run-cookies" -H 'Content-Type: application/json' \
      -H "X-CSRF-Token: $csrf" -d '{}' "$url/api/v1/agents/enroll-tokens" | field token)
  fi
  rm -f "$data_dir/.run-cookies"
  if [[ -z "$token" ]]; then
    echo "run-local: could not make an enrolment token (admin password changed?); no local agent" >&2
  else
    mkdir -p "$agent_dir" && chmod 700 "$agent_dir"
    # What the local agent watches (detection): the auth and system logs that exist here, the
    # journal when journald runs, and file integrity of /etc and the system binaries.
    logs=()
    for f in /var/log/auth.log /var/log/syslog /var/log/secure /var/log/messages; do
      [[ -f "$f" ]] && logs+=("$f")
    done
    journal=false
    [[ -d /run/systemd/journal ]] && journal=true
    (IFS=,; printf 'logs:\n  files: [%s]\n  journal: %s\nfim:\n  paths: [/etc, /usr/bin, /usr/sbin]\n' \
      "${logs[*]}" "$journal") > "$agent_dir/agent.yaml"
    chmod 600 "$agent_dir/agent.yaml"
    build/bin/sentinel-agent --server "$url" --enroll-token "$token" --data-dir "$agent_dir" &
    agent_pid=$!
  fi
else
  build/bin/sentinel-agent --data-dir "$agent_dir" &
  agent_pid=$!
fi
wait "$server_pid"
