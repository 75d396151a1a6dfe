#!/usr/bin/env python3
"""Compares service names from our detector with `nmap -sV` and with the scan bed's truth.

Usage: score_services.py TRUTH.json OURS NMAP.xml
OURS holds "ADDRESS PORT SERVICE" lines (nmap's "ssl/" prefix included). Over every true open
port: how many names ours and nmap give that equal the truth's, and how many ports where both
named a service give the same name. Prints one JSON object.
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "scanbed"))
from compare_nmap import read_nmap  # noqa: E402  (the bed's own nmap XML reader)


def main():
    truth_path, ours_path, nmap_path = sys.argv[1:4]
    with open(truth_path) as truth_file:
        truth = {(host["address"], port["port"]): port["service"]
                 for host in json.load(truth_file)["hosts"] for port in host["ports"]}
    with open(ours_path) as ours_file:
        ours = {(address, int(port)): service
                for address, port, service in (line.split() for line in ours_file if line.strip())}
    nmap = {(address, port): entry[1]
            for address, ports in read_nmap(nmap_path).items()
            for port, entry in ports.items() if entry[0] == "open" and entry[1]}
    both = [key for key in truth if key in ours and key in nmap]
    print(json.dumps(separators=(",", ":"), obj={
        "ports": len(truth),
        "ours_named": sum(1 for key in truth if key in ours),
        "ours_agree_truth": sum(1 for key in truth if ours.get(key) == truth[key]),
        "nmap_agree_truth": sum(1 for key in truth if nmap.get(key) == truth[key]),
        "both_named": len(both),
        "ours_agree_nmap": sum(1 for key in both if ours[key] == nmap[key]),
    }))


if __name__ == "__main__":
    main()
