#!/usr/bin/env bash
# Authenticated GET requests per second and p99 latency over TLS 1.3 keep-alive (wrk), beside
# nginx serving a small static file over TLS 1.3 with the same certificate, in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
server_bin=${BENCH_SERVER_BIN:-build/bin/sentinel-server}

work=$(mktemp -d)
server_pid=""
nginx_conf="$work/nginx.conf"
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [[ -f "$work/nginx.pid" ]] && nginx -c "$nginx_conf" -s stop 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    ss -Hltn "sport = :$port" | grep -q . || { echo "$port"; return; }
  done
}
json_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }

# --- sentinel-server -------------------------------------------------------------------------
password="Bench-Root-Password-$RANDOM$RANDOM"
SENTINEL_ADMIN_PASSWORD="$password" "$server_bin" --data-dir "$work/data" \
  --listen 127.0.0.1:0 --set agents.listen=127.0.0.1:0 --log-level warn ${BENCH_SERVER_ARGS:-} > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do [[ -s "$work/data/server.url" ]] && break; sleep 0.05; done
url=$(cat "$work/data/server.url")
ca="$work/data/tls/server.crt"
# An API token for the admin, as a script would hold one.
csrf=$(curl -sS --cacert "$ca" -c "$work/cookies" -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$password\"}" "$url/api/v1/auth/login" | json_field csrf_token)
token=$(curl -sS --cacert "$ca" -b "$work/cookies" -H 'Content-Type: application/json' \
  -H "X-CSRF-Token: $csrf" -d '{"name":"bench"}' "$url/api/v1/tokens" | json_field token)
[[ -n "$token" ]] || { echo "could not create an API token; server log:" >&2; cat "$work/server.log" >&2; exit 1; }

# --- nginx, same certificate, small static file ----------------------------------------------
nginx_port=$(free_port)
mkdir -p "$work/www" "$work/nginx"
chmod 755 "$work" "$work/www"  # nginx workers run as an unprivileged user
printf '{"id":1,"username":"admin","roles":["admin"]}' > "$work/www/me.json"
chmod 644 "$work/www/me.json"
cat > "$nginx_conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_protocols TLSv1.3;
    ssl_certificate $ca;
    ssl_certificate_key $work/data/tls/server.key;
    keepalive_requests 1000000;
    location / { root $work/www; }
  }
}
NGINX
nginx -c "$nginx_conf"

run_wrk() {  # url [header] -> "rps p99_ms"
  local target=$1; shift
  wrk -t"$threads" -c"$connections" -d"$duration" --latency "$@" "$target" > "$work/wrk.out"
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.out")
  if grep -q "Non-2xx" "$work/wrk.out"; then
    echo "wrk saw non-2xx answers for $target:" >&2; cat "$work/wrk.out" >&2; exit 1
  fi
  echo "$rps $p99"
}

read -r ours_rps ours_p99 < <(run_wrk "$url/api/v1/auth/me" -H "Authorization: Bearer $token")
read -r nginx_rps nginx_p99 < <(run_wrk "https://127.0.0.1:$nginx_port/me.json")
ratio=$(awk -v a="$ours_rps" -v b="$nginx_rps" 'BEGIN {printf "%.2f", a/b}')

cat <<RESULT
## Authenticated API GET over TLS 1.3 keep-alive (wrk -t$threads -c$connections -d$duration)

| server | requests/s | p99 latency |
| --- | --- | --- |
| sentinel-server \`GET /api/v1/auth/me\` (Bearer token) | $ours_rps | $ours_p99 |
| nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') static 46-byte file | $nginx_rps | $nginx_p99 |

Ratio sentinel/nginx: **$ratio** (goal: at least 0.5)

RESULT
