#!/usr/bin/env python3
"""Scores an nmap XML report (-oX) against a scanbed truth file.

Usage: compare_nmap.py TRUTH.json NMAP.xml [--hosts A-B] [--ports LIST|top1000] [--verbose]

Open ports: recall and precision over the (address, port) pairs that were scanned: the hosts
nmap reports (or --hosts, 1-based indexes into the truth's host list) and the ports given with
--ports (default: every port). Services, when nmap ran version detection (-sV): for every true
open port that nmap also found open, whether nmap's service name (with "ssl/" when nmap says
tunnel="ssl") equals the truth's, and whether its product does. Exit status 0; the numbers are
the output.
"""

import argparse
import ipaddress
import json
import sys
import xml.etree.ElementTree as ElementTree


def parse_ports(text, nmap_services="/usr/share/nmap/nmap-services"):
    if text == "top1000":
        entries = []
        with open(nmap_services) as services:
            for line in services:
                if line.startswith("#"):
                    continue
                fields = line.split()
                if len(fields) >= 3 and fields[1].endswith("/tcp"):
                    entries.append((float(fields[2]), int(fields[1].split("/")[0])))
        entries.sort(reverse=True)
        return {port for _, port in entries[:1000]}
    ports = set()
    for part in text.split(","):
        low, _, high = part.partition("-")
        ports.update(range(int(low), int(high or low) + 1))
    return ports


def read_nmap(path):
    """{address: {port: (state, service, product, version, method)}} for the TCP ports listed."""
    found = {}
    root = ElementTree.parse(path).getroot()
    for host in root.iter("host"):
        address = host.find("address").get("addr")
        ports = found.setdefault(address, {})
        for port in host.iter("port"):
            if port.get("protocol") != "tcp":
                continue
            state = port.find("state").get("state")
            service = port.find("service")
            name = product = version = method = ""
            if service is not None:
                method = service.get("method", "")
                name = service.get("name", "")
                if service.get("tunnel") == "ssl":
                    name = "ssl/" + name
                product = service.get("product", "")
                version = service.get("version", "")
            ports[int(port.get("portid"))] = (state, name, product, version, method)
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("truth")
    parser.add_argument("nmap_xml")
    parser.add_argument("--hosts", help="1-based host index range of the truth, e.g. 1-20")
    parser.add_argument("--ports", help="ports that were scanned: list, ranges or top1000")
    parser.add_argument("--verbose", action="store_true")
    options = parser.parse_args()

    with open(options.truth) as truth_file:
        truth = json.load(truth_file)
    hosts = truth["hosts"]
    report = read_nmap(options.nmap_xml)
    if options.hosts:
        first, _, last = options.hosts.partition("-")
        hosts = hosts[int(first) - 1 : int(last or first)]
    else:
        hosts = [host for host in hosts if host["address"] in report]
    scanned_ports = parse_ports(options.ports) if options.ports else None

    expected = {}
    for host in hosts:
        for port in host["ports"]:
            if scanned_ports is None or port["port"] in scanned_ports:
                expected[(host["address"], port["port"])] = port
    addresses = {host["address"] for host in hosts}
    reported_open = {
        (address, port): entry
        for address, ports in report.items()
        if address in addresses
        for port, entry in ports.items()
        if entry[0] == "open" and (scanned_ports is None or port in scanned_ports)
    }

    hits = [key for key in expected if key in reported_open]
    missed = sorted(key for key in expected if key not in reported_open)
    extra = sorted(key for key in reported_open if key not in expected)
    recall = len(hits) / len(expected) if expected else 1.0
    precision = len(hits) / len(reported_open) if reported_open else 1.0
    print(f"open ports: truth {len(expected)}, nmap {len(reported_open)}, both {len(hits)}; "
          f"recall {recall:.4f}, precision {precision:.4f}")
    for key in missed:
        print(f"  missed {key[0]}:{key[1]} ({expected[key]['service']})")
    for key in extra:
        print(f"  extra  {key[0]}:{key[1]} ({reported_open[key][1]})")

    if not any(reported_open[key][4] == "probed" for key in hits):
        print("services: not compared (the report has no version detection, run nmap -sV)")
        return 0
    names_agree = products_agree = 0
    disagreements = {}
    for key in sorted(hits, key=lambda k: (ipaddress.ip_address(k[0]), k[1])):
        want = expected[key]
        _, name, product, version, _ = reported_open[key]
        if name == want["service"]:
            names_agree += 1
        else:
            label = f"{want['service']} ({want['product']}) -> {name or '?'}"
            disagreements.setdefault(label, []).append(f"{key[0]}:{key[1]}")
        if product == want["product"]:
            products_agree += 1
        if options.verbose:
            print(f"  {key[0]}:{key[1]} truth {want['service']}/{want['product']}/"
                  f"{want.get('version', '')} nmap {name}/{product}/{version}")
    if hits:
        print(f"service names: {names_agree}/{len(hits)} agree ({names_agree / len(hits):.2%}); "
              f"products: {products_agree}/{len(hits)} agree")
    for label, where in sorted(disagreements.items()):
        print(f"  {label}: {len(where)} ports, e.g. {', '.join(where[:3])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
