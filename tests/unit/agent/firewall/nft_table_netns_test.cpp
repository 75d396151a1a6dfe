// The enforcer against real nftables, each test in a network namespace of its own (forked
// child, unshare(CLONE_NEWNET)): never the host's ruleset. A table `inet bystander` made by the
// test must come out of every apply, rollback and repair unchanged.

#include <gtest/gtest.h>

#include <thread>

#include "agent/firewall/firewall_state.h"
#include "agent/firewall/nft_table.h"
#include "sentinel/firewall/nft_compiler.h"
#include "sentinel/firewall/policy_parser.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/agent/firewall/netns_child.h"
#include "tests/unit/firewall/firewall_sample_policy.h"

namespace sentinel::agent::firewall {
namespace {

using namespace std::chrono_literals;
using test::ChildChecks;

constexpr const char* kBystander =
    "table inet bystander {\n"
    "\tset friends { type ipv4_addr; elements = { 192.0.2.1, 192.0.2.2 } }\n"
    "\tchain input { type filter hook input priority -10; policy accept; tcp dport 4444 drop; }\n"
    "}\n";

// The nft command line tool, run inside the current (the child's) namespace.
sentinel::test::CommandOutput nft_cli(const std::vector<std::string>& args,
                                      const std::string& input = {}) {
  std::vector<std::string> argv = {"nft"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto output = sentinel::test::run_command(argv, input, {}, std::chrono::seconds(30));
  return output ? *output : sentinel::test::CommandOutput{-1, "", output.error().message};
}

std::string compile(std::string_view json) {
  auto parsed = sentinel::firewall::parse_policy(json);
  if (!parsed.ok()) return "invalid policy";
  auto text = sentinel::firewall::compile_nft(parsed.document);
  return text ? *text : "uncompilable policy: " + text.error().message;
}

std::unique_ptr<NftTable> open_table(ChildChecks& checks) {
  auto table = NftTable::create();
  CHILD_CHECK(checks, table, (table ? "" : table.error().message));
  return table ? std::move(*table) : nullptr;
}

std::string bystander_listing() { return nft_cli({"list", "table", "inet", "bystander"}).out; }

void make_bystander(ChildChecks& checks) {
  const auto made = nft_cli({"-f", "-"}, kBystander);
  CHILD_CHECK(checks, made.exit_code == 0, made.err);
}

TEST(NftTableNetns, ApplyListsAStableHashAndSetSizes) {
  RUN_IN_NEW_NETNS([](ChildChecks& checks) {
    make_bystander(checks);
    const std::string before = bystander_listing();
    auto table = open_table(checks);
    if (!table) return;
    CHILD_CHECK(checks, table->exists() && !*table->exists(), "no table yet");
    CHILD_CHECK(checks, table->listing().error().code == ErrorCode::kNotFound, "");
    const Status applied = table->apply(compile(sentinel::firewall::test::kSamplePolicy));
    CHILD_CHECK(checks, applied, (applied ? "" : applied.error().message));
    auto first = table->listing();
    auto second = table->listing();
    CHILD_CHECK(checks, first && second, "listing failed");
    if (!first || !second) return;
    CHILD_CHECK(checks, first->hash.size() == 64, first->hash);
    CHILD_CHECK(checks, *first == *second, first->hash << " vs " << second->hash);
    // admins: 10.0.0.0/24 and 2001:db8:1::/48; the web ports: 80, 443, 8000-8080.
    CHILD_CHECK(checks, first->set_elements["addr_admins_v4"] == 1, "");
    CHILD_CHECK(checks, first->set_elements["addr_admins_v6"] == 1, "");
    CHILD_CHECK(checks, first->set_elements["port_web"] == 3, first->set_elements["port_web"]);
    CHILD_CHECK(checks, !first->set_elements.contains("block_v4"), "block sets are not counted");
    // Blocks do not change the hash (terse listing): they come and go by design.
    CHILD_CHECK(checks, table->add_block("192.0.2.50", 60s), "");
    auto with_block = table->listing();
    CHILD_CHECK(checks, with_block && *with_block == *first, "a block changed the listing");
    CHILD_CHECK(checks, bystander_listing() == before, "bystander changed");
  });
}

TEST(NftTableNetns, FailingOrForeignBufferLeavesEverythingAsItWas) {
  RUN_IN_NEW_NETNS([](ChildChecks& checks) {
    make_bystander(checks);
    const std::string bystander = bystander_listing();
    auto table = open_table(checks);
    if (!table) return;
    CHILD_CHECK(checks, table->apply(compile(sentinel::firewall::test::kSamplePolicy)), "");
    const std::string full_before = nft_cli({"list", "ruleset"}).out;
    auto before = table->listing();
    // The new version, then a command the kernel refuses at the very end of the buffer: the
    // delete and the new table before it must not happen either.
    const std::string broken = compile(sentinel::firewall::test::kSamplePolicyEdited) +
                               "add rule inet sentinel input meta mark 1 jump no_such_chain\n";
    const Status failed = table->apply(broken);
    CHILD_CHECK(checks, !failed, "a broken buffer applied");
    if (!failed) {
      CHILD_CHECK(checks,
                  failed.error().message.find("no_such_chain") != std::string::npos ||
                      failed.error().message.find("Error") != std::string::npos,
                  failed.error().message);
    }
    auto after = table->listing();
    CHILD_CHECK(checks, before && after && *before == *after, "the table changed");
    CHILD_CHECK(checks, nft_cli({"list", "ruleset"}).out == full_before, "the ruleset changed");

    const Status foreign = table->apply(compile(sentinel::firewall::test::kSamplePolicy) +
                                        "flush table inet bystander\n");
    CHILD_CHECK(checks, !foreign && foreign.error().code == ErrorCode::kInvalidArgument,
                "a buffer naming another table ran");
    CHILD_CHECK(checks, bystander_listing() == bystander, "bystander changed");
  });
}

TEST(NftTableNetns, BlocksExpireInTheKernelAndSurviveAReplace) {
  RUN_IN_NEW_NETNS([](ChildChecks& checks) {
    auto table = open_table(checks);
    if (!table) return;
    sentinel::test::TempDir dir("fw-blocks");
    SystemClock clock;
    auto state = FirewallState::create(*table, clock, (dir.path() / "fw").string());
    CHILD_CHECK(checks, state, "");
    if (!state) return;
    auto v1 =
        (*state)->begin_apply({1, "d1", compile(sentinel::firewall::test::kSamplePolicy)}, 60s);
    CHILD_CHECK(checks, v1, (v1 ? "" : v1.error().message));

    CHILD_CHECK(checks, table->add_block("192.0.2.7", 2s), "");
    CHILD_CHECK(checks, table->add_block("2001:db8::7", 600s), "");
    CHILD_CHECK(checks, table->add_block("192.0.2.8", 600s), "");
    CHILD_CHECK(checks, table->add_block("192.0.2.300", 60s).error().field == "address", "");
    CHILD_CHECK(checks, table->add_block("192.0.2.9", 0s).error().field == "ttl", "");
    auto listed = table->blocks();
    CHILD_CHECK(checks, listed && listed->size() == 3, (listed ? listed->size() : 0));
    CHILD_CHECK(checks, table->remove_block("192.0.2.8"), "");
    CHILD_CHECK(checks, table->remove_block("192.0.2.8").error().code == ErrorCode::kNotFound, "");

    // Replacing the table (v2) carries the blocks over with their remaining time.
    auto v2 = (*state)->begin_apply(
        {2, "d2", compile(sentinel::firewall::test::kSamplePolicyEdited)}, 60s);
    CHILD_CHECK(checks, v2 && v2->blocks_kept == 2, (v2 ? v2->blocks_kept : 99));
    auto kept = table->blocks();
    bool v6_kept = false;
    bool v4_kept = false;
    for (const ActiveBlock& block : kept ? *kept : std::vector<ActiveBlock>{}) {
      if (block.address == "2001:db8::7") {
        v6_kept = block.timeout_s == 600 && block.expires_s > 590 && block.expires_s <= 600;
      }
      if (block.address == "192.0.2.7") v4_kept = block.expires_s <= 2;
    }
    CHILD_CHECK(checks, v6_kept && v4_kept, "blocks lost or their time reset by the replace");

    std::this_thread::sleep_for(3s);  // the kernel expires the 2 s block
    auto later = table->blocks();
    CHILD_CHECK(checks, later && later->size() == 1 && (*later)[0].address == "2001:db8::7",
                (later ? later->size() : 0));
  });
}

// Commit-confirm, crash recovery and drift repair on the real table.
TEST(NftTableNetns, CommitConfirmCrashRecoveryAndDriftRepair) {
  RUN_IN_NEW_NETNS([](ChildChecks& checks) {
    make_bystander(checks);
    const std::string bystander = bystander_listing();
    auto table = open_table(checks);
    if (!table) return;
    sentinel::test::TempDir dir("fw-confirm");
    const std::string state_dir = (dir.path() / "fw").string();
    ManualClock clock(1'000'000);
    const PolicyRelease v1{1, "d1", compile(sentinel::firewall::test::kSamplePolicy)};
    const PolicyRelease v2{2, "d2", compile(sentinel::firewall::test::kSamplePolicyEdited)};
    TableListing v1_listing;
    {
      auto state = FirewallState::create(*table, clock, state_dir);
      if (!state) return checks.fail(__FILE__, __LINE__, state.error().message);
      auto applied = (*state)->begin_apply(v1, 60s);
      CHILD_CHECK(checks, applied, (applied ? "" : applied.error().message));
      if (!applied) return;
      v1_listing = applied->listing;
      CHILD_CHECK(checks, (*state)->confirm(1), "");

      // v2 is applied but never confirmed: past the deadline v1 is back.
      auto v2_applied = (*state)->begin_apply(v2, 60s);
      CHILD_CHECK(checks, v2_applied && v2_applied->listing.hash != v1_listing.hash, "");
      clock.advance_ms(60'000);
      auto rolled = (*state)->tick();
      CHILD_CHECK(checks, rolled && rolled->has_value() && (*rolled)->restored_version == 1, "");
      auto now = table->listing();
      CHILD_CHECK(checks, now && *now == v1_listing, "v1 is not back after the rollback");

      // Crash: v2 pending on disk, the process gone.
      CHILD_CHECK(checks, (*state)->begin_apply(v2, 60s), "");
    }
    clock.advance_ms(61'000);
    auto restarted = FirewallState::create(*table, clock, state_dir);
    if (!restarted) return checks.fail(__FILE__, __LINE__, restarted.error().message);
    FirewallState& state = **restarted;
    auto recovered = state.recover();
    CHILD_CHECK(checks, recovered && recovered->has_value(), "no rollback at start");
    auto now = table->listing();
    CHILD_CHECK(checks, now && *now == v1_listing, "v1 is not back after the restart");

    // Drift: the table deleted from outside, a chain flushed, a set element added.
    CHILD_CHECK(checks, !state.check_drift()->has_value(), "drift reported on a clean table");
    CHILD_CHECK(checks, nft_cli({"delete", "table", "inet", "sentinel"}).exit_code == 0, "");
    auto missing = state.check_drift();
    CHILD_CHECK(checks,
                missing && missing->has_value() && (*missing)->kind == DriftKind::kMissingTable,
                "missing table not reported");
    now = table->listing();
    CHILD_CHECK(checks, now && *now == v1_listing, "not restored after delete");

    CHILD_CHECK(checks, nft_cli({"flush", "chain", "inet", "sentinel", "input"}).exit_code == 0,
                "");
    auto flushed = state.check_drift();
    CHILD_CHECK(checks,
                flushed && flushed->has_value() && (*flushed)->kind == DriftKind::kChangedRules,
                "flushed chain not reported");
    now = table->listing();
    CHILD_CHECK(checks, now && *now == v1_listing, "not restored after flush");

    CHILD_CHECK(
        checks,
        nft_cli({"add", "element", "inet", "sentinel", "addr_admins_v4", "{", "10.9.9.0/24", "}"})
                .exit_code == 0,
        "");
    auto grown = state.check_drift();
    CHILD_CHECK(checks,
                grown && grown->has_value() && (*grown)->kind == DriftKind::kChangedSetElements,
                "added set element not reported");
    now = table->listing();
    CHILD_CHECK(checks, now && *now == v1_listing, "not restored after element add");
    CHILD_CHECK(checks, !state.check_drift()->has_value(), "drift after repair");

    CHILD_CHECK(checks, bystander_listing() == bystander, "bystander changed");
  });
}

}  // namespace
}  // namespace sentinel::agent::firewall
