// The per-port decisions of service detection, driven with made-up answers: which probe comes
// next, on which connection, and what the port is called in the end.

#include "src/scan/service_probe_sequence.h"

#include <gtest/gtest.h>

#include <string>

namespace sentinel::scan {
namespace {

using namespace std::chrono_literals;
using namespace std::string_view_literals;

// A TLS 1.2 ServerHello record header and the start of its handshake message.
const std::string kServerHello("\x16\x03\x03\x00\x31\x02\x00\x00\x2d\x03\x03", 11);
constexpr char kNginx[] = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Length: 0\r\n\r\n";

class ProbeSequenceTest : public ::testing::Test {
 protected:
  ProbeSequence sequence(std::uint16_t port) {
    return ProbeSequence(probes_, port, ProbeSequenceOptions{7, 1500ms, 2000ms});
  }
  const ServiceProbes probes_ = ServiceProbes::builtin();
};

TEST_F(ProbeSequenceTest, BannerNamesTheServiceAtOnce) {
  ProbeSequence ssh = sequence(22);
  const auto step = ssh.current();
  ASSERT_TRUE(step);
  EXPECT_EQ(step->probe->name, "NULL");
  EXPECT_FALSE(step->tls);
  EXPECT_FALSE(step->reuse_connection);
  EXPECT_EQ(step->wait, 1500ms);
  EXPECT_TRUE(ssh.on_answer("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"));
  EXPECT_TRUE(ssh.finished());
  EXPECT_FALSE(ssh.current());
  ASSERT_TRUE(ssh.service());
  EXPECT_EQ(ssh.service()->service, "ssh");
  EXPECT_EQ(ssh.service()->product, "OpenSSH");
  EXPECT_EQ(ssh.service()->version, "9.2p1");
  EXPECT_EQ(ssh.tunnel(), "");
  EXPECT_FALSE(ssh.saw_tls());
}

TEST_F(ProbeSequenceTest, SilentBannerSendsTheListedProbeOnTheSameConnection) {
  ProbeSequence http = sequence(80);
  http.on_end("", ProbeEnd::kTimeout);
  const auto step = http.current();
  ASSERT_TRUE(step);
  EXPECT_EQ(step->probe->name, "GetRequest");  // listed for port 80
  EXPECT_TRUE(step->reuse_connection);
  EXPECT_EQ(step->wait, 2000ms);                 // the file's 5000 ms, capped
  EXPECT_FALSE(http.on_answer("HTTP/1.1 200"));  // partial: not yet a match
  EXPECT_TRUE(http.on_answer(kNginx));
  ASSERT_TRUE(http.service());
  EXPECT_EQ(http.service()->service, "http");
  EXPECT_EQ(http.service()->product, "nginx");
}

TEST_F(ProbeSequenceTest, AnswerAfterABannerGetsANewConnection) {
  ProbeSequence port = sequence(8080);
  port.on_end("garbage that names nothing\r\n", ProbeEnd::kTimeout);
  ASSERT_TRUE(port.current());
  EXPECT_FALSE(port.current()->reuse_connection);
}

TEST_F(ProbeSequenceTest, TlsAnswerRestartsThePlanInsideTls) {
  ProbeSequence https = sequence(443);
  https.on_end("", ProbeEnd::kTimeout);
  ASSERT_TRUE(https.current());
  EXPECT_EQ(https.current()->probe->name, "TlsHello");  // listed for 443
  EXPECT_TRUE(https.on_answer(kServerHello));
  EXPECT_FALSE(https.finished());
  EXPECT_TRUE(https.saw_tls());
  auto step = https.current();
  ASSERT_TRUE(step);
  EXPECT_EQ(step->probe->name, "NULL");
  EXPECT_TRUE(step->tls);
  EXPECT_FALSE(step->reuse_connection);
  https.on_end("", ProbeEnd::kTimeout);
  step = https.current();
  ASSERT_TRUE(step);
  EXPECT_EQ(step->probe->name, "GetRequest");  // in sslports for 443
  EXPECT_TRUE(step->tls);
  EXPECT_TRUE(step->reuse_connection);
  EXPECT_TRUE(https.on_answer(kNginx));
  ASSERT_TRUE(https.service());
  EXPECT_EQ(https.service()->service, "http");
  EXPECT_EQ(https.tunnel(), "ssl");
}

TEST_F(ProbeSequenceTest, FailedTlsHandshakeLeavesTheTlsMatch) {
  ProbeSequence port = sequence(443);
  port.on_end("", ProbeEnd::kTimeout);
  ASSERT_TRUE(port.on_answer(kServerHello));
  port.on_end("", ProbeEnd::kConnectFailed);
  EXPECT_TRUE(port.finished());
  ASSERT_TRUE(port.service());
  EXPECT_EQ(port.service()->service, "ssl");
  EXPECT_EQ(port.tunnel(), "");
}

TEST_F(ProbeSequenceTest, CloseBeforeAnyByteIsTcpwrapped) {
  ProbeSequence port = sequence(22);
  port.on_end("", ProbeEnd::kClosed);
  EXPECT_TRUE(port.finished());
  ASSERT_TRUE(port.service());
  EXPECT_EQ(port.service()->service, "tcpwrapped");
}

TEST_F(ProbeSequenceTest, SoftmatchIsKeptAndSkipsProbesThatCannotNameIt) {
  ProbeSequence port = sequence(2222);
  EXPECT_FALSE(port.on_answer("SSH-2.0-SomethingElse\r\n"));
  EXPECT_FALSE(port.finished());
  port.on_end("SSH-2.0-SomethingElse\r\n", ProbeEnd::kTimeout);
  // No other built-in probe has ssh patterns: nothing is left to try.
  EXPECT_TRUE(port.finished());
  ASSERT_TRUE(port.service());
  EXPECT_EQ(port.service()->service, "ssh");
  EXPECT_TRUE(port.service()->soft);
}

TEST_F(ProbeSequenceTest, SilentPortRunsThroughThePlanAndNamesNothing) {
  ProbeSequence port = sequence(5999);
  int steps = 0;
  while (const auto step = port.current()) {
    ++steps;
    port.on_end("", ProbeEnd::kTimeout);
    ASSERT_LT(steps, 100);
  }
  EXPECT_EQ(static_cast<std::size_t>(steps), probes_.plan(Protocol::kTcp, 5999, false, 7).size());
  EXPECT_FALSE(port.service());
}

TEST_F(ProbeSequenceTest, StopKeepsWhatIsKnown) {
  ProbeSequence port = sequence(25);
  EXPECT_FALSE(port.on_answer("220 mail.example ESMTP something\r\n"));  // softmatch smtp
  port.stop();
  EXPECT_TRUE(port.finished());
  ASSERT_TRUE(port.service());
  EXPECT_EQ(port.service()->service, "smtp");
}

TEST_F(ProbeSequenceTest, ExcludedPortGetsNoProbe) {
  const ServiceProbes probes =
      ServiceProbes::parse("Exclude T:9100-9107\nProbe TCP NULL q||\nmatch ssh m|^SSH-|\n", "test");
  ProbeSequence printer(probes, 9100, {});
  EXPECT_TRUE(printer.finished());
  EXPECT_FALSE(printer.current());
  ProbeSequence other(probes, 22, {});
  EXPECT_TRUE(other.current());
}

// UDP: the same chooser and matcher, one datagram per probe.

TEST_F(ProbeSequenceTest, UdpPortGetsTheUdpProbesThatListItFirstWithoutBannerOrTls) {
  ProbeSequence dns(probes_, Protocol::kUdp, 53, ProbeSequenceOptions{7, 1500ms, 2000ms});
  auto step = dns.current();
  ASSERT_TRUE(step);
  EXPECT_EQ(step->probe->protocol, Protocol::kUdp);
  EXPECT_EQ(step->probe->name, "DNSVersionBindReq");
  EXPECT_FALSE(step->tls);
  EXPECT_FALSE(step->reuse_connection);
  EXPECT_EQ(step->wait, 2000ms);  // the file's default 5000 ms, capped; no banner wait
  dns.on_end("", ProbeEnd::kTimeout);
  step = dns.current();
  ASSERT_TRUE(step);
  EXPECT_EQ(step->probe->name, "DNSStatusRequest");  // listed for 53 too
  EXPECT_FALSE(step->reuse_connection);
  // A server that does not implement STATUS still answers it as a DNS server.
  EXPECT_TRUE(dns.on_answer("SN\x90\x04\0\0\0\0\0\0\0\0"sv));
  EXPECT_TRUE(dns.finished());
  ASSERT_TRUE(dns.service());
  EXPECT_EQ(dns.service()->service, "domain");
  EXPECT_EQ(dns.tunnel(), "");
}

TEST_F(ProbeSequenceTest, UdpSilentPortRunsThroughTheUdpPlanOnly) {
  ProbeSequence port(probes_, Protocol::kUdp, 40000, ProbeSequenceOptions{7, 1500ms, 2000ms});
  std::vector<std::string> sent;
  while (const auto step = port.current()) {
    EXPECT_EQ(step->probe->protocol, Protocol::kUdp);
    sent.push_back(step->probe->name);
    port.on_end("", ProbeEnd::kTimeout);
    ASSERT_LT(sent.size(), 100u);
  }
  // By rarity, then file order; none lists 40000.
  EXPECT_EQ(sent, (std::vector<std::string>{"DNSVersionBindReq", "NBTStat", "SNMPv1public",
                                            "DNSStatusRequest", "NTPRequest"}));
  EXPECT_FALSE(port.service());
  // At intensity 3 only the rarity-1 probe is left for a port nothing lists.
  ProbeSequence light(probes_, Protocol::kUdp, 40000, ProbeSequenceOptions{3, 1500ms, 2000ms});
  ASSERT_TRUE(light.current());
  light.on_end("", ProbeEnd::kTimeout);
  EXPECT_TRUE(light.finished());
}

TEST_F(ProbeSequenceTest, UdpPortUnreachableEndsTheSequence) {
  ProbeSequence port(probes_, Protocol::kUdp, 161, ProbeSequenceOptions{7, 1500ms, 2000ms});
  ASSERT_TRUE(port.current());
  EXPECT_EQ(port.current()->probe->name, "SNMPv1public");
  port.on_end("", ProbeEnd::kConnectFailed);
  EXPECT_TRUE(port.finished());
  EXPECT_FALSE(port.service());
}

TEST_F(ProbeSequenceTest, UdpUnmatchedAnswerMovesOnAndAnSslMatchIsFinal) {
  const ServiceProbes probes = ServiceProbes::parse(R"(Exclude U:9999
Probe UDP First q|a|
rarity 1
softmatch thing m|^T|
Probe UDP Dtls q|b|
rarity 2
match ssl m|^\x16\xfe[\xfd\xff]|s p/DTLS/
Probe TCP Other q|c|
rarity 1
)",
                                                    "test");
  ASSERT_TRUE(probes.problems().empty()) << probes.problems().front().reason;
  ProbeSequence port(probes, Protocol::kUdp, 4433, {});
  EXPECT_FALSE(port.on_answer("garbage"));
  port.on_end("garbage", ProbeEnd::kTimeout);
  ASSERT_TRUE(port.current());
  EXPECT_EQ(port.current()->probe->name, "Dtls");
  EXPECT_FALSE(port.current()->tls);
  // DTLS cannot be probed inside like TLS: the ssl match is the answer.
  EXPECT_TRUE(port.on_answer("\x16\xfe\xfd\0\0"sv));
  EXPECT_TRUE(port.finished());
  ASSERT_TRUE(port.service());
  EXPECT_EQ(port.service()->service, "ssl");
  EXPECT_EQ(port.service()->product, "DTLS");
  EXPECT_FALSE(port.saw_tls());

  // A softmatch skips the UDP probes that cannot name it, as on TCP.
  ProbeSequence soft(probes, Protocol::kUdp, 4433, {});
  EXPECT_FALSE(soft.on_answer("Thing"));
  soft.on_end("Thing", ProbeEnd::kTimeout);
  EXPECT_TRUE(soft.finished());
  ASSERT_TRUE(soft.service());
  EXPECT_EQ(soft.service()->service, "thing");
  EXPECT_TRUE(soft.service()->soft);

  // Exclude U: applies to UDP only.
  EXPECT_TRUE(ProbeSequence(probes, Protocol::kUdp, 9999, {}).finished());
  EXPECT_FALSE(ProbeSequence(probes, Protocol::kTcp, 9999, {}).finished());
}

TEST(ProbeSequenceNmap, UdpPlanOfNmapsFileSendsTheProbesOfThePortFirst) {
  // nmap is installed by scripts/install-deps.sh; its file is read, never copied.
  Result<ServiceProbes> probes = ServiceProbes::load(std::string(kNmapServiceProbesPath));
  ASSERT_TRUE(probes) << probes.error().message;
  const auto first = [&](std::uint16_t port, std::size_t count) {
    ProbeSequence sequence(*probes, Protocol::kUdp, port, ProbeSequenceOptions{7, 1500ms, 2000ms});
    std::vector<std::string> names;
    while (names.size() < count && sequence.current()) {
      names.push_back(sequence.current()->probe->name);
      sequence.on_end("", ProbeEnd::kTimeout);
    }
    return names;
  };
  EXPECT_EQ(first(53, 3),
            (std::vector<std::string>{"DNSVersionBindReq", "DNSStatusRequest", "RPCCheck"}));
  EXPECT_EQ(first(123, 2), (std::vector<std::string>{"NTPRequest", "RPCCheck"}));
  EXPECT_EQ(first(161, 3),
            (std::vector<std::string>{"SNMPv1public", "SNMPv3GetRequest", "RPCCheck"}));
  // A port nothing lists: every UDP probe up to rarity 7, rarest last.
  const auto all = first(40000, 100);
  EXPECT_EQ(all.size(), probes->plan(Protocol::kUdp, 40000, false, 7).size());
  EXPECT_EQ(all.size(), 19u);
  EXPECT_EQ(all.front(), "RPCCheck");
}

}  // namespace
}  // namespace sentinel::scan
