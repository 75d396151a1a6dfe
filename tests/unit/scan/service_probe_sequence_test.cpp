// The per-port decisions of service detection, driven with made-up answers: which probe comes
// next, on which connection, and what the port is called in the end.

#include "src/scan/service_probe_sequence.h"

#include <gtest/gtest.h>

#include <string>

namespace sentinel::scan {
namespace {

using namespace std::chrono_literals;

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

}  // namespace
}  // namespace sentinel::scan
