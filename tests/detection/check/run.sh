#!/bin/sh
# Runs `sentinelctl rules check` (offline) on good.yml and bad.yml next to this script and checks
# its lines, its JSON and its exit status. Usage: run.sh PATH_TO_SENTINELCTL
set -u
ctl=$1
dir=$(cd "$(dirname "$0")" && pwd)
fail() { echo "FAIL: $*"; exit 1; }

out=$("$ctl" rules check "$dir/good.yml") || fail "good.yml: exit $?: $out"
[ "$out" = "$dir/good.yml: ok (2 rules)" ] || fail "good.yml: unexpected output: $out"

out=$("$ctl" rules check "$dir/bad.yml")
[ $? -eq 1 ] || fail "bad.yml: expected exit status 1"
echo "$out" | grep -qx "$dir/bad.yml:7:5: unknown modifier 'containz'" ||
  fail "bad.yml: modifier problem missing: $out"
echo "$out" | grep -qx "$dir/bad.yml:8:32: condition: unknown selection 'filter' (character 19)" ||
  fail "bad.yml: condition problem missing: $out"
[ "$(echo "$out" | wc -l)" -eq 2 ] || fail "bad.yml: expected exactly two lines: $out"

out=$("$ctl" --output json rules check "$dir/good.yml" "$dir/bad.yml" "$dir/missing.yml")
[ $? -eq 1 ] || fail "json: expected exit status 1"
echo "$out" | grep -q '"ok": true' || fail "json: no ok file: $out"
echo "$out" | grep -q '"reason": "unknown modifier '"'"'containz'"'"'"' ||
  fail "json: no reason: $out"
echo "$out" | grep -q 'missing.yml' || fail "json: the missing file is not reported: $out"
echo "ok"
