#pragma once
// The software the test bed pretends to run: for each emulated server, what it says on the wire
// (its banner version strings) and what nmap -sV calls it (service and product names). The
// versions follow two Debian releases so that a scan of the bed sees a plausible mixed fleet.

#include <cstdint>
#include <string>

namespace sentinel::scanbed {

/// The application protocol a listener speaks; each has one handler in protocols/.
enum class Protocol { kSsh, kHttp, kSmtp, kFtp, kPop3, kImap, kMysql, kPostgresql, kRedis };

/// The server program behind a listener: decides the banner, headers and error texts.
enum class Software {
  kOpenSsh,
  kNginx,
  kApache,
  kPostfix,
  kVsftpd,
  kDovecot,
  kMysql,
  kMariaDb,
  kPostgresql,
  kRedis,
};

/// Which Debian release a host runs: picks every version string of its services.
enum class Release { kBookworm, kBullseye };

/// One emulated service as the truth file records it and as the handlers need it.
struct ServiceSpec {
  Protocol protocol = Protocol::kSsh;
  Software software = Software::kOpenSsh;
  Release release = Release::kBookworm;
  bool tls = false;          // the protocol runs inside TLS from the first byte (443, 993, ...)
  std::string service;       // nmap -sV's name: "ssh", "http", "ssl/http", "ssl/imap", ...
  std::string product;       // nmap's product name: "OpenSSH", "nginx", "Apache httpd", ...
  std::string version;       // the version the answers reveal; empty when they reveal none
  std::string wire_version;  // the exact text on the wire: "OpenSSH_9.2p1 Debian-2+deb12u3", ...
  int source_line = 0;       // PostgreSQL only: the postmaster.c line in its ErrorResponse
};

/// The service `software` speaking `protocol` (TLS-wrapped when `tls`) on a host of `release`.
/// Pure; the pairing must be one the bed serves (e.g. kDovecot with kPop3 or kImap).
ServiceSpec make_service(Protocol protocol, Software software, Release release, bool tls);

/// The lower-case name of a protocol for logs ("ssh", "http", ...).
const char* protocol_name(Protocol protocol);

}  // namespace sentinel::scanbed
