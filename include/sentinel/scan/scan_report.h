#pragma once
// What a scan found, as plain values: hosts, their ports and the services on them. Our engine,
// the nmap backend and an imported nmap XML file all end up in this one model.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sentinel/scan/ip_address.h"
#include "sentinel/scan/port_list.h"
#include "sentinel/scan/port_scanner.h"
#include "sentinel/scan/service_probes.h"

namespace sentinel::scan {

/// What a TLS service showed: its certificate (read, never verified: we identify, not trust)
/// and the protocol versions it accepted. Times are Unix milliseconds.
struct TlsFacts {
  std::string subject;  // RFC 2253 form: "CN=www.example.com,O=Example"
  std::string issuer;
  std::vector<std::string> subject_alt_names;  // "DNS:www.example.com", "IP:192.0.2.1"
  std::int64_t not_before_ms = 0;
  std::int64_t not_after_ms = 0;
  bool self_signed = false;  // issuer = subject and the certificate's own key verifies it
  std::string key_type;      // "RSA", "EC", "ED25519", "ED448", "DSA"
  int key_bits = 0;
  std::string fingerprint_sha256;            // lower-case hex of the DER certificate
  std::vector<std::string> versions_tested;  // "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"
  std::vector<std::string> versions_accepted;
};

/// What one NSE script printed about a port or a host (nmap's backend and imports).
struct ScriptOutput {
  std::string id;      // the script's name: "ssl-cert", "http-title"
  std::string output;  // its text, cut at NmapXmlLimits::max_script_output

  friend bool operator==(const ScriptOutput&, const ScriptOutput&) = default;
};

/// One port of a host.
struct PortReport {
  std::uint16_t port = 0;
  Protocol protocol = Protocol::kTcp;
  PortState state = PortState::kFiltered;
  std::string reason;                  // "syn-ack", "no-response"; nmap's "closed|filtered", ...
  std::optional<ServiceInfo> service;  // when service detection named it
  std::string tunnel;                  // "ssl" when the service speaks inside TLS
  std::optional<TlsFacts> tls;         // when the port spoke TLS and we saw its certificate
  std::vector<ScriptOutput> scripts;   // NSE scripts run on the port, in nmap's order
};

/// One host and what was found on it.
struct HostReport {
  IpAddress address;
  bool up = true;
  std::string reason;  // why it counts as up or down: "echo-reply", "syn-ack", "no-response"
  std::string mac;     // "02:42:ac:11:00:02" when the scanner saw it on a local segment, else ""
  std::vector<std::string> hostnames;
  std::vector<PortReport> ports;
  std::string os;                     // the best operating system guess, when one was made
  int os_accuracy = 0;                // nmap's confidence in `os`, 0..100
  std::vector<ScriptOutput> scripts;  // NSE host scripts
};

/// A whole scan. Times are Unix milliseconds; 0 when unknown.
struct ScanReport {
  std::string scanner;  // "sentinel", "nmap 7.93"
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::vector<HostReport> hosts;
};

}  // namespace sentinel::scan
