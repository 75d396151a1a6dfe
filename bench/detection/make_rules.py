#!/usr/bin/env python3
"""Writes a rule set of exactly N rules for bench/detection_engine.sh into OUT_DIR.

The set is the default pack (rules/default, all 16 rules; for N=10 the SSH, account and network
files, 9 rules), one counting rule (every failed-password line: the sanity check against
fail2ban's count), and generated Sigma rules over our ECS fields with contains / startswith /
endswith / re / all and filters, each with its own values, so that vectorscan holds many distinct
patterns. The values are a mix of words that occur in the benchmark's log and words that do not,
so that some generated rules match some lines, as in a real rule set. Deterministic (seeded).

usage: make_rules.py RULES_ROOT OUT_DIR N
"""
import os
import random
import shutil
import sys
import uuid

root, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(count)
os.makedirs(out, exist_ok=True)

if count <= 10:
    pack = ["ssh.yml", "accounts.yml", "network.yml"]  # 5 + 3 + 1 rules
else:
    pack = sorted(f for f in os.listdir(os.path.join(root, "default")) if f.endswith(".yml"))
pack_rules = 0
for name in pack:
    path = os.path.join(root, "default", name)
    pack_rules += sum(1 for line in open(path) if line.startswith("title:"))
    shutil.copy(path, os.path.join(out, name))

COUNTING = """title: SSH failed password (benchmark count)
id: 00000000-0000-4000-8000-00000000b5c0
status: test
description: Every failed password, the lines fail2ban's sshd filter counts.
logsource:
  product: linux
  service: sshd
detection:
  selection:
    event.action: ssh_login
    event.outcome: failure
    ssh.method: password
  condition: selection
level: low
"""
with open(os.path.join(out, "count.yml"), "w") as f:
    f.write(COUNTING)

# Words from the log (so some rules match) and words that are not in it.
LOG_WORDS = ["root", "admin", "alice", "bob", "deploy", "oracle", "postgres", "ubuntu", "test",
             "git", "apt", "debian-sa1", "session", "publickey", "disconnect", "preauth", "cron",
             "apparmor", "DENIED", "scope", "uid=0", "pts/0", "127.1.", "127.0.5."]
WORDS = ["backdoor", "miner", "xmrig", "kinsing", "tsunami", "mirai", "gafgyt", "sliver",
         "meterpreter", "cobalt", "chisel", "ngrok", "frp", "socat", "ncat", "masscan", "zmap",
         "hydra", "medusa", "nmap", "tcpdump", "ettercap", "responder", "mimipenguin", "linpeas",
         "pspy", "dirtycow", "pwnkit", "polkit", "baron", "sudoedit", "ld_preload", "cronjob",
         "authorized_keys", "shadow", "passwd", "gshadow", "id_rsa", "known_hosts", "bashrc",
         "profile", "rc.local", "systemd-run", "at.allow", "incron", "modprobe", "insmod",
         "rmmod", "bpftool", "iptables", "nft", "ufw", "setenforce", "auditctl", "history",
         "base64", "openssl", "curl", "wget", "tftp", "scp", "rsync", "python3", "perl", "ruby",
         "php", "lua", "awk", "busybox", "chattr", "setcap", "getcap", "useradd", "usermod",
         "passwd", "chpasswd", "visudo", "crontab", "docker", "kubectl", "ctr", "runc", "nsenter"]
PATHS = ["/etc/", "/usr/bin/", "/usr/sbin/", "/usr/lib/", "/var/spool/cron/", "/root/.ssh/",
         "/home/", "/tmp/", "/dev/shm/", "/var/tmp/", "/opt/", "/srv/", "/boot/", "/lib/modules/",
         "/etc/systemd/system/", "/etc/cron.d/", "/etc/profile.d/", "/etc/ld.so.conf.d/"]
EXTS = [".so", ".sh", ".py", ".service", ".timer", ".conf", ".ko", ".elf", ".bin", ".php",
        ".pl", ".rules", ".list", ".key", ".pem"]
LEVELS = ["low", "medium", "high", "critical"]


def word(n):
    """A value: a word of the log now and then, else a made-up variant (distinct patterns)."""
    if rng.random() < 0.15:
        return rng.choice(LOG_WORDS)
    return f"{rng.choice(WORDS)}{n}{rng.choice(['', '-x', '_d', '.bin', '64'])}"


def quoted(value):
    return "'" + value.replace("'", "''") + "'"


def sshd_rule(n):
    kind = rng.randrange(4)
    if kind == 0:
        sel = f"    user.name|startswith: {quoted(word(n))}\n    event.outcome: failure\n"
    elif kind == 1:
        sel = f"    source.ip|startswith: '127.{rng.randrange(256)}.{rng.randrange(256)}.'\n"
    elif kind == 2:
        sel = f"    message|contains: {quoted(word(n))}\n"
    else:
        sel = (f"    message|re: 'for (invalid user )?{word(n)}[0-9]* from'\n"
               "    event.outcome: failure\n")
    return ("logsource:\n  product: linux\n  service: sshd\n"
            f"detection:\n  selection:\n{sel}  condition: selection\n")


def process_rule(n):
    kind = rng.randrange(4)
    if kind == 0:
        sel = (f"    process.command_line|contains|all:\n      - {quoted(word(n))}\n"
               f"      - {quoted(word(n + 1))}\n")
    elif kind == 1:
        sel = f"    process.executable|endswith: {quoted('/' + word(n))}\n"
    elif kind == 2:
        sel = (f"    process.parent.name: {quoted(word(n))}\n"
               f"    process.command_line|contains: {quoted(word(n + 7))}\n")
    else:
        sel = (f"    process.command_line|re: '{word(n)}\\s+-[a-z]*{rng.choice('ceox')}'\n")
    return ("logsource:\n  category: process_creation\n  product: linux\n"
            f"detection:\n  selection:\n{sel}"
            f"  filter:\n    user.name: {quoted(word(n + 3))}\n"
            "  condition: selection and not filter\n")


def file_rule(n):
    kind = rng.randrange(3)
    if kind == 0:
        sel = f"    file.path|startswith: {quoted(rng.choice(PATHS) + word(n))}\n"
    elif kind == 1:
        sel = (f"    file.path|startswith: {quoted(rng.choice(PATHS))}\n"
               f"    file.path|endswith: {quoted(word(n) + rng.choice(EXTS))}\n")
    else:
        sel = f"    file.path|contains: {quoted('/' + word(n) + '/')}\n"
    return ("logsource:\n  category: file_event\n  product: linux\n"
            f"detection:\n  selection:\n{sel}  condition: selection\n")


def syslog_rule(n):
    service = rng.choice(["syslog", "auth", "sudo", "cron"])
    kind = rng.randrange(4)
    if kind == 0:
        sel = f"    message|contains: {quoted(word(n))}\n"
    elif kind == 1:
        sel = f"    process.command_line|contains: {quoted(word(n))}\n"
    elif kind == 2:
        sel = f"    message|re: '(opened|closed) for user {word(n)}'\n"
    else:
        sel = (f"    message|contains|all:\n      - {quoted(word(n))}\n"
               f"      - {quoted(word(n + 5))}\n")
    keywords = ""
    if rng.random() < 0.3:
        keywords = f"  keywords:\n    - {quoted(word(n + 11))}\n    - {quoted(word(n + 13))}\n"
    condition = "selection or keywords" if keywords else "selection"
    return (f"logsource:\n  product: linux\n  service: {service}\n"
            f"detection:\n  selection:\n{sel}{keywords}  condition: {condition}\n")


makers = [sshd_rule, sshd_rule, syslog_rule, syslog_rule, process_rule, file_rule]
generated = count - pack_rules - 1
if generated < 0:
    sys.exit(f"{count} rules: the pack alone has {pack_rules + 1}")
if generated == 0:
    sys.exit(0)
with open(os.path.join(out, "generated.yml"), "w") as f:
    for n in range(generated):
        if n:
            f.write("---\n")
        rule_id = uuid.uuid5(uuid.NAMESPACE_URL, f"sentinel-bench-rule-{count}-{n}")
        f.write(f"title: Generated rule {n}\nid: {rule_id}\nstatus: test\n")
        f.write(rng.choice(makers)(n * 17))
        f.write(f"level: {rng.choice(LEVELS)}\ntags:\n  - attack.t{1000 + rng.randrange(600)}\n")
