#!/usr/bin/env python3
"""Samples the resident memory of PID and its descendants every 100 ms until SIGTERM, then prints
"PEAK_KB MEAN_KB SAMPLES" of PID plus the descendants still alive at the end: for the agent, the
agent and its long-lived watcher child, leaving out the short-lived inventory child.

PID counts with its resident set (VmRSS), each descendant with its private pages only
(Private_Clean + Private_Dirty): a forked child shares the parent's libraries and inherited pages,
and summing RSS would count those twice.

usage: rss_sampler.py PID
"""
import os
import signal
import sys
import time

root = int(sys.argv[1])
stop = False


def on_term(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def private_kb(pid):
    try:
        total = 0
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1])
        return total
    except OSError:
        return 0


def children(pid):
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


samples = []  # {pid: rss_kb}
while not stop:
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo += children(pid)
    sample = {pid: rss_kb(pid) if pid == root else private_kb(pid) for pid in pids}
    if sample[root] == 0:
        break
    samples.append(sample)
    time.sleep(0.1)
alive = set(samples[-1]) if samples else set()
sums = [sum(rss for pid, rss in sample.items() if pid in alive) for sample in samples] or [0]
print(f"{max(sums)} {sum(sums) // len(sums)} {len(samples)}")
