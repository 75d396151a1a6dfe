#pragma once
// Our own probe set, in the probe-file format, for hosts without nmap's data files. Written for
// the services our users meet most; nmap's file (when installed) knows thousands more.

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
)probes";

}  // namespace sentinel::scan
