#pragma once
// Runs a test body in a forked child inside a network namespace of its own, so that libnftables
// (in-process) can only ever see that namespace's ruleset, never the host's. The child reports
// failed checks back through a pipe; the parent turns them into test failures.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <sstream>
#include <string>

namespace sentinel::agent::firewall::test {

/// Collects failed checks in the child; CHILD_CHECK records the expression and a message.
class ChildChecks {
 public:
  void fail(const char* file, int line, const std::string& what) {
    report_ << file << ":" << line << ": " << what << "\n";
  }
  std::string report() const { return report_.str(); }
  bool failed() const { return !report_.str().empty(); }

 private:
  std::ostringstream report_;
};

#define CHILD_CHECK(checks, condition, message)                           \
  do {                                                                    \
    if (!(condition)) {                                                   \
      std::ostringstream child_check_text_;                               \
      child_check_text_ << "check failed: " #condition " -- " << message; \
      (checks).fail(__FILE__, __LINE__, child_check_text_.str());         \
    }                                                                     \
  } while (false)

/// Runs `body` in a child that unshared its network namespace (and verified it is not ours);
/// returns false (and the reason) when the machine cannot give one (not root). Failures of the
/// body become ADD_FAILURE in the caller.
inline bool run_in_new_netns(const std::function<void(ChildChecks&)>& body, std::string& why) {
  if (::geteuid() != 0) {
    why = "needs root for a network namespace";
    return false;
  }
  struct stat ours {};
  if (::stat("/proc/self/ns/net", &ours) != 0) {
    why = "no /proc/self/ns/net";
    return false;
  }
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    why = "pipe failed";
    return false;
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    why = "fork failed";
    return false;
  }
  if (pid == 0) {
    ::close(report[0]);
    std::string text;
    struct stat theirs {};
    if (::unshare(CLONE_NEWNET) != 0) {
      text = "SKIP unshare(CLONE_NEWNET) failed";
    } else if (::stat("/proc/self/ns/net", &theirs) != 0 || theirs.st_ino == ours.st_ino) {
      text = "SKIP the child's network namespace is not a new one";
    } else {
      ChildChecks checks;
      body(checks);
      text = checks.report();
    }
    std::size_t written = 0;
    while (written < text.size()) {
      const ssize_t n = ::write(report[1], text.data() + written, text.size() - written);
      if (n <= 0) break;
      written += static_cast<std::size_t>(n);
    }
    ::_exit(0);
  }
  ::close(report[1]);
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(report[0], buffer, sizeof buffer)) > 0) text.append(buffer, n);
  ::close(report[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (text.rfind("SKIP ", 0) == 0) {
    why = text.substr(5);
    return false;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    ADD_FAILURE() << "the namespace child died (status " << status << ")\n" << text;
  } else if (!text.empty()) {
    ADD_FAILURE() << text;
  }
  return true;
}

/// GTEST_SKIP unless `body` could run in a namespace of its own.
#define RUN_IN_NEW_NETNS(...)                                                                   \
  do {                                                                                          \
    std::string run_in_netns_why_;                                                              \
    if (!::sentinel::agent::firewall::test::run_in_new_netns(__VA_ARGS__, run_in_netns_why_)) { \
      GTEST_SKIP() << run_in_netns_why_;                                                        \
    }                                                                                           \
  } while (false)

}  // namespace sentinel::agent::firewall::test
