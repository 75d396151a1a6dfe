// Scan results name each port as nmap-services does (port_name), the guess nmap shows for ports
// service detection did not name: here a silent listener on 127.68.95.1:8443, with detection off.

#include <gtest/gtest.h>

#include <filesystem>

#include "sentinel/scan/port_list.h"
#include "tests/integration/scanner/scanner_support.h"

namespace sentinel::test {
namespace {

class ScanPortNameTest : public ScannerApiTest {};

TEST_P(ScanPortNameTest, ResultsNameEachPortAsNmapServicesDoes) {
  TcpListener alternate_https = TcpListener::open("127.68.95.1", 8443);
  client::ApiClient root = admin();
  const std::int64_t id = start_scan(root, {"127.68.95.1"}, "8443");
  ASSERT_GT(id, 0);
  wait_completed(root, id);
  const boost::json::value found = results(root, id);
  const auto& port = found.at("hosts").at(0).at("ports").at(0);
  ASSERT_EQ(port.at("port").as_int64(), 8443) << found;
  EXPECT_TRUE(port.at("service").is_null()) << found;
  if (std::filesystem::exists(scan::kNmapServicesPath)) {
    EXPECT_EQ(port.at("port_name"), "https-alt") << found;
  } else {
    EXPECT_TRUE(port.at("port_name").is_null()) << "no nmap-services, no names: " << found;
  }
}

SENTINEL_BOTH_BACKENDS(ScanPortNameTest);

}  // namespace
}  // namespace sentinel::test
