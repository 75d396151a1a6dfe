#!/usr/bin/env python3
"""Ban latency, run inside the attacker's network namespace (bench/firewall_ban.sh). For each
ADDRESS (an address of this namespace): check that its probes get through, append five failed
SSH passwords from it to LOG as rsyslog would (Debian 12's RFC 3339 format; four lines, 50 ms,
then the fifth), then probe until its packets are dropped.

A probe is a TCP connection from ADDRESS to TARGET:PORT, a port nothing listens on: a reset
means the SYN got through; no answer within 50 ms (on a veth pair that answers in well under a
millisecond), confirmed by a second silent probe, means it was dropped. Probes run every
millisecond, so that the prober does not take a core from the tools it measures.

The first address is a warm-up, not measured: its lines are written again every 3 s until it is
dropped (the tool may start following LOG only after it opened it). Prints one line per
measured address: "ADDRESS WRITTEN_UNIX_S DROPPED_UNIX_S" (the return of the fifth line's
write, the start of the first dropped probe; "-" when it was never dropped within 30 s).

usage: ban_probe.py LOG TARGET PORT WARMUP_ADDRESS ADDRESS...
"""
import errno
import os
import select
import socket
import sys
import time
from datetime import datetime, timezone

log_path, target, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
warmup, addresses = sys.argv[4], sys.argv[5:]
SILENCE_S = 0.05
INTERVAL_S = 0.001
BAN_WAIT_S = 30
line_port = 40000


def probe(address, silence=SILENCE_S):
    """(start time, "through" | "dropped") of one connection attempt from address."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    sock.bind((address, 0))
    start = time.time()
    code = sock.connect_ex((target, port))
    if code not in (0, errno.EINPROGRESS):
        sock.close()
        raise OSError(code, f"probe from {address}: {os.strerror(code)}")
    _, writable, _ = select.select([], [sock], [], silence)
    if not writable:
        sock.close()
        return start, "dropped"
    error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    sock.close()
    if error not in (0, errno.ECONNREFUSED):
        raise OSError(error, f"probe from {address}: {os.strerror(error)}")
    return start, "through"


def write_failures(fd, address, count):
    global line_port
    lines = []
    for _ in range(count):
        line_port += 1
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
        lines.append(f"{stamp} bench-host sshd[4242]: Failed password for invalid user oracle "
                     f"from {address} port {line_port} ssh2\n")
    os.write(fd, "".join(lines).encode())


def attack(fd, address):
    """Five failures from address; the time the fifth line's write returned."""
    write_failures(fd, address, 4)
    time.sleep(0.05)
    write_failures(fd, address, 1)
    return time.time()


def first_drop(address, deadline, again=None):
    """Start of the first confirmed dropped probe before deadline, or None; calls again() every
    3 s while waiting when given."""
    next_again = time.time() + 3
    while time.time() < deadline:
        start, state = probe(address)
        if state == "dropped" and probe(address, 0.2)[1] == "dropped":
            return start
        if again is not None and time.time() >= next_again:
            again()
            next_again += 3
        time.sleep(INTERVAL_S)
    return None


def reachable(address):
    deadline = time.time() + 5
    while time.time() < deadline:
        if probe(address, 0.2)[1] == "through":
            return True
        time.sleep(0.05)
    return False


fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
for address in [warmup] + addresses:
    if not reachable(address):
        sys.exit(f"ban_probe: {address} cannot reach {target}:{port} before its attack")
attack(fd, warmup)
if first_drop(warmup, time.time() + 90, lambda: attack(fd, warmup)) is None:
    sys.exit(f"ban_probe: the warm-up address {warmup} was never dropped")
time.sleep(1)
for address in addresses:
    written = attack(fd, address)
    dropped = first_drop(address, written + BAN_WAIT_S)
    print(f"{address} {written:.6f} {dropped:.6f}" if dropped else f"{address} {written:.6f} -",
          flush=True)
    time.sleep(1)  # each ban starts from a quiet system
os.close(fd)
