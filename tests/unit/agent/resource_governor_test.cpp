// ResourceGovernor: CPU and memory from /proc, back-off while over the CPU budget, and the
// cgroup v2 set-up. The cgroup part is exercised on a directory laid out like a delegated
// cgroup (a real one would move the test process into a 64 MiB cgroup), plus the discovery
// from /proc/self/cgroup and mountinfo texts; on the real machine only the fallback is checked.

#include "agent/sandbox/resource_governor.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/temp_dir.h"

namespace sentinel::agent {
namespace {

using ::testing::HasSubstr;

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// A fake /proc/self whose CPU ticks and RSS the test sets.
class FakeProc {
 public:
  FakeProc() { set(0, 1000); }
  void set(std::int64_t ticks, std::int64_t rss_kb) {
    // utime and stime split the ticks; cutime and cstime 0. The name has a ") (" in it.
    write_text(dir_.path() / "stat",
               fmt::format("4242 (agent) (x) S 1 4242 4242 0 -1 4194560 100 0 0 0 {} {} 0 0 20 0 "
                           "1 0 100 1000000 250 18446744073709551615\n",
                           ticks / 2, ticks - ticks / 2));
    write_text(
        dir_.path() / "status",
        fmt::format("Name:\tagent\nVmPeak:\t  99999 kB\nVmRSS:\t  {} kB\nThreads:\t1\n", rss_kb));
  }
  std::string path() const { return dir_.path().string(); }

 private:
  test::TempDir dir_{"fake-proc"};
};

std::int64_t ticks_for_ms(std::int64_t ms) { return ms * ::sysconf(_SC_CLK_TCK) / 1000; }

TEST(ResourceGovernorTest, ComputesCpuSinceTheLastSampleAndBacksOff) {
  FakeProc proc;
  ManualClock clock(1000000);
  ResourceGovernor governor({.memory_max_bytes = 64LL << 20, .cpu_max_percent = 5},
                            {.proc_self_dir = proc.path()}, clock);
  // 500 ms of CPU in 10 s: 5%, not over.
  proc.set(ticks_for_ms(500), 20000);
  clock.advance_ms(10000);
  ResourceSample sample = governor.sample();
  EXPECT_NEAR(sample.cpu_percent, 5.0, 0.01);
  EXPECT_EQ(sample.rss_bytes, 20000 * 1024);
  EXPECT_EQ(governor.backoff().count(), 0);
  EXPECT_FALSE(governor.over_memory());
  // Then 2 s of CPU in 10 s, three times: the back-off doubles while over.
  std::int64_t cpu_ms = 500;
  for (const int expected : {100, 200, 400}) {
    cpu_ms += 2000;
    proc.set(ticks_for_ms(cpu_ms), 20000);
    clock.advance_ms(10000);
    sample = governor.sample();
    EXPECT_NEAR(sample.cpu_percent, 20.0, 0.01);
    EXPECT_EQ(governor.backoff().count(), expected);
  }
  // Under again: reset.
  clock.advance_ms(10000);
  sample = governor.sample();
  EXPECT_EQ(sample.cpu_percent, 0);
  EXPECT_EQ(governor.backoff().count(), 0);
  // A raised budget (central config) applies from the next sample.
  cpu_ms += 2000;
  proc.set(ticks_for_ms(cpu_ms), 20000);
  clock.advance_ms(10000);
  governor.set_limits({.memory_max_bytes = 64LL << 20, .cpu_max_percent = 25});
  EXPECT_NEAR(governor.sample().cpu_percent, 20.0, 0.01);
  EXPECT_EQ(governor.backoff().count(), 0);
}

TEST(ResourceGovernorTest, BackOffIsCapped) {
  FakeProc proc;
  ManualClock clock(0);
  ResourceGovernor governor({.cpu_max_percent = 1}, {.proc_self_dir = proc.path()}, clock);
  std::int64_t cpu_ms = 0;
  for (int i = 0; i < 12; ++i) {
    cpu_ms += 1000;
    proc.set(ticks_for_ms(cpu_ms), 1000);
    clock.advance_ms(1000);
    governor.sample();
  }
  EXPECT_EQ(governor.backoff().count(), 10000);
}

TEST(ResourceGovernorTest, OverMemoryFollowsRss) {
  FakeProc proc;
  ManualClock clock(0);
  ResourceGovernor governor({.memory_max_bytes = 64LL << 20}, {.proc_self_dir = proc.path()},
                            clock);
  proc.set(0, 65 * 1024);
  EXPECT_EQ(governor.sample().rss_bytes, 65 << 20);
  EXPECT_TRUE(governor.over_memory());
  proc.set(0, 63 * 1024);
  governor.sample();
  EXPECT_FALSE(governor.over_memory());
  // Unreadable files: the previous values stay.
  std::filesystem::remove(std::filesystem::path(proc.path()) / "status");
  EXPECT_EQ(governor.sample().rss_bytes, 63 << 20);
}

TEST(ResourceGovernorTest, SamplesTheRealProcess) {
  ResourceGovernor governor(ResourceLimits{});
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t spin = 0;
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(300)) {
    spin = spin + 1;
  }
  const ResourceSample sample = governor.sample();
  EXPECT_GT(spin, 0u);
  EXPECT_GT(sample.rss_bytes, 1 << 20);
  // Busy for most of the interval: well above 5% even on a loaded machine.
  EXPECT_GT(sample.cpu_percent, 20);
  EXPECT_GT(governor.backoff().count(), 0);
}

TEST(ResourceGovernorTest, ValidatesCaps) {
  EXPECT_TRUE(ResourceGovernor::validate_limits({}));
  EXPECT_EQ(ResourceGovernor::validate_limits({.cpu_max_percent = 0}).error().field,
            "cpu_max_percent");
  EXPECT_EQ(ResourceGovernor::validate_limits({.memory_max_bytes = 1024}).error().field,
            "memory_max_bytes");
}

TEST(ResourceGovernorTest, WritesTheCgroupV2LimitsWhenDelegated) {
  // Laid out as the kernel does: the agent's cgroup and the child the kernel would populate.
  test::TempDir cgroup("fake-cgroup");
  write_text(cgroup.path() / "cgroup.controllers", "cpuset cpu io memory pids\n");
  write_text(cgroup.path() / "cgroup.subtree_control", "");
  std::filesystem::create_directory(cgroup.path() / "agent");
  for (const char* file : {"cgroup.procs", "memory.max", "memory.high", "cpu.max"}) {
    write_text(cgroup.path() / "agent" / file, "");
  }
  SystemClock clock;
  ResourceGovernor governor({.memory_max_bytes = 64LL << 20, .cpu_max_percent = 5},
                            {.cgroup_dir = cgroup.path().string()}, clock);
  auto applied = governor.apply();
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(governor.mode(), GovernorMode::kCgroup);
  EXPECT_EQ(*applied, "cgroup v2 " + (cgroup.path() / "agent").string() +
                          ": memory.max=67108864 memory.high=58720256 cpu.max=\"5000 100000\"");
  EXPECT_EQ(read_text(cgroup.path() / "agent" / "cgroup.procs"), std::to_string(::getpid()));
  EXPECT_EQ(read_text(cgroup.path() / "cgroup.subtree_control"), "+memory +cpu");
  EXPECT_EQ(read_text(cgroup.path() / "agent" / "memory.max"), "67108864");
  EXPECT_EQ(read_text(cgroup.path() / "agent" / "memory.high"), "58720256");
  EXPECT_EQ(read_text(cgroup.path() / "agent" / "cpu.max"), "5000 100000");
  // A central config change rewrites them.
  governor.set_limits({.memory_max_bytes = 32LL << 20, .cpu_max_percent = 2.5});
  EXPECT_EQ(read_text(cgroup.path() / "agent" / "memory.max"), "33554432");
  EXPECT_EQ(read_text(cgroup.path() / "agent" / "cpu.max"), "2500 100000");
}

TEST(ResourceGovernorTest, FallsBackToSelfMonitoringAndSaysWhy) {
  test::TempDir cgroup("fake-cgroup");
  write_text(cgroup.path() / "cgroup.controllers", "cpuset io pids\n");
  SystemClock clock;
  ResourceGovernor governor({}, {.cgroup_dir = cgroup.path().string()}, clock);
  auto applied = governor.apply();
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(applied.error().message, HasSubstr("the memory controller is not available in"));
  EXPECT_EQ(governor.mode(), GovernorMode::kSelfMonitoring);

  // Controllers available but the kernel refuses the move (here: no cgroup.procs to write).
  write_text(cgroup.path() / "cgroup.controllers", "cpu memory\n");
  applied = governor.apply();
  ASSERT_FALSE(applied);
  EXPECT_THAT(applied.error().message, HasSubstr("cgroup.procs"));
  EXPECT_EQ(governor.mode(), GovernorMode::kSelfMonitoring);
}

TEST(ResourceGovernorTest, FindsTheOwnCgroupV2Directory) {
  const std::string mountinfo =
      "24 30 0:22 / /sys rw,nosuid shared:7 - sysfs sysfs rw\n"
      "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
      "rw,nsdelegate,memory_recursiveprot\n";
  auto dir = find_cgroup_v2_dir("0::/system.slice/sentinel-agent.service\n", mountinfo);
  ASSERT_TRUE(dir) << dir.error().message;
  EXPECT_EQ(*dir, "/sys/fs/cgroup/system.slice/sentinel-agent.service");
  EXPECT_EQ(*find_cgroup_v2_dir("0::/\n", mountinfo), "/sys/fs/cgroup");
  // A mount of a subtree (containers), with an escaped space in the mount point.
  EXPECT_EQ(
      *find_cgroup_v2_dir("0::/a/b\n", "40 1 0:30 /a /run/my\\040cg rw - cgroup2 cgroup2 rw\n"),
      "/run/my cg/b");
  // Hybrid hierarchy: v1 controllers, an empty unified one.
  EXPECT_FALSE(find_cgroup_v2_dir("4:memory:/x\n1:cpu:/\n", mountinfo));
  EXPECT_FALSE(find_cgroup_v2_dir("0::/x\n", "24 30 0:22 / /sys rw - sysfs sysfs rw\n"));
}

TEST(ResourceGovernorTest, OnThisMachineApplyReportsItsMode) {
  // Only safe to call for real when it cannot confine the test process.
  std::ifstream cgroup_file("/proc/self/cgroup");
  std::ostringstream cgroup;
  cgroup << cgroup_file.rdbuf();
  std::ifstream mountinfo_file("/proc/self/mountinfo");
  std::ostringstream mountinfo;
  mountinfo << mountinfo_file.rdbuf();
  auto dir = find_cgroup_v2_dir(cgroup.str(), mountinfo.str());
  if (dir) {
    const std::string controllers = read_text(std::filesystem::path(*dir) / "cgroup.controllers");
    if (controllers.find("memory") != std::string::npos) {
      GTEST_SKIP() << "cgroup v2 with the memory controller here: applying would confine the tests";
    }
  }
  ResourceGovernor governor(ResourceLimits{});
  auto applied = governor.apply();
  ASSERT_FALSE(applied) << "applied " << *applied;
  EXPECT_FALSE(applied.error().message.empty());
  EXPECT_EQ(governor.mode(), GovernorMode::kSelfMonitoring);
}

}  // namespace
}  // namespace sentinel::agent
