// The nmap backend on a real server (SQLite and PostgreSQL) with the real nmap: a job nmap runs
// finds the test's listeners, names their services, stores the NSE scripts' outputs and the
// host's OS guess, and shows them in its results and through sentinelctl; scripts that attack
// or reach third parties, and nmap jobs split across agents, are refused; a server without
// nmap refuses nmap jobs; a cancel kills nmap. Every address is in 127.68.70.0/24 (inside the
// tests' scope 127.68.0.0/16, used by no other test).

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/scanner/scanner_support.h"
#include "tests/integration/sentinelctl_fixture.h"

namespace sentinel::test {
namespace {

namespace json = boost::json;

constexpr const char* kWebPage =
    "HTTP/1.0 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\n\r\n"
    "<html><head><title>Sentinel nmap test</title></head><body>hi</body></html>";

// nmap processes whose command line names a target file of ours.
int nmap_processes() {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream file(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (cmdline.find("nmap") != std::string::npos &&
        cmdline.find("sentinel-nmap-") != std::string::npos) {
      ++count;
    }
  }
  return count;
}

class ScannerNmapTest : public WithSentinelctl<ScannerApiTest> {
 protected:
  client::HttpReply nmap_scan(client::ApiClient& api, const std::string& target,
                              const std::string& ports, json::object nmap) {
    return post_scan(api, {{"targets", json::array{target}},
                           {"ports", ports},
                           {"backend", "nmap"},
                           {"nmap", std::move(nmap)}});
  }

  const json::object* port_of(const json::value& found, std::uint16_t port) {
    for (const auto& item : found.at("hosts").at(0).at("ports").as_array()) {
      if (item.at("port").as_int64() == port) return &item.as_object();
    }
    ADD_FAILURE() << "port " << port << " not in " << found;
    return nullptr;
  }
};

TEST_P(ScannerNmapTest, NmapRunsAJobWithScriptsAndOsDetection) {
  TalkingService ssh("127.68.70.1", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", "");
  TalkingService web("127.68.70.1", "", kWebPage, std::chrono::seconds(10));
  const std::uint16_t closed = free_port_on("127.68.70.1");
  client::ApiClient root = admin();
  const std::string ports = port_list({ssh.listener().port(), web.listener().port(), closed});
  const auto accepted = nmap_scan(root, "127.68.70.1", ports,
                                  {{"scripts", json::array{"http-title"}}, {"os_detection", true}});
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  const json::value queued = body_of(accepted);
  EXPECT_EQ(queued.at("backend").as_string(), "nmap");
  EXPECT_EQ(queued.at("nmap").at("scripts"), json::array{"http-title"});
  EXPECT_TRUE(queued.at("nmap").at("os_detection").as_bool());
  const std::int64_t id = queued.at("id").as_int64();

  const json::value done =
      wait_for_status(root, id, {"completed", "cancelled", "failed"}, std::chrono::seconds(120));
  ASSERT_EQ(done.at("status").as_string(), "completed") << done;
  EXPECT_EQ(done.at("method").as_string(), "nmap -sS -sV -O --script") << done;
  EXPECT_EQ(done.at("progress").at("percent").to_number<double>(), 100.0) << done;

  const json::value found = results(root, id);
  ASSERT_EQ(found.at("hosts").as_array().size(), 1u) << found;
  const json::value& host = found.at("hosts").at(0);
  EXPECT_EQ(host.at("address").as_string(), "127.68.70.1");
  EXPECT_EQ(found.at("open_ports").as_int64(), 2) << "the closed port is not stored: " << found;
  // nmap guesses the loopback host's OS: the kernel these tests run on.
  ASSERT_TRUE(host.at("os").is_string()) << host;
  EXPECT_TRUE(std::string(host.at("os").as_string()).starts_with("Linux")) << host;
  EXPECT_GT(host.at("os_accuracy").as_int64(), 50) << host;

  const json::object* ssh_port = port_of(found, ssh.listener().port());
  ASSERT_NE(ssh_port, nullptr);
  EXPECT_EQ(ssh_port->at("service").at("service").as_string(), "ssh") << *ssh_port;
  EXPECT_EQ(ssh_port->at("service").at("product").as_string(), "OpenSSH") << *ssh_port;
  const json::object* web_port = port_of(found, web.listener().port());
  ASSERT_NE(web_port, nullptr);
  EXPECT_EQ(web_port->at("service").at("service").as_string(), "http") << *web_port;
  bool titled = false;
  for (const auto& script : web_port->at("scripts").as_array()) {
    if (script.at("id").as_string() == "http-title") {
      titled = script.at("output").as_string() == "Sentinel nmap test";
    }
  }
  EXPECT_TRUE(titled) << *web_port;

  // The same through sentinelctl: the job, the ports' table, then the OS and the scripts.
  const CommandOutput shown = ctl({"scan", "show", std::to_string(id)});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("nmap -sS -sV -O --script"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("OS: Linux"), std::string::npos) << shown.out;
  EXPECT_NE(
      shown.out.find(std::to_string(web.listener().port()) + "/tcp http-title: Sentinel nmap test"),
      std::string::npos)
      << shown.out;
}

TEST_P(ScannerNmapTest, WithoutDiscoveryNmapScansEveryAddressAsWithPn) {
  // A service that names itself at once, so that nmap's -sV is quick.
  TalkingService ssh("127.68.70.3", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", "");
  client::ApiClient root = admin();
  const auto accepted = post_scan(root, {{"targets", json::array{"127.68.70.3"}},
                                         {"ports", std::to_string(ssh.listener().port())},
                                         {"backend", "nmap"},
                                         {"discovery", false}});
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  EXPECT_FALSE(body_of(accepted).at("discovery").as_bool()) << accepted.body;
  const std::int64_t id = body_of(accepted).at("id").as_int64();
  const json::value done =
      wait_for_status(root, id, {"completed", "cancelled", "failed"}, std::chrono::seconds(120));
  ASSERT_EQ(done.at("status").as_string(), "completed") << done;
  EXPECT_EQ(done.at("method").as_string(), "nmap -Pn -sS -sV") << done;
  EXPECT_EQ(open_pairs(results(root, id)), std::set<std::string>{pair(ssh.listener())});
}

TEST_P(ScannerNmapTest, ScriptsThatAttackOrReachThirdPartiesAreRefused) {
  client::ApiClient root = admin();
  const auto expect_refused = [&](const json::object& body, const std::string& field,
                                  const std::string& words) {
    const auto reply = post_scan(root, body);
    EXPECT_EQ(reply.status, 400) << json::serialize(body) << " -> " << reply.body;
    const auto error = reply.api_error();
    ASSERT_TRUE(error) << reply.body;
    EXPECT_EQ(error->field, field) << reply.body;
    EXPECT_NE(error->message.find(words), std::string::npos) << reply.body;
  };
  const json::array target{"127.68.70.2"};
  expect_refused({{"targets", target},
                  {"backend", "nmap"},
                  {"nmap", {{"scripts", json::array{"ssh-brute", "http-title"}}}}},
                 "nmap.scripts", "'ssh-brute' is in the brute category");
  expect_refused(
      {{"targets", target}, {"backend", "nmap"}, {"nmap", {{"scripts", json::array{"whois-ip"}}}}},
      "nmap.scripts", "external");
  expect_refused(
      {{"targets", target}, {"backend", "nmap"}, {"nmap", {{"scripts", json::array{"dos"}}}}},
      "nmap.scripts", "the dos category is never run");
  expect_refused({{"targets", target},
                  {"backend", "nmap"},
                  {"nmap", {{"scripts", json::array{"no-such-script"}}}}},
                 "nmap.scripts", "'no-such-script' is no script or category");
  expect_refused({{"targets", target}, {"backend", "nmap"}, {"agents", {{"group", "lab"}}}},
                 "backend", "agents");
  // sentinelctl sends the same fields: --script and --os only with --nmap.
  const CommandOutput brute =
      ctl({"scan", "run", "127.68.70.2", "--nmap", "--script", "ssh-brute", "--os"});
  EXPECT_EQ(brute.exit_code, 1) << brute.out << brute.err;
  EXPECT_NE(brute.err.find("'ssh-brute' is in the brute category"), std::string::npos) << brute.err;
  EXPECT_EQ(ctl({"scan", "run", "127.68.70.2", "--script", "banner"}).exit_code, 2);
  // The scope guard holds for nmap as for the engine.
  const auto outside =
      post_scan(root, {{"targets", json::array{"127.69.0.1"}}, {"backend", "nmap"}});
  EXPECT_EQ(outside.status, 400) << outside.body;
  EXPECT_EQ(error_code(outside), "target_out_of_scope");
}

TEST_P(ScannerNmapTest, ACancelKillsNmap) {
  client::ApiClient root = admin();
  const int before = nmap_processes();
  // Every address of a /24 on loopback answers, on all 65,535 ports: minutes of work for nmap.
  const auto accepted = post_scan(
      root,
      {{"targets", json::array{"127.68.70.0/24"}}, {"ports", "1-65535"}, {"backend", "nmap"}});
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  const std::int64_t id = body_of(accepted).at("id").as_int64();
  wait_for_status(root, id, {"running"});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (nmap_processes() == before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(nmap_processes(), before + 1) << "nmap runs the job";
  auto cancelled = root.del("/api/v1/scans/" + std::to_string(id));
  ASSERT_TRUE(cancelled && cancelled->status == 200) << (cancelled ? cancelled->body : "");
  const json::value ended =
      wait_for_status(root, id, {"cancelled", "completed", "failed"}, std::chrono::seconds(30));
  EXPECT_EQ(ended.at("status").as_string(), "cancelled") << ended;
  const auto gone = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (nmap_processes() > before && std::chrono::steady_clock::now() < gone) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(nmap_processes(), before) << "nmap was killed";
}

SENTINEL_BOTH_BACKENDS(ScannerNmapTest);

// A server whose nmap is missing refuses nmap jobs and names why; the engine still scans.
class ScannerWithoutNmapTest : public ScannerApiTest {
 protected:
  void SetUp() override {
    std::vector<std::string> args = kScanArgs;
    args.insert(args.end(), {"--set", "scanner.nmap_path=/nonexistent/nmap"});
    start_server(args);
  }
};

TEST_P(ScannerWithoutNmapTest, NmapJobsAreRefusedNamingTheBackend) {
  client::ApiClient root = admin();
  const auto refused =
      post_scan(root, {{"targets", json::array{"127.68.70.3"}}, {"backend", "nmap"}});
  EXPECT_EQ(refused.status, 400) << refused.body;
  const auto error = refused.api_error();
  ASSERT_TRUE(error) << refused.body;
  EXPECT_EQ(error->field, "backend");
  EXPECT_NE(error->message.find("/nonexistent/nmap"), std::string::npos) << refused.body;
  TcpListener web = TcpListener::open("127.68.70.3");
  const std::int64_t id = start_scan(root, {"127.68.70.3"}, std::to_string(web.port()));
  wait_completed(root, id);
}

INSTANTIATE_TEST_SUITE_P(Backends, ScannerWithoutNmapTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sentinel::test
