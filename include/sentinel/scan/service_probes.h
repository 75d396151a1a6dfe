#pragma once
// Service and version detection data: probes to send to an open port and the patterns that
// name what answered, in the format of nmap's `nmap-service-probes` (read at run time from the
// system when nmap is installed, never copied into the repository) or our own built-in set in
// the same format. See ADR 0005, "Service and version detection".

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/port_list.h"

namespace sentinel::scan {

/// Where nmap's probe file lives when the nmap package is installed.
inline constexpr std::string_view kNmapServiceProbesPath = "/usr/share/nmap/nmap-service-probes";

/// Inclusive port ranges, as in a probe file's `ports`, `sslports` and `Exclude` lines.
struct PortRanges {
  std::vector<std::pair<std::uint16_t, std::uint16_t>> ranges;
  bool contains(std::uint16_t port) const;
  bool empty() const { return ranges.empty(); }
};

/// What a pattern says answered on a port: nmap's service name, then version facts with the
/// pattern's `$1`-style substitutions done. `soft` marks a softmatch: the service is known, the
/// version is not, and later probes try only that service's patterns.
struct ServiceInfo {
  std::string service;
  std::string product;
  std::string version;
  std::string info;
  std::string hostname;
  std::string os;
  std::string device;
  std::vector<std::string> cpes;  // "cpe:/a:openbsd:openssh:9.2p1"
  bool soft = false;
  friend bool operator==(const ServiceInfo&, const ServiceInfo&) = default;
};

class ServicePattern;

/// One `Probe` section: what to send and the patterns for what comes back.
struct ServiceProbe {
  Protocol protocol = Protocol::kTcp;
  std::string name;
  std::string payload;   // bytes to send; empty for the NULL probe (wait for a banner)
  PortRanges ports;      // ports where this probe is likely to work
  PortRanges tls_ports;  // the same, for the service inside TLS
  int rarity = 5;        // 1 (send to every port) .. 9 (rarely useful)
  std::chrono::milliseconds total_wait{5000};
  std::chrono::milliseconds tcp_wrapped{3000};
  std::vector<std::string> fallbacks;  // probes whose patterns also apply to this one's answer
  std::vector<std::shared_ptr<const ServicePattern>> patterns;
};

/// A problem found while reading a probe file; the line is skipped and reading goes on.
struct ProbeFileProblem {
  int line = 0;
  std::string reason;
};

/// A read probe file: the probes, the ports never to probe, and every line that was skipped.
/// Immutable after loading; match() may be called from many threads at once.
class ServiceProbes {
 public:
  /// Reads probe-file text. Never fails as a whole: bad lines (unknown directives, malformed
  /// strings, patterns PCRE2 refuses) are skipped and listed in problems(). `origin` names the
  /// text in messages.
  static ServiceProbes parse(std::string_view text, std::string_view origin);
  /// Reads the file at `path`; an error when it cannot be read or holds no probe at all.
  static Result<ServiceProbes> load(const std::string& path);
  /// Our own small probe set for hosts without nmap: TCP (SSH, HTTP, TLS, SMTP, FTP, POP3,
  /// IMAP, MySQL, PostgreSQL, Redis) and UDP (DNS version.bind and status, NTP, NetBIOS name
  /// service, SNMP v1 "public"; the last three send the built-in UDP payloads of their ports).
  static ServiceProbes builtin();
  /// nmap's file when it is installed and readable, otherwise builtin().
  static ServiceProbes system_or_builtin();

  const std::vector<ServiceProbe>& probes() const { return probes_; }
  const std::vector<ProbeFileProblem>& problems() const { return problems_; }
  std::string_view origin() const { return origin_; }
  /// Patterns loaded, over all probes.
  std::size_t pattern_count() const;

  /// The probe named `name` for `protocol`, or nullptr.
  const ServiceProbe* find(Protocol protocol, std::string_view name) const;
  /// True when the file's `Exclude` line names this port (nmap skips printers' raw ports,
  /// which print whatever they receive).
  bool excluded(Protocol protocol, std::uint16_t port) const;

  /// The probes to send to an open port of `protocol`, in order: the NULL probe first (TCP),
  /// then the probes that list the port (in `ports`, or `sslports` when `tls`), then the others
  /// with rarity up to `intensity` (0-9, nmap's default 7), each group by rarity then file
  /// order. UDP ports get the `Probe UDP` sections the same way.
  std::vector<const ServiceProbe*> plan(Protocol protocol, std::uint16_t port, bool tls,
                                        int intensity) const;

  /// The first pattern of `probe`, then of its fallbacks (and the NULL probe's, as nmap does
  /// for TCP), that matches `response`: a hard match wins over a soft one. With `only_service`
  /// set (after a softmatch), only that service's patterns are tried.
  std::optional<ServiceInfo> match(const ServiceProbe& probe, std::string_view response,
                                   std::string_view only_service = {}) const;

 private:
  std::string origin_;
  std::vector<ServiceProbe> probes_;
  PortRanges excluded_tcp_;
  PortRanges excluded_udp_;
  std::vector<ProbeFileProblem> problems_;
};

}  // namespace sentinel::scan
