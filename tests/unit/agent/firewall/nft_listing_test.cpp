// The listing the agent hashes and reports: set elements are cut out and counted, everything
// else (rules, chains, set declarations) decides the hash.

#include "agent/firewall/nft_listing.h"

#include <gtest/gtest.h>

namespace sentinel::agent::firewall {
namespace {

constexpr const char* kListing =
    "table inet sentinel {\n"
    "\tset block_v4 {\n"
    "\t\ttype ipv4_addr\n"
    "\t\tflags timeout\n"
    "\t\telements = { 192.0.2.7 timeout 10s expires 9s968ms, 192.0.2.8 timeout 1h expires 59m }\n"
    "\t}\n"
    "\n"
    "\tset addr_big_v4 {\n"
    "\t\ttype ipv4_addr\n"
    "\t\tflags interval\n"
    "\t\telements = { 10.0.0.0/24, 10.0.1.1,\n"
    "\t\t\t     10.0.2.0-10.0.2.9 }\n"
    "\t}\n"
    "\n"
    "\tset port_web {\n"
    "\t\ttype inet_service\n"
    "\t\tflags interval\n"
    "\t\telements = { 80 comment \"a, {b}\", 443 }\n"
    "\t}\n"
    "\n"
    "\tset addr_empty_v6 {\n"
    "\t\ttype ipv6_addr\n"
    "\t\tflags interval\n"
    "\t}\n"
    "\n"
    "\tchain input {\n"
    "\t\ttype filter hook input priority filter; policy drop;\n"
    "\t\tip saddr { 1.1.1.1, 2.2.2.2 } accept comment \"x\"\n"
    "\t}\n"
    "}\n";

TEST(NftListing, CountsStaticSetsAndHashesWithoutElements) {
  const TableListing listing = listing_from_text(kListing);
  const std::map<std::string, std::size_t> expected = {
      {"addr_big_v4", 3}, {"port_web", 2}, {"addr_empty_v6", 0}};
  EXPECT_EQ(listing.set_elements, expected);
  EXPECT_EQ(listing.hash.size(), 64u);

  // Other elements (blocks coming and going, a feed's contents): same hash, other counts.
  std::string other_elements = kListing;
  other_elements.replace(other_elements.find("192.0.2.8"), 9, "192.0.2.9");
  other_elements.replace(other_elements.find("10.0.1.1,"), 9, "10.0.1.1, 10.0.1.3,");
  const TableListing changed = listing_from_text(other_elements);
  EXPECT_EQ(changed.hash, listing.hash);
  EXPECT_EQ(changed.set_elements.at("addr_big_v4"), 4u);

  // Another rule or policy: another hash.
  std::string other_rules = kListing;
  other_rules.replace(other_rules.find("policy drop"), 11, "policy accept");
  EXPECT_NE(listing_from_text(other_rules).hash, listing.hash);
}

}  // namespace
}  // namespace sentinel::agent::firewall
