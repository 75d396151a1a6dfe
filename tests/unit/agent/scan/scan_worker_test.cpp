// The confined scan worker: its event frames survive the round trip and a malformed one is
// refused naming the field; a worker that the seccomp filter kills, before or after it took the
// shard, fails the start or the shard with that reason instead of hanging; as root the worker
// keeps CAP_NET_RAW and scans with raw SYN probes; service detection runs in the child; the worker
// is a clean image (none of the starting process's memory or environment, CapEff CAP_NET_RAW only)
// where a plain fork holds the secret. Workers are started from scan_worker_test_image. Traffic
// stays on 127.69.241.0/24.

#include "agent/scan/scan_worker.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdlib>
#include <random>
#include <set>
#include <thread>

#include "agent/sandbox/worker_stream.h"
#include "agent/scan/shard_runner.h"
#include "tests/support/server_process.h"
#include "tests/unit/agent/scan/worker_image_report.h"

namespace sentinel::agent {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr const char* kScope = "127.69.241.0/24";

/// A TCP listener that sends `banner` to every client and closes; port 0: the kernel picks.
class BannerService {
 public:
  BannerService(const std::string& address, std::string banner) : banner_(std::move(banner)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in bound{};
    bound.sin_family = AF_INET;
    ::inet_pton(AF_INET, address.c_str(), &bound.sin_addr);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&bound), sizeof(bound)), 0) << address;
    EXPECT_EQ(::listen(fd_, 64), 0);
    socklen_t length = sizeof(bound);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &length);
    port_ = ntohs(bound.sin_port);
    thread_ = std::thread([this] {
      while (true) {
        const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) return;  // shut down
        if (!banner_.empty()) (void)::send(client, banner_.data(), banner_.size(), MSG_NOSIGNAL);
        std::this_thread::sleep_for(50ms);
        ::close(client);
      }
    });
  }
  ~BannerService() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  BannerService(const BannerService&) = delete;
  BannerService& operator=(const BannerService&) = delete;

  std::uint16_t port() const { return port_; }

 private:
  std::string banner_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

boost::json::object start_args(const std::string& targets, const std::string& ports, bool raw,
                               bool services) {
  return scanner::encode(scanner::ShardStart{.job_id = 9,
                                             .shard = 0,
                                             .targets = targets,
                                             .ports = ports,
                                             .scope = kScope,
                                             .raw = raw,
                                             .service_detection = services});
}

/// Polls shard 0 of job 9 until its final answer (at most two minutes: a bound, not a
/// measurement).
std::vector<scanner::ShardReport> poll_to_end(ShardRunner& runner) {
  std::vector<scanner::ShardReport> answers;
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto answer = runner.handle("scan_shard_poll", scanner::encode(scanner::ShardRef{9, 0}));
    EXPECT_TRUE(answer) << answer.error().message;
    if (!answer) break;
    auto report = scanner::decode_shard_report(*answer);
    EXPECT_TRUE(report) << report.error().message;
    if (!report) break;
    answers.push_back(*report);
    if (report->state != scanner::ShardState::kRunning) return answers;
    std::this_thread::sleep_for(20ms);
  }
  ADD_FAILURE() << "the shard did not end";
  return answers;
}

TEST(ScanWorkerEventTest, EventsSurviveTheRoundTrip) {
  ScanWorkerEvent event;
  event.results = {scan::PortResult{.address = *scan::IpAddress::parse("127.69.241.1"),
                                    .port = 22,
                                    .state = scan::PortState::kOpen},
                   scan::PortResult{.address = *scan::IpAddress::parse("::1"),
                                    .port = 53,
                                    .protocol = scan::Protocol::kUdp,
                                    .state = scan::PortState::kOpenFiltered}};
  scanner::FoundHost host{.address = *scan::IpAddress::parse("127.69.241.1")};
  host.ports.push_back(scanner::FoundPort{
      .port = 22, .service = scan::ServiceInfo{.service = "ssh", .product = "OpenSSH"}});
  event.services = {host};
  event.warnings = {"service detection failed: out of sockets"};
  event.progress = scan::ScanProgress{.pairs_total = 10,
                                      .pairs_done = 4,
                                      .probes_sent = 6,
                                      .open_found = 1,
                                      .probes_per_second = 12.5};
  event.done = ScanWorkerEvent::Done{.error = "", .cancelled = true};

  auto decoded = decode_worker_event(encode_worker_event(event));
  ASSERT_TRUE(decoded) << decoded.error().message;
  ASSERT_EQ(decoded->results.size(), 2u);
  EXPECT_EQ(decoded->results[1].address.to_string(), "::1");
  EXPECT_EQ(decoded->results[1].port, 53);
  EXPECT_EQ(decoded->results[1].protocol, scan::Protocol::kUdp);
  EXPECT_EQ(decoded->results[1].state, scan::PortState::kOpenFiltered);
  ASSERT_EQ(decoded->services.size(), 1u);
  ASSERT_EQ(decoded->services[0].ports.size(), 1u);
  EXPECT_EQ(decoded->services[0].ports[0].service->product, "OpenSSH");
  EXPECT_EQ(decoded->warnings, event.warnings);
  ASSERT_TRUE(decoded->progress);
  EXPECT_EQ(decoded->progress->pairs_done, 4u);
  EXPECT_EQ(decoded->progress->probes_per_second, 12.5);
  ASSERT_TRUE(decoded->done);
  EXPECT_TRUE(decoded->done->cancelled);

  auto empty = decode_worker_event(encode_worker_event(ScanWorkerEvent{}));
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_TRUE(empty->hosts.empty());
  EXPECT_EQ(empty->phase, "");
  EXPECT_TRUE(empty->results.empty());
  EXPECT_FALSE(empty->done);
}

TEST(ScanWorkerEventTest, HostsFoundUpAndThePhaseSurviveTheRoundTrip) {
  ScanWorkerEvent event;
  event.hosts = {
      scanner::FoundHost{.address = *scan::IpAddress::parse("10.231.7.3"),
                         .reason = "arp-response",
                         .mac = "02:00:5e:10:00:01"},
      scanner::FoundHost{.address = *scan::IpAddress::parse("fd00::2"), .reason = "echo-reply"}};
  event.phase = "discovery";
  auto decoded = decode_worker_event(encode_worker_event(event));
  ASSERT_TRUE(decoded) << decoded.error().message;
  ASSERT_EQ(decoded->hosts.size(), 2u);
  EXPECT_EQ(decoded->hosts[0].address.to_string(), "10.231.7.3");
  EXPECT_EQ(decoded->hosts[0].reason, "arp-response");
  EXPECT_EQ(decoded->hosts[0].mac, "02:00:5e:10:00:01");
  EXPECT_EQ(decoded->hosts[1].address.to_string(), "fd00::2");
  EXPECT_EQ(decoded->hosts[1].reason, "echo-reply");
  EXPECT_EQ(decoded->hosts[1].mac, "");
  EXPECT_EQ(decoded->phase, "discovery");
}

TEST(ScanWorkerEventTest, AMalformedEventIsRefusedNamingTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {"[]", "frame"},
      {R"({"root": true})", "frame"},  // an unknown key is not echoed
      {R"({"results": [["127.0.0.1", 0, "tcp", "open"]]})", "results[0][1]"},
      {R"({"results": [["127.0.0.1", 22, "sctp", "open"]]})", "results[0][2]"},
      {R"({"results": [["127.0.0.1", 22, "tcp", "open|filtered"]]})", "results[0][3]"},
      {R"({"results": [["nowhere", 22, "tcp", "open"]]})", "results[0][0]"},
      {R"({"services": [{"address": "127.0.0.1", "ports": [{"port": 70000}]}]})", "services[0]"},
      {R"({"progress": {"pairs_total": 1, "pairs_done": 2, "probes_sent": 0, "open_found": 0,
           "rate": 0}})",
       "progress.pairs_done"},
      {R"({"done": {"error": 3, "cancelled": false}})", "done.error"},
      {R"({"hosts": {}})", "hosts"},
      {R"({"hosts": [{"address": "127.0.0.1"}]})", "hosts[0].reason"},
      {R"({"hosts": [{"address": "127.0.0.1", "reason": "Up!"}]})", "hosts[0]"},
      {R"({"hosts": [{"address": "127.0.0.1", "reason": "syn-ack", "mac": "zz"}]})", "hosts[0]"},
      {R"({"hosts": [{"address": "127.0.0.1", "reason": "syn-ack", "ports": [{"port": 22}]}]})",
       "hosts[0].ports"},
      {R"({"phase": "os"})", "phase"},
      {R"({"phase": 1})", "phase"},
  };
  for (const auto& [payload, field] : cases) {
    auto decoded = decode_worker_event(payload);
    ASSERT_FALSE(decoded) << payload;
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(decoded.error().field, field) << decoded.error().message;
  }
}

/// The engine's options with the test worker image (scan_worker_test_image) doing `mode`.
ConfinedShardEngineOptions test_image(std::vector<std::string> arguments = {"scan-worker"}) {
  return ConfinedShardEngineOptions{
      .executable = sentinel::test::binary_path("scan_worker_test_image"),
      .arguments = std::move(arguments)};
}

/// How a shard ended that a worker image misbehaving after its answer ran: its last poll answer.
scanner::ShardReport shard_end(const ConfinedShardEngineOptions& options) {
  ManualClock clock{1'700'000'000'000};
  ConfinedShardEngine engine(options);
  ShardRunner runner({}, engine, clock);
  auto started = runner.handle("scan_shard_start", start_args("127.69.241.1", "22", false, false));
  EXPECT_TRUE(started) << started.error().message;
  const auto answers = poll_to_end(runner);
  return answers.empty() ? scanner::ShardReport{} : answers.back();
}

TEST(ConfinedShardEngineTest, AWorkerKilledByTheFilterFailsTheShardSayingSo) {
  const scanner::ShardReport ended = shard_end(test_image({"exec-after-answering"}));
  EXPECT_EQ(ended.state, scanner::ShardState::kFailed);
  EXPECT_THAT(ended.error, HasSubstr("scan worker blocked by the seccomp filter"));
}

TEST(ConfinedShardEngineTest, AWorkerStuckInALoopIsStoppedAtItsCpuLimit) {
  ConfinedShardEngineOptions options = test_image({"spin-after-answering"});
  options.max_cpu_seconds = 1;
  // Without the limit the worker would spin until the test's timeout.
  const scanner::ShardReport ended = shard_end(options);
  EXPECT_EQ(ended.state, scanner::ShardState::kFailed);
  EXPECT_THAT(ended.error, HasSubstr("scan worker stopped at its CPU limit of 1 s"));
}

TEST(ConfinedShardEngineTest, AWorkerThatDiesBeforeAnsweringFailsTheStartSayingSo) {
  ManualClock clock{1'700'000'000'000};
  // The worker opens a socket family no scan needs.
  ConfinedShardEngine engine(test_image({"bluetooth-socket"}));
  ShardRunner runner({}, engine, clock);
  auto started = runner.handle("scan_shard_start", start_args("127.69.241.1", "22", false, false));
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, ErrorCode::kPermissionDenied) << started.error().message;
  EXPECT_THAT(started.error().message, HasSubstr("scan worker blocked by the seccomp filter"));
  // Nothing is in hand: the next shard is taken.
  EXPECT_FALSE(runner.handle("scan_shard_poll", scanner::encode(scanner::ShardRef{9, 0})));
}

TEST(ConfinedShardEngineTest, ThePlansErrorsComeBackFromTheWorkerAsTheyAre) {
  ConfinedShardEngine engine(test_image());
  // The worker checks the targets against the scope again (the runner did before spawning it)
  // and its refusal arrives with its code and message.
  auto prepared = engine.prepare(scanner::ShardStart{
      .job_id = 9, .shard = 0, .targets = "127.69.242.1", .ports = "22", .scope = kScope});
  ASSERT_FALSE(prepared);
  EXPECT_EQ(prepared.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(prepared.error().message, HasSubstr("outside the scope sent"));
}

TEST(ConfinedShardEngineTest, AsRootTheWorkerScansWithRawSynProbes) {
  if (::geteuid() != 0) GTEST_SKIP() << "raw sockets need CAP_NET_RAW";
  BannerService open("127.69.241.10", "");
  ManualClock clock{1'700'000'000'000};
  ConfinedShardEngine engine(test_image());
  ShardRunner runner({}, engine, clock);
  auto started = runner.handle(
      "scan_shard_start",
      start_args("127.69.241.10-127.69.241.11", std::to_string(open.port()) + ",1", true, false));
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_EQ(started->at("method").as_string(), "syn");
  const auto answers = poll_to_end(runner);
  ASSERT_FALSE(answers.empty());
  EXPECT_EQ(answers.back().state, scanner::ShardState::kDone) << answers.back().error;
  EXPECT_EQ(answers.back().pairs_total, 4);
  EXPECT_EQ(answers.back().pairs_done, 4);
  std::set<std::pair<std::string, std::uint16_t>> found;
  for (const auto& report : answers) {
    for (const auto& host : report.hosts) {
      for (const auto& port : host.ports) found.insert({host.address.to_string(), port.port});
    }
  }
  EXPECT_EQ(found,
            (std::set<std::pair<std::string, std::uint16_t>>{{"127.69.241.10", open.port()}}));
}

TEST(ConfinedShardEngineTest, ServiceDetectionRunsInTheWorker) {
  BannerService ssh("127.69.241.20", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
  ManualClock clock{1'700'000'000'000};
  ConfinedShardEngineOptions options = test_image();
  options.builtin_probes = true;
  ConfinedShardEngine engine(std::move(options));
  ShardRunner runner({}, engine, clock);
  ASSERT_TRUE(runner.handle("scan_shard_start",
                            start_args("127.69.241.20", std::to_string(ssh.port()), false, true)));
  const auto answers = poll_to_end(runner);
  ASSERT_FALSE(answers.empty());
  EXPECT_EQ(answers.back().state, scanner::ShardState::kDone) << answers.back().error;
  std::string named;
  for (const auto& report : answers) {
    for (const auto& host : report.hosts) {
      for (const auto& port : host.ports) {
        if (port.service) named = port.service->service + " " + port.service->product;
      }
    }
  }
  EXPECT_EQ(named, "ssh OpenSSH");
}

/// What a worker saw of its image (worker_image_report.h), from the reason of its answer.
struct ImageReport {
  std::string text;  // for failure messages
  std::int64_t marker_copies = -1;
  std::int64_t environment = -1;
  bool secret_variable = true;
  std::string cap_eff;
};

ImageReport parse_report(const std::string& reason) {
  const boost::json::object report = boost::json::parse(reason).as_object();
  return ImageReport{.text = reason,
                     .marker_copies = report.at("marker_copies").to_number<std::int64_t>(),
                     .environment = report.at("environment").to_number<std::int64_t>(),
                     .secret_variable = report.at("secret_variable").as_bool(),
                     .cap_eff = std::string(report.at("cap_eff").as_string())};
}

/// A secret only this test's process holds (in its heap and its environment), and its hex.
struct Secret {
  Secret() {
    std::random_device device;
    text = "sentinel-secret-" + std::to_string(device()) + "-" + std::to_string(device());
    static constexpr char kDigits[] = "0123456789abcdef";
    for (const unsigned char c : text) {
      hex.push_back(kDigits[c >> 4]);
      hex.push_back(kDigits[c & 15]);
    }
    ::setenv(test::kSecretVariable, text.c_str(), 1);
  }
  ~Secret() { ::unsetenv(test::kSecretVariable); }
  std::string text;
  std::string hex;
};

TEST(ConfinedShardEngineTest, AForkedWorkerHoldsTheAgentsSecretsWhichTheReportSees) {
  // The control: the same report from a plain fork of this process (spawn_confined, profile
  // scanner) finds the secret in memory and environment, so the test below can fail.
  const Secret secret;
  const SandboxOptions options{.scanner = true, .name = "scan worker"};
  const std::string marker_hex = secret.hex;
  auto child = spawn_confined(
      [&marker_hex](int fd) { return test::report_worker_image(fd, marker_hex); }, options);
  ASSERT_TRUE(child) << child.error().message;
  ASSERT_TRUE(write_frame(child->output_fd, "{}"));
  auto frame = read_frame(child->output_fd, 60s);
  ASSERT_TRUE(frame) << frame.error().message;
  auto answer = decode_response(*frame);
  EXPECT_TRUE(finish_confined(*child, true, options));
  ASSERT_TRUE(answer) << answer.error().message;
  const ImageReport report = parse_report(std::string(answer->at("reason").as_string()));
  EXPECT_GE(report.marker_copies, 1) << report.text;
  EXPECT_TRUE(report.secret_variable);
  EXPECT_GT(report.environment, 0);
}

TEST(ConfinedShardEngineTest, TheWorkerStartsFromACleanImageWithOnlyCapNetRaw) {
  const Secret secret;
  ConfinedShardEngine engine(test_image({"report-image", secret.hex}));
  auto prepared = engine.prepare(scanner::ShardStart{
      .job_id = 9, .shard = 0, .targets = "127.69.241.1", .ports = "22", .scope = kScope});
  ASSERT_TRUE(prepared) << prepared.error().message;
  const ImageReport report = parse_report((*prepared)->reason());
  (*prepared)->cancel();
  // Nothing of this process's memory or environment reached the worker.
  EXPECT_EQ(report.marker_copies, 0) << report.text;
  EXPECT_FALSE(report.secret_variable);
  EXPECT_EQ(report.environment, 0);
  if (::geteuid() == 0) {
    EXPECT_EQ(report.cap_eff, "0000000000002000");  // CAP_NET_RAW and nothing else
  }
}

TEST(ConfinedShardEngineTest, AMalformedConfinementIsRefusedBeforeAnythingIsApplied) {
  // Each of these is refused before confine() runs: this process stays as it was.
  const std::pair<const char*, const char*> cases[] = {
      {"profile=scanner,parent=1,address-space=1", "the last argument must be it"},
      {"--confinement=profile=firewall,parent=1,address-space=1", "profile must be scanner"},
      {"--confinement=profile=scanner,address-space=1", "parent and address-space are required"},
      {"--confinement=profile=scanner,parent=1,address-space=1,uid=0,gid=0", "bad uid '0'"},
      {"--confinement=profile=scanner,parent=1,address-space=1,uid=7", "uid and gid go together"},
      {"--confinement=profile=scanner,parent=1,parent=2,address-space=1", "'parent' given twice"},
      {"--confinement=profile=scanner,parent=1,address-space=1,shell=sh", "unknown key 'shell'"},
      {"--confinement=profile=scanner,parent=x1,address-space=1", "bad parent 'x1'"},
      {"--confinement=profile=scanner,parent=1,address-space=1,cpu=0", "bad cpu '0'"},
      {"--confinement=profile=scanner,parent=1,address-space=1,cpu=1,cpu=2", "'cpu' given twice"},
  };
  for (const auto& [argument, why] : cases) {
    const Status confined = confine_exec_worker(argument);
    ASSERT_FALSE(confined) << argument;
    EXPECT_THAT(confined.error().message, HasSubstr(why)) << argument;
  }
  // Still unconfined: a call the scanner profile forbids works.
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  EXPECT_GE(fd, 0);
  ::close(fd);
}

TEST(ConfinedShardEngineTest, AWorkerImageThatCannotBeOpenedFailsTheStartNamingIt) {
  ConfinedShardEngine engine(
      ConfinedShardEngineOptions{.executable = "/nonexistent/sentinel-agent"});
  auto prepared = engine.prepare(scanner::ShardStart{
      .job_id = 9, .shard = 0, .targets = "127.69.241.1", .ports = "22", .scope = kScope});
  ASSERT_FALSE(prepared);
  EXPECT_THAT(prepared.error().message, HasSubstr("/nonexistent/sentinel-agent"));
}

}  // namespace
}  // namespace sentinel::agent
