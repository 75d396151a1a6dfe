// The scanner service through its API on a real server (SQLite and PostgreSQL): scans of
// listeners this test opens on 127.68.0.x find exactly their ports; the scope guard, the
// large-scan confirmation and the body parser refuse what they must, naming it; cancel, live
// progress on the stream, the diff and its scan.change events. Every target is in 127.0.0.0/8.

#include <gtest/gtest.h>
#include <poll.h>

#include <fstream>
#include <map>
#include <stop_token>
#include <thread>

#include "client/stream_client.h"
#include "tests/integration/scanner/scanner_support.h"
#include "tests/support/temp_dir.h"

namespace sentinel::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

class ScannerTest : public ScannerApiTest {};

TEST_P(ScannerTest, AScanFindsExactlyTheOpenPorts) {
  TcpListener web = TcpListener::open("127.68.0.1");
  TcpListener admin_port = TcpListener::open("127.68.0.1");
  TcpListener db = TcpListener::open("127.68.0.3");
  const std::uint16_t closed = free_port_on("127.68.0.2");
  const std::vector<std::uint16_t> ports = {web.port(), admin_port.port(), db.port(), closed};
  // Every (address, port) of the scan that has a listener, whatever numbers the kernel chose.
  std::set<std::string> expected = {pair(web), pair(admin_port), pair(db)};

  client::ApiClient root = admin();
  const std::int64_t id = start_scan(root, {"127.68.0.1-4"}, port_list(ports));
  ASSERT_GT(id, 0);
  const json::value done = wait_completed(root, id);
  const auto& progress = done.at("progress");
  const std::int64_t pairs =
      4 * static_cast<std::int64_t>(std::set<std::uint16_t>(ports.begin(), ports.end()).size());
  EXPECT_EQ(progress.at("pairs_total").as_int64(), pairs) << done;
  EXPECT_EQ(progress.at("pairs_done").as_int64(), pairs) << done;
  EXPECT_EQ(progress.at("hosts_total").as_int64(), 4) << done;
  EXPECT_EQ(progress.at("hosts_done").as_int64(), 4) << done;
  EXPECT_EQ(progress.at("open_found").as_int64(), 3) << done;
  EXPECT_EQ(progress.at("percent").to_number<double>(), 100.0) << done;
  EXPECT_EQ(done.at("requested_by").as_string(), "admin");
  EXPECT_FALSE(done.at("finished_at").is_null());
  EXPECT_TRUE(done.at("method").is_string()) << done;

  const json::value found = results(root, id);
  EXPECT_EQ(open_pairs(found), expected) << found;
  // Loopback answers for every address, so every target host counts as up.
  EXPECT_EQ(found.at("hosts_up").as_int64(), 4) << found;
  EXPECT_EQ(found.at("open_ports").as_int64(), 3) << found;
  for (const auto& host : found.at("hosts").as_array()) {
    for (const auto& port : host.at("ports").as_array()) {
      EXPECT_EQ(port.at("protocol").as_string(), "tcp");
      EXPECT_EQ(port.at("state").as_string(), "open");
      EXPECT_TRUE(port.at("service").is_null()) << "service detection is off in this test";
    }
  }

  // The job is in the list, newest first, and its start is audited.
  auto listed = root.get("/api/v1/scans");
  ASSERT_TRUE(listed && listed->status == 200);
  EXPECT_EQ(body_of(*listed).at("items").at(0).at("id").as_int64(), id);
  auto audit = root.get("/api/v1/audit?action=scan.");
  ASSERT_TRUE(audit && audit->status == 200);
  EXPECT_NE(audit->body.find("scan.start"), std::string::npos) << audit->body;
  EXPECT_NE(audit->body.find("scan:" + std::to_string(id)), std::string::npos) << audit->body;
}

// The stream's scan messages of job `id`, until it ends or `timeout` passes.
std::vector<json::object> scan_messages(client::StreamClient& stream, std::int64_t id,
                                        std::chrono::seconds timeout) {
  std::vector<json::object> out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto message = stream.next_message(500ms);
    if (!message) continue;
    auto parsed = json::parse(*message).as_object();
    if (parsed.at("type").as_string() != "scan") continue;
    const auto& scan = parsed.at("scan").as_object();
    if (scan.at("id").as_int64() != id) continue;
    out.push_back(scan);
    const auto status = scan.at("status").as_string();
    if (status == "completed" || status == "failed" || status == "cancelled") break;
  }
  return out;
}

TEST_P(ScannerTest, NamesTheServicesOnOpenPorts) {
  start_server({"--scan-scope", kScanScope});  // service detection on, as by default
  TalkingService ssh("127.68.0.9", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", "");
  TalkingService web("127.68.0.9", "",
                     "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\n"
                     "Content-Length: 0\r\nConnection: close\r\n\r\n");
  client::ApiClient root = admin();
  auto stream = client::StreamClient::connect(root);
  ASSERT_TRUE(stream) << stream.error().message;
  const std::int64_t id =
      start_scan(root, {"127.68.0.9"}, port_list({ssh.listener().port(), web.listener().port()}));
  ASSERT_GT(id, 0);
  // The job says what it is doing: finding the live hosts, their ports, then naming their
  // services.
  std::vector<std::string> phases;
  for (const json::object& message : scan_messages(*stream, id, 60s)) {
    const json::value& phase = message.at("progress").at("phase");
    if (phase.is_string() && (phases.empty() || phases.back() != phase.as_string())) {
      phases.emplace_back(phase.as_string());
    }
  }
  EXPECT_EQ(phases, (std::vector<std::string>{"discovery", "ports", "services"}));
  EXPECT_TRUE(job(root, id).at("progress").at("phase").is_null()) << "an ended job has no phase";
  wait_completed(root, id);

  std::map<std::int64_t, json::value> services;
  const json::value found = results(root, id);
  for (const auto& host : found.at("hosts").as_array()) {
    for (const auto& port : host.at("ports").as_array()) {
      services[port.at("port").as_int64()] = port.at("service");
    }
  }
  ASSERT_EQ(services.size(), 2u) << found;
  const json::value& on_ssh = services[ssh.listener().port()];
  ASSERT_TRUE(on_ssh.is_object()) << found;
  EXPECT_EQ(on_ssh.at("service").as_string(), "ssh") << on_ssh;
  EXPECT_EQ(on_ssh.at("product").as_string(), "OpenSSH") << on_ssh;
  EXPECT_NE(std::string(on_ssh.at("version").as_string()).find("9.2p1"), std::string::npos)
      << on_ssh;
  const json::value& on_web = services[web.listener().port()];
  ASSERT_TRUE(on_web.is_object()) << found;
  EXPECT_EQ(on_web.at("service").as_string(), "http") << on_web;
  EXPECT_EQ(on_web.at("product").as_string(), "nginx") << on_web;
}

TEST_P(ScannerTest, TargetsOutsideTheScopeAreRefusedAndNamed) {
  client::ApiClient root = admin();
  const auto reply = post_scan(
      root,
      {{"targets", json::array{"127.68.0.1", "127.70.0.0/24", "127.0.0.1"}}, {"ports", "80"}});
  ASSERT_EQ(reply.status, 400) << reply.body;
  const auto error = reply.api_error();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, "target_out_of_scope");
  EXPECT_EQ(error->field, "targets");
  EXPECT_NE(error->message.find("'127.70.0.0/24'"), std::string::npos) << error->message;
  EXPECT_NE(error->message.find("'127.0.0.1'"), std::string::npos) << error->message;
  EXPECT_EQ(error->message.find("'127.68.0.1'"), std::string::npos) << error->message;
  EXPECT_NE(error->message.find(kScanScope), std::string::npos) << error->message;
  // Nothing was queued.
  auto listed = root.get("/api/v1/scans");
  ASSERT_TRUE(listed);
  EXPECT_EQ(body_of(*listed).at("total").as_int64(), 0) << listed->body;
}

TEST_P(ScannerTest, TheScopesAreListed) {
  client::ApiClient root = admin();
  auto scopes = root.get("/api/v1/scan-scopes");
  ASSERT_TRUE(scopes && scopes->status == 200);
  const json::value listed = body_of(*scopes);
  const auto& items = listed.at("items").as_array();
  ASSERT_EQ(items.size(), 1u) << scopes->body;
  EXPECT_EQ(items[0].at("cidr").as_string(), kScanScope);
}

TEST_P(ScannerTest, AServerWithoutScopesRefusesEveryScan) {
  start_server({});
  client::ApiClient root = admin();
  const auto reply = post_scan(root, {{"targets", json::array{"127.68.0.1"}}, {"ports", "80"}});
  ASSERT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(error_code(reply), "target_out_of_scope");
  EXPECT_NE(reply.body.find("none are configured"), std::string::npos) << reply.body;
}

TEST_P(ScannerTest, ASlashEightNeedsConfirmation) {
  start_server({"--scan-scope", "127.0.0.0/8"});
  client::ApiClient root = admin();
  const auto reply = post_scan(root, {{"targets", json::array{"127.0.0.0/8"}}, {"ports", "80"}});
  ASSERT_EQ(reply.status, 400) << reply.body;
  const auto error = reply.api_error();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, "confirmation_required");
  EXPECT_EQ(error->field, "confirm_large");
  EXPECT_NE(error->message.find("16777216"), std::string::npos) << error->message;
  const auto explicit_no = post_scan(
      root, {{"targets", json::array{"127.0.0.0/8"}}, {"ports", "80"}, {"confirm_large", false}});
  EXPECT_EQ(explicit_no.status, 400) << explicit_no.body;
}

TEST_P(ScannerTest, MalformedBodiesNameTheField) {
  client::ApiClient root = admin();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({})", "targets"},
      {R"({"targets":"127.68.0.1"})", "targets"},
      {R"({"targets":[]})", "targets"},
      {R"({"targets":["127.68.0.999"]})", "targets"},
      {R"({"targets":["127.68.0.1"],"exclude":[7]})", "exclude"},
      {R"({"targets":["127.68.0.1"],"ports":"99999"})", "ports"},
      {R"({"targets":["127.68.0.1"],"ports":"top0"})", "ports"},
      {R"({"targets":["127.68.0.1"],"ports":["80"]})", "ports"},
      {R"({"targets":["127.68.0.1"],"profile":"turbo"})", "profile"},
      {R"({"targets":["127.68.0.1"],"confirm_large":"yes"})", "confirm_large"},
      {R"({"targets":["127.68.0.1"],"speed":9})", "speed"},
  };
  for (const auto& [body, field] : cases) {
    auto reply = root.request("POST", "/api/v1/scans", json::parse(body));
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 400) << body << " -> " << reply->body;
    const auto error = reply->api_error();
    ASSERT_TRUE(error) << reply->body;
    EXPECT_EQ(error->field, field) << body << " -> " << reply->body;
    EXPECT_FALSE(error->message.empty());
  }
  auto unknown = root.get("/api/v1/scans/424242");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto bad_id = root.get("/api/v1/scans/abc/results");
  ASSERT_TRUE(bad_id);
  EXPECT_EQ(bad_id->status, 404);
  auto bad_status = root.get("/api/v1/scans?status=done");
  ASSERT_TRUE(bad_status);
  EXPECT_EQ(bad_status->status, 400);
  EXPECT_EQ(bad_status->api_error()->field, "status");
}

TEST_P(ScannerTest, AViewerCanReadScansButNotStartThem) {
  TcpListener web = TcpListener::open("127.68.0.5");
  client::ApiClient root = admin();
  const std::int64_t id = start_scan(root, {"127.68.0.5"}, std::to_string(web.port()));
  wait_completed(root, id);

  create_user(root, "scan-viewer", "Viewer-Scan-Password-31", "viewer");
  client::ApiClient viewer = anonymous();
  ASSERT_EQ(login(viewer, "scan-viewer", "Viewer-Scan-Password-31").status, 200);
  auto listed = viewer.get("/api/v1/scans");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200) << listed->body;
  auto shown = viewer.get("/api/v1/scans/" + std::to_string(id) + "/results");
  ASSERT_TRUE(shown);
  EXPECT_EQ(shown->status, 200);
  EXPECT_EQ(open_pairs(body_of(*shown)), std::set<std::string>{pair(web)});
  auto started = viewer.post("/api/v1/scans",
                             json::object{{"targets", json::array{"127.68.0.5"}}, {"ports", "80"}});
  ASSERT_TRUE(started);
  EXPECT_EQ(started->status, 403) << started->body;
  EXPECT_EQ(error_code(*started), "permission_denied");
  auto cancelled = viewer.del("/api/v1/scans/" + std::to_string(id));
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->status, 403);
}

TEST_P(ScannerTest, CancelStopsRunningAndQueuedScans) {
  start_server(kConnectScanArgs);
  client::ApiClient root = admin();
  // Two workers: two long scans run (65,536 hosts x 1,000 ports each), the third waits.
  const std::int64_t first = start_scan(root, {"127.68.0.0/16"}, "1-1000");
  const std::int64_t second = start_scan(root, {"127.68.0.0/16"}, "1001-2000");
  const std::int64_t third = start_scan(root, {"127.68.0.0/16"}, "2001-3000");
  ASSERT_TRUE(first && second && third);
  wait_for_status(root, first, {"running"}, 30s);
  wait_for_status(root, second, {"running"}, 30s);
  EXPECT_EQ(job(root, third).at("status").as_string(), "queued") << "at most two run at once";

  auto queued_cancel = root.del("/api/v1/scans/" + std::to_string(third));
  ASSERT_TRUE(queued_cancel);
  ASSERT_EQ(queued_cancel->status, 200) << queued_cancel->body;
  EXPECT_EQ(body_of(*queued_cancel).at("status").as_string(), "cancelled");
  for (const std::int64_t id : {first, second}) {
    auto cancelled = root.del("/api/v1/scans/" + std::to_string(id));
    ASSERT_TRUE(cancelled);
    ASSERT_EQ(cancelled->status, 200) << cancelled->body;
    EXPECT_EQ(body_of(*cancelled).at("status").as_string(), "cancelled");
  }
  auto again = root.del("/api/v1/scans/" + std::to_string(first));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409) << again->body;

  // The engines really stopped: their workers are free, so a small scan runs at once and ends.
  TcpListener web = TcpListener::open("127.68.0.7");
  const std::int64_t after = start_scan(root, {"127.68.0.7"}, std::to_string(web.port()));
  const json::value done = wait_for_status(root, after, {"completed", "failed"}, 30s);
  EXPECT_EQ(done.at("status").as_string(), "completed") << done;
  const json::value stopped = job(root, first);
  EXPECT_LT(stopped.at("progress").at("pairs_done").as_int64(),
            stopped.at("progress").at("pairs_total").as_int64())
      << stopped;
  EXPECT_EQ(job(root, third).at("started_at"), json::value(nullptr)) << "it never ran";
  auto audit = root.get("/api/v1/audit?action=scan.cancel");
  ASSERT_TRUE(audit);
  EXPECT_NE(audit->body.find("scan:" + std::to_string(third)), std::string::npos) << audit->body;
}

TEST_P(ScannerTest, AStoppingServerEndsItsScansAndSaysWhy) {
  start_server(kConnectScanArgs);
  client::ApiClient root = admin();
  const std::int64_t running = start_scan(root, {"127.68.0.0/16"}, "1-1000");
  const std::int64_t also_running = start_scan(root, {"127.68.0.0/16"}, "1001-2000");
  const std::int64_t queued = start_scan(root, {"127.68.0.0/16"}, "2001-3000");
  wait_for_status(root, running, {"running"}, 30s);
  wait_for_status(root, also_running, {"running"}, 30s);
  auto stopped = server_->stop();
  ASSERT_TRUE(stopped) << stopped.error().message;
  EXPECT_EQ(*stopped, 0) << "a clean stop while scans run";
  ASSERT_TRUE(server_->restart());

  client::ApiClient again = admin();
  const json::value first = job(again, running);
  EXPECT_EQ(first.at("status").as_string(), "cancelled") << first;
  EXPECT_EQ(first.at("error").as_string(), "the server stopped during the scan") << first;
  EXPECT_FALSE(first.at("finished_at").is_null());
  const json::value waiting = job(again, queued);
  EXPECT_EQ(waiting.at("status").as_string(), "cancelled") << waiting;
  EXPECT_EQ(waiting.at("error").as_string(), "the server stopped before the scan ran") << waiting;
}

// On loopback every answer is back before the raw SYN engine's next send burst, so a burst that
// never checked the cancel flag ran the whole scan; cancelled SYN scans must free their workers.
TEST_P(ScannerTest, CancelStopsASynScanOnLoopback) {
  client::ApiClient root = admin();
  // Both workers busy with long SYN scans, both cancelled: a small scan must then run and end.
  // Every address is port-scanned at once (no discovery first), so the SYN engine is what runs.
  for (const char* ports : {"1-1000", "1001-2000"}) {
    const auto reply =
        post_scan(root, {{"targets", {"127.68.0.0/16"}}, {"ports", ports}, {"discovery", false}});
    ASSERT_EQ(reply.status, 202) << reply.body;
    const std::int64_t id = body_of(reply).at("id").as_int64();
    const json::value running = wait_for_status(root, id, {"running"}, 30s);
    ASSERT_EQ(running.at("method").as_string(), "syn") << "run this test as root";
    auto cancelled = root.del("/api/v1/scans/" + std::to_string(id));
    ASSERT_TRUE(cancelled && cancelled->status == 200);
  }
  TcpListener web = TcpListener::open("127.68.0.7");
  const std::int64_t after = start_scan(root, {"127.68.0.7"}, std::to_string(web.port()));
  EXPECT_EQ(wait_for_status(root, after, {"completed"}, 10s).at("status").as_string(), "completed");
}

TEST_P(ScannerTest, ProgressArrivesOnTheStream) {
  client::ApiClient root = admin();
  create_user(root, "scan-watcher", "Watcher-Scan-Password-77", "viewer");
  client::ApiClient viewer = anonymous();
  ASSERT_EQ(login(viewer, "scan-watcher", "Watcher-Scan-Password-77").status, 200);
  auto stream = client::StreamClient::connect(viewer);
  ASSERT_TRUE(stream) << stream.error().message;

  // Long enough for a few progress ticks (twice a second): 4,096 hosts x 100 ports.
  const std::int64_t id = start_scan(root, {"127.68.16.0/20"}, "1-100");
  ASSERT_GT(id, 0);
  const auto messages = scan_messages(*stream, id, 120s);
  ASSERT_FALSE(messages.empty()) << "no scan message reached the viewer's stream";
  const auto& last = messages.back();
  ASSERT_EQ(last.at("status").as_string(), "completed") << json::serialize(last);
  EXPECT_EQ(last.at("progress").at("percent").to_number<double>(), 100.0);
  EXPECT_EQ(last.at("progress").at("pairs_done").as_int64(), 4096 * 100);
  EXPECT_EQ(last.at("progress").at("hosts_done").as_int64(), 4096);
  bool saw_running = false;
  double previous_percent = -1;
  for (const auto& message : messages) {
    for (const char* key :
         {"percent", "pairs_done", "pairs_total", "hosts_done", "open_found", "rate"}) {
      EXPECT_TRUE(message.at("progress").as_object().contains(key)) << key;
    }
    if (message.at("status").as_string() == "running") saw_running = true;
    const double percent = message.at("progress").at("percent").to_number<double>();
    EXPECT_GE(percent, previous_percent) << "progress never goes back";
    previous_percent = percent;
  }
  EXPECT_TRUE(saw_running) << messages.size() << " messages, none while running";
}

TEST_P(ScannerTest, TheDiffShowsClosedAndOpenedPortsAndBecomesEvents) {
  TcpListener stays = TcpListener::open("127.68.0.1");
  auto goes = std::make_unique<TcpListener>(TcpListener::open("127.68.0.1"));
  const std::uint16_t later = free_port_on("127.68.0.2");
  const std::string ports = port_list({stays.port(), goes->port(), later});
  const std::uint16_t gone_port = goes->port();

  client::ApiClient root = admin();
  const std::int64_t before = start_scan(root, {"127.68.0.1", "127.68.0.2"}, ports);
  wait_completed(root, before);
  auto first_diff = root.get("/api/v1/scans/" + std::to_string(before) + "/diff");
  ASSERT_TRUE(first_diff && first_diff->status == 200);
  EXPECT_TRUE(body_of(*first_diff).at("previous_id").is_null()) << first_diff->body;

  goes.reset();
  TcpListener opened = TcpListener::open("127.68.0.2", later);
  // The same targets and ports in another spelling: the same scope.
  const std::int64_t after = start_scan(root, {"127.68.0.1-2"}, ports);
  wait_completed(root, after);

  auto diff = root.get("/api/v1/scans/" + std::to_string(after) + "/diff");
  ASSERT_TRUE(diff && diff->status == 200);
  const json::value changes = body_of(*diff);
  EXPECT_EQ(changes.at("previous_id").as_int64(), before) << changes;
  std::set<std::string> seen;
  for (const auto& change : changes.at("changes").as_array()) {
    seen.insert(std::string(change.at("action").as_string()) + " " +
                std::string(change.at("address").as_string()) + ":" +
                std::to_string(change.at("port").as_int64()));
  }
  EXPECT_EQ(seen, (std::set<std::string>{"port_closed 127.68.0.1:" + std::to_string(gone_port),
                                         "port_opened 127.68.0.2:" + std::to_string(later)}))
      << changes;

  // Each change is a stored scan.change event that the events route finds.
  std::optional<json::value> found;
  for (int attempt = 0; attempt < 50 && !found; ++attempt) {
    auto events = root.get("/api/v1/events?type=scan.change&limit=50");
    ASSERT_TRUE(events && events->status == 200);
    const json::value page = body_of(*events);
    if (page.at("total").as_int64() >= 2) found = page;
    if (!found) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(found) << "no scan.change events stored";
  EXPECT_EQ(found->at("total").as_int64(), 2) << *found;
  std::set<std::string> actions;
  for (const auto& event : found->at("items").as_array()) {
    const auto& data = event.at("data");
    EXPECT_EQ(event.at("type").as_string(), "scan.change");
    EXPECT_EQ(data.at("event.category").as_string(), "network");
    EXPECT_EQ(data.at("network.transport").as_string(), "tcp");
    EXPECT_EQ(data.at("scan.id").as_int64(), after);
    actions.insert(std::string(data.at("event.action").as_string()) + " " +
                   std::string(data.at("destination.ip").as_string()) + ":" +
                   std::to_string(data.at("destination.port").as_int64()));
  }
  EXPECT_EQ(actions, seen);
  // Field search works on them as on agents' events.
  auto opened_events = root.get("/api/v1/events?type=scan.change&field.event.action=port_opened");
  ASSERT_TRUE(opened_events && opened_events->status == 200);
  EXPECT_EQ(body_of(*opened_events).at("total").as_int64(), 1) << opened_events->body;
}

TEST_P(ScannerTest, DetectionRulesSeeTheChanges) {
  // A rule of the admin's own: any port that opens on a scanned host raises an alert.
  TempDir rules("scanner-rules");
  std::ofstream(rules.path() / "scan.yml") << R"(title: A port opened since the last scan
id: 6c1f3a52-9d0e-4b7a-8e21-5a4c3b2d1e0f
status: test
logsource:
  product: sentinel
detection:
  selection:
    event.type: scan.change
    event.action: port_opened
  condition: selection
entity: destination.ip
level: medium
)";
  std::vector<std::string> args = kScanArgs;
  args.insert(args.end(), {"--set", "detection.rules_dirs=" + rules.path().string()});
  start_server(args);
  const std::uint16_t later = free_port_on("127.68.0.4");
  client::ApiClient root = admin();
  const std::int64_t before = start_scan(root, {"127.68.0.4"}, std::to_string(later));
  wait_completed(root, before);
  TcpListener opened = TcpListener::open("127.68.0.4", later);
  const std::int64_t after = start_scan(root, {"127.68.0.4"}, std::to_string(later));
  wait_completed(root, after);

  std::optional<json::value> alert;
  for (int attempt = 0; attempt < 100 && !alert; ++attempt) {
    auto alerts = root.get("/api/v1/alerts");
    ASSERT_TRUE(alerts && alerts->status == 200);
    const json::value page = body_of(*alerts);
    for (const auto& item : page.at("items").as_array()) {
      if (item.at("rule_title").as_string() == "A port opened since the last scan") alert = item;
    }
    if (!alert) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(alert) << "no alert from the scan.change rule";
  EXPECT_EQ(alert->at("entity").as_string(), "destination.ip=127.68.0.4") << *alert;
}

SENTINEL_BOTH_BACKENDS(ScannerTest);

}  // namespace
}  // namespace sentinel::test
