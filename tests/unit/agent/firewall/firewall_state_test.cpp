// Commit-confirm and drift logic over a fake table: what is on disk when, what comes back after
// a missed confirm or a crash, and what a drift check repairs.

#include "agent/firewall/firewall_state.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "agent/daemon/state_file.h"
#include "sentinel/common/crypto.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/agent/firewall/fake_firewall_table.h"

namespace sentinel::agent::firewall {
namespace {

using namespace std::chrono_literals;

using test::FakeTable;

PolicyRelease release(std::int64_t version) {
  return {version, "doc" + std::to_string(version),
          "table inet sentinel {}\ndelete table inet sentinel\ntable inet sentinel {\n# v" +
              std::to_string(version) + "\n}\n"};
}

class FirewallStateTest : public ::testing::Test {
 protected:
  std::unique_ptr<FirewallState> open() {
    auto state = FirewallState::create(table_, clock_, dir_.path().string());
    EXPECT_TRUE(state) << state.error().message;
    return state ? std::move(*state) : nullptr;
  }
  std::string file(const char* name) const { return (dir_.path() / name).string(); }
  bool has(const char* name) const { return std::filesystem::exists(file(name)); }

  sentinel::test::TempDir dir_{"fw-state"};
  ManualClock clock_{1'000'000};
  FakeTable table_;
};

TEST_F(FirewallStateTest, PendingIsOnDiskBeforeTheApplyAndConfirmedAfterTheConfirm) {
  auto state = open();
  table_.on_apply = [&](const std::string&) {
    const auto pending = read_json_object(file("pending.json"));
    ASSERT_TRUE(pending.contains("deadline_ms")) << "pending.json must exist before the apply";
    EXPECT_EQ(pending.at("version").as_int64(), 1);
    EXPECT_EQ(pending.at("deadline_ms").as_int64(), 1'000'000 + 60'000);
  };
  auto report = state->begin_apply(release(1), 60s);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->version, 1);
  EXPECT_EQ(report->document_hash, "doc1");
  EXPECT_EQ(report->listing.hash, crypto::sha256_hex(release(1).nft_text));
  EXPECT_EQ(report->listing.set_elements.at("addr_x_v4"), 3u);
  EXPECT_EQ(state->pending_version(), 1);
  EXPECT_FALSE(has("confirmed.json"));

  EXPECT_EQ(state->confirm(2).error().code, ErrorCode::kConflict);
  ASSERT_TRUE(state->confirm(1));
  EXPECT_FALSE(has("pending.json"));
  const auto confirmed = read_json_object(file("confirmed.json"));
  EXPECT_EQ(confirmed.at("version").as_int64(), 1);
  EXPECT_EQ(confirmed.at("document_hash").as_string(), "doc1");
  EXPECT_EQ(confirmed.at("nft_text").as_string(), release(1).nft_text);
  EXPECT_EQ(
      std::filesystem::status(file("confirmed.json")).permissions() & std::filesystem::perms::all,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_TRUE(state->confirm(1)) << "a repeated confirm is harmless";
  EXPECT_EQ(state->confirmed_version(), 1);
}

TEST_F(FirewallStateTest, MissedConfirmRollsBackToTheConfirmedRuleset) {
  auto state = open();
  ASSERT_TRUE(state->begin_apply(release(1), 60s));
  ASSERT_TRUE(state->confirm(1));
  ASSERT_TRUE(state->begin_apply(release(2), 60s));
  EXPECT_EQ(*table_.ruleset, release(2).nft_text);

  clock_.advance_ms(59'999);
  auto early = state->tick();
  ASSERT_TRUE(early);
  EXPECT_FALSE(early->has_value());
  EXPECT_EQ(*table_.ruleset, release(2).nft_text);

  clock_.advance_ms(1);
  auto rolled = state->tick();
  ASSERT_TRUE(rolled) << rolled.error().message;
  ASSERT_TRUE(rolled->has_value());
  EXPECT_EQ((*rolled)->abandoned_version, 2);
  EXPECT_EQ((*rolled)->restored_version, 1);
  EXPECT_EQ(*table_.ruleset, release(1).nft_text);
  EXPECT_FALSE(has("pending.json"));
  EXPECT_FALSE(state->pending_version());
  EXPECT_EQ(state->confirm(2).error().code, ErrorCode::kConflict) << "too late to confirm";
}

TEST_F(FirewallStateTest, MissedConfirmWithNothingConfirmedDeletesTheTable) {
  auto state = open();
  ASSERT_TRUE(state->begin_apply(release(1), 5s));
  clock_.advance_ms(5'000);
  auto rolled = state->tick();
  ASSERT_TRUE(rolled && rolled->has_value());
  EXPECT_FALSE((*rolled)->restored_version);
  EXPECT_FALSE(table_.ruleset) << "the table must be gone";
}

TEST_F(FirewallStateTest, CrashWithPendingPastDeadlineRollsBackAtStart) {
  {
    auto state = open();
    ASSERT_TRUE(state->begin_apply(release(1), 60s));
    ASSERT_TRUE(state->confirm(1));
    ASSERT_TRUE(state->begin_apply(release(2), 60s));
  }  // the agent dies here
  clock_.advance_ms(120'000);
  auto state = open();
  EXPECT_EQ(state->pending_version(), 2);
  auto rolled = state->recover();
  ASSERT_TRUE(rolled && rolled->has_value());
  EXPECT_EQ((*rolled)->restored_version, 1);
  EXPECT_EQ(*table_.ruleset, release(1).nft_text);
  EXPECT_FALSE(has("pending.json"));
}

TEST_F(FirewallStateTest, CrashWithinGraceReappliesThePendingRelease) {
  {
    auto state = open();
    ASSERT_TRUE(state->begin_apply(release(1), 60s));
    ASSERT_TRUE(state->confirm(1));
    ASSERT_TRUE(state->begin_apply(release(2), 60s));
  }
  table_.ruleset = release(1).nft_text;  // as if the crash came before the kernel saw v2
  clock_.advance_ms(10'000);
  auto state = open();
  auto recovered = state->recover();
  ASSERT_TRUE(recovered);
  EXPECT_FALSE(recovered->has_value());
  EXPECT_EQ(*table_.ruleset, release(2).nft_text);
  ASSERT_TRUE(state->confirm(2));
  EXPECT_EQ(state->confirmed_version(), 2);
}

TEST_F(FirewallStateTest, FailedApplyKeepsTableAndConfirmedState) {
  auto state = open();
  ASSERT_TRUE(state->begin_apply(release(1), 60s));
  ASSERT_TRUE(state->confirm(1));
  table_.fail_next = true;
  auto report = state->begin_apply(release(2), 60s);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().message, "Error: syntax error");
  EXPECT_EQ(*table_.ruleset, release(1).nft_text);
  EXPECT_FALSE(has("pending.json"));
  EXPECT_FALSE(state->pending_version());
  EXPECT_EQ(state->confirmed_version(), 1);
  clock_.advance_ms(120'000);
  auto rolled = state->tick();
  ASSERT_TRUE(rolled);
  EXPECT_FALSE(rolled->has_value());
}

TEST_F(FirewallStateTest, ActiveBlocksAreCarriedIntoTheSameBuffer) {
  auto state = open();
  table_.active_blocks = {{"192.0.2.9", 600, 300}, {"2001:db8::9", 60, 0}};
  auto report = state->begin_apply(release(1), 60s);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->blocks_kept, 2u);
  ASSERT_EQ(table_.applied.size(), 1u);
  EXPECT_EQ(table_.applied[0],
            release(1).nft_text +
                "add element inet sentinel block_v4 { 192.0.2.9 timeout 600s expires 300s }\n"
                "add element inet sentinel block_v6 { 2001:db8::9 timeout 60s expires 1s }\n");
}

TEST_F(FirewallStateTest, DriftIsRepairedAndNamed) {
  auto state = open();
  auto none = state->check_drift();
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value()) << "nothing applied yet: nothing to compare";
  ASSERT_TRUE(state->begin_apply(release(1), 60s));
  ASSERT_TRUE(state->confirm(1));
  EXPECT_FALSE(state->check_drift()->has_value());

  table_.ruleset.reset();
  auto missing = state->check_drift();
  ASSERT_TRUE(missing && missing->has_value());
  EXPECT_EQ(to_string((*missing)->kind), "missing_table");
  EXPECT_EQ((*missing)->restored_version, 1);
  EXPECT_EQ(*table_.ruleset, release(1).nft_text);

  table_.ruleset = "table inet sentinel { }\n";
  auto changed = state->check_drift();
  ASSERT_TRUE(changed && changed->has_value());
  EXPECT_EQ(to_string((*changed)->kind), "changed_rules");
  EXPECT_EQ(*table_.ruleset, release(1).nft_text);

  table_.elements = 4;
  auto elements = state->check_drift();
  ASSERT_TRUE(elements && elements->has_value());
  EXPECT_EQ(to_string((*elements)->kind), "changed_set_elements");
  EXPECT_EQ((*elements)->found.set_elements.at("addr_x_v4"), 4u);
}

TEST_F(FirewallStateTest, DamagedStateFileIsNamed) {
  std::ofstream(file("confirmed.json")) << R"({"version": "one"})";
  auto state = FirewallState::create(table_, clock_, dir_.path().string());
  ASSERT_FALSE(state);
  EXPECT_NE(state.error().message.find("confirmed.json"), std::string::npos);
  EXPECT_EQ(state.error().field, "version");
}

}  // namespace
}  // namespace sentinel::agent::firewall
