// POST /api/v1/scans/import with a report the real nmap wrote about listeners this test opened
// on 127.68.0.1; malformed XML is refused naming line and column; the body must be XML.

#include <gtest/gtest.h>

#include <map>

#include "tests/integration/scanner/scanner_support.h"
#include "tests/support/temp_dir.h"

namespace sentinel::test {

namespace {

namespace json = boost::json;

class ScannerImportTest : public ScannerApiTest {};

TEST_P(ScannerImportTest, AnNmapReportBecomesACompletedScan) {
  // 8080 is in nmap's port table (http-proxy), so the report names a service for it; the
  // kernel-chosen port is not, so it has none.
  TcpListener web = TcpListener::open("127.68.0.1", 8080);
  TcpListener mail = TcpListener::open("127.68.0.1");
  const std::uint16_t closed = free_port_on("127.68.0.1");
  TempDir dir("scanner-import");
  const std::string xml = nmap_report("127.68.0.1", port_list({web.port(), mail.port(), closed}),
                                      dir.path() / "report.xml");
  ASSERT_NE(xml.find("<nmaprun"), std::string::npos) << xml;

  const std::string token = admin_token();
  const auto reply = post_raw("/api/v1/scans/import", xml, "application/xml", token);
  ASSERT_EQ(reply.status, 201) << reply.body;
  const json::value imported = body_of(reply);
  EXPECT_EQ(imported.at("source").as_string(), "nmap-import");
  EXPECT_EQ(imported.at("status").as_string(), "completed");
  EXPECT_EQ(imported.at("progress").at("open_found").as_int64(), 2) << imported;
  EXPECT_EQ(imported.at("progress").at("hosts_total").as_int64(), 1) << imported;
  const std::int64_t id = imported.at("id").as_int64();

  client::ApiClient root = admin();
  const json::value found = results(root, id);
  EXPECT_EQ(open_pairs(found), (std::set<std::string>{pair(web), pair(mail)})) << found;
  for (const auto& port : found.at("hosts").at(0).at("ports").as_array()) {
    if (port.at("port").as_int64() == 8080) {
      ASSERT_TRUE(port.at("service").is_object()) << port;
      EXPECT_EQ(port.at("service").at("service").as_string(), "http-proxy") << port;
    } else {
      EXPECT_TRUE(port.at("service").is_null()) << port;
    }
  }
  const json::value stored = job(root, id);
  EXPECT_EQ(stored.at("status").as_string(), "completed");
  auto audit = root.get("/api/v1/audit?action=scan.import");
  ASSERT_TRUE(audit && audit->status == 200);
  EXPECT_NE(audit->body.find("scan:" + std::to_string(id)), std::string::npos) << audit->body;

  // text/xml with a charset is XML too; the same report imports again as its own job.
  const auto again = post_raw("/api/v1/scans/import", xml, "text/xml; charset=utf-8", token);
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_NE(body_of(again).at("id").as_int64(), id);
}

TEST_P(ScannerImportTest, HowNmapFoundEachHostAndItsMacAreKept) {
  // As nmap writes a scan of a local segment (no address here is contacted).
  const std::string xml =
      "<?xml version=\"1.0\"?>\n<nmaprun scanner=\"nmap\" version=\"7.93\">\n"
      "<host><status state=\"up\" reason=\"arp-response\"/>"
      "<address addr=\"127.68.0.9\" addrtype=\"ipv4\"/>"
      "<address addr=\"02:42:AC:11:00:09\" addrtype=\"mac\" vendor=\"Unknown\"/></host>\n"
      "<host><status state=\"up\" reason=\"user-set\"/>"
      "<address addr=\"127.68.0.10\" addrtype=\"ipv4\"/></host>\n</nmaprun>\n";
  const auto reply = post_raw("/api/v1/scans/import", xml, "application/xml", admin_token());
  ASSERT_EQ(reply.status, 201) << reply.body;
  client::ApiClient root = admin();
  const json::value found = results(root, body_of(reply).at("id").as_int64());
  std::map<std::string, json::value> by_address;
  for (const auto& host : found.at("hosts").as_array()) {
    by_address[std::string(host.at("address").as_string())] = host;
  }
  ASSERT_EQ(by_address.size(), 2u) << found;
  EXPECT_EQ(by_address["127.68.0.9"].at("reason"), "arp-response") << found;
  EXPECT_EQ(by_address["127.68.0.9"].at("mac"), "02:42:ac:11:00:09") << found;
  EXPECT_TRUE(by_address["127.68.0.10"].at("reason").is_null()) << "-Pn: nmap found nothing";
  EXPECT_TRUE(by_address["127.68.0.10"].at("mac").is_null()) << found;
}

TEST_P(ScannerImportTest, BrokenXmlIsRefusedWithLineAndColumn) {
  const std::string token = admin_token();
  const std::string broken =
      "<?xml version=\"1.0\"?>\n<nmaprun scanner=\"nmap\">\n<host><status state=\"up\"/>\n"
      "<address addr=\"127.68.0.1\" addrtype=\"ipv4\"/>\n</nmaprun>\n";
  const auto reply = post_raw("/api/v1/scans/import", broken, "application/xml", token);
  ASSERT_EQ(reply.status, 400) << reply.body;
  const auto error = reply.api_error();
  ASSERT_TRUE(error) << reply.body;
  EXPECT_EQ(error->field, "body");
  EXPECT_NE(error->message.find("line 5"), std::string::npos) << error->message;
  EXPECT_NE(error->message.find("column"), std::string::npos) << error->message;

  const auto not_nmap =
      post_raw("/api/v1/scans/import", "<?xml version=\"1.0\"?><html/>", "application/xml", token);
  ASSERT_EQ(not_nmap.status, 400) << not_nmap.body;
  EXPECT_NE(not_nmap.body.find("line"), std::string::npos) << not_nmap.body;

  const auto json_body =
      post_raw("/api/v1/scans/import", R"({"hosts":[]})", "application/json", token);
  ASSERT_EQ(json_body.status, 400) << json_body.body;
  EXPECT_EQ(error_code(json_body), "unsupported_media_type");

  client::ApiClient root = admin();
  auto listed = root.get("/api/v1/scans");
  ASSERT_TRUE(listed);
  EXPECT_EQ(body_of(*listed).at("total").as_int64(), 0) << "nothing partial is stored";
}

SENTINEL_BOTH_BACKENDS(ScannerImportTest);

}  // namespace
}  // namespace sentinel::test
