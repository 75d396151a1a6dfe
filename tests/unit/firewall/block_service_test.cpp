// The block service: repeat-offender escalation, the allow-list, which agents get the commands,
// unblock, expiry and what a connecting agent must hold.

#include <gmock/gmock.h>

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/unit/firewall/block_test_support.h"

namespace sentinel::firewall::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::int64_t kHourMs = 3600 * 1000;

TEST(BlockEscalation, DoublesForEachOffenceAndStopsAtSevenDays) {
  EXPECT_EQ(escalated_duration_s(600, 1), 600);
  EXPECT_EQ(escalated_duration_s(600, 2), 1200);
  EXPECT_EQ(escalated_duration_s(600, 3), 2400);
  EXPECT_EQ(escalated_duration_s(600, 10), 600 * 512);
  EXPECT_EQ(escalated_duration_s(600, 11), kMaxBlockSeconds);  // 614400 s would pass 7 days
  EXPECT_EQ(escalated_duration_s(600, 1000), kMaxBlockSeconds);
  EXPECT_EQ(escalated_duration_s(4 * 86400, 2), kMaxBlockSeconds);
  EXPECT_EQ(escalated_duration_s(60, 0), 60);
}

class BlockServiceTest : public BlockTest {};

TEST_P(BlockServiceTest, ARepeatOffenderGetsLongerBlocksWithinADay) {
  const Block first = blocked(request("203.0.113.9", 600));
  clock_.advance_ms(kHourMs);
  const Block second = blocked(request("203.0.113.9", 600));
  clock_.advance_ms(kHourMs);
  const Block third = blocked(request("203.0.113.9", 600));
  const Block other = blocked(request("203.0.113.10", 600));
  EXPECT_EQ(first.offence, 1);
  EXPECT_EQ(first.duration_s, 600);
  EXPECT_EQ(second.offence, 2);
  EXPECT_EQ(second.duration_s, 1200);
  EXPECT_EQ(third.offence, 3);
  EXPECT_EQ(third.duration_s, 2400);
  EXPECT_EQ(third.requested_duration_s, 600);
  EXPECT_EQ(third.expires_ms - third.started_ms, 2400 * 1000);
  EXPECT_EQ(other.offence, 1) << "another address is not a repeat offender";

  // A day after the second block only the third still counts.
  clock_.set_ms(second.started_ms + 24 * kHourMs + 1);
  const Block later = blocked(request("203.0.113.9", 600));
  EXPECT_EQ(later.offence, 2);
  EXPECT_EQ(later.duration_s, 1200);
}

TEST_P(BlockServiceTest, EscalationStopsAtSevenDays) {
  Block last;
  for (int i = 0; i < 4; ++i) last = blocked(request("2001:db8::7", 2 * 86400));
  EXPECT_EQ(last.offence, 4);
  EXPECT_EQ(last.duration_s, kMaxBlockSeconds);
}

TEST_P(BlockServiceTest, AnAllowListedAddressIsRefusedNamingTheEntryAndNeverSent) {
  const std::string web = agent("web-1", "web");
  auto loopback = blocks_->block(request("127.0.0.5", 600));
  ASSERT_FALSE(loopback);
  EXPECT_EQ(loopback.error().code, ErrorCode::kConflict);
  EXPECT_EQ(loopback.error().reason, "allow_listed");
  EXPECT_EQ(loopback.error().field, "address");
  EXPECT_THAT(loopback.error().message, HasSubstr("loopback (127.0.0.0/8)"));

  auto ipv6_loopback = blocks_->block(request("::1", 600));
  ASSERT_FALSE(ipv6_loopback);
  EXPECT_THAT(ipv6_loopback.error().message, HasSubstr("loopback (::1)"));

  auto listener = blocks_->block(request("198.51.100.250", 600));
  ASSERT_FALSE(listener);
  EXPECT_THAT(listener.error().message, HasSubstr("agents.listen"));

  auto entry = allow_list_->add(admin_, "203.0.113.0/24", "office", client_);
  ASSERT_TRUE(entry) << entry.error().message;
  auto office = blocks_->block(request("203.0.113.77", 600, {BlockScopeKind::kAgent, web}));
  ASSERT_FALSE(office);
  EXPECT_EQ(office.error().code, ErrorCode::kConflict);
  EXPECT_THAT(office.error().message, HasSubstr("allow-list entry " + std::to_string(*entry->id) +
                                                " (203.0.113.0/24, office)"));

  blocks_->flush();
  EXPECT_THAT(channel_.sent(), IsEmpty());
  auto page = blocks_->list({});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 0);
  EXPECT_THAT(audit_trail(),
              ElementsAre("firewall.block:denied", "firewall.block:denied", "firewall.block:denied",
                          "firewall.allow_list.add:success", "firewall.block:denied"));

  // Outside the entry is fine; after the entry is removed, inside is too.
  EXPECT_TRUE(blocks_->block(request("203.0.114.1", 600)));
  ASSERT_TRUE(allow_list_->remove(admin_, *entry->id, client_));
  EXPECT_TRUE(blocks_->block(request("203.0.113.77", 600)));
}

// A link-local address names a neighbour on each agent's own link, a different host on each,
// often its IPv6 router (fe80::1): a block of it, asked for or fired by a rule on a forged
// source, would drop the router's neighbour advertisements and cut agents off their server.
TEST_P(BlockServiceTest, ALinkLocalAddressIsNeverBlocked) {
  agent("web-1", "web");
  for (const auto& [address, entry] : std::vector<std::pair<std::string, std::string>>{
           {"fe80::1", "link-local (fe80::/10)"},
           {"febf:ffff::1", "link-local (fe80::/10)"},
           {"169.254.169.254", "link-local (169.254.0.0/16)"}}) {
    auto refused = blocks_->block(request(address, 600));
    ASSERT_FALSE(refused) << address;
    EXPECT_EQ(refused.error().reason, "allow_listed") << address;
    EXPECT_THAT(refused.error().message, HasSubstr(entry)) << address;
  }
  EXPECT_TRUE(blocks_->block(request("fec0::1", 600))) << "just outside fe80::/10";
  blocks_->flush();
  EXPECT_EQ(channel_.sent().size(), 1u) << "only the block outside link-local was sent";
}

TEST_P(BlockServiceTest, TheScopeDecidesWhichOnlineAgentsGetTheBlock) {
  const std::string web1 = agent("web-1", "web");
  const std::string web2 = agent("web-2", "web");
  const std::string db1 = agent("db-1", "db");
  agent("web-3", "web", /*online=*/false);

  blocked(request("203.0.113.1", 600, {BlockScopeKind::kAgent, web1}));
  blocks_->flush();
  EXPECT_THAT(channel_.recipients("firewall_block"), ElementsAre(web1));
  const auto sent = channel_.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(boost::json::serialize(sent[0].args),
            R"({"addresses":["203.0.113.1"],"duration_s":600})");

  channel_.clear();
  blocked(request("203.0.113.2", 600, {BlockScopeKind::kGroup, "web"}));
  blocks_->flush();
  std::vector<std::string> web = {web1, web2};
  std::sort(web.begin(), web.end());
  EXPECT_EQ(channel_.recipients("firewall_block"), web) << "web-3 is offline";

  channel_.clear();
  blocked(request("203.0.113.3", 600));
  blocks_->flush();
  std::vector<std::string> all = {web1, web2, db1};
  std::sort(all.begin(), all.end());
  EXPECT_EQ(channel_.recipients("firewall_block"), all);
}

TEST_P(BlockServiceTest, AnAgentThatCannotBeReachedDoesNotKeepOthersFromTheBlock) {
  const std::string web1 = agent("web-1", "web");
  const std::string web2 = agent("web-2", "web");
  channel_.set_unreachable(web1);
  blocked(request("203.0.113.1", 600, {BlockScopeKind::kGroup, "web"}));
  blocks_->flush();
  std::vector<std::string> both = {web1, web2};
  std::sort(both.begin(), both.end());
  EXPECT_EQ(channel_.recipients("firewall_block"), both);
  // The unreachable agent gets it when it connects: the sync asks what it must hold.
  auto held = blocks_->active_blocks_for(web1);
  ASSERT_TRUE(held) << held.error().message;
  EXPECT_THAT(*held, ElementsAre(ActiveBlock{"203.0.113.1", 600}));
}

TEST_P(BlockServiceTest, UnblockReachesOnlyAgentsNoOtherBlockOfTheAddressCovers) {
  const std::string web1 = agent("web-1", "web");
  const std::string web2 = agent("web-2", "web");
  const std::string db1 = agent("db-1", "db");
  const Block everywhere = blocked(request("198.51.100.9", 600));
  const Block on_web1 = blocked(request("198.51.100.9", 600, {BlockScopeKind::kAgent, web1}));
  blocks_->flush();
  channel_.clear();

  auto ended = blocks_->unblock(everywhere.id, {.username = "admin"});
  ASSERT_TRUE(ended) << ended.error().message;
  EXPECT_TRUE(ended->removed_ms.has_value());
  EXPECT_EQ(ended->removed_by, "admin");
  blocks_->flush();
  std::vector<std::string> released = {web2, db1};
  std::sort(released.begin(), released.end());
  EXPECT_EQ(channel_.recipients("firewall_unblock"), released) << "web-1 is still blocked";
  const auto sent = channel_.sent();
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(boost::json::serialize(sent[0].args), R"({"addresses":["198.51.100.9"]})");

  channel_.clear();
  ASSERT_TRUE(blocks_->unblock(on_web1.id, {.username = "admin"}));
  blocks_->flush();
  EXPECT_THAT(channel_.recipients("firewall_unblock"), ElementsAre(web1));

  auto again = blocks_->unblock(on_web1.id, {.username = "admin"});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_THAT(again.error().message, HasSubstr("already removed by admin"));
  EXPECT_EQ(blocks_->unblock(999999, {.username = "admin"}).error().code, ErrorCode::kNotFound);
  EXPECT_THAT(audit_trail(), ElementsAre("firewall.block:success", "firewall.block:success",
                                         "firewall.unblock:success", "firewall.unblock:success"));
}

TEST_P(BlockServiceTest, ListingShowsRemainingTimeAndExpiredBlocksAsEnded) {
  const std::string web1 = agent("web-1", "web");
  const Block block = blocked(request("203.0.113.5", 600, {BlockScopeKind::kAgent, web1}));
  clock_.advance_ms(100 * 1000 + 1);

  BlockFilter active;
  active.active = true;
  auto page = blocks_->list(active);
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, block.id);
  EXPECT_EQ(page->items[0].remaining_s(clock_.now_ms()), 500);

  clock_.advance_ms(500 * 1000);  // past the expiry
  page = blocks_->list(active);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 0);
  BlockFilter ended;
  ended.active = false;
  page = blocks_->list(ended);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_FALSE(page->items[0].active_at(clock_.now_ms()));
  EXPECT_FALSE(page->items[0].removed_ms.has_value()) << "it expired; nobody removed it";
  EXPECT_EQ(blocks_->list({})->total, 1);

  auto held = blocks_->active_blocks_for(web1);
  ASSERT_TRUE(held);
  EXPECT_THAT(*held, IsEmpty());
  auto late = blocks_->unblock(block.id, {.username = "admin"});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kConflict);
  EXPECT_THAT(late.error().message, HasSubstr("already expired"));
}

TEST_P(BlockServiceTest, AConnectingAgentLearnsEachAddressInItsScopeWithTheLongestTime) {
  const std::string web1 = agent("web-1", "web");
  const std::string db1 = agent("db-1", "db");
  const std::string loner = agent("loner", "");
  blocked(request("203.0.113.1", 600, {BlockScopeKind::kAgent, web1}));
  blocked(request("203.0.113.1", 600, {BlockScopeKind::kGroup, "web"}));  // offence 2: 1200 s
  blocked(request("2001:db8::1", 60));
  blocked(request("203.0.113.2", 60, {BlockScopeKind::kGroup, "db"}));
  clock_.advance_ms(10 * 1000);

  auto web = blocks_->active_blocks_for(web1);
  ASSERT_TRUE(web) << web.error().message;
  EXPECT_THAT(*web, ElementsAre(ActiveBlock{"2001:db8::1", 50}, ActiveBlock{"203.0.113.1", 1190}));
  auto db = blocks_->active_blocks_for(db1);
  ASSERT_TRUE(db);
  EXPECT_THAT(*db, ElementsAre(ActiveBlock{"2001:db8::1", 50}, ActiveBlock{"203.0.113.2", 50}));
  auto alone = blocks_->active_blocks_for(loner);
  ASSERT_TRUE(alone);
  EXPECT_THAT(*alone, ElementsAre(ActiveBlock{"2001:db8::1", 50}));
  EXPECT_EQ(blocks_->active_blocks_for("agt_unknown").error().code, ErrorCode::kNotFound);
}

TEST_P(BlockServiceTest, AnAgentOnTheServersHostNeverBlocksAnotherAgentsAddress) {
  // The server's host is 192.0.2.99; one agent runs there (seen through a dual-stack listener),
  // one reaches it over loopback, the others from their own hosts.
  set_host_addresses({*parse_ip_address("192.0.2.99")});
  const std::string on_host = agent("sentinel-host", "", true, "::ffff:192.0.2.99");
  const std::string local = agent("sentinel-lo", "", true, "127.0.0.1");
  const std::string web1 = agent("web-1", "web", true, "198.51.100.20");
  const std::string db1 = agent("db-1", "db", true, "198.51.100.21");
  const std::string gone = agent("old-1", "", true, "198.51.100.30");
  ASSERT_TRUE(registry_->revoke(admin_, gone, client_));

  // web-1 is compromised: every other agent blocks it, but those on the server's host do not,
  // or web-1 could never reach the server again (and no unblock could reach web-1).
  blocked(request("198.51.100.20", 600));
  blocks_->flush();
  EXPECT_EQ(channel_.recipients("firewall_block"),
            (std::vector<std::string>{std::min(web1, db1), std::max(web1, db1)}));
  EXPECT_THAT(audit_trail("firewall.block.left_out"),
              ElementsAre("firewall.block.left_out:success", "firewall.block.left_out:success"));
  auth::AuditQuery query;
  query.action_prefix = "firewall.block.left_out";
  auto entries = audit_->list(query);
  ASSERT_TRUE(entries);
  for (const auto& entry : *entries) {
    EXPECT_THAT(entry.record.target, ::testing::AnyOf("agent:" + on_host, "agent:" + local));
    EXPECT_EQ(entry.record.actor, "system");
    EXPECT_THAT(entry.record.details_json, HasSubstr(R"("left_out_by":"server")"));
    EXPECT_THAT(entry.record.details_json, HasSubstr(R"("address":"198.51.100.20")"));
    EXPECT_THAT(entry.record.details_json, HasSubstr("agent " + web1 + " (web-1)"));
  }

  // An address no unrevoked agent is seen at is blocked everywhere, the server's host too.
  channel_.clear();
  blocked(request("198.51.100.30", 600));
  blocked(request("203.0.113.50", 600));
  blocks_->flush();
  std::vector<std::string> everyone = {on_host, local, web1, db1};
  std::sort(everyone.begin(), everyone.end());
  std::vector<std::string> twice;
  for (const std::string& id : everyone) twice.insert(twice.end(), {id, id});
  std::sort(twice.begin(), twice.end());
  EXPECT_EQ(channel_.recipients("firewall_block"), twice);

  // An agent of the server's host is not sent it when it connects or gets a policy either.
  auto held = blocks_->active_blocks_for(on_host);
  ASSERT_TRUE(held) << held.error().message;
  EXPECT_THAT(*held,
              ElementsAre(ActiveBlock{"198.51.100.30", 600}, ActiveBlock{"203.0.113.50", 600}));
  auto elsewhere = blocks_->active_blocks_for(db1);
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->size(), 3u);

  // A group block that holds an agent of the server's host: that agent alone is spared.
  ASSERT_TRUE(registry_->update(admin_, local, {.group = "db"}, client_));
  channel_.clear();
  blocked(request("198.51.100.20", 600, {BlockScopeKind::kGroup, "db"}));
  blocks_->flush();
  EXPECT_THAT(channel_.recipients("firewall_block"), ElementsAre(db1));
}

TEST_P(BlockServiceTest, WhatAnAgentLeftOutIsLoggedAndAudited) {
  const std::string web1 = agent("web-1", "web");
  channel_.set_left_out(web1, "203.0.113.5", "the server this agent reports to (203.0.113.5)");
  blocked(request("203.0.113.5", 600));
  blocks_->flush();
  EXPECT_THAT(channel_.recipients("firewall_block"), ElementsAre(web1));
  auth::AuditQuery query;
  query.action_prefix = "firewall.block.left_out";
  auto entries = audit_->list(query);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ(entries->at(0).record.target, "agent:" + web1);
  EXPECT_THAT(entries->at(0).record.details_json, HasSubstr(R"("left_out_by":"agent")"));
  EXPECT_THAT(entries->at(0).record.details_json,
              HasSubstr(R"j("reason":"the server this agent reports to (203.0.113.5)")j"));
}

TEST_P(BlockServiceTest, ANewBlockOfTheSameAddressAndScopeSupersedesTheShorterOne) {
  const Block first = blocked(request("203.0.113.8", 600));
  const Block second = blocked(request("203.0.113.8", 600));
  auto old = blocks_->get(first.id);
  ASSERT_TRUE(old);
  EXPECT_FALSE(old->active_at(clock_.now_ms()));
  EXPECT_EQ(old->removed_by, "superseded by block " + std::to_string(second.id));
  BlockFilter active;
  active.active = true;
  auto page = blocks_->list(active);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, second.id);
}

TEST_P(BlockServiceTest, RequestsAreCheckedStrictlyNamingTheField) {
  const std::string revoked = agent("gone", "web");
  ASSERT_TRUE(registry_->revoke(admin_, revoked, client_));
  const auto field_of = [this](const BlockRequest& wanted) {
    auto block = blocks_->block(wanted);
    EXPECT_FALSE(block);
    if (block) return std::string("<blocked>");
    EXPECT_EQ(block.error().code, ErrorCode::kInvalidArgument) << block.error().message;
    return block.error().field;
  };
  EXPECT_EQ(field_of(request("10.0.0.0/8", 60)), "address");
  EXPECT_EQ(field_of(request("999.1.1.1", 60)), "address");
  EXPECT_EQ(field_of(request(" 203.0.113.1", 60)), "address");
  EXPECT_EQ(field_of(request("fe80::1%eth0", 60)), "address");
  EXPECT_EQ(field_of(request("::ffff:203.0.113.1", 60)), "address");
  EXPECT_EQ(field_of(request("0.0.0.0", 60)), "address");
  EXPECT_EQ(field_of(request("::", 60)), "address");
  EXPECT_EQ(field_of(request("203.0.113.1", 0)), "duration_s");
  EXPECT_EQ(field_of(request("203.0.113.1", kMaxBlockSeconds + 1)), "duration_s");
  EXPECT_EQ(field_of(request("203.0.113.1", 60, {BlockScopeKind::kAgent, "agt_nobody"})),
            "agent_id");
  EXPECT_EQ(field_of(request("203.0.113.1", 60, {BlockScopeKind::kAgent, revoked})), "agent_id");
  EXPECT_EQ(field_of(request("203.0.113.1", 60, {BlockScopeKind::kGroup, "web servers"})), "group");
  EXPECT_EQ(field_of(request("203.0.113.1", 60, {BlockScopeKind::kGroup, ""})), "group");
  BlockRequest long_reason = request("203.0.113.1", 60);
  long_reason.reason.assign(501, 'x');
  EXPECT_EQ(field_of(long_reason), "reason");
  EXPECT_EQ(blocks_->list({})->total, 0);
}

TEST_P(BlockServiceTest, BlocksAndUnblocksArePublishedForTheStream) {
  std::mutex mutex;
  std::vector<std::string> messages;
  auto subscription = bus_->subscribe("firewall", [&](const bus::Message& message) {
    std::lock_guard lock(mutex);
    messages.push_back(message.payload);
  });
  const Block block = blocked(request("203.0.113.4", 600));
  ASSERT_TRUE(blocks_->unblock(block.id, {.username = "admin"}));
  const auto received = [&] {
    std::lock_guard lock(mutex);
    return messages;
  };
  // The bus delivers on its own thread.
  for (int i = 0; i < 500 && received().size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto got = received();
  ASSERT_EQ(got.size(), 2u);
  const auto first = boost::json::parse(got[0]).as_object();
  EXPECT_EQ(first.at("type"), "firewall");
  EXPECT_EQ(first.at("action"), "block");
  EXPECT_EQ(first.at("block").at("address"), "203.0.113.4");
  EXPECT_EQ(first.at("block").at("active"), true);
  const auto second = boost::json::parse(got[1]).as_object();
  EXPECT_EQ(second.at("action"), "unblock");
  EXPECT_EQ(second.at("block").at("removed_by"), "admin");
}

TEST_P(BlockServiceTest, AnAllowListEntryLiftsTheActiveBlocksInside) {
  const std::string web1 = agent("web-1", "web");
  const Block inside = blocked(request("203.0.113.20", 600));
  const Block outside = blocked(request("198.51.100.20", 600));
  blocks_->flush();
  channel_.clear();
  auto network = parse_ip_network("203.0.113.0/24");
  ASSERT_TRUE(network);
  auto lifted = blocks_->unblock_within(*network, {.username = "admin"});
  ASSERT_TRUE(lifted) << lifted.error().message;
  ASSERT_EQ(lifted->size(), 1u);
  EXPECT_EQ((*lifted)[0].id, inside.id);
  EXPECT_TRUE(blocks_->get(outside.id)->active_at(clock_.now_ms()));
  blocks_->flush();
  EXPECT_THAT(channel_.recipients("firewall_unblock"), ElementsAre(web1));
}

INSTANTIATE_TEST_SUITE_P(Backends, BlockServiceTest, ::testing::ValuesIn(sentinel::test::kBackends),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sentinel::firewall::test
