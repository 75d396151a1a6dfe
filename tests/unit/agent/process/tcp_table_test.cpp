// The TCP table: fixture /proc/net/tcp{,6} rows decode to the right addresses, ports, states and
// inodes, and on this machine sock_diag and the /proc text list the same live connection.

#include "agent/collectors/process/tcp_table.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>

#include "agent/collectors/inventory/system_files.h"

namespace sentinel::agent::process {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(SENTINEL_TEST_DATA) / "process";

std::string fixture(std::string_view name) {
  auto text = inventory::read_file(kFixtures / name);
  EXPECT_TRUE(text) << text.error().message;
  return text ? *text : std::string();
}

TEST(TcpTable, ParsesProcNetTcp6Rows) {
  auto sockets = parse_tcp_table(fixture("tcp6"), /*ipv6=*/true);
  ASSERT_TRUE(sockets) << sockets.error().message;
  ASSERT_EQ(sockets->size(), 5u);

  const TcpSocket& listener = (*sockets)[0];
  EXPECT_EQ(address_text(listener.local_address), "::");
  EXPECT_TRUE(is_unspecified(listener.local_address));
  EXPECT_EQ(listener.local_port, 22);
  EXPECT_EQ(listener.state, static_cast<int>(TcpState::kListen));
  EXPECT_EQ(listener.inode, 21123u);

  // An IPv4 peer of a dual-stack socket reads as IPv4.
  const TcpSocket& mapped = (*sockets)[1];
  EXPECT_TRUE(is_ipv4(mapped.local_address));
  EXPECT_EQ(address_text(mapped.local_address), "127.0.0.1");
  EXPECT_EQ(mapped.local_port, 8080);
  EXPECT_EQ(address_text(mapped.remote_address), "127.0.0.1");
  EXPECT_EQ(mapped.remote_port, 54321);
  EXPECT_EQ(mapped.state, static_cast<int>(TcpState::kEstablished));
  EXPECT_EQ(mapped.uid, 33u);
  EXPECT_EQ(mapped.inode, 40001u);

  const TcpSocket& ssh = (*sockets)[2];
  EXPECT_FALSE(is_ipv4(ssh.local_address));
  EXPECT_EQ(address_text(ssh.local_address), "2001:db8::10");
  EXPECT_EQ(address_text(ssh.remote_address), "2001:db8::1");
  EXPECT_EQ(ssh.remote_port, 58052);

  const TcpSocket& time_wait = (*sockets)[3];
  EXPECT_EQ(address_text(time_wait.local_address), "::1");
  EXPECT_EQ(time_wait.state, static_cast<int>(TcpState::kTimeWait));
  EXPECT_EQ(time_wait.inode, 0u);

  const TcpSocket& attempt = (*sockets)[4];
  EXPECT_EQ(address_text(attempt.remote_address), "2001:db8::fe");
  EXPECT_EQ(attempt.remote_port, 443);
  EXPECT_EQ(attempt.state, static_cast<int>(TcpState::kSynSent));
  EXPECT_EQ(attempt.uid, 1000u);
}

TEST(TcpTable, ParsesProcNetTcpRows) {
  auto sockets = parse_tcp_table(fixture("tcp"), /*ipv6=*/false);
  ASSERT_TRUE(sockets) << sockets.error().message;
  ASSERT_EQ(sockets->size(), 2u);
  EXPECT_EQ(address_text((*sockets)[1].local_address), "10.0.0.10");
  EXPECT_EQ((*sockets)[1].local_port, 42000);
  EXPECT_EQ(address_text((*sockets)[1].remote_address), "10.0.0.1");
  EXPECT_EQ((*sockets)[1].remote_port, 80);
}

TEST(TcpTable, RejectsMalformedRowsNamingTheLine) {
  // A remote address one hex digit short.
  const std::string text =
      "header\n"
      "   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A "
      "00000000:00000000 00:00000000 00000000     0        0 21123 1\n"
      "   1: 00000000000000000000000001000000:0016 0000000000000000000000000100000:0001 01 "
      "00000000:00000000 00:00000000 00000000     0        0 21124 1\n";
  auto sockets = parse_tcp_table(text, /*ipv6=*/true);
  ASSERT_FALSE(sockets);
  EXPECT_NE(sockets.error().message.find("line 3"), std::string::npos) << sockets.error().message;
}

// A connected pair on 127.0.0.1 owned by this test.
struct LoopbackPair {
  int listener = -1;
  int client = -1;
  int server = -1;
  std::uint16_t listen_port = 0;
  std::uint16_t client_port = 0;

  LoopbackPair() {
    listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener, 8) != 0 ||
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      ADD_FAILURE() << "listener: " << std::strerror(errno);
      return;
    }
    listen_port = ntohs(address.sin_port);
    client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ADD_FAILURE() << "connect: " << std::strerror(errno);
      return;
    }
    server = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    sockaddr_in local{};
    size = sizeof local;
    ::getsockname(client, reinterpret_cast<sockaddr*>(&local), &size);
    client_port = ntohs(local.sin_port);
  }
  ~LoopbackPair() {
    for (const int fd : {listener, client, server}) {
      if (fd >= 0) ::close(fd);
    }
  }
};

std::uint64_t inode_of(int fd) {
  struct stat info {};
  ::fstat(fd, &info);
  return info.st_ino;
}

std::optional<TcpSocket> find(const std::vector<TcpSocket>& sockets, std::uint16_t local_port,
                              std::uint16_t remote_port) {
  for (const TcpSocket& socket : sockets) {
    if (socket.local_port == local_port && socket.remote_port == remote_port) return socket;
  }
  return std::nullopt;
}

TEST(TcpTable, SockDiagAndProcNetListTheSameLiveConnection) {
  const LoopbackPair pair;
  ASSERT_GE(pair.server, 0);
  const std::uint32_t states = state_bit(TcpState::kEstablished) | state_bit(TcpState::kListen);

  auto diag = SockDiag::open();
  ASSERT_TRUE(diag) << diag.error().message;
  auto from_diag = diag->dump(states);
  ASSERT_TRUE(from_diag) << from_diag.error().message;
  auto from_proc = read_proc_net_tcp("/proc", states);
  ASSERT_TRUE(from_proc) << from_proc.error().message;

  for (const auto* table : {&*from_diag, &*from_proc}) {
    const auto client = find(*table, pair.client_port, pair.listen_port);
    const auto server = find(*table, pair.listen_port, pair.client_port);
    ASSERT_TRUE(client && server);
    EXPECT_EQ(address_text(client->local_address), "127.0.0.1");
    EXPECT_EQ(address_text(server->remote_address), "127.0.0.1");
    EXPECT_EQ(client->state, static_cast<int>(TcpState::kEstablished));
    EXPECT_EQ(client->inode, inode_of(pair.client));
    EXPECT_EQ(server->inode, inode_of(pair.server));
    EXPECT_EQ(client->uid, ::getuid());
    const auto listener = find(*table, pair.listen_port, 0);
    ASSERT_TRUE(listener);
    EXPECT_EQ(listener->state, static_cast<int>(TcpState::kListen));
  }
  // The kernel filtered by state: nothing else came back.
  for (const TcpSocket& socket : *from_diag) {
    EXPECT_TRUE(socket.state == static_cast<int>(TcpState::kEstablished) ||
                socket.state == static_cast<int>(TcpState::kListen));
  }
}

}  // namespace
}  // namespace sentinel::agent::process
