// A job's results, its changes and the schedule list come in pages (limit, offset), as every list
// of the API does: hosts in address order, totals over the whole job, limits outside 1..1000
// refused. The many hosts come from an imported nmap report; the changes from two real scans of
// listeners on 127.68.0.0/16, stored as the second completes.

#include <gtest/gtest.h>

#include <map>

#include "sentinel/store/database.h"
#include "tests/integration/scanner/scanner_support.h"

namespace sentinel::test {
namespace {

namespace json = boost::json;

class ScanPagingTest : public ScannerApiTest {
 protected:
  json::value get_ok(client::ApiClient& api, const std::string& path) {
    auto reply = api.get(path);
    EXPECT_TRUE(reply && reply->status == 200)
        << path << ": " << (reply ? reply->body : reply.error().message);
    return reply && reply->status == 200 ? body_of(*reply) : json::value(json::object{});
  }

  // A 400 naming `field`, with a message that says the bounds.
  void expect_refused(client::ApiClient& api, const std::string& path, const std::string& field) {
    auto reply = api.get(path);
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply->status, 400) << path << ": " << reply->body;
    const auto error = reply->api_error();
    ASSERT_TRUE(error) << reply->body;
    EXPECT_EQ(error->field, field) << reply->body;
    EXPECT_NE(error->message.find(field), std::string::npos) << error->message;
  }

  static std::vector<std::string> addresses_of(const json::value& page) {
    std::vector<std::string> out;
    for (const auto& host : page.at("hosts").as_array()) {
      out.emplace_back(host.at("address").as_string());
    }
    return out;
  }
};

TEST_P(ScanPagingTest, ResultsComeInPagesOfHostsInAddressOrder) {
  // 127.68.9.0-249 and 127.68.10.0-9: as text, "127.68.10.x" would sort before "127.68.9.x".
  std::vector<std::string> hosts;
  for (int i = 0; i < 250; ++i) hosts.push_back("127.68.9." + std::to_string(i));
  for (int i = 0; i < 10; ++i) hosts.push_back("127.68.10." + std::to_string(i));
  std::vector<std::string> shuffled(hosts.rbegin(), hosts.rend());  // the report's order is not
  const auto reply = post_raw("/api/v1/scans/import", nmap_report_of(shuffled, {22, 443}),
                              "application/xml", admin_token());
  ASSERT_EQ(reply.status, 201) << reply.body;
  const std::string path =
      "/api/v1/scans/" + std::to_string(body_of(reply).at("id").as_int64()) + "/results";

  client::ApiClient root = admin();
  const json::value first = get_ok(root, path);
  EXPECT_EQ(first.at("status").as_string(), "completed");
  EXPECT_EQ(first.at("total").as_int64(), 260) << "every host, not the page's";
  EXPECT_EQ(first.at("hosts_up").as_int64(), 260);
  EXPECT_EQ(first.at("open_ports").as_int64(), 520) << "every open port, not the page's";
  ASSERT_EQ(first.at("hosts").as_array().size(), 100u) << "the default limit";
  EXPECT_EQ(first.at("hosts").at(0).at("ports").as_array().size(), 2u) << first.at("hosts").at(0);

  std::vector<std::string> paged;
  for (int offset = 0; offset < 300; offset += 100) {
    const json::value page = get_ok(root, path + "?limit=100&offset=" + std::to_string(offset));
    EXPECT_EQ(page.at("total").as_int64(), 260);
    for (const std::string& address : addresses_of(page)) paged.push_back(address);
  }
  EXPECT_EQ(paged, hosts) << "each host once, in address order";
  EXPECT_EQ(addresses_of(get_ok(root, path + "?limit=1000")), hosts);
  const json::value tail = get_ok(root, path + "?limit=3&offset=258");
  EXPECT_EQ(addresses_of(tail), (std::vector<std::string>{"127.68.10.8", "127.68.10.9"}));
  const json::value past = get_ok(root, path + "?offset=260");
  EXPECT_TRUE(past.at("hosts").as_array().empty()) << past;
  EXPECT_EQ(past.at("total").as_int64(), 260);

  expect_refused(root, path + "?limit=0", "limit");
  expect_refused(root, path + "?limit=1001", "limit");
  expect_refused(root, path + "?offset=-1", "offset");
}

TEST_P(ScanPagingTest, ChangesComeInPagesWithTheirCountsOverTheWholeDiff) {
  // Before: five ports open on .1; after: two of them closed and three others opened on .2.
  std::vector<std::unique_ptr<TcpListener>> before_ports;
  for (int i = 0; i < 5; ++i) {
    before_ports.push_back(std::make_unique<TcpListener>(TcpListener::open("127.68.0.1")));
  }
  std::vector<std::uint16_t> later;
  for (int i = 0; i < 3; ++i) later.push_back(free_port_on("127.68.0.2"));
  std::vector<std::uint16_t> ports = later;
  for (const auto& listener : before_ports) ports.push_back(listener->port());
  const std::string spec = port_list(ports);

  client::ApiClient root = admin();
  const std::int64_t before = start_scan(root, {"127.68.0.1-2"}, spec);
  wait_completed(root, before);
  before_ports[3].reset();
  before_ports[4].reset();
  std::vector<TcpListener> opened;
  for (const std::uint16_t port : later) opened.push_back(TcpListener::open("127.68.0.2", port));
  const std::int64_t after = start_scan(root, {"127.68.0.1-2"}, spec);
  wait_completed(root, after);

  // The diff is stored as the job completes (with its scan.change events), and its pages are
  // read from there.
  auto db = store::open_database(server_->database_url());
  ASSERT_TRUE(db) << db.error().message;
  std::int64_t stored = -1;
  for (int attempt = 0; attempt < 100 && stored < 0; ++attempt) {
    auto rows = (*db)->query("SELECT total FROM scan_diffs WHERE job_id = $1", {after});
    ASSERT_TRUE(rows) << rows.error().message;
    if (!rows->empty()) stored = rows->front().integer(0);
    if (stored < 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(stored, 5) << "the diff of the completed job was not stored";

  const std::string path = "/api/v1/scans/" + std::to_string(after) + "/diff";
  const json::value whole = get_ok(root, path + "?limit=1000");
  EXPECT_EQ(whole.at("previous_id").as_int64(), before);
  ASSERT_EQ(whole.at("changes").as_array().size(), 5u) << whole;
  EXPECT_EQ(whole.at("total").as_int64(), 5);
  const json::object counts{{"host_new", 0},
                            {"host_gone", 0},
                            {"port_opened", 3},
                            {"port_closed", 2},
                            {"service_changed", 0}};
  EXPECT_EQ(whole.at("counts").as_object(), counts) << whole;

  json::array paged;
  for (int offset = 0; offset < 6; offset += 2) {
    const json::value page = get_ok(root, path + "?limit=2&offset=" + std::to_string(offset));
    EXPECT_EQ(page.at("total").as_int64(), 5);
    EXPECT_EQ(page.at("counts").as_object(), counts) << "counts are the whole diff's";
    EXPECT_LE(page.at("changes").as_array().size(), 2u);
    for (const auto& change : page.at("changes").as_array()) paged.push_back(change);
  }
  EXPECT_EQ(paged, whole.at("changes").as_array()) << "the pages in the same stable order";
  // By address: .1's closed ports before .2's opened ones.
  EXPECT_EQ(paged.at(0).at("action").as_string(), "port_closed");
  EXPECT_EQ(paged.at(4).at("action").as_string(), "port_opened");

  expect_refused(root, path + "?limit=0", "limit");
  expect_refused(root, path + "?limit=1001", "limit");
}

TEST_P(ScanPagingTest, TheScheduleListIsPaged) {
  client::ApiClient root = admin();
  for (const std::string name : {"c-nightly", "a-hourly", "b-daily"}) {
    auto created = root.post(
        "/api/v1/scan-schedules",
        json::object{
            {"name", name},
            {"scan", json::object{{"targets", json::array{"127.68.0.1"}}, {"ports", "22"}}},
            {"interval_s", 3600},
            {"enabled", false}});
    ASSERT_TRUE(created && created->status == 201) << (created ? created->body : "");
  }
  const json::value all = get_ok(root, "/api/v1/scan-schedules");
  EXPECT_EQ(all.at("total").as_int64(), 3);
  EXPECT_EQ(all.at("items").as_array().size(), 3u);
  const json::value first = get_ok(root, "/api/v1/scan-schedules?limit=2");
  EXPECT_EQ(first.at("total").as_int64(), 3);
  ASSERT_EQ(first.at("items").as_array().size(), 2u);
  EXPECT_EQ(first.at("items").at(0).at("name").as_string(), "a-hourly");
  EXPECT_EQ(first.at("items").at(1).at("name").as_string(), "b-daily");
  const json::value rest = get_ok(root, "/api/v1/scan-schedules?limit=2&offset=2");
  ASSERT_EQ(rest.at("items").as_array().size(), 1u);
  EXPECT_EQ(rest.at("items").at(0).at("name").as_string(), "c-nightly");

  expect_refused(root, "/api/v1/scan-schedules?limit=0", "limit");
  expect_refused(root, "/api/v1/scan-schedules?limit=1001", "limit");
}

SENTINEL_BOTH_BACKENDS(ScanPagingTest);

}  // namespace
}  // namespace sentinel::test
