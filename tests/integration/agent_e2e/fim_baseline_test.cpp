// A real agent watching a directory with FIM: when its first full check finishes, the agent's log
// says the baseline is complete (with its size and duration: benchmarks wait for that line), and
// the monitor's collector.stats event with the same counts reaches the server.

#include <gmock/gmock.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "tests/integration/agent_e2e/agent_fixture.h"
#include "tests/support/temp_dir.h"

namespace sentinel::test {
namespace {

using ::testing::HasSubstr;

class FimBaselineTest : public AgentTest {};

TEST_P(FimBaselineTest, AgentLogsTheCompleteBaselineAndSendsItsStats) {
  TempDir watched("sentinel-fim-it");
  std::filesystem::create_directories(watched.path() / "conf.d");
  for (const char* name : {"a.conf", "b.conf", "conf.d/c.conf"}) {
    std::ofstream(watched.path() / name) << "setting=" << name << "\n";
  }
  client::ApiClient admin_api = admin();
  AgentProcess& agent = start_agent(admin_api, {}, fim_only_config(watched.path().string()));
  const std::string id = enrolled_id(agent);
  ASSERT_FALSE(id.empty());

  // The watched directory, conf.d and the three files.
  ASSERT_TRUE(eventually([&] {
    return agent.log().find("fim: baseline complete") != std::string::npos;
  })) << agent.log();
  EXPECT_THAT(agent.log(), HasSubstr("fim: baseline complete paths=5 duration_ms="));

  auto db = database();
  ASSERT_TRUE(db);
  boost::json::object stats;
  ASSERT_TRUE(eventually([&] {
    auto rows = db->query(
        "SELECT data FROM events WHERE agent_id = $1 AND type = 'collector.stats' ORDER BY id",
        {id});
    if (!rows) return false;
    for (const store::Row& row : *rows) {
      boost::json::value data = boost::json::parse(row.text(0));
      if (data.at("collector.name") == "fim" && data.at("event.reason") == "full_check_finished") {
        stats = data.as_object();
        return true;
      }
    }
    return false;
  }));
  EXPECT_EQ(stats.at("fim.full_checks"), "1");
  EXPECT_EQ(stats.at("fim.baseline_paths"), "5");
  EXPECT_EQ(stats.at("fim.files_hashed"), "3");
  EXPECT_EQ(stats.at("fim.changes"), "0");
  EXPECT_EQ(stats.at("fim.unreadable"), "0");
  EXPECT_TRUE(stats.contains("fim.last_full_check_ms")) << boost::json::serialize(stats);
}

SENTINEL_BOTH_BACKENDS(FimBaselineTest);

}  // namespace
}  // namespace sentinel::test
