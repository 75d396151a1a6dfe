#pragma once
// Our own probe set, in the probe-file format, for hosts without nmap's data files. Written for
// the services our users meet most; nmap's file (when installed) knows thousands more.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sentinel::scan {

inline constexpr std::string_view kBuiltinProbes = R"probes(
# SentinelSecure built-in service probes (format of nmap-service-probes).

Probe TCP NULL q||
totalwaitms 5000
match ssh m|^SSH-([\d.]+)-OpenSSH[_-]([\w.]+)[^\r\n]*\r?\n| p/OpenSSH/ v/$2/ i/protocol $1/ cpe:/a:openbsd:openssh:$2/
match ssh m|^SSH-([\d.]+)-dropbear_([\w.]+)\r?\n| p/Dropbear sshd/ v/$2/ i/protocol $1/ cpe:/a:matt_johnston:dropbear_ssh_server:$2/
softmatch ssh m|^SSH-[\d.]+-|
match smtp m|^220[ -]([-\w.]+) ESMTP Postfix| p/Postfix smtpd/ h/$1/ cpe:/a:postfix:postfix/
match smtp m|^220[ -]([-\w.]+) ESMTP Exim ([\d.]+)| p/Exim smtpd/ v/$2/ h/$1/ cpe:/a:exim:exim:$2/
softmatch smtp m|^220[ -][^\r\n]*E?SMTP|i
match ftp m|^220 \(vsFTPd ([\d.]+)\)\r\n| p/vsftpd/ v/$1/ cpe:/a:vsftpd:vsftpd:$1/
match ftp m|^220 ProFTPD ([\d.]+) Server| p/ProFTPD/ v/$1/ cpe:/a:proftpd:proftpd:$1/
softmatch ftp m|^220[ -][^\r\n]*FTP|i
match pop3 m|^\+OK Dovecot[^\r\n]* ready\.?\r\n| p/Dovecot pop3d/ cpe:/a:dovecot:dovecot/
softmatch pop3 m|^\+OK [^\r\n]*POP3|i
match imap m|^\* OK (?:\[[^\]]*\] )?Dovecot[^\r\n]* ready\.?\r\n| p/Dovecot imapd/ cpe:/a:dovecot:dovecot/
softmatch imap m|^\* OK [^\r\n]*IMAP|i
match mysql m|^.\0\0\0\x0a([\d.]+)-([\d.]+)-MariaDB|s p/MariaDB/ v/$2/ cpe:/a:mariadb:mariadb:$2/
match mysql m|^.\0\0\0\x0a(\d+\.\d+\.\d+)\0|s p/MySQL/ v/$1/ cpe:/a:mysql:mysql:$1/
softmatch mysql m|^.\0\0\0\x0a\d|s

Probe TCP GetRequest q|GET / HTTP/1.0\r\n\r\n|
rarity 1
ports 80,81,591,2080,3000,5000,8000,8008,8080,8081,8088,8888,9000
sslports 443,4443,8443,9443,10443
match http m|^HTTP/1\.[01] \d\d\d .*?\r\nServer: nginx/([\d.]+)(?: \(([^)\r\n]+)\))?\r\n|s p/nginx/ v/$1/ i/$2/ cpe:/a:nginx:nginx:$1/
match http m|^HTTP/1\.[01] \d\d\d .*?\r\nServer: nginx\r\n|s p/nginx/ cpe:/a:nginx:nginx/
match http m|^HTTP/1\.[01] \d\d\d .*?\r\nServer: Apache/([\d.]+) \(([^)\r\n]+)\)|s p/Apache httpd/ v/$1/ i/($2)/ cpe:/a:apache:http_server:$1/
match http m|^HTTP/1\.[01] \d\d\d .*?\r\nServer: Apache/([\d.]+)\r\n|s p/Apache httpd/ v/$1/ cpe:/a:apache:http_server:$1/
match http m|^HTTP/1\.[01] \d\d\d .*?\r\nServer: lighttpd/([\d.]+)\r\n|s p/lighttpd/ v/$1/ cpe:/a:lighttpd:lighttpd:$1/
match http m|^HTTP/1\.[01] \d\d\d .*?\r\nServer: ([^\r\n]+)\r\n|s p/$1/
softmatch http m|^HTTP/1\.[01] \d\d\d|
match redis m|^-ERR wrong number of arguments for 'get' command\r\n| p/Redis key-value store/ cpe:/a:redis:redis/

Probe TCP RedisPing q|*1\r\n$4\r\nPING\r\n|
rarity 3
ports 6379,6380
match redis m|^\+PONG\r\n| p/Redis key-value store/ cpe:/a:redis:redis/
match redis m|^-NOAUTH Authentication required\.?\r\n| p/Redis key-value store/ i/authentication required/ cpe:/a:redis:redis/

Probe TCP PostgresStartup q|\0\0\0\x29\0\x03\0\0user\0sentinel\0database\0sentinel\0\0|
rarity 3
ports 5432,5433
match postgresql m|^R\0\0\0[\x08\x0c\x17\x18]\0\0\0[\x00\x03\x05\x0a]| p/PostgreSQL DB/ cpe:/a:postgresql:postgresql/
match postgresql m%^E\0\0..S(?:FATAL|ERROR)\0%s p/PostgreSQL DB/ cpe:/a:postgresql:postgresql/

Probe TCP TlsHello q|\x16\x03\x01\0\x2f\x01\0\0\x2b\x03\x03SentinelSecure-TLS-probe-random!\0\0\x04\xc0\x2f\0\x9c\x01\0|
rarity 1
ports 443,465,636,853,993,995,4443,8443,9443,10443
match ssl m|^\x16\x03[\x00-\x04]..\x02|s p/TLS/
match ssl m|^\x15\x03[\x00-\x04]\0\x02|s p/TLS/ i/handshake refused/

# UDP. "SN" is our DNS transaction id (as in builtin_udp_payloads.h).
Probe UDP DNSVersionBindReq q|SN\0\0\0\x01\0\0\0\0\0\0\x07version\x04bind\0\0\x10\0\x03|
rarity 1
ports 53,5353
match domain m%^SN[\x80-\xff].\0\x01\0\x01.{4}\x07version\x04bind\0\0\x10\0\x03(?:\xc0\x0c|\x07version\x04bind\0)\0\x10\0\x03.{6}.dnsmasq-([\w.]+)%s p/dnsmasq/ v/$1/ cpe:/a:thekelleys:dnsmasq:$1/
match domain m%^SN[\x80-\xff].\0\x01\0\x01.{4}\x07version\x04bind\0\0\x10\0\x03(?:\xc0\x0c|\x07version\x04bind\0)\0\x10\0\x03.{6}.unbound ([\w.]+)%s p/Unbound/ v/$1/ cpe:/a:nlnetlabs:unbound:$1/
match domain m%^SN[\x80-\xff].\0\x01\0\x01.{4}\x07version\x04bind\0\0\x10\0\x03(?:\xc0\x0c|\x07version\x04bind\0)\0\x10\0\x03.{6}.PowerDNS (?:Authoritative Server|Recursor) ([\w.]+)%s p/PowerDNS/ v/$1/ cpe:/a:powerdns:powerdns:$1/
match domain m%^SN[\x80-\xff].\0\x01\0\x01.{4}\x07version\x04bind\0\0\x10\0\x03(?:\xc0\x0c|\x07version\x04bind\0)\0\x10\0\x03.{6}.(9\.\d+\.\d+[-\w.+~]*?)-[Dd]ebian%s p/ISC BIND/ v/$1/ i/Debian Linux/ o/Linux/ cpe:/a:isc:bind:$1/ cpe:/o:linux:linux_kernel/a
match domain m%^SN[\x80-\xff].\0\x01\0\x01.{4}\x07version\x04bind\0\0\x10\0\x03(?:\xc0\x0c|\x07version\x04bind\0)\0\x10\0\x03.{6}.(9\.\d+\.\d+[-\w.+~]*?)-Ubuntu%s p/ISC BIND/ v/$1/ i/Ubuntu Linux/ o/Linux/ cpe:/a:isc:bind:$1/ cpe:/o:linux:linux_kernel/a
match domain m%^SN[\x80-\xff].\0\x01\0\x01.{4}\x07version\x04bind\0\0\x10\0\x03(?:\xc0\x0c|\x07version\x04bind\0)\0\x10\0\x03.{6}.(9\.\d+\.\d+[-\w.+~]*)%s p/ISC BIND/ v/$1/ cpe:/a:isc:bind:$1/
match domain m|^SN[\x80-\xff].\0\x01..\0.\0.\x07version\x04bind\0\0\x10\0\x03|s

Probe UDP DNSStatusRequest q|SN\x10\0\0\0\0\0\0\0\0\0|
rarity 5
ports 53
match domain m|^SN[\x90-\x97]|s
)probes";

/// A built-in UDP probe that sends one of the built-in UDP payloads (builtin_udp_payloads.h),
/// so that the port scan and service detection ask the same question and the bytes live in one
/// place. `section` is the rest of its probe-file section: rarity, ports and patterns.
struct BuiltinUdpPayloadProbe {
  std::string_view name;
  std::uint16_t payload_port;  // whose built-in payloads
  std::size_t payload_index;   // which of them, in file order
  std::string_view section;
};

inline constexpr BuiltinUdpPayloadProbe kBuiltinUdpPayloadProbes[] = {
    // The NTP client request's transmit timestamp ("SNSS\0\0\0\x01") comes back as the
    // answer's originate timestamp; mode 4 is a server's answer.
    {"NTPRequest", 123, 0, R"probe(rarity 5
ports 123
match ntp m|^[\x24\x64\xa4\xe4][\0-\x10].{22}SNSS\0\0\0\x01.{16}|s p/NTP/ v/v4/
match ntp m|^[\x1c\x5c\x9c\xdc][\0-\x10].{22}SNSS\0\0\0\x01.{16}|s p/NTP/ v/v3/
)probe"},
    // The node status of "*": the answer lists the host's NetBIOS names, its own first.
    {"NBTStat", 137, 0, R"probe(rarity 4
ports 137
match netbios-ns m|^SN\x84\0\0\0\0\x01\0\0\0\0\x20CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\0\0\x21\0\x01.{6}.([\x21-\x7e]{1,15}?) *\0|s h/$1/
match netbios-ns m|^SN\x84\0\0\0\0\x01\0\0\0\0\x20CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\0\0\x21\0\x01|s
)probe"},
    // SNMP v1 get-request for sysDescr.0 with community "public": a get-response (0xa2) with
    // our request id ("SNSS") carries the system's description. BER lengths are one byte, or
    // 0x81/0x82 and one or two more.
    {"SNMPv1public", 161, 1, R"probe(rarity 4
ports 161
match snmp m%^\x30(?:[\0-\x7f]|\x81[\x80-\xff]|\x82..)\x02\x01\0\x04\x06public\xa2(?:[\0-\x7f]|\x81[\x80-\xff]|\x82..)\x02\x04SNSS\x02\x01\0\x02\x01\0\x30(?:[\0-\x7f]|\x81[\x80-\xff]|\x82..)\x30(?:[\0-\x7f]|\x81[\x80-\xff]|\x82..)\x06\x08\x2b\x06\x01\x02\x01\x01\x01\0\x04(?:[\0-\x7f]|\x81[\x80-\xff]|\x82..)Linux ([-\w.]+) %s p/SNMPv1 server/ i/public/ h/$1/ o/Linux/ cpe:/o:linux:linux_kernel/
match snmp m%^\x30(?:[\0-\x7f]|\x81[\x80-\xff]|\x82..)\x02\x01\0\x04\x06public\xa2(?:[\0-\x7f]|\x81[\x80-\xff]|\x82..)\x02\x04SNSS%s p/SNMPv1 server/ i/public/
)probe"},
};

}  // namespace sentinel::scan
