#!/usr/bin/env bash
# Installs the Debian 12 packages that building, testing and benchmarking SentinelSecure need.
# Idempotent: does nothing when every package is already present.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config clang clang-format clang-tidy libclang-rt-14-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsqlite3-dev libpq-dev libsodium-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev libseccomp-dev
  # tests: real services and independent tools
  postgresql-15 openssl oathtool sqlite3 curl procps iproute2
  # benchmarks: peers and load generators
  nginx-light wrk bc
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
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
