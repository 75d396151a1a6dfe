// Probe files: reading nmap's format (ours and nmap's own file), planning which probes to send,
// and naming services from their answers.

#include "sentinel/scan/service_probes.h"

#include <gtest/gtest.h>

#include <string>

#include "sentinel/scan/udp_payloads.h"

namespace sentinel::scan {
namespace {

using namespace std::string_view_literals;
using namespace std::string_literals;

constexpr std::string_view kFile = R"(# a small probe file
Exclude 9100,T:9101-9102,U:161

Probe TCP NULL q||
totalwaitms 4000
match ssh m|^SSH-([\d.]+)-OpenSSH_([\w.]+)\r\n| p/OpenSSH/ v/$2/ i/protocol $1/ cpe:/a:openbsd:openssh:$2/a
softmatch ftp m|^220 |
match ftp m|^220 \(vsFTPd ([\d.]+)\)| p/vsftpd/ v/$1/

Probe TCP Bytes q|\0\x41\r\n\\z|
rarity 8
ports 7000-7010,7777
sslports 7443
fallback NULL
match echo m|^\0A|

Probe TCP Common q|HELLO\r\n|
rarity 2
match funcs m|^F (\w+) (\w+) (....)|s p/$P(1)/ v/$SUBST(2,"_",".")/ i/big $I(3,">") little $I(3,"<")/

Probe UDP Ping q|ping|
rarity 1
match pong m|^pong|
)";

ServiceProbes small() { return ServiceProbes::parse(kFile, "test"); }

TEST(ServiceProbes, ReadsProbesTheirSettingsAndPayloadEscapes) {
  const ServiceProbes probes = small();
  EXPECT_TRUE(probes.problems().empty()) << probes.problems().front().reason;
  ASSERT_EQ(probes.probes().size(), 4u);
  EXPECT_EQ(probes.pattern_count(), 6u);

  const ServiceProbe* null_probe = probes.find(Protocol::kTcp, "NULL");
  ASSERT_NE(null_probe, nullptr);
  EXPECT_EQ(null_probe->payload, "");
  EXPECT_EQ(null_probe->total_wait, std::chrono::milliseconds(4000));

  const ServiceProbe* bytes = probes.find(Protocol::kTcp, "Bytes");
  ASSERT_NE(bytes, nullptr);
  EXPECT_EQ(bytes->payload, "\0A\r\n\\z"sv);
  EXPECT_EQ(bytes->rarity, 8);
  EXPECT_TRUE(bytes->ports.contains(7005));
  EXPECT_TRUE(bytes->ports.contains(7777));
  EXPECT_FALSE(bytes->ports.contains(7011));
  EXPECT_TRUE(bytes->tls_ports.contains(7443));
  EXPECT_EQ(bytes->fallbacks, std::vector<std::string>{"NULL"});

  EXPECT_EQ(probes.find(Protocol::kTcp, "Ping"), nullptr);  // that one is UDP
  EXPECT_NE(probes.find(Protocol::kUdp, "Ping"), nullptr);
}

TEST(ServiceProbes, ExcludeAppliesToTheNamedTransportsOnly) {
  const ServiceProbes probes = small();
  EXPECT_TRUE(probes.excluded(Protocol::kTcp, 9100));  // no prefix: both
  EXPECT_TRUE(probes.excluded(Protocol::kUdp, 9100));
  EXPECT_TRUE(probes.excluded(Protocol::kTcp, 9102));
  EXPECT_FALSE(probes.excluded(Protocol::kUdp, 9102));
  EXPECT_TRUE(probes.excluded(Protocol::kUdp, 161));
  EXPECT_FALSE(probes.excluded(Protocol::kTcp, 161));
  EXPECT_FALSE(probes.excluded(Protocol::kTcp, 22));
}

TEST(ServiceProbes, NamesTheServiceAndFillsVersionFieldsFromCaptures) {
  const ServiceProbes probes = small();
  const auto found =
      probes.match(*probes.find(Protocol::kTcp, "NULL"), "SSH-2.0-OpenSSH_9.2p1\r\n");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->service, "ssh");
  EXPECT_EQ(found->product, "OpenSSH");
  EXPECT_EQ(found->version, "9.2p1");
  EXPECT_EQ(found->info, "protocol 2.0");
  EXPECT_EQ(found->cpes, std::vector<std::string>{"cpe:/a:openbsd:openssh:9.2p1"});
  EXPECT_FALSE(found->soft);

  EXPECT_FALSE(probes.match(*probes.find(Protocol::kTcp, "NULL"), "HTTP/1.0 200 OK\r\n"));
  EXPECT_FALSE(probes.match(*probes.find(Protocol::kTcp, "NULL"), ""));
}

TEST(ServiceProbes, SubstitutionFunctionsPrintableSubstAndUnpack) {
  const ServiceProbes probes = small();
  const auto found =
      probes.match(*probes.find(Protocol::kTcp, "Common"), "F abc 1_2_3 \x01\x02\x00\x00"sv);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->product, "abc");
  EXPECT_EQ(found->version, "1.2.3");
  EXPECT_EQ(found->info, "big 16908288 little 513");
}

TEST(ServiceProbes, AHardMatchWinsOverAnEarlierSoftMatchOfTheSameService) {
  const ServiceProbes probes = small();
  const ServiceProbe& null_probe = *probes.find(Protocol::kTcp, "NULL");
  const auto vsftpd = probes.match(null_probe, "220 (vsFTPd 3.0.3)\r\n");
  ASSERT_TRUE(vsftpd);
  EXPECT_EQ(vsftpd->service, "ftp");
  EXPECT_EQ(vsftpd->product, "vsftpd");
  EXPECT_FALSE(vsftpd->soft);

  const auto other = probes.match(null_probe, "220 Welcome\r\n");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->service, "ftp");
  EXPECT_TRUE(other->soft);
  EXPECT_EQ(other->product, "");
}

TEST(ServiceProbes, OnlyServiceRestrictsMatchingAfterASoftMatch) {
  const ServiceProbes probes = small();
  const ServiceProbe& null_probe = *probes.find(Protocol::kTcp, "NULL");
  EXPECT_FALSE(probes.match(null_probe, "SSH-2.0-OpenSSH_9.2p1\r\n", "ftp"));
  EXPECT_TRUE(probes.match(null_probe, "SSH-2.0-OpenSSH_9.2p1\r\n", "ssh"));
}

TEST(ServiceProbes, FallbackPatternsApplyToAProbesAnswer) {
  const ServiceProbes probes = small();
  const ServiceProbe& bytes = *probes.find(Protocol::kTcp, "Bytes");
  const auto own = probes.match(bytes, "\0A"sv);
  ASSERT_TRUE(own);
  EXPECT_EQ(own->service, "echo");
  // A banner answered to any TCP probe is still recognised through NULL's patterns.
  const auto banner =
      probes.match(*probes.find(Protocol::kTcp, "Common"), "SSH-2.0-OpenSSH_8.4\r\n");
  ASSERT_TRUE(banner);
  EXPECT_EQ(banner->service, "ssh");
}

TEST(ServiceProbes, PlanSendsNullFirstThenTheProbesListingThePortThenTheRestByRarity) {
  const ServiceProbes probes = small();
  const auto names = [](const std::vector<const ServiceProbe*>& plan) {
    std::vector<std::string> out;
    for (const ServiceProbe* probe : plan) out.push_back(probe->name);
    return out;
  };
  EXPECT_EQ(names(probes.plan(Protocol::kTcp, 7777, false, 7)),
            (std::vector<std::string>{"NULL", "Bytes", "Common"}));
  // Bytes is rare (8): sent only to its own ports, or at intensity 8 and above.
  EXPECT_EQ(names(probes.plan(Protocol::kTcp, 22, false, 7)),
            (std::vector<std::string>{"NULL", "Common"}));
  EXPECT_EQ(names(probes.plan(Protocol::kTcp, 22, false, 9)),
            (std::vector<std::string>{"NULL", "Common", "Bytes"}));
  EXPECT_EQ(names(probes.plan(Protocol::kTcp, 7443, true, 7)),
            (std::vector<std::string>{"NULL", "Bytes", "Common"}));
  EXPECT_EQ(names(probes.plan(Protocol::kUdp, 53, false, 7)), (std::vector<std::string>{"Ping"}));
}

TEST(ServiceProbes, BadLinesAreSkippedAndReportedWithTheirLineNumber) {
  const ServiceProbes probes = ServiceProbes::parse(R"(match ssh m|^SSH|
Probe TCP NULL q||
match ssh m|^SSH-(| p/broken/
match ftp m|^220| z/unknown field/
rarity 12
ports 10-5
frobnicate yes
match ssh m|^SSH-| p/fine/
Probe TCP Open q|never closed
Probe SCTP X q|x|
Probe TCP Bad q|\x4|
)",
                                                    "bad");
  ASSERT_EQ(probes.problems().size(), 9u);
  const std::vector<int> lines = {1, 3, 4, 5, 6, 7, 9, 10, 11};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(probes.problems()[i].line, lines[i]) << probes.problems()[i].reason;
  }
  EXPECT_NE(probes.problems()[1].reason.find("does not compile"), std::string::npos);
  EXPECT_NE(probes.problems()[4].reason.find("'10-5'"), std::string::npos);
  // What could be read still works.
  ASSERT_EQ(probes.probes().size(), 1u);
  ASSERT_EQ(probes.pattern_count(), 1u);
  EXPECT_TRUE(probes.match(probes.probes()[0], "SSH-2.0-x"));
}

TEST(ServiceProbes, AHostileAnswerCostsBoundedTimeAndNamesNothing) {
  // Catastrophic backtracking: PCRE2's match limit stops it, and the answer is "no match".
  const ServiceProbes probes = ServiceProbes::parse(R"(Probe TCP NULL q||
match evil m=^(a|aa)+$=
)",
                                                    "evil");
  ASSERT_TRUE(probes.problems().empty());
  const std::string answer = std::string(64 * 1024, 'a') + "b";
  EXPECT_FALSE(probes.match(probes.probes()[0], answer));
}

TEST(ServiceProbes, BuiltinSetNamesCommonServices) {
  const ServiceProbes probes = ServiceProbes::builtin();
  ASSERT_TRUE(probes.problems().empty())
      << probes.problems().front().line << ": " << probes.problems().front().reason;
  struct Case {
    std::string_view probe;
    std::string_view answer;
    std::string_view service;
    std::string_view product;
    std::string_view version;
  };
  const Case cases[] = {
      {"NULL", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", "ssh", "OpenSSH", "9.2p1"},
      {"NULL", "220 mx.example.org ESMTP Postfix (Debian/GNU)\r\n", "smtp", "Postfix smtpd", ""},
      {"NULL", "220 (vsFTPd 3.0.3)\r\n", "ftp", "vsftpd", "3.0.3"},
      {"NULL", "+OK Dovecot (Debian) ready.\r\n", "pop3", "Dovecot pop3d", ""},
      {"NULL", "* OK [CAPABILITY IMAP4rev1 LITERAL+] Dovecot (Debian) ready.\r\n", "imap",
       "Dovecot imapd", ""},
      {"NULL",
       "\x4a\0\0\0\x0a"
       "8.0.36\0salt"sv,
       "mysql", "MySQL", "8.0.36"},
      {"NULL",
       "\x5a\0\0\0\x0a"
       "5.5.5-10.11.6-MariaDB-0+deb12u1\0"sv,
       "mysql", "MariaDB", "10.11.6"},
      {"GetRequest", "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n\r\n", "http", "nginx", "1.22.1"},
      {"GetRequest", "HTTP/1.1 403 Forbidden\r\nDate: x\r\nServer: Apache/2.4.62 (Debian)\r\n\r\n",
       "http", "Apache httpd", "2.4.62"},
      {"GetRequest", "-ERR wrong number of arguments for 'get' command\r\n", "redis",
       "Redis key-value store", ""},
      {"RedisPing", "+PONG\r\n", "redis", "Redis key-value store", ""},
      {"PostgresStartup", "E\0\0\0\x50SFATAL\0VFATAL\0C28000\0"sv, "postgresql", "PostgreSQL DB",
       ""},
      {"TlsHello", "\x16\x03\x03\x00\x4a\x02\0\0\x46"sv, "ssl", "TLS", ""},
  };
  for (const Case& c : cases) {
    const ServiceProbe* probe = probes.find(Protocol::kTcp, c.probe);
    ASSERT_NE(probe, nullptr) << c.probe;
    const auto found = probes.match(*probe, c.answer);
    ASSERT_TRUE(found) << c.answer;
    EXPECT_EQ(found->service, c.service) << c.answer;
    EXPECT_EQ(found->product, c.product) << c.answer;
    EXPECT_EQ(found->version, c.version) << c.answer;
  }
}

// Answers as the services send them (DNS per RFC 1035, NTP per RFC 5905, SNMP BER per RFC
// 1157, NetBIOS per RFC 1002), to the built-in probes' requests ("SN"/"SNSS" ids echoed).
const std::string kVersionBindQuestion(
    "\x07version\x04"
    "bind\0\0\x10\0\x03",
    18);
std::string version_bind_answer(std::string_view text) {
  std::string answer("SN\x84\0\0\x01\0\x01\0\0\0\0"sv);
  answer += kVersionBindQuestion;
  answer += "\xc0\x0c\0\x10\0\x03\0\0\0\0"sv;
  answer += static_cast<char>(0);
  answer += static_cast<char>(text.size() + 1);
  answer += static_cast<char>(text.size());
  answer += text;
  return answer;
}

std::string ntp_answer(char first_byte) {
  std::string answer(48, '\0');
  answer[0] = first_byte;
  answer[1] = 2;
  answer.replace(24, 8, "SNSS\0\0\0\x01"sv);
  answer.replace(40, 8, "\xeb\x0e\x4c\x90\0\x10\0\0"sv);
  return answer;
}

std::string snmp_answer(std::string_view description) {
  const auto tlv = [](char tag, std::string_view value) {
    return std::string(1, tag) + static_cast<char>(value.size()) + std::string(value);
  };
  const std::string binding =
      tlv('\x30', tlv('\x06', "\x2b\x06\x01\x02\x01\x01\x01\0"sv) + tlv('\x04', description));
  const std::string pdu = tlv('\xa2', tlv('\x02', "SNSS") + tlv('\x02', "\0"sv) +
                                          tlv('\x02', "\0"sv) + tlv('\x30', binding));
  return tlv('\x30', tlv('\x02', "\0"sv) + tlv('\x04', "public") + pdu);
}

TEST(ServiceProbes, BuiltinUdpProbesNameDnsNtpSnmpAndNetbios) {
  const ServiceProbes probes = ServiceProbes::builtin();
  ASSERT_TRUE(probes.problems().empty())
      << probes.problems().front().line << ": " << probes.problems().front().reason;
  std::string netbios(
      "SN\x84\0\0\0\0\x01\0\0\0\0\x20"
      "CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\0\0\x21\0\x01\0\0\0\0\0\x41\x01"sv);
  netbios += "FILESERVER     \0\x04\x00"sv;
  struct Case {
    std::string_view probe;
    std::string answer;
    std::string_view service;
    std::string_view product;
    std::string_view version;
    std::string_view hostname;
  };
  const Case cases[] = {
      {"DNSVersionBindReq", version_bind_answer("9.18.28-1~deb12u2-Debian"), "domain", "ISC BIND",
       "9.18.28-1~deb12u2", ""},
      {"DNSVersionBindReq", version_bind_answer("9.18.30-0ubuntu0.24.04.2-Ubuntu"), "domain",
       "ISC BIND", "9.18.30-0ubuntu0.24.04.2", ""},
      {"DNSVersionBindReq", version_bind_answer("9.20.4"), "domain", "ISC BIND", "9.20.4", ""},
      {"DNSVersionBindReq", version_bind_answer("dnsmasq-2.89"), "domain", "dnsmasq", "2.89", ""},
      {"DNSVersionBindReq", version_bind_answer("unbound 1.17.1"), "domain", "Unbound", "1.17.1",
       ""},
      // REFUSED, the question echoed: a DNS server that keeps its version to itself.
      {"DNSVersionBindReq", "SN\x81\x05\0\x01\0\0\0\0\0\0"s + kVersionBindQuestion, "domain", "",
       "", ""},
      {"DNSStatusRequest", std::string("SN\x90\x04\0\0\0\0\0\0\0\0"sv), "domain", "", "", ""},
      {"NTPRequest", ntp_answer('\x24'), "ntp", "NTP", "v4", ""},
      {"NTPRequest", ntp_answer('\x1c'), "ntp", "NTP", "v3", ""},
      {"SNMPv1public", snmp_answer("Linux lab-router 6.1.0-18-amd64 #1 SMP x86_64"), "snmp",
       "SNMPv1 server", "", "lab-router"},
      {"SNMPv1public", snmp_answer("Cisco IOS Software, C2960 Software"), "snmp", "SNMPv1 server",
       "", ""},
      {"NBTStat", netbios, "netbios-ns", "", "", "FILESERVER"},
  };
  for (const Case& c : cases) {
    const ServiceProbe* probe = probes.find(Protocol::kUdp, c.probe);
    ASSERT_NE(probe, nullptr) << c.probe;
    const auto found = probes.match(*probe, c.answer);
    ASSERT_TRUE(found) << c.probe << ": " << c.answer;
    EXPECT_EQ(found->service, c.service) << c.answer;
    EXPECT_EQ(found->product, c.product) << c.answer;
    EXPECT_EQ(found->version, c.version) << c.answer;
    EXPECT_EQ(found->hostname, c.hostname) << c.answer;
    EXPECT_FALSE(found->soft) << c.answer;
  }
  // Answers that are not the service's answer to our request name nothing.
  const ServiceProbe& ntp = *probes.find(Protocol::kUdp, "NTPRequest");
  std::string other_request = ntp_answer('\x24');
  other_request.replace(24, 8, "XXXXXXXX");
  EXPECT_FALSE(probes.match(ntp, other_request)) << "not our transmit time";
  EXPECT_FALSE(probes.match(ntp, ntp_answer('\x23'))) << "a client request, not an answer";
  EXPECT_FALSE(probes.match(*probes.find(Protocol::kUdp, "DNSVersionBindReq"),
                            "XY\x84\0\0\x01\0\x01\0\0\0\0"s + kVersionBindQuestion))
      << "another transaction id";
  for (const ServiceProbe& probe : probes.probes()) {
    if (probe.protocol != Protocol::kUdp) continue;
    EXPECT_FALSE(probes.match(probe, std::string(4096, '\xff'))) << probe.name;
    EXPECT_FALSE(probes.match(probe, probe.payload)) << probe.name << " matches its own echo";
  }
}

TEST(ServiceProbes, BuiltinUdpProbesSendTheBuiltinUdpPayloads) {
  const ServiceProbes probes = ServiceProbes::builtin();
  const UdpPayloads payloads = UdpPayloads::builtin();
  const struct {
    std::string_view probe;
    std::uint16_t port;
    std::size_t index;
  } reused[] = {{"NTPRequest", 123, 0}, {"NBTStat", 137, 0}, {"SNMPv1public", 161, 1}};
  for (const auto& r : reused) {
    const ServiceProbe* probe = probes.find(Protocol::kUdp, r.probe);
    ASSERT_NE(probe, nullptr) << r.probe;
    ASSERT_GT(payloads.for_port(r.port).size(), r.index) << r.probe;
    EXPECT_EQ(probe->payload, payloads.for_port(r.port)[r.index]) << r.probe;
    EXPECT_TRUE(probe->ports.contains(r.port)) << r.probe;
  }
  // The SNMP probe is the v1 request ("\x02\x01\x00": version 0).
  EXPECT_EQ(probes.find(Protocol::kUdp, "SNMPv1public")->payload.substr(2, 3), "\x02\x01\0"sv);
  const ServiceProbe* bind = probes.find(Protocol::kUdp, "DNSVersionBindReq");
  ASSERT_NE(bind, nullptr);
  EXPECT_EQ(bind->payload, "SN\0\0\0\x01\0\0\0\0\0\0"s + kVersionBindQuestion);
  EXPECT_EQ(bind->rarity, 1);
}

TEST(ServiceProbes, ReadsNmapsOwnFileWithoutASingleProblem) {
  // nmap is installed by scripts/install-deps.sh; its file is read, never copied.
  Result<ServiceProbes> probes = ServiceProbes::load(std::string(kNmapServiceProbesPath));
  ASSERT_TRUE(probes) << probes.error().message;
  EXPECT_TRUE(probes->problems().empty())
      << probes->problems().front().line << ": " << probes->problems().front().reason;
  EXPECT_GT(probes->probes().size(), 100u);
  EXPECT_GT(probes->pattern_count(), 10'000u);
  const auto ssh = probes->match(*probes->find(Protocol::kTcp, "NULL"),
                                 "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
  ASSERT_TRUE(ssh);
  EXPECT_EQ(ssh->service, "ssh");
  EXPECT_EQ(ssh->product, "OpenSSH");
}

TEST(ServiceProbes, LoadRefusesAMissingFileOrOneWithoutProbes) {
  EXPECT_FALSE(ServiceProbes::load("/nonexistent/nmap-service-probes"));
  EXPECT_FALSE(ServiceProbes::load("/dev/null"));
}

}  // namespace
}  // namespace sentinel::scan
