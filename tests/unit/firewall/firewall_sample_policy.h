#pragma once
// The small policy the compiler's golden test, the diff test and the nftables apply test share,
// and a later version of it.

namespace sentinel::firewall::test {

inline constexpr const char* kSamplePolicy = R"({
  "description": "web server",
  "objects": {
    "address_sets": {
      "admins": {"addresses": ["10.0.0.0/24", "2001:db8:1::/48"]},
      "bad": {"feed": "abuse-feodo"}
    },
    "port_sets": {"web": {"ports": [80, 443, "8000-8080"]}},
    "services": {"dns": {"tcp": [53], "udp": [53]}, "ping": {"icmp": [8], "icmpv6": [128, 135, 136]}}
  },
  "chains": {
    "input": {"policy": "drop", "rules": [
      {"id": "drop-bad", "source": "bad", "action": "drop", "comment": "Feodo tracker C2 list"},
      {"id": "ssh-admins", "source": "admins", "protocol": "tcp", "ports": 22, "action": "accept"},
      {"id": "web", "protocol": "tcp", "ports": "web", "action": "accept"},
      {"id": "ping", "service": "ping", "action": "accept"},
      {"id": "no-telnet", "protocol": "tcp", "ports": 23, "action": "reject"},
      {"id": "old", "enabled": false, "protocol": "udp", "ports": 69, "action": "accept"},
      {"id": "log-rest", "action": "log", "log": {"rate": "10/minute", "prefix": "sentinel drop: "}}
    ]},
    "output": {"policy": "accept", "rules": [
      {"id": "dns-internal-only", "destination": {"not": ["10.0.0.0/8", "192.168.0.0/16"]},
       "service": "dns", "action": "drop"},
      {"id": "smtp-out", "protocol": "tcp", "ports": 25, "out_interface": "eth*", "action": "reject"}
    ]},
    "forward": {"policy": "drop"}
  }
})";

// The sample policy, edited: rules removed, added, moved within and across chains, changed;
// objects added, removed, changed; the output default flipped.
inline constexpr const char* kSamplePolicyEdited = R"({
  "description": "web server",
  "objects": {
    "address_sets": {
      "admins": {"addresses": ["10.0.0.0/24", "10.0.1.0/24"]},
      "bad": {"feed": "abuse-feodo"},
      "partners": {"addresses": ["198.51.100.0/24"]}
    },
    "port_sets": {"web": {"ports": [80, 443, "8000-8080"]}},
    "services": {"ping": {"icmp": [8], "icmpv6": [128, 135, 136]}}
  },
  "chains": {
    "input": {"policy": "drop", "rules": [
      {"id": "drop-bad", "source": "bad", "action": "drop", "comment": "Feodo tracker C2 list"},
      {"id": "ping", "service": "ping", "action": "accept"},
      {"id": "ssh-admins", "source": "admins", "protocol": "tcp", "ports": 22, "action": "accept"},
      {"id": "web", "protocol": "tcp", "ports": [443], "action": "accept"},
      {"id": "old", "enabled": false, "protocol": "udp", "ports": 69, "action": "accept"},
      {"id": "log-rest", "action": "log", "log": {"rate": "10/minute", "prefix": "sentinel drop: "}},
      {"id": "partners-api", "source": "partners", "protocol": "tcp", "ports": 8443, "action": "accept"}
    ]},
    "output": {"policy": "drop", "rules": [
      {"id": "dns-internal-only", "destination": {"not": ["10.0.0.0/8", "192.168.0.0/16"]},
       "protocol": "udp", "ports": 53, "action": "drop"}
    ]},
    "forward": {"policy": "drop", "rules": [
      {"id": "smtp-out", "protocol": "tcp", "ports": 25, "out_interface": "eth*", "action": "reject"}
    ]}
  }
})";

}  // namespace sentinel::firewall::test
