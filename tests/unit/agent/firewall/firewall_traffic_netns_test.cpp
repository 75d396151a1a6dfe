// Real traffic through the enforced table: two network namespaces made by the test joined by a
// veth pair (nothing leaves them), a TCP listener in the one the policy is applied in, and
// connections from the other that succeed or fail as the policy and the blocks say.

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/firewall/nft_table.h"
#include "sentinel/firewall/nft_compiler.h"
#include "sentinel/firewall/policy_parser.h"
#include "tests/support/process.h"
#include "tests/unit/agent/firewall/netns_child.h"

namespace sentinel::agent::firewall {
namespace {

using namespace std::chrono_literals;
using test::ChildChecks;

// Addresses from the benchmarking range, only ever on the test's veth pair.
constexpr const char* kServer = "198.18.7.1";
constexpr const char* kPeer = "198.18.7.2";
constexpr int kPort = 8080;

std::string policy(const char* input_rules) {
  const std::string json =
      std::string(R"({"chains": {"input": {"policy": "drop", "rules": [)") + input_rules + "]}}}";
  auto parsed = sentinel::firewall::parse_policy(json);
  if (!parsed.ok()) return "invalid policy";
  auto text = sentinel::firewall::compile_nft(parsed.document);
  return text ? *text : "uncompilable";
}

bool run(const std::vector<std::string>& argv, ChildChecks& checks) {
  auto output = sentinel::test::run_command(argv, {}, {}, std::chrono::seconds(20));
  std::string line;
  for (const auto& a : argv) line += a + " ";
  CHILD_CHECK(checks, output && output->exit_code == 0, line << (output ? output->err : ""));
  return output && output->exit_code == 0;
}

// The peer namespace: a process that unshared its network namespace and waits for its
// lifeline to close.
struct PeerNamespace {
  pid_t pid = -1;
  int lifeline = -1;
  std::string path() const { return "/proc/" + std::to_string(pid) + "/ns/net"; }
  ~PeerNamespace() {
    if (lifeline >= 0) ::close(lifeline);
    if (pid > 0) ::waitpid(pid, nullptr, 0);
  }
};

bool start_peer(PeerNamespace& peer) {
  int ready[2];
  int lifeline[2];
  if (::pipe2(ready, O_CLOEXEC) != 0 || ::pipe2(lifeline, O_CLOEXEC) != 0) return false;
  peer.pid = ::fork();
  if (peer.pid == 0) {
    ::close(ready[0]);
    ::close(lifeline[1]);
    if (::unshare(CLONE_NEWNET) != 0) ::_exit(3);
    const char ok = 1;
    if (::write(ready[1], &ok, 1) != 1) ::_exit(4);
    char byte;
    while (::read(lifeline[0], &byte, 1) > 0) {
    }
    ::_exit(0);
  }
  ::close(ready[1]);
  ::close(lifeline[0]);
  peer.lifeline = lifeline[1];
  char byte = 0;
  const bool up = ::read(ready[0], &byte, 1) == 1;
  ::close(ready[0]);
  return up;
}

// Connects from inside `netns` to kServer:kPort; true when the handshake completes in 1 s.
bool connects_from(const std::string& netns) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int ns = ::open(netns.c_str(), O_RDONLY | O_CLOEXEC);
    if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0) ::_exit(2);
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(kPort);
    ::inet_pton(AF_INET, kServer, &to.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0) ::_exit(0);
    if (errno != EINPROGRESS) ::_exit(1);
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, 1000) != 1) ::_exit(1);
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
    ::_exit(error == 0 ? 0 : 1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(FirewallTrafficNetns, PolicyAndBlocksDecideWhatConnects) {
  RUN_IN_NEW_NETNS([](ChildChecks& checks) {
    PeerNamespace peer;
    CHILD_CHECK(checks, start_peer(peer), "no peer namespace");
    if (peer.pid <= 0) return;
    const std::string pid = std::to_string(peer.pid);
    const std::string in_peer = "--net=" + peer.path();
    if (!run({"ip", "link", "set", "lo", "up"}, checks) ||
        !run({"ip", "link", "add", "fw0", "type", "veth", "peer", "name", "fw1", "netns", pid},
             checks) ||
        !run({"ip", "addr", "add", std::string(kServer) + "/24", "dev", "fw0"}, checks) ||
        !run({"ip", "link", "set", "fw0", "up"}, checks) ||
        !run({"nsenter", in_peer, "--", "ip", "addr", "add", std::string(kPeer) + "/24", "dev",
              "fw1"},
             checks) ||
        !run({"nsenter", in_peer, "--", "ip", "link", "set", "fw1", "up"}, checks)) {
      return;
    }
    // The kernel completes handshakes into the backlog: no accept loop needed.
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_port = htons(kPort);
    ::inet_pton(AF_INET, kServer, &at.sin_addr);
    CHILD_CHECK(checks,
                ::bind(listener, reinterpret_cast<sockaddr*>(&at), sizeof at) == 0 &&
                    ::listen(listener, 64) == 0,
                "listener");

    CHILD_CHECK(checks, connects_from(peer.path()), "no connection without any policy");
    auto table = NftTable::create();
    if (!table) return checks.fail(__FILE__, __LINE__, table.error().message);

    const std::string accepting =
        policy(R"({"id": "web", "protocol": "tcp", "ports": 8080, "action": "accept"})");
    const std::string dropping =
        policy(R"({"id": "ssh", "protocol": "tcp", "ports": 22, "action": "accept"})");
    CHILD_CHECK(checks, (*table)->apply(accepting), "");
    CHILD_CHECK(checks, connects_from(peer.path()), "accepted port refused");
    CHILD_CHECK(checks, (*table)->apply(dropping), "");
    CHILD_CHECK(checks, !connects_from(peer.path()), "dropped port connected");
    CHILD_CHECK(checks, (*table)->apply(accepting), "");
    CHILD_CHECK(checks, connects_from(peer.path()), "accepted again: refused");
    CHILD_CHECK(checks, (*table)->add_block(kPeer, 60s), "");
    CHILD_CHECK(checks, !connects_from(peer.path()), "blocked peer connected");
    CHILD_CHECK(checks, (*table)->remove_block(kPeer), "");
    CHILD_CHECK(checks, connects_from(peer.path()), "unblocked peer refused");
    ::close(listener);
  });
}

}  // namespace
}  // namespace sentinel::agent::firewall
