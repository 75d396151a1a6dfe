#!/usr/bin/env bash
# Runs the platform on its embedded defaults: the server on https://127.0.0.1:8443 with SQLite
# under ./var. The first run creates the admin user with a random password kept in
# ./var/initial-admin-password (0600) so that later runs can print it again.
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
  API:         https://127.0.0.1:8443   (self-signed certificate: $data_dir/tls/server.crt)
  admin login: admin / $password   (the initial password; change it with 'sentinelctl passwd')
  CLI:         build/bin/sentinelctl --ca-file $data_dir/tls/server.crt login --username admin
Stop with Ctrl-C.
INFO

export SENTINEL_ADMIN_PASSWORD="$password"
exec build/bin/sentinel-server --data-dir "$data_dir" "$@"
