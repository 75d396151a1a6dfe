#!/usr/bin/env bash
# Authenticated GET requests per second and p99 latency over TLS 1.3 keep-alive (wrk), beside
# nginx serving a small static file over TLS 1.3 with the same certificate, in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}

source bench/lib.sh
nginx_conf="$work/nginx.conf"
on_exit '[[ -f "$work/nginx.pid" ]] && nginx -c "$nginx_conf" -s stop 2>/dev/null'

# --- sentinel-server -------------------------------------------------------------------------
# shellcheck disable=SC2086  # BENCH_SERVER_ARGS is a list of words
start_server "$work/data" ${BENCH_SERVER_ARGS:-}
token=$(api_token)  # the admin's, as a script would hold one

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
