#!/usr/bin/env python3
"""Writes an auth.log-like file for bench/detection_engine.sh: Debian 12's RFC 3339 syslog
lines, about 20% failed passwords (from a few hundred 127.x addresses, some for invalid users)
among accepted logins, session lines, disconnects, preauth closes, PAM failures, cron, sudo,
systemd and kernel lines. fail2ban's sshd filter (mode normal) matches exactly the failed
passwords, which is what the sanity check relies on. Prints the number of failed-password lines.

usage: make_log.py OUT LINES
"""
import random
import sys
from datetime import datetime, timedelta, timezone

out, total = sys.argv[1], int(sys.argv[2])
rng = random.Random(5)
start = datetime(2026, 11, 26, 5, 0, 0, tzinfo=timezone.utc)
users = ["root", "admin", "oracle", "postgres", "ubuntu", "test", "git", "deploy", "user", "pi"]
people = ["alice", "bob", "carol", "dave"]


def address():
    return f"127.{rng.randrange(1, 4)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def benign(pid):
    who = rng.choice(people)
    peer = f"127.0.5.{rng.randrange(1, 255)}"
    port = rng.randrange(1024, 65535)
    return rng.choice([
        f"sshd[{pid}]: Accepted publickey for {who} from {peer} port {port} ssh2: ED25519 "
        "SHA256:Zx1u5mVq0c8Yb2QeJr4T7Hk9WpLdA6sNfGi3oXyKtRE",
        f"sshd[{pid}]: pam_unix(sshd:session): session opened for user {who}(uid=1000) by (uid=0)",
        f"sshd[{pid}]: Received disconnect from {peer} port {port}:11: disconnected by user",
        f"sshd[{pid}]: Disconnected from user {who} {peer} port {port}",
        f"sshd[{pid}]: pam_unix(sshd:session): session closed for user {who}",
        f"sshd[{pid}]: Connection closed by authenticating user root {address()} port {port} "
        "[preauth]",
        f"sshd[{pid}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
        f"ruser= rhost={address()}  user=root",
        f"CRON[{pid}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
        f"CRON[{pid}]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
        f"systemd[1]: Started session-{pid}.scope - Session {pid} of User {who}.",
        f"sudo[{pid}]:    {who} : TTY=pts/0 ; PWD=/home/{who} ; USER=root ; "
        "COMMAND=/usr/bin/apt update",
        f"kernel: [{pid}.123456] audit: type=1400 audit(1764133200.123:{pid}): "
        'apparmor="DENIED" operation="open" profile="/usr/sbin/cupsd" name="/etc/shadow"',
    ])


failed = 0
with open(out, "w") as f:
    for n in range(total):
        when = (start + timedelta(milliseconds=n * 7)).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
        pid = 10000 + n  # one process per line: fail2ban ties lines of one pid together
        if rng.random() < 0.2:
            failed += 1
            user = rng.choice(users)
            invalid = "invalid user " if user not in ("root", "git") else ""
            text = (f"sshd[{pid}]: Failed password for {invalid}{user} from {address()} "
                    f"port {rng.randrange(1024, 65535)} ssh2")
        else:
            text = benign(pid)
        f.write(f"{when} bench-host {text}\n")
print(failed)
