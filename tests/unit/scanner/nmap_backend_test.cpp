// The nmap backend without running nmap: which scripts a job may ask for (nmap's catalogue, never
// one that attacks, floods or reaches third parties), the arguments nmap gets, the target list
// it reads, its progress lines, and the body fields that ask for it.

#include "src/scanner/nmap_backend.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "src/scanner/nmap_process.h"
#include "src/scanner/scan_body.h"
#include "tests/support/temp_dir.h"

namespace sentinel::scanner {
namespace {

constexpr std::string_view kCatalog =
    R"(Entry { filename = "banner.nse", categories = { "discovery", "safe", } }
Entry { filename = "ssl-cert.nse", categories = { "default", "discovery", "safe", } }
Entry { filename = "http-title.nse", categories = { "default", "discovery", "safe", } }
Entry { filename = "ssh-brute.nse", categories = { "brute", "intrusive", } }
Entry { filename = "http-open-proxy.nse", categories = { "default", "discovery", "external", "safe", } }
Entry { filename = "broadcast-dhcp-discover.nse", categories = { "broadcast", "safe", } }
Entry { filename = "../evil.nse", categories = { "default", } }
a line nmap would never write
)";

NmapScriptCatalog catalog() {
  auto parsed = NmapScriptCatalog::parse(kCatalog);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return std::move(*parsed);
}

TEST(NmapScriptCatalogTest, NamesAndCategoriesExpandToAllowedScriptsOnly) {
  const NmapScriptCatalog scripts = catalog();
  auto named = scripts.expand({"ssl-cert", "banner"});
  ASSERT_TRUE(named) << named.error().message;
  EXPECT_EQ(*named, (std::vector<std::string>{"banner", "ssl-cert"}));

  // A category stands for its scripts minus those of a refused category (external here).
  auto category = scripts.expand({"default"});
  ASSERT_TRUE(category) << category.error().message;
  EXPECT_EQ(*category, (std::vector<std::string>{"http-title", "ssl-cert"}));
  auto safe = scripts.expand({"safe", "banner"});
  ASSERT_TRUE(safe);
  EXPECT_EQ(*safe, (std::vector<std::string>{"banner", "http-title", "ssl-cert"}))
      << "no broadcast, no external script";
}

TEST(NmapScriptCatalogTest, RefusedAndUnknownScriptsAreEachNamed) {
  const NmapScriptCatalog scripts = catalog();
  auto refused = scripts.expand({"ssh-brute", "http-open-proxy", "brute", "nope", "banner"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "nmap.scripts");
  const std::string& message = refused.error().message;
  EXPECT_NE(message.find("'ssh-brute' is in the brute category"), std::string::npos) << message;
  EXPECT_NE(message.find("'http-open-proxy' is in the external category"), std::string::npos)
      << message;
  EXPECT_NE(message.find("the brute category is never run"), std::string::npos) << message;
  EXPECT_NE(message.find("'nope' is no script or category"), std::string::npos) << message;
  EXPECT_EQ(message.find("banner"), std::string::npos) << message;
  // A name with a path in it never enters the catalogue.
  EXPECT_FALSE(scripts.expand({"../evil"}));
  EXPECT_FALSE(NmapScriptCatalog::parse("nothing here"));
}

TEST(NmapBackendTest, TheTargetListHoldsCidrBlocksNmapUnderstands) {
  auto targets = scan::TargetSet::from_ranges(
      {{*scan::IpAddress::parse("127.0.0.5"), *scan::IpAddress::parse("127.0.0.9")},
       scan::AddressRange::single(*scan::IpAddress::parse("::1"))});
  EXPECT_EQ(nmap_target_list(targets), "127.0.0.5\n127.0.0.6/31\n127.0.0.8/31\n::1\n");
}

// nmap's arguments for a job: its caps become --max-rate and --max-parallelism, and a job
// without caps leaves both to nmap. The "executable" is never run here.
TEST(NmapBackendTest, AJobsCapsBecomeMaxRateAndMaxParallelism) {
  test::TempDir dir;
  const std::string db = (dir.path() / "script.db").string();
  std::ofstream(db) << kCatalog;
  auto backend = NmapBackend::open({.executable = "/bin/true", .script_db = db}, false);
  ASSERT_TRUE(backend) << backend.error().message;
  const scan::PortList ports{.tcp = {22, 80}};
  const auto value_after = [](const std::vector<std::string>& args, std::string_view flag) {
    const auto at = std::find(args.begin(), args.end(), flag);
    return at == args.end() || at + 1 == args.end() ? std::string("(absent)") : *(at + 1);
  };
  auto capped = backend->arguments({}, ports, "/tmp/targets", true,
                                   ProbeLimits{.max_rate = 20, .max_concurrency = 4});
  ASSERT_TRUE(capped) << capped.error().message;
  EXPECT_EQ(value_after(*capped, "--max-rate"), "20");
  EXPECT_EQ(value_after(*capped, "--max-parallelism"), "4");
  auto fraction = backend->arguments({}, ports, "/tmp/targets", true, ProbeLimits{.max_rate = 0.5});
  ASSERT_TRUE(fraction) << fraction.error().message;
  EXPECT_EQ(value_after(*fraction, "--max-rate"), "0.5");
  EXPECT_EQ(value_after(*fraction, "--max-parallelism"), "(absent)");
  auto plain = backend->arguments({}, ports, "/tmp/targets", true);
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(value_after(*plain, "--max-rate"), "(absent)");
  EXPECT_EQ(value_after(*plain, "--max-parallelism"), "(absent)");
  auto top =
      backend->arguments({}, ports, "/tmp/targets", true, ProbeLimits{.max_rate = 1'000'000});
  ASSERT_TRUE(top) << top.error().message;
  EXPECT_EQ(value_after(*top, "--max-rate"), "1000000");
}

TEST(NmapBackendTest, ProgressLinesBecomeTheJobsPercent) {
  NmapTaskProgress progress;
  ASSERT_TRUE(parse_task_progress(
      R"(<taskprogress task="SYN Stealth Scan" time="1795736229" percent="50.00" remaining="1" etc="1795736230"/>)",
      progress));
  EXPECT_EQ(progress.task, "SYN Stealth Scan");
  EXPECT_DOUBLE_EQ(progress.percent, 50.0);
  EXPECT_DOUBLE_EQ(overall_percent(progress), 32.5);
  EXPECT_EQ(phase_of(progress), "ports");
  progress = {"Service scan", 100};
  EXPECT_DOUBLE_EQ(overall_percent(progress), 85.0);
  EXPECT_EQ(phase_of(progress), "services");
  progress = {"NSE", 10};
  EXPECT_EQ(phase_of(progress), "scripts");
  progress = {"Something new", 40};
  EXPECT_DOUBLE_EQ(overall_percent(progress), 0.0);
  EXPECT_EQ(phase_of(progress), "");
  EXPECT_FALSE(parse_task_progress(R"(<taskprogress task="x" percent="fifty"/>)", progress));
  EXPECT_FALSE(parse_task_progress(R"(<host><status state="up"/>)", progress));
}

TEST(NmapBackendTest, TheBodyAsksForNmapWithScriptsAndOsDetection) {
  auto parsed = parse_scan_request(
      R"({"targets":["127.0.0.1"],"backend":"nmap","nmap":{"scripts":["banner","banner","safe"],"os_detection":true}})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_TRUE(parsed->nmap);
  EXPECT_EQ(parsed->nmap->scripts, (std::vector<std::string>{"banner", "safe"}));
  EXPECT_TRUE(parsed->nmap->os_detection);

  auto plain = parse_scan_request(R"({"targets":["127.0.0.1"],"backend":"nmap"})");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->nmap, NmapOptions{});
  auto engine = parse_scan_request(R"({"targets":["127.0.0.1"],"backend":"engine"})");
  ASSERT_TRUE(engine);
  EXPECT_FALSE(engine->nmap);
}

TEST(NmapBackendTest, BadNmapFieldsAreRefusedNamingTheField) {
  const auto refused = [](std::string_view body, std::string_view field) {
    auto parsed = parse_scan_request(body);
    ASSERT_FALSE(parsed) << body;
    EXPECT_EQ(parsed.error().field, field) << body << " -> " << parsed.error().message;
  };
  refused(R"({"targets":["127.0.0.1"],"backend":"masscan"})", "backend");
  refused(R"({"targets":["127.0.0.1"],"backend":"nmap","agents":{"group":"lab"}})", "backend");
  refused(R"({"targets":["127.0.0.1"],"nmap":{"scripts":["banner"]}})", "nmap");
  refused(R"({"targets":["127.0.0.1"],"backend":"nmap","nmap":[]})", "nmap");
  refused(R"({"targets":["127.0.0.1"],"backend":"nmap","nmap":{"script_args":"x"}})", "nmap");
  refused(R"({"targets":["127.0.0.1"],"backend":"nmap","nmap":{"scripts":["a;rm -rf /"]}})",
          "nmap.scripts");
  refused(R"({"targets":["127.0.0.1"],"backend":"nmap","nmap":{"scripts":["../x"]}})",
          "nmap.scripts");
  refused(R"({"targets":["127.0.0.1"],"backend":"nmap","nmap":{"scripts":["Banner"]}})",
          "nmap.scripts");
  refused(R"({"targets":["127.0.0.1"],"backend":"nmap","nmap":{"os_detection":"yes"}})",
          "nmap.os_detection");
}

}  // namespace
}  // namespace sentinel::scanner
