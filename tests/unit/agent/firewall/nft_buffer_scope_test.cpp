// The scope guard refuses any buffer that could touch a table other than `inet sentinel`, and
// accepts everything the policy compiler and the block commands produce.

#include "agent/firewall/nft_buffer_scope.h"

#include <gtest/gtest.h>

#include "agent/firewall/nft_table.h"
#include "sentinel/firewall/nft_compiler.h"
#include "tests/unit/firewall/firewall_sample_policy.h"
#include "tests/unit/firewall/policy_test_support.h"

namespace sentinel::agent::firewall {
namespace {

TEST(NftBufferScope, AcceptsTheCompiledPolicyAndBlockCommands) {
  auto text = sentinel::firewall::compile_nft(
      sentinel::firewall::test::parse_valid(sentinel::firewall::test::kSamplePolicy));
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_TRUE(check_buffer_scope(*text)) << check_buffer_scope(*text).error().message;

  auto readd = readd_blocks_text({{"192.0.2.7", 600, 300}, {"2001:db8::1", 0, 0}});
  ASSERT_TRUE(readd);
  EXPECT_EQ(*readd,
            "add element inet sentinel block_v4 { 192.0.2.7 timeout 600s expires 300s }\n"
            "add element inet sentinel block_v6 { 2001:db8::1 }\n");
  EXPECT_TRUE(check_buffer_scope(*text + *readd));
  EXPECT_TRUE(
      check_buffer_scope("delete element inet sentinel block_v4 { 192.0.2.7 }; "
                         "flush chain inet sentinel input"));
}

TEST(NftBufferScope, RefusesEveryOtherTableAndIndirection) {
  const char* refused[] = {
      "flush ruleset",
      "list ruleset",
      "add table ip filter",
      "table ip sentinel { }",
      "delete table inet bystander",
      "table sentinel { }",  // no family: nft means ip
      "table inet sentinel {}\ntable inet other {}",
      "table inet sentinel {}; flush table inet bystander",
      "add rule inet bystander input drop",
      "add element inet sentinel2 block_v4 { 192.0.2.1 }",
      "table inet \"sentinel\" {}",
      "include \"/etc/nftables.conf\"",
      "table inet sentinel { include \"/tmp/x\" }",
      "define x = inet bystander\nflush table $x",
      "flush table inet sentinel \\\n; flush ruleset",
      "table inet sentinel {",
      "table inet sentinel { } }",
      "add chain inet sentinel \"x\n",
      "",
      "# only a comment\n",
  };
  for (const char* text : refused) {
    const Status status = check_buffer_scope(text);
    EXPECT_FALSE(status) << "accepted: " << text;
    if (!status) {
      EXPECT_EQ(status.error().field, "nft_text");
    }
  }
}

TEST(NftBufferScope, QuotedTextAndCommentsAreNotCommands) {
  EXPECT_TRUE(
      check_buffer_scope("table inet sentinel {\n"
                         "\tchain input {\n"
                         "\t\t# flush ruleset; table ip filter {}\n"
                         "\t\ttcp dport 22 accept comment \"x; flush ruleset { }\"\n"
                         "\t}\n"
                         "}\n"));
  const Status status = check_buffer_scope("table inet sentinel {}\n\nflush table ip filter\n");
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("line 3"), std::string::npos) << status.error().message;
}

}  // namespace
}  // namespace sentinel::agent::firewall
