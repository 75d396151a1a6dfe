// InventoryTracker: snapshots first, deltas afterwards, state remembered only on commit, parts
// under the event size limit.

#include "agent/collectors/inventory/inventory_tracker.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json/serialize.hpp>
#include <fstream>

#include "sentinel/protocol/agent_protocol.h"
#include "tests/support/temp_dir.h"

namespace sentinel::agent::inventory {
namespace {

boost::json::object package(std::string name, std::string version, std::string arch = "amd64") {
  return {{"name", std::move(name)},
          {"version", std::move(version)},
          {"arch", std::move(arch)},
          {"source", "dpkg"}};
}

boost::json::object user(std::string name, std::int64_t uid) {
  return {{"name", std::move(name)},
          {"uid", uid},
          {"gid", uid},
          {"home", "/home"},
          {"shell", "/bin/sh"}};
}

Snapshot snapshot_of(boost::json::array packages, boost::json::array users) {
  Snapshot snapshot;
  snapshot.sections["packages"] = std::move(packages);
  snapshot.sections["users"] = std::move(users);
  return snapshot;
}

class InventoryTrackerTest : public ::testing::Test {
 protected:
  InventoryTracker open() {
    auto tracker = InventoryTracker::open(dir_.path() / "inventory");
    EXPECT_TRUE(tracker) << tracker.error().message;
    return std::move(*tracker);
  }

  test::TempDir dir_{"sentinel-tracker"};
};

TEST_F(InventoryTrackerTest, FirstRunSnapshotsThenNothingThenDeltas) {
  InventoryTracker tracker = open();
  const Snapshot first =
      snapshot_of({package("bash", "5.2-1"), package("curl", "7.88-1")}, {user("root", 0)});
  auto events = tracker.next_events(first, false);
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 2u);
  for (const PendingEvent& event : *events) {
    EXPECT_EQ(event.type, "inventory.snapshot");
    EXPECT_EQ(event.data.at("part").as_int64(), 1);
    EXPECT_EQ(event.data.at("parts").as_int64(), 1);
  }
  EXPECT_EQ((*events)[0].data.at("section").as_string(), "packages");
  EXPECT_EQ((*events)[0].data.at("items").as_array().size(), 2u);
  ASSERT_TRUE(tracker.commit());

  // The same state again: nothing to say.
  auto unchanged = tracker.next_events(first, false);
  ASSERT_TRUE(unchanged);
  EXPECT_TRUE(unchanged->empty());

  // curl upgraded, bash removed, vim installed; users unchanged.
  const Snapshot second =
      snapshot_of({package("curl", "7.88-2"), package("vim", "9.0-1")}, {user("root", 0)});
  auto delta = tracker.next_events(second, false);
  ASSERT_TRUE(delta);
  ASSERT_EQ(delta->size(), 1u);
  const PendingEvent& event = (*delta)[0];
  EXPECT_EQ(event.type, "inventory.delta");
  EXPECT_EQ(boost::json::serialize(event.data),
            boost::json::serialize(boost::json::object{
                {"section", "packages"},
                {"added", boost::json::array{package("vim", "9.0-1")}},
                {"removed", boost::json::array{package("bash", "5.2-1")}},
                {"changed",
                 boost::json::array{boost::json::object{{"before", package("curl", "7.88-1")},
                                                        {"after", package("curl", "7.88-2")}}}}}));
}

TEST_F(InventoryTrackerTest, WithoutCommitTheSameChangesComeAgain) {
  InventoryTracker tracker = open();
  ASSERT_TRUE(tracker.next_events(snapshot_of({package("a", "1")}, {}), false));
  ASSERT_TRUE(tracker.commit());
  const Snapshot changed = snapshot_of({package("a", "2")}, {});
  auto first = tracker.next_events(changed, false);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 1u);
  // Not committed (the spool write failed, say): the change is reported again, also by a new
  // tracker on the same directory (an agent restart).
  InventoryTracker restarted = open();
  auto again = restarted.next_events(changed, false);
  ASSERT_TRUE(again);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ(boost::json::serialize((*again)[0].data), boost::json::serialize((*first)[0].data));
  ASSERT_TRUE(restarted.commit());
  auto settled = open().next_events(changed, false);
  ASSERT_TRUE(settled);
  EXPECT_TRUE(settled->empty());
}

TEST_F(InventoryTrackerTest, FullOrLostStateGivesSnapshotsAndFailedSectionsAreLeftAlone) {
  InventoryTracker tracker = open();
  const Snapshot state = snapshot_of({package("a", "1")}, {user("root", 0)});
  ASSERT_TRUE(tracker.next_events(state, false));
  ASSERT_TRUE(tracker.commit());

  auto full = tracker.next_events(state, true);
  ASSERT_TRUE(full);
  ASSERT_EQ(full->size(), 2u);
  EXPECT_EQ((*full)[0].type, "inventory.snapshot");
  ASSERT_TRUE(tracker.commit());

  // A corrupt state file: that section starts over with a snapshot.
  std::ofstream(dir_.path() / "inventory" / "users.json") << "{\"version\":1,\"section\":\"us";
  Snapshot changed = state;
  changed.sections.erase("packages");  // collection failed: no event, state kept
  changed.errors["packages"] = "dpkg status unreadable";
  auto events = tracker.next_events(changed, false);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].type, "inventory.snapshot");
  EXPECT_EQ((*events)[0].data.at("section").as_string(), "users");
  ASSERT_TRUE(tracker.commit());

  // packages' state survived the failed collection.
  auto later = tracker.next_events(state, false);
  ASSERT_TRUE(later);
  EXPECT_TRUE(later->empty());
}

TEST_F(InventoryTrackerTest, StateFilesArePrivate) {
  InventoryTracker tracker = open();
  ASSERT_TRUE(tracker.next_events(snapshot_of({package("a", "1")}, {}), false));
  ASSERT_TRUE(tracker.commit());
  struct stat info {};
  ASSERT_EQ(::stat((dir_.path() / "inventory" / "packages.json").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir_.path() / "inventory").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "inventory" / "packages.json.tmp"));
}

boost::json::array many_packages(int count, std::string_view version) {
  boost::json::array packages;
  for (int i = 0; i < count; ++i) {
    packages.emplace_back(package("package-with-a-long-name-" + std::to_string(100000 + i),
                                  std::string(version) + "+deb12u" + std::to_string(i % 7),
                                  i % 3 == 0 ? "i386" : "amd64"));
  }
  return packages;
}

TEST_F(InventoryTrackerTest, LargeSnapshotIsSplitIntoPartsUnderTheEventLimit) {
  InventoryTracker tracker = open();
  const boost::json::array packages = many_packages(20000, "2.36-9");
  auto events = tracker.next_events(snapshot_of(packages, {}), false);
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_GT(events->size(), 2u);  // ~2.3 MiB of items
  boost::json::array joined;
  std::int64_t part = 0;
  for (const PendingEvent& event : *events) {
    if (event.data.at("section").as_string() != "packages") continue;
    EXPECT_EQ(event.type, "inventory.snapshot");
    EXPECT_LT(boost::json::serialize(event.data).size(), protocol::kMaxEventBytes);
    EXPECT_EQ(event.data.at("part").as_int64(), ++part);
    EXPECT_EQ(event.data.at("parts").as_int64(), static_cast<std::int64_t>(events->size() - 1));
    for (const auto& item : event.data.at("items").as_array()) joined.push_back(item);
  }
  EXPECT_EQ(joined, packages);
}

TEST_F(InventoryTrackerTest, AHugeDeltaBecomesASnapshot) {
  InventoryTracker tracker = open();
  ASSERT_TRUE(tracker.next_events(snapshot_of(many_packages(20000, "2.36-9"), {}), false));
  ASSERT_TRUE(tracker.commit());
  // Every package upgraded: the delta (before and after of each) would exceed one event.
  auto events = tracker.next_events(snapshot_of(many_packages(20000, "2.37-1"), {}), false);
  ASSERT_TRUE(events);
  ASSERT_GT(events->size(), 1u);
  for (const PendingEvent& event : *events) {
    EXPECT_EQ(event.type, "inventory.snapshot");
    EXPECT_LT(boost::json::serialize(event.data).size(), protocol::kMaxEventBytes);
  }
}

TEST(InventorySnapshotEvents, EmptySectionIsOneEmptyPartAndOversizedItemIsRefused) {
  auto empty = snapshot_events("sessions", {}, protocol::kMaxEventBytes);
  ASSERT_TRUE(empty);
  ASSERT_EQ(empty->size(), 1u);
  EXPECT_TRUE((*empty)[0].data.at("items").as_array().empty());
  EXPECT_EQ((*empty)[0].data.at("parts").as_int64(), 1);

  boost::json::array items{package(std::string(300, 'x'), "1")};
  EXPECT_FALSE(snapshot_events("packages", items, 200));
  const boost::json::array packages = many_packages(10, "1");
  auto small = snapshot_events("packages", packages, 400);
  ASSERT_TRUE(small);
  EXPECT_GT(small->size(), 2u);
  boost::json::array joined;
  for (const PendingEvent& event : *small) {
    EXPECT_LT(boost::json::serialize(event.data).size(), 400u);
    for (const auto& item : event.data.at("items").as_array()) joined.push_back(item);
  }
  EXPECT_EQ(joined, packages);
}

}  // namespace
}  // namespace sentinel::agent::inventory
