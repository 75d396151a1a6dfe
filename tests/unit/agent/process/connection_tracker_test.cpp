// The connection tracker: on this machine a connection the test makes on 127.0.0.1 comes out as
// one inbound and one outbound network.connection owned by the test; the first poll is silent;
// on a fixture /proc tree, direction, owner and the wait for a not-yet-accepted connection.

#include "agent/collectors/process/connection_tracker.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "agent/collectors/process/stats_events.h"
#include "tests/support/temp_dir.h"

namespace sentinel::agent::process {
namespace {

using FieldMap = std::map<std::string, std::string>;

FieldMap fields_of(const CollectedEvent& event) {
  FieldMap fields;
  for (const detection::Field& field : event.fields) {
    EXPECT_TRUE(fields.emplace(field.name, field.value).second) << "twice: " << field.name;
  }
  return fields;
}

std::string field(const FieldMap& fields, const std::string& name) {
  const auto found = fields.find(name);
  return found == fields.end() ? std::string("<absent>") : found->second;
}

// A listener on 127.0.0.1 and, once connect() is called, a client and its accepted peer.
class Loopback {
 public:
  Loopback() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    address_.sin_family = AF_INET;
    address_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address_;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address_), sizeof address_) != 0 ||
        ::listen(listener_, 8) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address_), &size) != 0) {
      ADD_FAILURE() << "listener: " << std::strerror(errno);
    }
  }
  ~Loopback() {
    for (const int fd : {listener_, client_, server_}) {
      if (fd >= 0) ::close(fd);
    }
  }

  void connect() {
    client_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (::connect(client_, reinterpret_cast<sockaddr*>(&address_), sizeof address_) != 0) {
      ADD_FAILURE() << "connect: " << std::strerror(errno);
      return;
    }
    server_ = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    sockaddr_in local{};
    socklen_t size = sizeof local;
    ::getsockname(client_, reinterpret_cast<sockaddr*>(&local), &size);
    client_port_ = std::to_string(ntohs(local.sin_port));
  }

  std::string listen_port() const { return std::to_string(ntohs(address_.sin_port)); }
  const std::string& client_port() const { return client_port_; }

  // Whether an event is about this pair's connection.
  bool ours(const FieldMap& event) const {
    const std::string ports[2] = {field(event, "source.port"), field(event, "destination.port")};
    return (ports[0] == client_port_ && ports[1] == listen_port()) ||
           (ports[1] == client_port_ && ports[0] == listen_port());
  }

 private:
  sockaddr_in address_{};
  int listener_ = -1;
  int client_ = -1;
  int server_ = -1;
  std::string client_port_;
};

std::vector<FieldMap> poll_once(ConnectionTracker& tracker) {
  std::vector<CollectedEvent> events;
  const Status polled = tracker.poll(events);
  EXPECT_TRUE(polled) << polled.error().message;
  std::vector<FieldMap> maps;
  for (const CollectedEvent& event : events) {
    EXPECT_EQ(event.type, "network.connection");
    maps.push_back(fields_of(event));
  }
  return maps;
}

TEST(ConnectionTracker, ReportsBothEndsOfANewLoopbackConnection) {
  auto tracker = ConnectionTracker::create();
  ASSERT_TRUE(tracker) << tracker.error().message;
  EXPECT_EQ(tracker->source(), TcpTableSource::kSockDiag);
  Loopback loopback;
  poll_once(*tracker);  // the baseline
  loopback.connect();

  // Connected and accepted before the poll: both ends are in the very next table. Other
  // programs on this machine may connect too, so only this pair's events are looked at.
  std::vector<FieldMap> ours;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ours.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    for (const FieldMap& event : poll_once(*tracker)) {
      if (loopback.ours(event)) ours.push_back(event);
    }
  }
  ASSERT_EQ(ours.size(), 2u);
  const FieldMap& inbound = field(ours[0], "network.direction") == "inbound" ? ours[0] : ours[1];
  const FieldMap& outbound = field(ours[0], "network.direction") == "inbound" ? ours[1] : ours[0];
  EXPECT_EQ(field(inbound, "network.direction"), "inbound");
  EXPECT_EQ(field(outbound, "network.direction"), "outbound");

  const std::string self = std::to_string(::getpid());
  const std::string executable = std::filesystem::canonical("/proc/self/exe").string();
  for (const FieldMap* event : {&inbound, &outbound}) {
    EXPECT_EQ(field(*event, "network.transport"), "tcp");
    EXPECT_EQ(field(*event, "network.type"), "ipv4");
    EXPECT_EQ(field(*event, "source.ip"), "127.0.0.1");
    EXPECT_EQ(field(*event, "destination.ip"), "127.0.0.1");
    // Whoever initiated is the source: the client, on both ends.
    EXPECT_EQ(field(*event, "source.port"), loopback.client_port());
    EXPECT_EQ(field(*event, "destination.port"), loopback.listen_port());
    EXPECT_EQ(field(*event, "process.pid"), self);
    EXPECT_EQ(field(*event, "process.executable"), executable);
    EXPECT_EQ(field(*event, "process.name"), std::filesystem::path(executable).filename().string());
    EXPECT_EQ(field(*event, "user.id"), std::to_string(::getuid()));
    if (::getuid() == 0) EXPECT_EQ(field(*event, "user.name"), "root");
  }

  // Reported once: still open at the next poll, it is no longer new.
  for (const FieldMap& event : poll_once(*tracker)) EXPECT_FALSE(loopback.ours(event));
}

TEST(ConnectionTracker, TheFirstPollIsASilentBaseline) {
  Loopback loopback;
  loopback.connect();
  for (const TcpTableSource source : {TcpTableSource::kSockDiag, TcpTableSource::kProcNet}) {
    ConnectionTrackerOptions options;
    options.source = source;
    auto tracker = ConnectionTracker::create(options);
    ASSERT_TRUE(tracker) << tracker.error().message;
    EXPECT_TRUE(poll_once(*tracker).empty());
    for (const FieldMap& event : poll_once(*tracker)) EXPECT_FALSE(loopback.ours(event));
    EXPECT_EQ(tracker->stats().polls, 2u);
  }
}

// A fake /proc: net/tcp{,6} rewritten between polls, processes as fd and exe symlinks.
class FixtureProc {
 public:
  FixtureProc() {
    std::filesystem::create_directories(root() / "net");
    std::filesystem::copy_file(std::filesystem::path(SENTINEL_TEST_DATA) / "process" / "passwd",
                               root() / "passwd");
  }
  const std::filesystem::path& root() const { return directory_.path(); }

  void tables(const std::string& tcp, const std::string& tcp6) {
    static constexpr std::string_view kHeader = "  sl  local_address rem_address   st ...\n";
    std::ofstream(root() / "net" / "tcp", std::ios::trunc) << kHeader << tcp;
    std::ofstream(root() / "net" / "tcp6", std::ios::trunc) << kHeader << tcp6;
  }

  void process(int pid, const std::string& comm, const std::string& executable,
               std::uint64_t socket_inode) {
    const auto directory = root() / std::to_string(pid);
    std::filesystem::create_directories(directory / "fd");
    std::filesystem::create_symlink("socket:[" + std::to_string(socket_inode) + "]",
                                    directory / "fd" / "3");
    std::filesystem::create_symlink(executable, directory / "exe");
    std::ofstream(directory / "stat") << pid << " (" << comm
                                      << ") S 1 1 1 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 100 "
                                         "1000 100 18446744073709551615\n";
    std::ofstream(directory / "status") << "Name:\t" << comm << "\nUid:\t0\t0\t0\t0\n";
  }

 private:
  test::TempDir directory_{"connection-tracker"};
};

// Rows of /proc/net/tcp6 (little-endian words, as on this machine).
constexpr std::string_view kSshListener =
    "   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000     0        0 21123 1\n";
constexpr std::string_view kOldConnection =
    "   1: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:D431 01 "
    "00000000:00000000 00:00000000 00000000    33        0 40001 1\n";
constexpr std::string_view kSshSession =
    "   2: B80D0120000000000000000010000000:0016 B80D0120000000000000000001000000:E2C4 01 "
    "00000000:00000000 02:0009A3B1 00000000     0        0 40002 4\n";
constexpr std::string_view kHttpsAttempt =
    "   4: B80D0120000000000000000010000000:C350 B80D01200000000000000000FE000000:01BB 02 "
    "00000000:00000000 01:00000064 00000002  1000        0 40003 1\n";
// 127.0.0.1:8000 listening, and a connection to it still in the accept queue (inode 0).
constexpr std::string_view kWebListener =
    "   0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
    "30001 1\n";
constexpr std::string_view kQueuedClient =
    "   1: 0100007F:1F40 0100007F:A028 01 00000000:00000000 00:00000000 00000000     0        0 "
    "0 1\n";

TEST(ConnectionTracker, DirectionOwnerAndAcceptQueueOnAFixtureTree) {
  FixtureProc proc;
  proc.process(4242, "sshd", "/usr/sbin/sshd", 40002);
  proc.process(5151, "curl", "/usr/bin/curl", 40003);
  ConnectionTrackerOptions options;
  options.proc = proc.root();
  options.passwd = proc.root() / "passwd";
  options.source = TcpTableSource::kProcNet;
  auto tracker = ConnectionTracker::create(options);
  ASSERT_TRUE(tracker) << tracker.error().message;
  EXPECT_EQ(tracker->source(), TcpTableSource::kProcNet);

  proc.tables(std::string(kWebListener), std::string(kSshListener) + std::string(kOldConnection));
  EXPECT_TRUE(poll_once(*tracker).empty());

  proc.tables(std::string(kWebListener) + std::string(kQueuedClient),
              std::string(kSshListener) + std::string(kOldConnection) + std::string(kSshSession) +
                  std::string(kHttpsAttempt));
  auto events = poll_once(*tracker);
  ASSERT_EQ(events.size(), 2u);  // the queued client waits for its server to accept it
  const FieldMap& ssh = events[0];
  EXPECT_EQ(field(ssh, "network.direction"), "inbound");
  EXPECT_EQ(field(ssh, "network.type"), "ipv6");
  EXPECT_EQ(field(ssh, "source.ip"), "2001:db8::1");
  EXPECT_EQ(field(ssh, "source.port"), "58052");
  EXPECT_EQ(field(ssh, "destination.ip"), "2001:db8::10");
  EXPECT_EQ(field(ssh, "destination.port"), "22");
  EXPECT_EQ(field(ssh, "process.pid"), "4242");
  EXPECT_EQ(field(ssh, "process.name"), "sshd");
  EXPECT_EQ(field(ssh, "process.executable"), "/usr/sbin/sshd");
  EXPECT_EQ(field(ssh, "user.name"), "root");
  const FieldMap& https = events[1];
  EXPECT_EQ(field(https, "network.direction"), "outbound");
  EXPECT_EQ(field(https, "source.ip"), "2001:db8::10");
  EXPECT_EQ(field(https, "source.port"), "50000");
  EXPECT_EQ(field(https, "destination.ip"), "2001:db8::fe");
  EXPECT_EQ(field(https, "destination.port"), "443");
  EXPECT_EQ(field(https, "process.pid"), "5151");
  EXPECT_EQ(field(https, "process.executable"), "/usr/bin/curl");
  EXPECT_EQ(field(https, "user.id"), "1000");
  EXPECT_EQ(field(https, "user.name"), "alice");

  // Still not accepted a poll later: reported without an owner.
  events = poll_once(*tracker);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(field(events[0], "network.direction"), "inbound");
  EXPECT_EQ(field(events[0], "source.port"), "41000");
  EXPECT_EQ(field(events[0], "destination.port"), "8000");
  EXPECT_EQ(field(events[0], "process.pid"), "<absent>");
  EXPECT_EQ(tracker->stats().owners_unknown, 1u);

  EXPECT_TRUE(poll_once(*tracker).empty());
  EXPECT_EQ(tracker->stats().connections, 3u);
}

TEST(ConnectionTracker, CapsEventsPerPoll) {
  FixtureProc proc;
  ConnectionTrackerOptions options;
  options.proc = proc.root();
  options.passwd = proc.root() / "passwd";
  options.source = TcpTableSource::kProcNet;
  options.max_events_per_poll = 1;
  auto tracker = ConnectionTracker::create(options);
  ASSERT_TRUE(tracker) << tracker.error().message;
  proc.tables("", "");
  EXPECT_TRUE(poll_once(*tracker).empty());
  proc.tables("", std::string(kSshSession) + std::string(kHttpsAttempt));
  EXPECT_EQ(poll_once(*tracker).size(), 1u);
  EXPECT_EQ(tracker->stats().events_dropped, 1u);
  EXPECT_EQ(tracker->stats().owners_unknown, 1u);
  const FieldMap counters = fields_of(stats_event(tracker->stats(), 1234));
  EXPECT_EQ(field(counters, "collector.name"), "connections");
  EXPECT_EQ(field(counters, "collector.events_dropped"), "1");
  EXPECT_EQ(field(counters, "collector.polls"), "2");
}

}  // namespace
}  // namespace sentinel::agent::process
