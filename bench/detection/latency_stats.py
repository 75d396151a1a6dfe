#!/usr/bin/env python3
"""Joins the writer's markers ("WRITTEN_UNIX_S ADDRESS") with what arrived ("RECEIPT_UNIX_S
ADDRESS", the first per address) and prints "SENT RECEIVED P50_MS P99_MS MAX_MS" (nearest-rank
percentiles; "-" when nothing arrived).

usage: latency_stats.py MARKERS ARRIVALS
"""
import math
import sys

sent = {}
for line in open(sys.argv[1]):
    written, address = line.split()
    sent[address] = float(written)
arrived = {}
for line in open(sys.argv[2]):
    parts = line.split()
    if len(parts) == 2 and parts[1] in sent and parts[1] not in arrived:
        arrived[parts[1]] = float(parts[0])
latencies = sorted((arrived[a] - sent[a]) * 1000 for a in arrived)


def rank(p):
    return latencies[max(0, math.ceil(p / 100 * len(latencies)) - 1)]


if latencies:
    print(f"{len(sent)} {len(arrived)} {rank(50):.1f} {rank(99):.1f} {latencies[-1]:.1f}")
else:
    print(f"{len(sent)} 0 - - -")
