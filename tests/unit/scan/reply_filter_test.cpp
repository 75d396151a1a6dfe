// The BPF reply filters, run by the kernel's own BPF interpreter on a Unix datagram socket
// pair (a filter sees a datagram's bytes as a cooked packet socket sees a packet: network
// header first). No network and no privileges needed.

#include "src/scan/reply_filter.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <vector>

#include "src/scan/probe_packets.h"

namespace sentinel::scan {
namespace {

constexpr std::uint16_t kOurPort = 40000;
constexpr std::uint16_t kOurRetryPort = 40123;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

/// A socket pair whose receiving end runs a filter.
class FilteredPair {
 public:
  FilteredPair(AddressFamily family, const ReplyFilterSpec& spec) {
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds_), 0);
    const auto code = reply_filter(family, spec);
    const sock_fprog program{static_cast<unsigned short>(code.size()),
                             const_cast<sock_filter*>(code.data())};
    EXPECT_EQ(setsockopt(fds_[1], SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof(program)), 0)
        << "the kernel refused the program";
  }
  ~FilteredPair() {
    close(fds_[0]);
    close(fds_[1]);
  }

  /// The bytes that pass, or -1 when the filter drops the packet.
  long passes(const std::vector<std::uint8_t>& packet) {
    EXPECT_EQ(send(fds_[0], packet.data(), packet.size(), 0), static_cast<long>(packet.size()));
    std::array<std::uint8_t, 2048> buffer{};
    const long got = recv(fds_[1], buffer.data(), buffer.size(), MSG_DONTWAIT);
    return got;
  }
  bool accepts(const std::vector<std::uint8_t>& packet) { return passes(packet) > 0; }

 private:
  int fds_[2] = {-1, -1};
};

std::vector<std::uint8_t> packet(ProbeKind kind, IpAddress from, IpAddress to,
                                 std::uint16_t from_port, std::uint16_t to_port) {
  ProbePacket probe;
  probe.source = from;
  probe.destination = to;
  probe.kind = kind;
  probe.source_port = from_port;
  probe.destination_port = to_port;
  probe.cookie = 0x01020304;
  std::array<std::uint8_t, kMaxProbeBytes> buffer{};
  const std::size_t length = build_probe(probe, buffer);
  return {buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length)};
}

/// An answer from the target's port to one of ours (a SYN probe built backwards serves: the
/// filter looks at ports and protocols only).
std::vector<std::uint8_t> tcp_to(std::uint16_t port, bool v6 = false) {
  return v6 ? packet(ProbeKind::kTcpSyn, ip("2001:db8::2"), ip("2001:db8::1"), 443, port)
            : packet(ProbeKind::kTcpSyn, ip("198.51.100.7"), ip("192.0.2.1"), 443, port);
}

/// An ICMP(v6) error of `type` quoting `quoted` (whole).
std::vector<std::uint8_t> icmp_error(const std::vector<std::uint8_t>& quoted, bool v6,
                                     std::uint8_t type = 0) {
  std::vector<std::uint8_t> out;
  const std::uint8_t icmp_type = type != 0 ? type : (v6 ? 1 : 3);
  if (v6) {
    const std::size_t payload = 8 + quoted.size();
    out = {
        0x60, 0, 0, 0, static_cast<std::uint8_t>(payload >> 8), static_cast<std::uint8_t>(payload),
        58,   64};
    out.resize(40, 0x11);
  } else {
    const std::size_t total = 20 + 8 + quoted.size();
    out = {0x45,
           0,
           static_cast<std::uint8_t>(total >> 8),
           static_cast<std::uint8_t>(total),
           0,
           0,
           0,
           0,
           64,
           1,
           0,
           0};
    out.resize(20, 0x22);
  }
  const std::vector<std::uint8_t> header{icmp_type, 1, 0, 0, 0, 0, 0, 0};
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), quoted.begin(), quoted.end());
  return out;
}

/// An IPv4 packet with 4 bytes of IP options (IHL 6): the filter must find TCP after them.
std::vector<std::uint8_t> with_ip_options(std::vector<std::uint8_t> v4) {
  v4[0] = 0x46;
  const std::size_t total = v4.size() + 4;
  v4[2] = static_cast<std::uint8_t>(total >> 8);
  v4[3] = static_cast<std::uint8_t>(total);
  const std::vector<std::uint8_t> options{1, 1, 1, 0};
  v4.insert(v4.begin() + 20, options.begin(), options.end());
  return v4;
}

ReplyFilterSpec ports_only() { return {{kOurPort, kOurRetryPort}, false}; }
ReplyFilterSpec with_echo() { return {{kOurPort, kOurRetryPort}, true}; }

TEST(ReplyFilter, Ipv4PassesTcpToOurPortsOnly) {
  FilteredPair pair(AddressFamily::kIpv4, ports_only());
  EXPECT_TRUE(pair.accepts(tcp_to(kOurPort)));
  EXPECT_TRUE(pair.accepts(tcp_to(kOurRetryPort)));
  EXPECT_FALSE(pair.accepts(tcp_to(kOurPort + 1)));
  EXPECT_FALSE(pair.accepts(tcp_to(443)));
  EXPECT_TRUE(pair.accepts(with_ip_options(tcp_to(kOurPort))));
  EXPECT_FALSE(pair.accepts(with_ip_options(tcp_to(kOurPort + 1))));
  auto fragment = tcp_to(kOurPort);
  fragment[7] = 0x10;  // fragment offset 16 bytes: TCP ports are not where they seem
  EXPECT_FALSE(pair.accepts(fragment));
  auto udp = tcp_to(kOurPort);
  udp[9] = 17;
  EXPECT_FALSE(pair.accepts(udp));
}

TEST(ReplyFilter, Ipv4PassesIcmpErrorsQuotingOurProbes) {
  FilteredPair pair(AddressFamily::kIpv4, ports_only());
  const auto ours = packet(ProbeKind::kTcpSyn, ip("192.0.2.1"), ip("198.51.100.7"), kOurPort, 443);
  const auto theirs = packet(ProbeKind::kTcpSyn, ip("192.0.2.1"), ip("198.51.100.7"), 5555, 443);
  EXPECT_TRUE(pair.accepts(icmp_error(ours, false)));
  EXPECT_FALSE(pair.accepts(icmp_error(theirs, false)));
  EXPECT_TRUE(pair.accepts(icmp_error(with_ip_options(ours), false)))
      << "the quoted header length is read, not assumed";
  EXPECT_FALSE(pair.accepts(icmp_error(ours, false, 11))) << "time exceeded is not used";
  const auto echo = packet(ProbeKind::kIcmpEcho, ip("192.0.2.1"), ip("198.51.100.7"), 0, 0);
  EXPECT_FALSE(pair.accepts(icmp_error(echo, false))) << "no ping probes in this scan";
}

TEST(ReplyFilter, EchoRepliesPassOnlyWhenPinging) {
  auto reply = packet(ProbeKind::kIcmpEcho, ip("198.51.100.7"), ip("192.0.2.1"), 0, 0);
  reply[20] = 0;  // type 0: echo reply
  const auto request = packet(ProbeKind::kIcmpEcho, ip("198.51.100.7"), ip("192.0.2.1"), 0, 0);
  const auto quoted_echo =
      icmp_error(packet(ProbeKind::kIcmpEcho, ip("192.0.2.1"), ip("198.51.100.7"), 0, 0), false);
  FilteredPair without(AddressFamily::kIpv4, ports_only());
  EXPECT_FALSE(without.accepts(reply));
  FilteredPair with(AddressFamily::kIpv4, with_echo());
  EXPECT_TRUE(with.accepts(reply));
  EXPECT_FALSE(with.accepts(request));
  EXPECT_TRUE(with.accepts(quoted_echo));
  EXPECT_TRUE(with.accepts(tcp_to(kOurPort)));
}

TEST(ReplyFilter, Ipv6PassesTcpAndQuotesForOurPortsAndEchoReplies) {
  FilteredPair pair(AddressFamily::kIpv6, with_echo());
  EXPECT_TRUE(pair.accepts(tcp_to(kOurPort, true)));
  EXPECT_FALSE(pair.accepts(tcp_to(kOurPort + 1, true)));
  const auto ours =
      packet(ProbeKind::kTcpSyn, ip("2001:db8::1"), ip("2001:db8::2"), kOurRetryPort, 443);
  const auto theirs = packet(ProbeKind::kTcpSyn, ip("2001:db8::1"), ip("2001:db8::2"), 5555, 443);
  EXPECT_TRUE(pair.accepts(icmp_error(ours, true)));
  EXPECT_FALSE(pair.accepts(icmp_error(theirs, true)));
  auto reply = packet(ProbeKind::kIcmpEcho, ip("2001:db8::2"), ip("2001:db8::1"), 0, 0);
  reply[40] = 129;
  EXPECT_TRUE(pair.accepts(reply));
  auto hop_by_hop = tcp_to(kOurPort, true);
  hop_by_hop[6] = 0;
  EXPECT_FALSE(pair.accepts(hop_by_hop));
  FilteredPair no_echo(AddressFamily::kIpv6, ports_only());
  EXPECT_FALSE(no_echo.accepts(reply));
}

TEST(ReplyFilter, KeepsOnlyTheHeadOfLongPackets) {
  FilteredPair pair(AddressFamily::kIpv4, ports_only());
  auto long_packet = tcp_to(kOurPort);
  long_packet.resize(1400, 0xab);
  EXPECT_EQ(pair.passes(long_packet), static_cast<long>(kReplySnapLength));
}

}  // namespace
}  // namespace sentinel::scan
