#!/usr/bin/env python3
"""Delays every packet of an NFQUEUE queue by a fixed time, then accepts it.

netns.sh uses this where the kernel has no sch_netem: nftables sends the bed namespace's traffic
to the queue, this holds each packet for --delay-ms and lets it go. Packets keep their order
(one delay for all), so one batch verdict accepts every packet that is due. Talks netfilter's
netlink protocol directly (no libnetfilter_queue). Runs until SIGTERM or SIGINT.

Usage: nfqueue_delay.py --queue N --delay-ms MS
"""

import argparse
import collections
import errno
import select
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET = 0
NFQNL_MSG_CONFIG = 2
NFQNL_MSG_VERDICT_BATCH = 3
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQA_CFG_QUEUE_MAXLEN = 3
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NF_ACCEPT = 1
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2
QUEUE_MAXLEN = 65536


def attribute(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * ((4 - length % 4) % 4)


def message(kind, queue, attributes, flags=NLM_F_REQUEST, sequence=0):
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(queue)) + b"".join(attributes)
    return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | kind, flags,
                       sequence, 0) + body


def configure(sock, queue):
    sequence = 0
    for attributes in (
        [attribute(NFQA_CFG_CMD, struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, socket.AF_INET))],
        [attribute(NFQA_CFG_PARAMS, struct.pack("!IB", 0, NFQNL_COPY_META))],
        [attribute(NFQA_CFG_QUEUE_MAXLEN, struct.pack("!I", QUEUE_MAXLEN))],
    ):
        sequence += 1
        sock.send(message(NFQNL_MSG_CONFIG, queue, attributes, NLM_F_REQUEST | NLM_F_ACK,
                          sequence))
        reply = sock.recv(65536)
        length, kind = struct.unpack_from("=IH", reply)
        if kind == NLMSG_ERROR:
            code = struct.unpack_from("=i", reply, 16)[0]
            if code != 0:
                raise OSError(-code, f"binding NFQUEUE {queue}: {errno.errorcode.get(-code, code)}")


def packet_ids(data):
    """The packet ids of the NFQNL_MSG_PACKET messages in one netlink datagram."""
    offset = 0
    while offset + 16 <= len(data):
        length, kind = struct.unpack_from("=IH", data, offset)
        if length < 16:
            break
        if kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
            at = offset + 20  # netlink header, then nfgenmsg
            while at + 4 <= offset + length:
                attr_length, attr_kind = struct.unpack_from("=HH", data, at)
                if attr_length < 4:
                    break
                if attr_kind & 0x7FFF == NFQA_PACKET_HDR:
                    yield struct.unpack_from("!I", data, at + 4)[0]
                    break
                at += (attr_length + 3) & ~3
        offset += (length + 3) & ~3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--queue", type=int, required=True)
    parser.add_argument("--delay-ms", type=float, required=True)
    options = parser.parse_args()
    delay = options.delay_ms / 1000.0

    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    sock.bind((0, 0))
    configure(sock, options.queue)
    running = [True]
    signal.signal(signal.SIGTERM, lambda *_: running.__setitem__(0, False))
    signal.signal(signal.SIGINT, lambda *_: running.__setitem__(0, False))

    held = collections.deque()  # (release time, packet id), in arrival order
    while running[0]:
        now = time.monotonic()
        due = None
        while held and held[0][0] <= now:
            due = held.popleft()[1]
        if due is not None:
            verdict = attribute(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, due))
            sock.send(message(NFQNL_MSG_VERDICT_BATCH, options.queue, [verdict]))
        timeout = max(0.0, held[0][0] - time.monotonic()) if held else 0.5
        try:
            readable, _, _ = select.select([sock], [], [], timeout)
        except InterruptedError:
            continue
        if not readable:
            continue
        try:
            data = sock.recv(1 << 20)
        except OSError as error:
            if error.errno == errno.ENOBUFS:  # the kernel dropped notifications: keep going
                continue
            raise
        arrived = time.monotonic() + delay
        for packet_id in packet_ids(data):
            held.append((arrived, packet_id))
    return 0


if __name__ == "__main__":
    sys.exit(main())
