#pragma once
// A network namespace joined to the test's own by a veth pair, for what loopback cannot show:
// hosts that do not exist (their probes are never answered) on a real link. The free helpers
// (ip_command, remove_veth_namespace, link_mac) also build the scanner tests' DiscoveryBed.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <regex>
#include <string>
#include <vector>

#include "sentinel/scan/scan_scope.h"
#include "sentinel/scan/target_set.h"
#include "tests/integration/scan/scan_test_bed.h"
#include "tests/support/process.h"

namespace sentinel::scan::testing {

/// Runs the calling thread inside another network namespace until destroyed: sockets it opens
/// meanwhile belong there for good.
class InNamespace {
 public:
  explicit InNamespace(const std::string& name) {
    ours_ = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    const int theirs = open(("/run/netns/" + name).c_str(), O_RDONLY | O_CLOEXEC);
    entered_ = ours_ >= 0 && theirs >= 0 && setns(theirs, CLONE_NEWNET) == 0;
    if (theirs >= 0) close(theirs);
  }
  ~InNamespace() {
    if (entered_) setns(ours_, CLONE_NEWNET);
    if (ours_ >= 0) close(ours_);
  }
  InNamespace(const InNamespace&) = delete;
  InNamespace& operator=(const InNamespace&) = delete;
  bool entered() const { return entered_; }

 private:
  int ours_ = -1;
  bool entered_ = false;
};

/// Runs `ip` with `arguments`; a failure names the command and carries what `ip` said.
inline ::testing::AssertionResult ip_command(const std::vector<std::string>& arguments) {
  std::vector<std::string> command{"ip"};
  command.insert(command.end(), arguments.begin(), arguments.end());
  const auto result = test::run_command(command);
  if (!result) return ::testing::AssertionFailure() << result.error().message;
  if (result->exit_code != 0) {
    std::string shown = "ip";
    for (const std::string& argument : arguments) shown += " " + argument;
    return ::testing::AssertionFailure() << shown << ": " << result->err;
  }
  return ::testing::AssertionSuccess();
}

/// Deletes the namespace `name` and the test's end `host_link` of its veth pair, whichever
/// exists; for teardown and for what a crashed run left.
inline void remove_veth_namespace(const std::string& name, const std::string& host_link) {
  // Deleting the namespace deletes its veth end, and with it ours; the second command is for
  // a bed that failed before the move.
  [[maybe_unused]] const auto netns = test::run_command({"ip", "netns", "del", name});
  [[maybe_unused]] const auto link = test::run_command({"ip", "link", "del", host_link});
}

/// The MAC of `link` inside the namespace `name` ("02:..."), empty if `ip` cannot tell.
inline std::string link_mac(const std::string& name, const std::string& link) {
  const auto shown = test::run_command({"ip", "-n", name, "-o", "link", "show", link});
  std::smatch match;
  if (!shown || shown->exit_code != 0 ||
      !std::regex_search(shown->out, match, std::regex("link/ether ([0-9a-f:]{17})"))) {
    return {};
  }
  return match[1];
}

/// A namespace `sxscan<pid>` joined to the test's namespace by a veth pair on 10.231.N.0/24:
/// the test's end is .1, the namespace's .2, and no other address of the /24 exists. Removed
/// in TearDown, also after a failure.
class NamespaceScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string pid = std::to_string(getpid());
    namespace_ = "sxscan" + pid;
    host_link_ = "sxh" + pid;
    subnet_ = "10.231." + std::to_string(getpid() % 250 + 1) + ".";
    remove_bed();  // leftovers of an earlier run with the same pid
    created_ = true;
    ASSERT_TRUE(ip_command({"netns", "add", namespace_}));
    ASSERT_TRUE(
        ip_command({"link", "add", host_link_, "type", "veth", "peer", "name", "sxn" + pid}));
    ASSERT_TRUE(ip_command({"link", "set", "sxn" + pid, "netns", namespace_}));
    ASSERT_TRUE(ip_command({"addr", "add", subnet_ + "1/24", "dev", host_link_}));
    ASSERT_TRUE(ip_command({"link", "set", host_link_, "up"}));
    ASSERT_TRUE(in_namespace({"addr", "add", subnet_ + "2/24", "dev", "sxn" + pid}));
    ASSERT_TRUE(in_namespace({"link", "set", "sxn" + pid, "up"}));
    ASSERT_TRUE(in_namespace({"link", "set", "lo", "up"}));
    // Offloads matter to sniffers that read the veth itself (masscan); the kernel's own
    // stack, which our raw sockets go through, copes either way.
    if (access("/usr/sbin/ethtool", X_OK) == 0) {
      [[maybe_unused]] const auto offloads = test::run_command(
          {"/usr/sbin/ethtool", "-K", host_link_, "gro", "off", "gso", "off", "tso", "off"});
    }

    {
      // The listener lives in the namespace: its socket is created there.
      InNamespace inside(namespace_);
      ASSERT_TRUE(inside.entered()) << std::strerror(errno);
      open_port_ = listeners_.listen_on(present(), 0);
      closed_port_ = listeners_.listen_on(present(), 0);
      listeners_.close_last();
    }
    ASSERT_NE(open_port_, 0);
    ASSERT_NE(closed_port_, 0);
  }

  void TearDown() override {
    if (created_) remove_bed();
  }

  void remove_bed() { remove_veth_namespace(namespace_, host_link_); }

  ::testing::AssertionResult in_namespace(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {"-n", namespace_});
    return ip_command(arguments);
  }

  /// The MAC of the namespace's end of the veth ("02:..."), empty if `ip` cannot tell.
  std::string namespace_mac() const {
    return link_mac(namespace_, "sxn" + std::to_string(getpid()));
  }

  IpAddress present() const { return ip((subnet_ + "2").c_str()); }
  IpAddress address(int last) const { return ip((subnet_ + std::to_string(last)).c_str()); }
  TargetSet the_subnet_but_us() const {
    return TargetSet::from_ranges({{address(0), address(0)}, {address(2), address(255)}});
  }
  ScanScope scope() const { return *ScanScope::parse(subnet_ + "0/24"); }

  bool created_ = false;
  std::string namespace_;
  std::string host_link_;
  std::string subnet_;
  Listeners listeners_;
  std::uint16_t open_port_ = 0;
  std::uint16_t closed_port_ = 0;
};

}  // namespace sentinel::scan::testing
