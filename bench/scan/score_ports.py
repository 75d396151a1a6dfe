#!/usr/bin/env python3
"""Scores the open ports one scanner found against the scan bed's truth, over the ports scanned.

Usage: score_ports.py TRUTH.json PORTS_FILE FOUND
PORTS_FILE holds the scanned TCP ports, one per line. FOUND is an nmap XML report (*.xml) or
"ADDRESS PORT" lines (ours, masscan's list output converted). Prints one JSON object: expected,
found, hits, recall, precision.
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "scanbed"))
from compare_nmap import read_nmap  # noqa: E402  (the bed's own nmap XML reader)


def found_pairs(path):
    if path.endswith(".xml"):
        return {(address, port)
                for address, ports in read_nmap(path).items()
                for port, entry in ports.items() if entry[0] == "open"}
    with open(path) as lines:
        return {(address, int(port)) for address, port in (line.split() for line in lines if line.strip())}


def main():
    truth_path, ports_path, found_path = sys.argv[1:4]
    with open(truth_path) as truth_file:
        truth = json.load(truth_file)
    with open(ports_path) as ports_file:
        scanned = {int(line) for line in ports_file if line.strip()}
    expected = {(host["address"], port["port"])
                for host in truth["hosts"] for port in host["ports"] if port["port"] in scanned}
    found = {pair for pair in found_pairs(found_path) if pair[1] in scanned}
    hits = len(expected & found)
    print(json.dumps(separators=(",", ":"), obj={
        "expected": len(expected), "found": len(found), "hits": hits,
        "recall": hits / len(expected) if expected else 1.0,
        "precision": hits / len(found) if found else 1.0,
    }))


if __name__ == "__main__":
    main()
