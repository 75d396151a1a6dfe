// The compiled text is valid nftables: checked and applied with the real `nft` inside a network
// namespace this test creates (never the host's ruleset), replaced atomically, a failed apply
// leaves the previous table, and another table is never touched.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <optional>

#include "sentinel/firewall/nft_compiler.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/firewall/firewall_sample_policy.h"
#include "tests/unit/firewall/policy_test_support.h"

namespace sentinel::firewall {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A network namespace alive as long as this object: a child that unshared its network
// namespace and waits until its lifeline pipe closes (also when this process dies).
class TestNetns {
 public:
  // nullopt (with the reason) when this machine cannot give us one.
  static std::optional<TestNetns> create(std::string& why) {
    if (::geteuid() != 0) {
      why = "needs root for a network namespace";
      return std::nullopt;
    }
    int ready[2];
    int lifeline[2];
    if (::pipe2(ready, O_CLOEXEC) != 0 || ::pipe2(lifeline, O_CLOEXEC) != 0) {
      why = "pipe failed";
      return std::nullopt;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
      why = "fork failed";
      return std::nullopt;
    }
    if (pid == 0) {
      // Only async-signal-safe calls here: the parent may have threads.
      ::close(ready[0]);
      ::close(lifeline[1]);
      if (::unshare(CLONE_NEWNET) != 0) ::_exit(3);
      const char ok = 1;
      if (::write(ready[1], &ok, 1) != 1) ::_exit(4);
      char byte;
      while (::read(lifeline[0], &byte, 1) > 0) {
      }
      ::_exit(0);
    }
    ::close(ready[1]);
    ::close(lifeline[0]);
    char byte = 0;
    const bool unshared = ::read(ready[0], &byte, 1) == 1;
    ::close(ready[0]);
    TestNetns netns(pid, lifeline[1]);
    if (!unshared) {
      why = "cannot create a network namespace here";
      return std::nullopt;
    }
    // The guard that keeps the host's ruleset out of reach: the child's namespace must be
    // another one than ours before any nft command runs.
    struct stat ours {};
    struct stat theirs {};
    if (::stat("/proc/self/ns/net", &ours) != 0 || ::stat(netns.ns_path().c_str(), &theirs) != 0 ||
        ours.st_ino == theirs.st_ino) {
      why = "the child's network namespace is not a new one";
      return std::nullopt;
    }
    return netns;
  }

  TestNetns(TestNetns&& other) noexcept
      : pid_(std::exchange(other.pid_, -1)), lifeline_(std::exchange(other.lifeline_, -1)) {}
  TestNetns& operator=(TestNetns&&) = delete;
  ~TestNetns() {
    if (lifeline_ >= 0) ::close(lifeline_);
    if (pid_ > 0) {
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }

  // Runs nft with `args` inside the namespace.
  sentinel::test::CommandOutput nft(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {"nsenter", "--net=" + ns_path(), "--", "nft"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto output = sentinel::test::run_command(argv, {}, {}, std::chrono::seconds(30));
    EXPECT_TRUE(output) << output.error().message;
    return output ? *output : sentinel::test::CommandOutput{};
  }

 private:
  TestNetns(pid_t pid, int lifeline) : pid_(pid), lifeline_(lifeline) {}
  std::string ns_path() const { return "/proc/" + std::to_string(pid_) + "/ns/net"; }

  pid_t pid_ = -1;
  int lifeline_ = -1;
};

std::string write_file(const sentinel::test::TempDir& dir, std::string_view name,
                       const std::string& text) {
  const auto path = dir.path() / name;
  std::ofstream(path) << text;
  return path.string();
}

std::string compile(std::string_view json, const FeedContents& feeds = {}) {
  auto text = compile_nft(test::parse_valid(json), feeds);
  EXPECT_TRUE(text) << text.error().message;
  return text ? *text : std::string();
}

// Every feature of the document in one policy, so that nft judges every shape we write.
constexpr const char* kKitchenSink = R"({
  "objects": {
    "address_sets": {"lan": {"addresses": ["10.0.0.0/24", "10.0.1.0/25", "fd00::/8", "2001:db8::1"]},
                     "empty-feed": {"feed": "none"}},
    "port_sets": {"high": {"ports": ["1024-65535"]}},
    "services": {"everything": {"tcp": "any", "udp": "any", "icmp": "any", "icmpv6": "any"},
                 "mixed": {"tcp": ["high", 22], "udp": [53, "5353-5355"], "icmp": [0, 3, 8, 11]}}
  },
  "chains": {
    "input": {"policy": "drop", "rules": [
      {"id": "lan", "source": ["lan", "192.0.2.0/24"], "service": "mixed", "in_interface": "eth*",
       "action": "accept", "comment": "café — ünïcode; \"quotes\" { braces } $dollar"},
      {"id": "not-lan", "source": {"not": ["lan", "empty-feed"]}, "protocol": "tcp", "ports": "high",
       "action": "reject"},
      {"id": "ranges", "source": ["2001:db8::2", "2001:db8::3", "2001:db8::4"], "action": "accept"},
      {"id": "all", "service": "everything", "action": "log", "log": {"rate": "2/day"}}
    ]},
    "output": {"policy": "accept", "rules": [
      {"id": "out", "destination": "lan", "out_interface": "wg0", "protocol": ["tcp", "udp"],
       "ports": [1, 65535], "action": "drop"}
    ]},
    "forward": {"policy": "drop", "rules": [
      {"id": "fwd", "in_interface": "br-lan", "out_interface": "eth0", "protocol": "icmpv6",
       "icmp_types": [1, 2, 128], "action": "accept"},
      {"id": "fwd-reject", "source": "empty-feed", "action": "reject"}
    ]}
  }
})";

TEST(FirewallNftApply, CompiledTextIsCheckedAppliedAndReplacedByRealNftInANamespace) {
  std::string why;
  auto netns = TestNetns::create(why);
  if (!netns) GTEST_SKIP() << why;
  if (::access("/usr/sbin/nft", X_OK) != 0 && ::access("/sbin/nft", X_OK) != 0) {
    GTEST_SKIP() << "nft is not installed";
  }
  sentinel::test::TempDir dir("firewall-nft");

  // A table of someone else, made before ours.
  const std::string bystander_file =
      write_file(dir, "bystander.nft",
                 "table inet bystander {\n"
                 "\tset keep { type ipv4_addr; elements = { 192.0.2.1 } }\n"
                 "\tchain c { type filter hook input priority 10; policy accept; }\n"
                 "}\n");
  ASSERT_EQ(netns->nft({"-f", bystander_file}).exit_code, 0);
  const std::string bystander = netns->nft({"list", "table", "inet", "bystander"}).out;
  ASSERT_THAT(bystander, HasSubstr("192.0.2.1"));

  FeedContents feeds;
  feeds["abuse-feodo"] = {*parse_ip_network("198.51.100.0/24")};
  const std::string v1 = write_file(dir, "v1.nft", compile(test::kSamplePolicy, feeds));
  const auto check = netns->nft({"-c", "-f", v1});
  ASSERT_EQ(check.exit_code, 0) << check.err;
  const auto apply = netns->nft({"-f", v1});
  ASSERT_EQ(apply.exit_code, 0) << apply.err;
  const std::string listed_v1 = netns->nft({"list", "table", "inet", "sentinel"}).out;
  EXPECT_THAT(listed_v1, HasSubstr("type filter hook input priority filter; policy drop;"));
  EXPECT_THAT(listed_v1,
              HasSubstr("ip saddr @addr_admins_v4 tcp dport 22 accept comment \"ssh-admins\""));
  EXPECT_THAT(listed_v1, HasSubstr("elements = { 198.51.100.0/24 }"));
  EXPECT_THAT(listed_v1, HasSubstr("limit log_input_6"));
  EXPECT_THAT(listed_v1, HasSubstr("comment \"no-telnet\""));

  // The next version replaces the whole table in one transaction; applying it twice is fine.
  const std::string v2 = write_file(dir, "v2.nft", compile(test::kSamplePolicyEdited, feeds));
  ASSERT_EQ(netns->nft({"-f", v2}).exit_code, 0);
  const std::string listed_v2 = netns->nft({"list", "table", "inet", "sentinel"}).out;
  EXPECT_THAT(listed_v2, HasSubstr("comment \"partners-api\""));
  EXPECT_THAT(listed_v2, Not(HasSubstr("no-telnet")));
  EXPECT_THAT(listed_v2, HasSubstr("type filter hook output priority filter; policy drop;"));
  ASSERT_EQ(netns->nft({"-f", v2}).exit_code, 0);
  EXPECT_EQ(netns->nft({"list", "table", "inet", "sentinel"}).out, listed_v2);

  // A buffer that fails halfway changes nothing: the previous table stays as it was.
  const std::string broken = write_file(dir, "broken.nft",
                                        "table inet sentinel {}\ndelete table inet sentinel\n"
                                        "table inet sentinel {\n\tchain input {\n"
                                        "\t\ttype filter hook input priority filter; policy drop;\n"
                                        "\t\ttcp dport 22 jump nowhere\n\t}\n}\n");
  EXPECT_NE(netns->nft({"-f", broken}).exit_code, 0);
  EXPECT_EQ(netns->nft({"list", "table", "inet", "sentinel"}).out, listed_v2);

  // Every shape the compiler writes passes nft too.
  const std::string sink = write_file(dir, "sink.nft", compile(kKitchenSink));
  const auto sink_apply = netns->nft({"-f", sink});
  ASSERT_EQ(sink_apply.exit_code, 0) << sink_apply.err << "\n" << compile(kKitchenSink);
  const std::string listed_sink = netns->nft({"list", "table", "inet", "sentinel"}).out;
  EXPECT_THAT(listed_sink, HasSubstr("10.0.0.0-10.0.1.127"));
  EXPECT_THAT(listed_sink,
              HasSubstr("ip6 saddr 2001:db8::2-2001:db8::4 accept comment \"ranges\""));

  // The other table is exactly as it was, and nothing else appeared.
  EXPECT_EQ(netns->nft({"list", "table", "inet", "bystander"}).out, bystander);
  const std::string tables = netns->nft({"list", "tables"}).out;
  EXPECT_EQ(tables, "table inet bystander\ntable inet sentinel\n");
}

}  // namespace
}  // namespace sentinel::firewall
