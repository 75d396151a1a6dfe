#pragma once
// What the scanner integration tests share: a server whose scan scope is 127.68.0.0/16, TCP
// listeners the test opens itself on 127.68.0.x, and helpers to run a scan to its end.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/integration/api_fixture.h"
#include "tests/support/process.h"

namespace sentinel::test {

/// The only network the scanner tests scan: inside loopback, used by no other test.
inline constexpr const char* kScanScope = "127.68.0.0/16";

/// A TCP socket listening on address:port (port 0: one the kernel picks). Closed when destroyed.
/// The backlog is large so that scans, which connect and never get accepted, never fill it.
class TcpListener {
 public:
  static TcpListener open(const std::string& address, std::uint16_t port = 0) {
    TcpListener listener;
    listener.address_ = address;
    listener.fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(listener.fd_, 0);
    const int one = 1;
    ::setsockopt(listener.fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in bound{};
    bound.sin_family = AF_INET;
    bound.sin_port = htons(port);
    ::inet_pton(AF_INET, address.c_str(), &bound.sin_addr);
    EXPECT_EQ(::bind(listener.fd_, reinterpret_cast<sockaddr*>(&bound), sizeof(bound)), 0)
        << address << ":" << port << ": " << std::strerror(errno);
    EXPECT_EQ(::listen(listener.fd_, 4096), 0);
    socklen_t length = sizeof(bound);
    ::getsockname(listener.fd_, reinterpret_cast<sockaddr*>(&bound), &length);
    listener.port_ = ntohs(bound.sin_port);
    return listener;
  }

  TcpListener() = default;
  TcpListener(TcpListener&& other) noexcept { *this = std::move(other); }
  TcpListener& operator=(TcpListener&& other) noexcept {
    std::swap(fd_, other.fd_);
    std::swap(port_, other.port_);
    std::swap(address_, other.address_);
    return *this;
  }
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;
  ~TcpListener() { close(); }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  std::uint16_t port() const { return port_; }
  const std::string& address() const { return address_; }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::string address_;
};

/// A port that was free on `address` a moment ago (bound, then released): closed for a scan,
/// and a listener may take it later.
inline std::uint16_t free_port_on(const std::string& address) {
  TcpListener probe = TcpListener::open(address);
  return probe.port();
}

/// "host:port" pairs of a results document's open ports.
inline std::set<std::string> open_pairs(const boost::json::value& results) {
  std::set<std::string> out;
  for (const auto& host : results.at("hosts").as_array()) {
    for (const auto& port : host.at("ports").as_array()) {
      out.insert(std::string(host.at("address").as_string()) + ":" +
                 std::to_string(port.at("port").as_int64()));
    }
  }
  return out;
}

inline std::string pair(const TcpListener& listener) {
  return listener.address() + ":" + std::to_string(listener.port());
}

/// A comma list of ports for a scan request.
inline std::string port_list(const std::vector<std::uint16_t>& ports) {
  std::string out;
  for (const std::uint16_t port : ports) out += (out.empty() ? "" : ",") + std::to_string(port);
  return out;
}

/// Runs `nmap -sT -n -Pn -p PORTS -oX FILE ADDRESS` (only ever a 127.68.0.0/16 address) and
/// returns the XML it wrote; empty (and a test failure) when nmap failed.
inline std::string nmap_report(const std::string& address, const std::string& ports,
                               const std::filesystem::path& file) {
  EXPECT_EQ(address.rfind("127.68.", 0), 0u) << "tests scan only 127.68.0.0/16";
  auto ran = run_command({"nmap", "-sT", "-n", "-Pn", "-p", ports, "-oX", file.string(), address},
                         {}, {}, std::chrono::seconds(120));
  EXPECT_TRUE(ran) << (ran ? "" : ran.error().message);
  if (!ran) return {};
  EXPECT_EQ(ran->exit_code, 0) << ran->err;
  std::ifstream in(file);
  std::ostringstream xml;
  xml << in.rdbuf();
  return xml.str();
}

/// An nmap XML report (as `nmap -oX` writes one; no address is contacted) of `hosts` that were
/// up, each with its open TCP `ports`: the cheapest way to make a job of many hosts.
inline std::string nmap_report_of(const std::vector<std::string>& hosts,
                                  const std::vector<std::uint16_t>& ports) {
  std::string xml = "<?xml version=\"1.0\"?>\n<nmaprun scanner=\"nmap\" version=\"7.93\">\n";
  for (const std::string& host : hosts) {
    xml += "<host><status state=\"up\" reason=\"syn-ack\"/><address addr=\"" + host +
           "\" addrtype=\"ipv4\"/><ports>";
    for (const std::uint16_t port : ports) {
      xml += "<port protocol=\"tcp\" portid=\"" + std::to_string(port) +
             "\"><state state=\"open\" reason=\"syn-ack\"/></port>";
    }
    xml += "</ports></host>\n";
  }
  return xml + "</nmaprun>\n";
}

/// GET /api/v1/scans/{id}/results with every page's hosts in one document (the first page's,
/// its `hosts` extended): what a test that checks a whole job compares.
inline boost::json::value all_results(client::ApiClient& api, std::int64_t id) {
  constexpr std::size_t kPage = 1000;
  boost::json::value all(boost::json::object{{"hosts", boost::json::array()}});
  for (std::size_t offset = 0;; offset += kPage) {
    auto reply =
        api.get("/api/v1/scans/" + std::to_string(id) + "/results?limit=" + std::to_string(kPage) +
                "&offset=" + std::to_string(offset));
    EXPECT_TRUE(reply && reply->status == 200) << (reply ? reply->body : reply.error().message);
    if (!reply || reply->status != 200) return all;
    boost::json::value page = body_of(*reply);
    auto& hosts = page.as_object()["hosts"].as_array();
    const std::size_t count = hosts.size();
    if (offset == 0) {
      all = std::move(page);
    } else {
      for (auto& host : hosts) all.as_object()["hosts"].as_array().push_back(std::move(host));
    }
    if (count < kPage) return all;
  }
}

/// Server flags of most scanner tests: scans of 127.68.0.0/16, without service detection (the
/// tests' listeners never speak, so detection would wait out its port deadline on every one;
/// ScannerTest.NamesTheServicesOnOpenPorts turns it on).
inline const std::vector<std::string> kScanArgs = {"--scan-scope", kScanScope, "--set",
                                                   "scanner.service_detection=false"};

/// The agent.yaml of agents that scan shards: no process collector, and more than the everyday
/// caps (a shard is a burst of probes).
inline constexpr const char* kScanAgentConfig =
    "inventory:\n  interval_s: 3600\nprocess:\n  enabled: false\nlimits:\n  memory_mb: 512\n"
    "  cpu_percent: 100\n";

/// kScanArgs with connect() probes, for tests that cancel or stop long scans: the raw SYN engine
/// does not yet notice a cancel while loopback answers keep its send loop busy (see
/// ScannerTest.DISABLED_CancelStopsASynScanOnLoopback).
inline const std::vector<std::string> kConnectScanArgs = {
    "--scan-scope", kScanScope,
    "--set",        "scanner.service_detection=false",
    "--set",        "scanner.raw_sockets=false"};

// A loopback service that speaks like a real one: `banner` as soon as a client connects
// (SSH, SMTP), or `answer` once the client has sent something (HTTP). Serves until destroyed.
class TalkingService {
 public:
  /// `request_wait`: how long a silent client gets to send its request (nmap's first probe sends
  /// nothing for 6 s).
  TalkingService(const std::string& address, std::string banner, std::string answer,
                 std::chrono::milliseconds request_wait = std::chrono::milliseconds(2000))
      : listener_(TcpListener::open(address)),
        banner_(std::move(banner)),
        answer_(std::move(answer)),
        request_wait_(request_wait),
        thread_([this](std::stop_token stop) { serve(stop); }) {}
  ~TalkingService() {
    thread_.request_stop();
    thread_.join();
  }
  const TcpListener& listener() const { return listener_; }

 private:
  void serve(const std::stop_token& stop) {
    std::vector<int> clients;
    while (!stop.stop_requested()) {
      pollfd ready{.fd = listener_.fd(), .events = POLLIN, .revents = 0};
      if (::poll(&ready, 1, 50) <= 0) continue;
      const int client = ::accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      clients.push_back(client);
      if (!banner_.empty()) (void)::send(client, banner_.data(), banner_.size(), MSG_NOSIGNAL);
      if (answer_.empty()) continue;
      pollfd request{.fd = client, .events = POLLIN, .revents = 0};
      char buffer[4096];
      if (::poll(&request, 1, static_cast<int>(request_wait_.count())) > 0 &&
          ::recv(client, buffer, sizeof(buffer), 0) > 0) {
        (void)::send(client, answer_.data(), answer_.size(), MSG_NOSIGNAL);
      }
      ::shutdown(client, SHUT_WR);
    }
    for (const int client : clients) ::close(client);
  }

  TcpListener listener_;
  std::string banner_;
  std::string answer_;
  std::chrono::milliseconds request_wait_;
  std::jthread thread_;
};

/// ApiTest on a server that may scan 127.68.0.0/16, with scan helpers.
class ScannerApiTest : public ApiTest {
 protected:
  void SetUp() override { start_server(kScanArgs); }

  /// POSTs a scan; returns the reply (202 with the job when accepted).
  client::HttpReply post_scan(client::ApiClient& api, const boost::json::object& body) {
    auto reply = api.post("/api/v1/scans", body);
    EXPECT_TRUE(reply) << reply.error().message;
    return reply ? *reply : client::HttpReply{};
  }

  /// Starts a scan that must be accepted; returns its id.
  std::int64_t start_scan(client::ApiClient& api, const std::vector<std::string>& targets,
                          const std::string& ports) {
    boost::json::array list;
    for (const std::string& target : targets) list.emplace_back(target);
    const auto reply = post_scan(api, {{"targets", std::move(list)}, {"ports", ports}});
    EXPECT_EQ(reply.status, 202) << reply.body;
    if (reply.status != 202) return 0;
    return body_of(reply).at("id").as_int64();
  }

  /// GET /api/v1/scans/{id}.
  boost::json::value job(client::ApiClient& api, std::int64_t id) {
    auto reply = api.get("/api/v1/scans/" + std::to_string(id));
    EXPECT_TRUE(reply && reply->status == 200) << (reply ? reply->body : reply.error().message);
    return reply ? body_of(*reply) : boost::json::value(boost::json::object{});
  }

  /// Polls the job until its status is one of `statuses` or `timeout` passes; returns it.
  boost::json::value wait_for_status(client::ApiClient& api, std::int64_t id,
                                     const std::set<std::string>& statuses,
                                     std::chrono::seconds timeout = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    boost::json::value current;
    while (std::chrono::steady_clock::now() < deadline) {
      current = job(api, id);
      const auto* status = current.as_object().if_contains("status");
      if (status != nullptr && statuses.count(std::string(status->as_string())) > 0) {
        return current;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "scan " << id << " did not reach the wanted status: " << current;
    return current;
  }

  /// Waits for the job to end and expects it completed.
  boost::json::value wait_completed(client::ApiClient& api, std::int64_t id) {
    auto ended = wait_for_status(api, id, {"completed", "cancelled", "failed"});
    EXPECT_EQ(ended.at("status").as_string(), "completed") << ended;
    return ended;
  }

  boost::json::value results(client::ApiClient& api, std::int64_t id) {
    return all_results(api, id);
  }

  /// An API token of the admin, for raw requests (which carry no session cookie).
  std::string admin_token() {
    client::ApiClient root = admin();
    auto created = root.post("/api/v1/tokens", boost::json::object{{"name", "scanner-test"}});
    EXPECT_TRUE(created && created->status == 201);
    return created ? std::string(body_of(*created).at("token").as_string()) : std::string();
  }

  /// POSTs `body` with `content_type` as the API client cannot (it sends JSON only).
  client::HttpReply post_raw(const std::string& path, const std::string& body,
                             const std::string& content_type, const std::string& token) {
    client::ApiClient api = anonymous();
    const std::string host = server_->url().substr(std::string("https://").size());
    std::string request =
        "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + token +
        "\r\nContent-Type: " + content_type + "\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\nConnection: close\r\n\r\n" + body;
    auto reply = api.send_raw(request);
    EXPECT_TRUE(reply) << reply.error().message;
    return reply ? *reply : client::HttpReply{};
  }
};

}  // namespace sentinel::test
