#!/usr/bin/env python3
"""Listens on the portal's WebSocket stream (GET /api/v1/stream, Bearer token) and appends one
line per new alert to OUT as it arrives: "RECEIPT_UNIX_S ENTITY_VALUE" (the address of an SSH
brute force: its entity "source.ip=ADDRESS"); other alert messages as "# ...". The receipt time is
taken when the frame is complete, before JSON parsing. A minimal RFC 6455 client (the standard
library has none): TLS to 127.0.0.1 with the server's CA, unmasked server frames, pings answered.
Writes "# ready" to OUT once the server's hello arrived.

usage: alert_listener.py URL CA_FILE TOKEN OUT
"""
import base64
import json
import os
import socket
import ssl
import struct
import sys
import time
from urllib.parse import urlparse

url, ca_file, token, out_path = sys.argv[1:5]
parsed = urlparse(url)
context = ssl.create_default_context(cafile=ca_file)
raw = socket.create_connection((parsed.hostname, parsed.port))
raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
conn = context.wrap_socket(raw, server_hostname=parsed.hostname)
key = base64.b64encode(os.urandom(16)).decode()
conn.sendall((f"GET /api/v1/stream HTTP/1.1\r\nHost: {parsed.netloc}\r\n"
              "Upgrade: websocket\r\nConnection: Upgrade\r\n"
              f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
              f"Authorization: Bearer {token}\r\n\r\n").encode())
buffer = b""
while b"\r\n\r\n" not in buffer:
    chunk = conn.recv(65536)
    if not chunk:
        sys.exit("alert_listener: connection closed during the handshake")
    buffer += chunk
head, buffer = buffer.split(b"\r\n\r\n", 1)
if not head.startswith(b"HTTP/1.1 101"):
    sys.exit(f"alert_listener: upgrade refused: {head.decode(errors='replace')}")


def read_exact(n):
    global buffer
    while len(buffer) < n:
        chunk = conn.recv(1 << 20)
        if not chunk:
            raise EOFError
        buffer += chunk
    data, buffer = buffer[:n], buffer[n:]
    return data


def send_frame(opcode, payload):
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    conn.sendall(struct.pack("!BB", 0x80 | opcode, 0x80 | len(payload)) + mask + masked)


out = open(out_path, "a", buffering=1)
message = b""
try:
    while True:
        first, second = read_exact(2)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", read_exact(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", read_exact(8))
        payload = read_exact(length)
        opcode = first & 0x0F
        if opcode == 0x9:
            send_frame(0xA, payload)
            continue
        if opcode == 0x8:
            sys.exit(f"alert_listener: server closed the stream: {payload[2:].decode(errors='replace')}")
        if opcode in (0x1, 0x0):
            message += payload
            if not first & 0x80:
                continue
            received = time.time()
            text, message = message, b""
            if b'"alert"' not in text and b'"hello"' not in text:
                continue
            body = json.loads(text)
            if body.get("type") == "hello":
                out.write("# ready\n")
            elif body.get("type") == "alert":
                alert = body["alert"]
                if body.get("action") == "created":
                    value = alert["entity"].split("=", 1)[-1]
                    out.write(f"{received:.6f} {value}\n")
                else:
                    out.write(f"# {received:.6f} {body.get('action')} {alert['entity']}\n")
except EOFError:
    sys.exit("alert_listener: connection closed")
