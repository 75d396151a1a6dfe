// Version strings are those of the Debian packages (bookworm = 12, bullseye = 11) at the time of
// writing; products are named as nmap's service database names them, so that the truth file and
// nmap -sV can be compared field by field.

#include "tests/scanbed/service_catalog.h"

namespace sentinel::scanbed {
namespace {

bool bookworm(Release release) { return release == Release::kBookworm; }

std::string service_name(Protocol protocol, bool tls) {
  const std::string name = protocol_name(protocol);
  return tls ? "ssl/" + name : name;
}

}  // namespace

const char* protocol_name(Protocol protocol) {
  switch (protocol) {
    case Protocol::kSsh:
      return "ssh";
    case Protocol::kHttp:
      return "http";
    case Protocol::kSmtp:
      return "smtp";
    case Protocol::kFtp:
      return "ftp";
    case Protocol::kPop3:
      return "pop3";
    case Protocol::kImap:
      return "imap";
    case Protocol::kMysql:
      return "mysql";
    case Protocol::kPostgresql:
      return "postgresql";
    case Protocol::kRedis:
      return "redis";
  }
  return "unknown";
}

ServiceSpec make_service(Protocol protocol, Software software, Release release, bool tls) {
  ServiceSpec spec;
  spec.protocol = protocol;
  spec.software = software;
  spec.release = release;
  spec.tls = tls;
  spec.service = service_name(protocol, tls);
  const bool new_release = bookworm(release);
  switch (software) {
    case Software::kOpenSsh:
      spec.product = "OpenSSH";
      spec.version = new_release ? "9.2p1" : "8.4p1";
      spec.wire_version =
          new_release ? "OpenSSH_9.2p1 Debian-2+deb12u3" : "OpenSSH_8.4p1 Debian-5+deb11u3";
      break;
    case Software::kNginx:
      spec.product = "nginx";
      spec.version = new_release ? "1.22.1" : "1.18.0";
      spec.wire_version = "nginx/" + spec.version;
      break;
    case Software::kApache:
      spec.product = "Apache httpd";
      spec.version = new_release ? "2.4.62" : "2.4.59";
      spec.wire_version = "Apache/" + spec.version + " (Debian)";
      break;
    case Software::kPostfix:
      // Postfix does not say its version in the greeting (smtpd_banner's Debian default).
      spec.product = "Postfix smtpd";
      spec.wire_version = "ESMTP Postfix (Debian/GNU)";
      break;
    case Software::kVsftpd:
      spec.product = "vsftpd";
      spec.version = "3.0.3";
      spec.wire_version = "(vsFTPd 3.0.3)";
      break;
    case Software::kDovecot:
      // Debian's package patches the greeting to name the distribution; an admin-set
      // login_greeting gives the upstream text. Neither says the version.
      spec.product = protocol == Protocol::kImap ? "Dovecot imapd" : "Dovecot pop3d";
      spec.wire_version = new_release ? "Dovecot (Debian) ready." : "Dovecot ready.";
      break;
    case Software::kMysql:
      spec.product = "MySQL";
      spec.version = new_release ? "8.0.36" : "8.0.35";
      spec.wire_version = spec.version;
      break;
    case Software::kMariaDb:
      // MariaDB prefixes "5.5.5-" so that old clients do not take it for MySQL 10.
      spec.product = "MariaDB";
      spec.version = new_release ? "10.11.6" : "10.5.23";
      spec.wire_version =
          new_release ? "5.5.5-10.11.6-MariaDB-0+deb12u1" : "5.5.5-10.5.23-MariaDB-0+deb11u1";
      break;
    case Software::kPostgresql:
      // PostgreSQL reveals its version only through the source line of the startup-packet
      // error; these lines are those of 14.5 and 13.8.
      spec.product = "PostgreSQL DB";
      spec.version = new_release ? "14.5" : "13.8";
      spec.source_line = new_release ? 2138 : 2133;
      break;
    case Software::kRedis:
      spec.product = "Redis key-value store";
      spec.version = new_release ? "7.0.15" : "6.0.16";
      spec.wire_version = spec.version;
      break;
  }
  return spec;
}

}  // namespace sentinel::scanbed
