// The scan test bed (tests/scanbed) as a scanner meets it: the truth file it writes matches what
// answers on the wire (every recorded port accepts, others refuse), the services greet like the
// real servers, the hostile listeners misbehave as recorded, and every connection is bounded.
// All traffic stays on 127.78.0.0/16.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <thread>
#include <utility>

#include "tests/integration/scanbed/scanbed_process.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace sentinel::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kBase[] = "127.78.0.0";
constexpr int kHosts = 40;
constexpr char kSeed[] = "11";
constexpr int kDeadlineSeconds = 3;
constexpr int kHostileDeadlineSeconds = 300;
// A client wait that no run reaches: what ends such a read is the bed (an amount of data, or it
// closing the connection), never the machine's speed; a bed that did neither would leave the
// read to the test's timeout.
constexpr std::chrono::hours kUntilTheBedActs{1};

// A client socket to the bed; closed on destruction.
class Client {
 public:
  Client() = default;
  explicit Client(int fd) : fd_(fd) {}
  Client(Client&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Client& operator=(Client&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~Client() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return fd_ >= 0; }

  bool send(std::string_view data) const {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads until `done` says so, the peer closes, `timeout` passes or `limit` bytes (or a chunk
  // more) have arrived.
  template <typename Done>
  std::string receive(std::chrono::milliseconds timeout, std::size_t limit, Done done) {
    std::string data;
    closed_ = false;
    const auto until = Clock::now() + timeout;
    char chunk[65536];
    while (data.size() < limit && !done(data)) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
      if (left <= 0) break;
      pollfd ready{fd_, POLLIN, 0};
      if (::poll(&ready, 1, static_cast<int>(left)) <= 0) continue;
      const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      data.append(chunk, static_cast<std::size_t>(n));
    }
    return data;
  }
  std::string receive_for(std::chrono::milliseconds timeout, std::size_t limit = 1 << 20) {
    return receive(timeout, limit, [](const std::string&) { return false; });
  }
  std::string receive_line(std::chrono::milliseconds timeout) {
    std::string data = receive(timeout, 4096, [](const std::string& text) {
      return text.find('\n') != std::string::npos;
    });
    return data.substr(0, data.find('\n'));
  }
  // Whether the last receive ended because the peer closed (or reset) the connection.
  bool closed_by_peer() const { return closed_; }

 private:
  int fd_ = -1;
  bool closed_ = false;
};

enum class Dial { kAccepted, kRefused, kOther };

std::pair<Dial, Client> dial(const std::string& address, int port) {
  sockaddr_in target{};
  target.sin_family = AF_INET;
  target.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, address.c_str(), &target.sin_addr);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {Dial::kOther, Client()};
  timeval timeout{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&target), sizeof(target)) == 0) {
    return {Dial::kAccepted, Client(fd)};
  }
  const Dial outcome = errno == ECONNREFUSED ? Dial::kRefused : Dial::kOther;
  ::close(fd);
  return {outcome, Client()};
}

Client connect_or_fail(const std::string& address, int port) {
  auto [outcome, client] = dial(address, port);
  EXPECT_EQ(outcome, Dial::kAccepted) << address << ":" << port;
  return std::move(client);
}

const boost::json::object* find_port(const boost::json::value& truth, std::string_view service) {
  for (const auto& host : truth.at("hosts").as_array()) {
    for (const auto& port : host.at("ports").as_array()) {
      if (port.at("service").as_string() == service) return &port.as_object();
    }
  }
  return nullptr;
}

std::string address_of(const boost::json::value& truth, const boost::json::object& wanted) {
  for (const auto& host : truth.at("hosts").as_array()) {
    for (const auto& port : host.at("ports").as_array()) {
      if (&port.as_object() == &wanted) return std::string(host.at("address").as_string());
    }
  }
  return {};
}

class ScanbedTest : public ::testing::Test {
 protected:
  // One bed for the whole suite: binding its listeners is the slow part.
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>("scanbed-test");
    truth_file_ = dir_->path() / "truth.json";
    bed_ = std::make_unique<ChildProcess>();
    ASSERT_TRUE(start_scanbed(dir_->path(),
                              {"--base", kBase, "--hosts", std::to_string(kHosts), "--seed", kSeed,
                               "--hostile", "--deadline", std::to_string(kDeadlineSeconds),
                               "--hostile-deadline", std::to_string(kHostileDeadlineSeconds)},
                              *bed_, truth_));
  }

  static void TearDownTestSuite() {
    if (bed_) {
      auto code = bed_->stop(SIGTERM, std::chrono::seconds(10));
      EXPECT_TRUE(code && *code == 0) << "scanbed did not stop cleanly";
    }
    bed_.reset();
    dir_.reset();
  }

  static std::unique_ptr<TempDir> dir_;
  static std::unique_ptr<ChildProcess> bed_;
  static std::filesystem::path truth_file_;
  static boost::json::value truth_;
};

std::unique_ptr<TempDir> ScanbedTest::dir_;
std::unique_ptr<ChildProcess> ScanbedTest::bed_;
std::filesystem::path ScanbedTest::truth_file_;
boost::json::value ScanbedTest::truth_;

TEST_F(ScanbedTest, TruthListsEveryHostWithNmapServiceNames) {
  const std::set<std::string> nmap_names = {"ssh",      "http",  "ssl/http",   "smtp",
                                            "ftp",      "pop3",  "ssl/pop3",   "imap",
                                            "ssl/imap", "mysql", "postgresql", "redis"};
  const auto& hosts = truth_.at("hosts").as_array();
  ASSERT_EQ(hosts.size(), static_cast<std::size_t>(kHosts));
  std::size_t without_ports = 0;
  std::size_t open_ports = 0;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    EXPECT_EQ(hosts[i].at("address").as_string(), "127.78.0." + std::to_string(i + 1));
    const auto& ports = hosts[i].at("ports").as_array();
    EXPECT_LE(ports.size(), 8u);
    if (ports.empty()) ++without_ports;
    open_ports += ports.size();
    for (const auto& port : ports) {
      EXPECT_EQ(port.at("protocol").as_string(), "tcp");
      EXPECT_TRUE(nmap_names.count(std::string(port.at("service").as_string())))
          << port.at("service").as_string();
      EXPECT_FALSE(port.at("product").as_string().empty());
    }
  }
  EXPECT_GT(without_ports, 0u) << "some hosts should have no open port";
  EXPECT_GT(open_ports, static_cast<std::size_t>(kHosts)) << "most hosts should have several";

  std::set<std::string> behaviours;
  for (const auto& hostile : truth_.at("hostile").as_array()) {
    behaviours.insert(std::string(hostile.at("behaviour").as_string()));
    EXPECT_FALSE(hostile.at("ports").as_array().empty());
  }
  EXPECT_EQ(behaviours,
            (std::set<std::string>{"endless_banner", "slow_banner", "tls_garbage", "silent"}));
}

TEST_F(ScanbedTest, TruthPortsAcceptAndOtherPortsRefuse) {
  const int sample[] = {21, 22, 23, 25, 80, 110, 443, 3306, 3389, 5432, 6379, 8080, 8443};
  std::size_t accepted = 0;
  std::size_t refused = 0;
  for (const auto& host : truth_.at("hosts").as_array()) {
    const std::string address(host.at("address").as_string());
    std::set<int> open;
    for (const auto& port : host.at("ports").as_array()) {
      const int number = static_cast<int>(port.at("port").as_int64());
      open.insert(number);
      auto [outcome, client] = dial(address, number);
      EXPECT_EQ(outcome, Dial::kAccepted) << address << ":" << number;
      accepted += outcome == Dial::kAccepted;
    }
    for (int number : sample) {
      if (open.count(number)) continue;
      auto [outcome, client] = dial(address, number);
      EXPECT_EQ(outcome, Dial::kRefused) << address << ":" << number << " should be closed";
      refused += outcome == Dial::kRefused;
    }
  }
  EXPECT_GT(accepted, 40u);
  EXPECT_GT(refused, 200u);
}

TEST_F(ScanbedTest, SshGreetsLikeDebianOpenSsh) {
  const auto* port = find_port(truth_, "ssh");
  ASSERT_NE(port, nullptr);
  Client ssh =
      connect_or_fail(address_of(truth_, *port), static_cast<int>(port->at("port").as_int64()));
  const std::string banner = ssh.receive_line(std::chrono::seconds(2));
  const std::string version(port->at("version").as_string());
  EXPECT_TRUE(banner.starts_with("SSH-2.0-OpenSSH_" + version + " Debian-")) << banner;
  EXPECT_TRUE(banner.ends_with("\r")) << "identification lines end in CR LF";

  // After the client's identification, the server's key exchange offer (SSH_MSG_KEXINIT).
  ASSERT_TRUE(ssh.send("SSH-2.0-OpenSSH_9.2p1\r\n"));
  const std::string packet = ssh.receive(std::chrono::seconds(2), 1 << 16,
                                         [](const std::string& data) { return data.size() > 6; });
  ASSERT_GT(packet.size(), 6u);
  EXPECT_EQ(static_cast<unsigned char>(packet[5]), 20) << "SSH_MSG_KEXINIT";
  EXPECT_NE(packet.find("curve25519-sha256"), std::string::npos);
}

TEST_F(ScanbedTest, HttpAnswersWithTheServersHeadersAndPages) {
  const auto* port = find_port(truth_, "http");
  ASSERT_NE(port, nullptr);
  const std::string address = address_of(truth_, *port);
  const int number = static_cast<int>(port->at("port").as_int64());
  const std::string product(port->at("product").as_string());
  const std::string version(port->at("version").as_string());
  const std::string server = product == "nginx" ? "Server: nginx/" + version + "\r\n"
                                                : "Server: Apache/" + version + " (Debian)\r\n";

  Client page = connect_or_fail(address, number);
  ASSERT_TRUE(page.send("GET / HTTP/1.0\r\n\r\n"));
  const std::string response = page.receive_for(std::chrono::seconds(2));
  EXPECT_TRUE(page.closed_by_peer()) << "HTTP/1.0 without keep-alive closes";
  EXPECT_TRUE(response.starts_with("HTTP/1.1 200 OK\r\n")) << response.substr(0, 200);
  EXPECT_NE(response.find(server), std::string::npos) << response.substr(0, 400);
  const std::size_t body = response.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos);
  const std::string length = "Content-Length: " + std::to_string(response.size() - body - 4);
  EXPECT_NE(response.find(length), std::string::npos) << "declared length matches the body";

  Client missing = connect_or_fail(address, number);
  ASSERT_TRUE(missing.send("GET /no-such-page HTTP/1.1\r\nHost: bed\r\nConnection: close\r\n\r\n"));
  const std::string not_found = missing.receive_for(std::chrono::seconds(2));
  EXPECT_TRUE(not_found.starts_with("HTTP/1.1 404 Not Found\r\n")) << not_found.substr(0, 200);
  EXPECT_NE(not_found.find(server), std::string::npos);
}

TEST_F(ScanbedTest, TlsPortsAnswerPlainHttpWithTheServersRefusal) {
  const auto* port = find_port(truth_, "ssl/http");
  ASSERT_NE(port, nullptr);
  Client plain =
      connect_or_fail(address_of(truth_, *port), static_cast<int>(port->at("port").as_int64()));
  ASSERT_TRUE(plain.send("GET / HTTP/1.0\r\n\r\n"));
  const std::string response = plain.receive_for(std::chrono::seconds(2));
  EXPECT_TRUE(response.starts_with("HTTP/1.1 400 Bad Request\r\n")) << response.substr(0, 200);
  const bool explained =
      response.find("plain HTTP request was sent to HTTPS port") != std::string::npos ||
      response.find("speaking plain HTTP to an SSL-enabled server port") != std::string::npos;
  EXPECT_TRUE(explained) << response;
}

TEST_F(ScanbedTest, HostileListenersMisbehaveAsRecorded) {
  for (const auto& hostile : truth_.at("hostile").as_array()) {
    const std::string address(hostile.at("address").as_string());
    const std::string behaviour(hostile.at("behaviour").as_string());
    const int port = static_cast<int>(hostile.at("ports").as_array().front().as_int64());
    Client client = connect_or_fail(address, port);
    if (behaviour == "endless_banner") {
      // 2 MiB arrive before the bed's hostile deadline ends the connection (minutes away).
      const std::string data = client.receive_for(kUntilTheBedActs, 2 << 20);
      EXPECT_GE(data.size(), 2u << 20) << "the banner stopped after " << data.size() << " bytes";
      EXPECT_FALSE(client.closed_by_peer());
      EXPECT_EQ(data.find('\n'), std::string::npos) << "the banner line never ends";
    } else if (behaviour == "slow_banner") {
      // At most a few bytes in 2.5 s (a slow machine only makes it fewer), and then more.
      const std::string first = client.receive_for(std::chrono::milliseconds(2500));
      EXPECT_LE(first.size(), 4u) << "one byte a second";
      const std::string more = client.receive_for(kUntilTheBedActs, 2);
      EXPECT_EQ(more.size(), 2u) << "the greeting keeps coming";
      EXPECT_TRUE((first + more).starts_with("22")) << first + more;
    } else if (behaviour == "tls_garbage") {
      ASSERT_TRUE(client.send(std::string("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00", 10)));
      const std::string data = client.receive_for(kUntilTheBedActs, 256 << 10);
      ASSERT_GE(data.size(), 256u << 10) << "noise keeps coming";
      EXPECT_EQ(data.substr(0, 5), std::string("\x16\x03\x03\xff\xff", 5));
    } else {
      EXPECT_EQ(behaviour, "silent");
      ASSERT_TRUE(client.send("HELLO\r\n"));
      EXPECT_EQ(client.receive_for(std::chrono::seconds(1)), "");
      EXPECT_FALSE(client.closed_by_peer()) << "silent holds the connection open";
    }
  }
  // The bed still serves after all that.
  const auto* ssh = find_port(truth_, "ssh");
  ASSERT_NE(ssh, nullptr);
  Client after =
      connect_or_fail(address_of(truth_, *ssh), static_cast<int>(ssh->at("port").as_int64()));
  EXPECT_TRUE(after.receive_line(std::chrono::seconds(2)).starts_with("SSH-2.0-"));
}

TEST_F(ScanbedTest, ConnectionsEndAtTheDeadlineAndTheReadCap) {
  const auto* http = find_port(truth_, "http");
  ASSERT_NE(http, nullptr);
  const std::string address = address_of(truth_, *http);
  const int number = static_cast<int>(http->at("port").as_int64());

  // A client that connects and says nothing is cut off at the deadline: the bed closes the
  // connection without a word (without the deadline, nothing would: the read waits for the
  // test's timeout).
  Client idle = connect_or_fail(address, number);
  EXPECT_EQ(idle.receive_for(kUntilTheBedActs), "");
  EXPECT_TRUE(idle.closed_by_peer());

  // A client that streams data after the SSH version exchange is cut off at the read cap.
  const auto* ssh = find_port(truth_, "ssh");
  ASSERT_NE(ssh, nullptr);
  Client flood =
      connect_or_fail(address_of(truth_, *ssh), static_cast<int>(ssh->at("port").as_int64()));
  ASSERT_TRUE(flood.send("SSH-2.0-flood\r\n"));
  const std::string junk(16 << 10, 'x');
  bool refused = false;
  for (int i = 0; i < 64 && !refused; ++i) refused = !flood.send(junk);
  flood.receive_for(std::chrono::seconds(1));
  EXPECT_TRUE(refused || flood.closed_by_peer()) << "1 MiB into a 64 KiB read cap";
}

TEST_F(ScanbedTest, SameSeedGivesTheSameTruth) {
  TempDir dir("scanbed-plan");
  const auto plan = [&](const std::string& seed, const std::string& name) {
    const auto path = dir.path() / name;
    auto out =
        run_command({binary_path("scanbed"), "--base", kBase, "--hosts", std::to_string(kHosts),
                     "--seed", seed, "--hostile", "--truth", path.string(), "--dry-run"});
    EXPECT_TRUE(out && out->exit_code == 0) << (out ? out->err : out.error().message);
    return read_text(path);
  };
  const std::string again = plan(kSeed, "again.json");
  EXPECT_EQ(again, read_text(truth_file_)) << "the dry run plans what the bed serves";
  EXPECT_NE(plan("12", "other.json"), again);
}

TEST_F(ScanbedTest, RejectsAddressesOutsideTheBaseOctet) {
  TempDir dir("scanbed-bad");
  auto out = run_command({binary_path("scanbed"), "--base", "127.255.255.0", "--hosts", "500",
                          "--truth", (dir.path() / "t.json").string(), "--dry-run"});
  ASSERT_TRUE(out);
  EXPECT_NE(out->exit_code, 0);
  const std::string said = out->out + out->err;
  EXPECT_NE(said.find("base"), std::string::npos) << said;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "t.json"));
}

}  // namespace
}  // namespace sentinel::test
