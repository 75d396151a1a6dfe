#!/usr/bin/env python3
"""Appends syslog lines to LOG at RATE lines per second for SECONDS, as rsyslog would (Debian 12's
RFC 3339 format, one write per 5 ms tick): benign sshd, PAM, cron, sudo, systemd and kernel lines
that raise no alert, and every MARKER_EVERY seconds a marker: five failed passwords for root from
a fresh address 127.PREFIX.x.y, one per tick, which must raise one SSH brute-force alert (fresh
addresses, so that no alert deduplication merges them). Marker lines count toward the rate.
Appends "WRITTEN_UNIX_S ADDRESS" to MARKERS once the write holding a marker's fifth line returned.

usage: log_writer.py LOG MARKERS RATE SECONDS MARKER_EVERY PREFIX
"""
import os
import random
import sys
import time
from datetime import datetime, timezone

log_path, markers_path = sys.argv[1], sys.argv[2]
rate, seconds, marker_every = float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
prefix = int(sys.argv[6])
tick = 0.005
rng = random.Random(prefix)
people = ["alice", "bob", "carol", "dave"]


def benign(n):
    who = people[n % 4]
    peer = f"127.0.5.{n % 250 + 1}"
    port = 1024 + n % 60000
    pid = 10000 + n % 100000
    return [
        f"sshd[{pid}]: Accepted publickey for {who} from {peer} port {port} ssh2: ED25519 "
        "SHA256:Zx1u5mVq0c8Yb2QeJr4T7Hk9WpLdA6sNfGi3oXyKtRE",
        f"sshd[{pid}]: pam_unix(sshd:session): session opened for user {who}(uid=1000) by (uid=0)",
        f"sshd[{pid}]: Received disconnect from {peer} port {port}:11: disconnected by user",
        f"sshd[{pid}]: Disconnected from user {who} {peer} port {port}",
        f"sshd[{pid}]: pam_unix(sshd:session): session closed for user {who}",
        f"CRON[{pid}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
        f"CRON[{pid}]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
        f"systemd[1]: Started session-{pid}.scope - Session {pid} of User {who}.",
        f"sudo[{pid}]:    {who} : TTY=pts/0 ; PWD=/home/{who} ; USER=root ; "
        "COMMAND=/usr/bin/apt update",
        f"kernel: [{pid}.123456] audit: type=1400 audit(1764133200.123:{pid}): "
        'apparmor="DENIED" operation="open" profile="/usr/sbin/cupsd" name="/etc/shadow"',
    ][n % 10]


pool = [benign(n) for n in range(5000)]
fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
markers = open(markers_path, "a", buffering=1)
start = time.time()
written = 0
next_marker = start + marker_every / 2
marker_index = 0
active = None  # (address, lines still to write)
n = 0
while True:
    now = time.time()
    elapsed = now - start
    if elapsed >= seconds and active is None:
        break
    stamp = datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    head = f"{stamp} bench-host "
    due = max(0, int(min(elapsed, seconds) * rate) - written)
    lines = []
    if active is None and now >= next_marker and elapsed < seconds:
        marker_index += 1
        address = f"127.{prefix}.{marker_index // 250}.{marker_index % 250 + 1}"
        active = [address, 5]
        next_marker += marker_every
    completing = None
    if active is not None:
        lines.append(f"{head}sshd[{900000 + marker_index}]: Failed password for root from "
                     f"{active[0]} port {40000 + active[1]} ssh2\n")
        active[1] -= 1
        if active[1] == 0:
            completing, active = active[0], None
        due -= 1
    for _ in range(max(0, due)):
        lines.append(head + pool[n % len(pool)] + "\n")
        n += 1
    if lines:
        os.write(fd, "".join(lines).encode())
        written += len(lines)
    if completing is not None:
        markers.write(f"{time.time():.6f} {completing}\n")
    sleep = start + (int(elapsed / tick) + 1) * tick - time.time()
    if sleep > 0:
        time.sleep(sleep)
os.close(fd)
print(f"{written} {marker_index}")
