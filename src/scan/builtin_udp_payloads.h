#pragma once
// Our own UDP payloads, in the payload-file format, for hosts without nmap's data files. Each is
// a harmless request that a service of that port answers without changing state; nmap's file
// (when installed) knows many more ports. Two payloads for one port are sent on alternate
// attempts.

#include <string_view>

namespace sentinel::scan {

inline constexpr std::string_view kBuiltinUdpPayloads = R"payloads(
# SentinelSecure built-in UDP payloads (format of nmap-payloads). "SN" and "SNSS" are our
# transaction ids.

# DNS: a standard query, recursion desired, for the root's NS records.
udp 53 "SN\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" "\x00\x00\x02\x00\x01"

# TFTP: a read request for a file no server has; the answer is an error packet.
udp 69 "\x00\x01sentinel-probe\x00octet\x00"

# ONC RPC: NULL procedure of portmapper (100000) version 2, no authentication.
udp 111
  "SNSS\x00\x00\x00\x00\x00\x00\x00\x02\x00\x01\x86\xa0\x00\x00\x00\x02"
  "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

# NTP: a version 4 client request (mode 3) with a non-zero transmit timestamp, which
# servers copy into their answer.
udp 123
  "\x23\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
  "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
  "\x00\x00\x00\x00\x00\x00\x00\x00SNSS\x00\x00\x00\x01"

# NetBIOS name service: node status (NBSTAT) of the wildcard name "*".
udp 137
  "SN\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00"
  "\x20CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\x00\x00\x21\x00\x01"

# SNMP: get-request for sysDescr.0 (1.3.6.1.2.1.1.1.0) with community "public", as v2c,
# then as v1 for agents that only speak v1.
udp 161
  "\x30\x29\x02\x01\x01\x04\x06public\xa0\x1c\x02\x04SNSS\x02\x01\x00\x02\x01\x00"
  "\x30\x0e\x30\x0c\x06\x08\x2b\x06\x01\x02\x01\x01\x01\x00\x05\x00"
udp 161
  "\x30\x29\x02\x01\x00\x04\x06public\xa0\x1c\x02\x04SNSS\x02\x01\x00\x02\x01\x00"
  "\x30\x0e\x30\x0c\x06\x08\x2b\x06\x01\x02\x01\x01\x01\x00\x05\x00"

# IKE version 1, Main Mode: one proposal (3DES, SHA-1, pre-shared key, MODP group 2, one
# hour). A gateway answers with its own proposal or a NO-PROPOSAL-CHOSEN notification.
udp 500
  "SNSS\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00"
  "\x01\x10\x02\x00\x00\x00\x00\x00\x00\x00\x00\x50"
  "\x00\x00\x00\x34\x00\x00\x00\x01\x00\x00\x00\x01"
  "\x00\x00\x00\x28\x01\x01\x00\x01"
  "\x00\x00\x00\x20\x01\x01\x00\x00"
  "\x80\x01\x00\x05\x80\x02\x00\x02\x80\x03\x00\x01\x80\x04\x00\x02"
  "\x80\x0b\x00\x01\x80\x0c\x0e\x10"

# IPMI: RMCP presence ping (ASF).
udp 623 "\x06\x00\xff\x06\x00\x00\x11\xbe\x80\x00\x00\x00"

# SSDP: a unicast M-SEARCH for every device and service.
udp 1900
  "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
  "MAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n"

# mDNS: a unicast ("legacy") query for the DNS-SD service list, answered to our port.
udp 5353
  "SN\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00"
  "\x09_services\x07_dns-sd\x04_udp\x05local\x00\x00\x0c\x00\x01"
)payloads";

}  // namespace sentinel::scan
