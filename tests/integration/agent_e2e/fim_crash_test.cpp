// A file change must reach the server even when the agent dies between the monitor's baseline
// commit and the spooling of the change's event. That instant cannot be hit on purpose from
// outside, so the test makes the state such a crash leaves on disk: the change is in the
// baseline, and the agent's saved watcher checkpoint is the one from before it (the agent saves
// it only after spooling). Killed with SIGKILL and given back that older checkpoint, the agent
// must report the change again (at least once); killed with its own checkpoint, it must not
// report it twice. The watcher child's log lines reach the agent's log with a "watch:" prefix.

#include <gmock/gmock.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "tests/integration/agent_e2e/agent_fixture.h"
#include "tests/support/temp_dir.h"

namespace sentinel::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class FimCrashTest : public AgentTest {
 protected:
  /// The stored events of `type` from agent `id`, as JSON objects.
  std::vector<boost::json::object> events_of(const std::string& id, const std::string& type) {
    std::vector<boost::json::object> out;
    auto db = database();
    if (!db) return out;
    auto rows = db->query("SELECT data FROM events WHERE agent_id = $1 AND type = $2 ORDER BY id",
                          {id, type});
    if (!rows) {
      ADD_FAILURE() << rows.error().message;
      return out;
    }
    for (const store::Row& row : *rows) out.push_back(boost::json::parse(row.text(0)).as_object());
    return out;
  }

  /// The fim events stored for `path`.
  std::size_t fim_events_for(const std::string& id, const std::string& path) {
    std::size_t count = 0;
    for (const auto& event : events_of(id, "fim")) {
      if (event.at("file.path") == boost::json::value(path)) ++count;
    }
    return count;
  }

  /// How many full checks the agent's FIM reported finished (one per start of its child here).
  std::size_t full_checks_reported(const std::string& id) {
    std::size_t count = 0;
    for (const auto& event : events_of(id, "collector.stats")) {
      if (event.at("collector.name") == "fim" &&
          event.at("event.reason") == "full_check_finished") {
        ++count;
      }
    }
    return count;
  }

  static std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
};

TEST_P(FimCrashTest, AChangeWhoseEventDiedWithTheAgentIsReportedAfterTheRestart) {
  TempDir watched("sentinel-fim-crash");
  const fs::path hosts = watched.path() / "hosts";
  std::ofstream(hosts) << "127.0.0.1 localhost\n";
  client::ApiClient admin_api = admin();
  AgentProcess& agent = start_agent(admin_api, {}, fim_only_config(watched.path().string()));
  const std::string id = enrolled_id(agent);
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(eventually([&] { return full_checks_reported(id) == 1; })) << agent.log();
  const fs::path checkpoint_file = fs::path(agent.data_dir()) / "watch-checkpoint.json";
  // Nothing to remember yet (no change handed over): the file may not exist, and then the
  // agent that died right after the change has none either.
  const bool had_checkpoint = fs::exists(checkpoint_file);
  const std::string before_change = read_text(checkpoint_file);

  std::ofstream(hosts, std::ios::trunc) << "10.0.0.1 evil\n";
  ASSERT_TRUE(eventually([&] { return fim_events_for(id, hosts.string()) == 1; })) << agent.log();
  // Spooled, so the checkpoint that covers the change is saved.
  ASSERT_TRUE(eventually([&] { return read_text(checkpoint_file) != before_change; }));

  // The crash the journal is for: the baseline holds the change, the checkpoint does not.
  agent.kill();
  if (had_checkpoint) {
    std::ofstream out(checkpoint_file, std::ios::binary | std::ios::trunc);
    out << before_change;
  } else {
    fs::remove(checkpoint_file);
  }
  ASSERT_TRUE(agent.restart());
  ASSERT_TRUE(eventually([&] { return fim_events_for(id, hosts.string()) == 2; }))
      << "the change was lost\n"
      << agent.log();
  const auto events = events_of(id, "fim");
  const boost::json::object& again = events.back();
  EXPECT_EQ(again.at("event.action"), "modified");
  EXPECT_EQ(again.at("file.old.size"), "20");
  EXPECT_EQ(again.at("file.size"), "14");
  // The watcher child's own warning, through its log records.
  EXPECT_TRUE(agent.wait_for_log("watch: fim: reporting again 1 changes", std::chrono::seconds(30)))
      << agent.log();

  // Stored and acknowledged now: a crash after that repeats nothing.
  ASSERT_TRUE(eventually([&] { return full_checks_reported(id) == 2; })) << agent.log();
  ASSERT_TRUE(eventually([&] { return read_text(checkpoint_file) != before_change; }));
  agent.kill();
  ASSERT_TRUE(agent.restart());
  ASSERT_TRUE(eventually([&] { return full_checks_reported(id) == 3; })) << agent.log();
  EXPECT_EQ(fim_events_for(id, hosts.string()), 2u) << "acknowledged: not reported a third time";
}

SENTINEL_BOTH_BACKENDS(FimCrashTest);

}  // namespace
}  // namespace sentinel::test
