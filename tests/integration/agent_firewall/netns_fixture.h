#pragma once
// A real server and real agents inside a network namespace the test creates (so an agent's
// nftables table is that namespace's, and the agent channel runs over its private loopback),
// and a peer namespace joined to it by a veth pair with private addresses, from which TCP
// connections to a listener on the agent's side succeed, are refused or are dropped. Nothing
// leaves the test's namespaces.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ostream>
#include <string>
#include <vector>

#include "tests/integration/agent_e2e/agent_fixture.h"

namespace sentinel::test {

// Only on the veth pair between the test's two namespaces (a /29: room for a few peers).
inline constexpr const char* kAgentAddress = "10.199.0.1";
inline constexpr const char* kPeerAddress = "10.199.0.2";
inline constexpr int kServicePort = 8080;

/// A command's output; exit code -1 (and the error in `err`) when it could not run.
inline CommandOutput shell(const std::vector<std::string>& argv, const std::string& input = {}) {
  auto out = run_command(argv, input, {}, std::chrono::seconds(30));
  return out ? *out : CommandOutput{-1, "", out.error().message};
}

/// What a TCP connection attempt from the peer namespace met.
enum class Probe { kConnected, kRefused, kDropped };

inline std::ostream& operator<<(std::ostream& out, Probe probe) {
  return out << (probe == Probe::kConnected ? "connected"
                 : probe == Probe::kRefused ? "refused"
                                            : "dropped");
}

/// Needs root: skips the test (with the reason) where network namespaces cannot be made. The
/// test's thread moves into a namespace of its own for the test (every process it starts goes
/// with it) and back in TearDown. Not thread-safe: setns and unshare act on the calling thread.
class NetnsAgentTest : public AgentTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      GTEST_SKIP() << "needs root to create network namespaces (CI runs as root)";
    }
    host_netns_ = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(host_netns_, 0);
    // This thread (and every process it starts: server, agent, nft, ip) moves to a namespace
    // of its own; TearDown moves it back. Only this thread: unshare is per task.
    if (::unshare(CLONE_NEWNET) != 0) {
      GTEST_SKIP() << "cannot create a network namespace: " << std::strerror(errno);
    }
    moved_ = true;
    ASSERT_EQ(shell({"ip", "link", "set", "lo", "up"}).exit_code, 0);
    start_peer();
    for (const std::vector<std::string>& step : std::vector<std::vector<std::string>>{
             {"ip", "link", "add", "fwa", "type", "veth", "peer", "name", "fwb", "netns",
              std::to_string(peer_pid_)},
             {"ip", "addr", "add", std::string(kAgentAddress) + "/29", "dev", "fwa"},
             {"ip", "link", "set", "fwa", "up"},
             {"nsenter", peer_netns_option(), "--", "ip", "link", "set", "fwb", "up"},
             {"nsenter", peer_netns_option(), "--", "ip", "link", "set", "lo", "up"}}) {
      const CommandOutput done = shell(step);
      ASSERT_EQ(done.exit_code, 0) << step[0] << " " << step[1] << ": " << done.err;
    }
    add_peer_address(kPeerAddress);
    if (HasFatalFailure()) return;
    start_listener();
    if (HasFatalFailure()) return;
    start_server(server_arguments());  // the server, inside the namespace
  }

  void TearDown() override {
    AgentTest::TearDown();
    if (listener_ >= 0) ::close(listener_);
    if (peer_lifeline_ >= 0) ::close(peer_lifeline_);
    if (peer_pid_ > 0) ::waitpid(peer_pid_, nullptr, 0);
    if (moved_ && ::setns(host_netns_, CLONE_NEWNET) != 0) {
      ADD_FAILURE() << "cannot return to the host namespace: " << std::strerror(errno);
    }
    if (host_netns_ >= 0) ::close(host_netns_);
  }

  /// Extra command-line arguments of the server; none unless a test needs some.
  virtual std::vector<std::string> server_arguments() { return {}; }

  /// Gives the peer namespace one more address of the /29, to connect from.
  void add_peer_address(const std::string& address) {
    const CommandOutput done = shell(
        {"nsenter", peer_netns_option(), "--", "ip", "addr", "add", address + "/29", "dev", "fwb"});
    ASSERT_EQ(done.exit_code, 0) << "ip addr add " << address << ": " << done.err;
  }

  /// A TCP connection from `from` (an address of the peer namespace) to the service port. A
  /// dropped SYN gets no answer at all: `silence` without one (by default the first SYN and two
  /// retransmissions' worth, on a veth pair that answers in microseconds) counts as dropped.
  Probe probe(const std::string& from = kPeerAddress,
              std::chrono::milliseconds silence = std::chrono::seconds(3)) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int ns =
          ::open(("/proc/" + std::to_string(peer_pid_) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC);
      if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0) ::_exit(9);
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      sockaddr_in source{};
      source.sin_family = AF_INET;
      if (::inet_pton(AF_INET, from.c_str(), &source.sin_addr) != 1 ||
          ::bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
        ::_exit(9);
      }
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_port = htons(kServicePort);
      ::inet_pton(AF_INET, kAgentAddress, &to.sin_addr);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0) ::_exit(0);
      if (errno != EINPROGRESS) ::_exit(errno == ECONNREFUSED ? 1 : 9);
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(silence.count())) != 1) ::_exit(2);
      int error = 0;
      socklen_t length = sizeof error;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
      ::_exit(error == 0 ? 0 : error == ECONNREFUSED ? 1 : 9);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    // Accepted connections are closed at once, so that the backlog never fills.
    while (true) {
      const int accepted = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (accepted < 0) break;
      ::close(accepted);
    }
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 9;
    EXPECT_NE(code, 9) << "the probe itself failed";
    return code == 0 ? Probe::kConnected : code == 1 ? Probe::kRefused : Probe::kDropped;
  }

  int host_netns_ = -1;
  bool moved_ = false;
  pid_t peer_pid_ = -1;
  int peer_lifeline_ = -1;
  int listener_ = -1;

 private:
  std::string peer_netns_option() const {
    return "--net=/proc/" + std::to_string(peer_pid_) + "/ns/net";
  }

  // A child that unshares its own namespace and lives until the lifeline closes.
  void start_peer() {
    int ready[2];
    int lifeline[2];
    ASSERT_EQ(::pipe2(ready, O_CLOEXEC), 0);
    ASSERT_EQ(::pipe2(lifeline, O_CLOEXEC), 0);
    peer_pid_ = ::fork();
    ASSERT_GE(peer_pid_, 0);
    if (peer_pid_ == 0) {
      ::close(ready[0]);
      ::close(lifeline[1]);
      if (::unshare(CLONE_NEWNET) != 0) ::_exit(3);
      const char up = 1;
      if (::write(ready[1], &up, 1) != 1) ::_exit(4);
      char byte;
      while (::read(lifeline[0], &byte, 1) > 0) {
      }
      ::_exit(0);
    }
    ::close(ready[1]);
    ::close(lifeline[0]);
    peer_lifeline_ = lifeline[1];
    char byte = 0;
    const bool up = ::read(ready[0], &byte, 1) == 1;
    ::close(ready[0]);
    ASSERT_TRUE(up) << "the peer namespace did not come up";
  }

  void start_listener() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    ASSERT_GE(listener_, 0);
    const int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_port = htons(kServicePort);
    ::inet_pton(AF_INET, kAgentAddress, &at.sin_addr);
    ASSERT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&at), sizeof at), 0)
        << std::strerror(errno);
    ASSERT_EQ(::listen(listener_, 128), 0);
  }
};

}  // namespace sentinel::test
