// The process connector on this machine: a shell started by the test, and the sleep it starts,
// come out as process.start events with their executable, command line, parent, directory and
// user; a process already reaped is still reported with its pid and parent; events forged by
// another local socket are ignored.

#include "agent/collectors/process/process_start_collector.h"

#include <gtest/gtest.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/collectors/process/stats_events.h"
#include "agent/sandbox/sandbox.h"

extern char** environ;

namespace sentinel::agent::process {
namespace {

using Clock = std::chrono::steady_clock;
using FieldMap = std::map<std::string, std::string>;

FieldMap fields_of(const CollectedEvent& event) {
  FieldMap fields;
  for (const detection::Field& field : event.fields) {
    EXPECT_TRUE(fields.emplace(field.name, field.value).second) << "twice: " << field.name;
  }
  return fields;
}

std::string field(const FieldMap& fields, const std::string& name) {
  const auto found = fields.find(name);
  return found == fields.end() ? std::string("<absent>") : found->second;
}

// Drains until `done` holds for the events seen so far, for at most 10 seconds.
std::vector<FieldMap> collect_until(ProcessStartCollector& collector,
                                    const std::function<bool(const std::vector<FieldMap>&)>& done) {
  std::vector<FieldMap> seen;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!done(seen) && Clock::now() < deadline) {
    pollfd ready{collector.fd(), POLLIN, 0};
    ::poll(&ready, 1, 100);
    std::vector<CollectedEvent> events;
    const Status drained = collector.drain(events);
    EXPECT_TRUE(drained) << drained.error().message;
    for (const CollectedEvent& event : events) {
      EXPECT_EQ(event.type, "process.start");
      seen.push_back(fields_of(event));
    }
  }
  return seen;
}

std::optional<FieldMap> find(const std::vector<FieldMap>& events, const std::string& name,
                             const std::string& value) {
  for (const FieldMap& event : events) {
    if (field(event, name) == value) return event;
  }
  return std::nullopt;
}

// A child in its own process group, killed with its descendants when the test ends.
class SpawnedGroup {
 public:
  explicit SpawnedGroup(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);
    if (::posix_spawn(&pid_, args[0], nullptr, &attributes, args.data(), environ) != 0) pid_ = -1;
    posix_spawnattr_destroy(&attributes);
  }
  ~SpawnedGroup() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

std::string canonical(const std::filesystem::path& path) {
  return std::filesystem::canonical(path).string();
}

TEST(ProcessStartCollector, ReportsAShellAndTheCommandItStarts) {
  auto collector = ProcessStartCollector::create();
  ASSERT_TRUE(collector) << collector.error().message;

  // The shell forks for `sleep` (it is not the last command), so there are two processes.
  const SpawnedGroup shell({"/bin/sh", "-c", "sleep 5; true", "x y"});
  ASSERT_GT(shell.pid(), 0);
  const std::string shell_pid = std::to_string(shell.pid());
  const auto events = collect_until(*collector, [&](const std::vector<FieldMap>& seen) {
    return find(seen, "process.pid", shell_pid) && find(seen, "process.parent.pid", shell_pid);
  });

  const auto started_shell = find(events, "process.pid", shell_pid);
  ASSERT_TRUE(started_shell) << "no process.start for the shell";
  EXPECT_EQ(field(*started_shell, "process.executable"), canonical("/bin/sh"));
  EXPECT_EQ(field(*started_shell, "process.name"),
            std::filesystem::path(canonical("/bin/sh")).filename().string());
  EXPECT_EQ(field(*started_shell, "process.command_line"), "/bin/sh -c 'sleep 5; true' 'x y'");
  EXPECT_EQ(field(*started_shell, "process.working_directory"),
            std::filesystem::current_path().string());
  EXPECT_EQ(field(*started_shell, "process.parent.pid"), std::to_string(::getpid()));
  EXPECT_EQ(field(*started_shell, "process.parent.executable"), canonical("/proc/self/exe"));
  EXPECT_EQ(field(*started_shell, "user.id"), std::to_string(::getuid()));
  if (::getuid() == 0) EXPECT_EQ(field(*started_shell, "user.name"), "root");

  const auto started_sleep = find(events, "process.parent.pid", shell_pid);
  ASSERT_TRUE(started_sleep) << "no process.start for the shell's child";
  EXPECT_EQ(field(*started_sleep, "process.executable"), canonical("/bin/sleep"));
  EXPECT_EQ(field(*started_sleep, "process.name"), "sleep");
  EXPECT_EQ(field(*started_sleep, "process.command_line"), "sleep 5");
  EXPECT_EQ(field(*started_sleep, "process.parent.executable"), canonical("/bin/sh"));
  EXPECT_EQ(collector->stats().malformed_messages, 0u);
}

TEST(ProcessStartCollector, NamesTheUserOfAProcessStartedAsNobody) {
  if (::getuid() != 0) GTEST_SKIP() << "needs root to start a process as nobody";
  auto collector = ProcessStartCollector::create();
  ASSERT_TRUE(collector) << collector.error().message;

  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setgid(65534) == 0 && ::setuid(65534) == 0) {
      ::execl("/bin/sleep", "sleep", "5", static_cast<char*>(nullptr));
    }
    ::_exit(127);
  }
  const std::string pid = std::to_string(child);
  const auto events = collect_until(*collector, [&](const std::vector<FieldMap>& seen) {
    return find(seen, "process.pid", pid).has_value();
  });
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);

  const auto started = find(events, "process.pid", pid);
  ASSERT_TRUE(started);
  EXPECT_EQ(field(*started, "user.id"), "65534");
  EXPECT_EQ(field(*started, "user.name"), "nobody");
  EXPECT_EQ(field(*started, "process.command_line"), "sleep 5");
}

TEST(ProcessStartCollector, ReportsWhatItKnowsOfAProcessAlreadyGone) {
  auto collector = ProcessStartCollector::create();
  ASSERT_TRUE(collector) << collector.error().message;

  pid_t child = -1;
  char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
  ASSERT_EQ(::posix_spawn(&child, argv[0], nullptr, nullptr, argv, environ), 0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);  // reaped: /proc/<pid> is gone

  const std::string pid = std::to_string(child);
  const auto events = collect_until(*collector, [&](const std::vector<FieldMap>& seen) {
    return find(seen, "process.pid", pid).has_value();
  });
  const auto started = find(events, "process.pid", pid);
  ASSERT_TRUE(started);
  EXPECT_EQ(field(*started, "process.executable"), "<absent>");
  EXPECT_EQ(field(*started, "process.command_line"), "<absent>");
  // The parent came from the fork event, and the parent (this test) is still there to describe.
  EXPECT_EQ(field(*started, "process.parent.pid"), std::to_string(::getpid()));
  EXPECT_EQ(field(*started, "process.parent.executable"), canonical("/proc/self/exe"));
  EXPECT_GE(collector->stats().vanished, 1u);
}

// Keeps this thread, and the processes it starts, on one CPU while it lives.
class PinnedToOneCpu {
 public:
  PinnedToOneCpu() {
    ::sched_getaffinity(0, sizeof saved_, &saved_);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(::sched_getcpu(), &one);
    ::sched_setaffinity(0, sizeof one, &one);
  }
  ~PinnedToOneCpu() { ::sched_setaffinity(0, sizeof saved_, &saved_); }

 private:
  cpu_set_t saved_{};
};

TEST(ProcessStartCollector, CountsEventsLostToAFullQueue) {
  // The kernel numbers messages per CPU and a loss shows as a gap after one message already seen
  // from that CPU (the subscription's answer, here): all of this test's events come from one.
  const PinnedToOneCpu pinned;
  ProcessStartOptions options;
  options.receive_buffer_bytes = 1;  // the kernel's minimum: a few messages
  auto collector = ProcessStartCollector::create(options);
  ASSERT_TRUE(collector) << collector.error().message;

  constexpr int kProcesses = 50;  // a fork, an exec and an exit each
  for (int i = 0; i < kProcesses; ++i) {
    pid_t child = -1;
    char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
    ASSERT_EQ(::posix_spawn(&child, argv[0], nullptr, nullptr, argv, environ), 0);
    ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  }
  std::vector<CollectedEvent> events;
  ASSERT_TRUE(collector->drain(events));
  // After the overflow the collector goes on: a later spawn is reported whole. The queue holds
  // only a few messages and sees every process on the host, so on a busy machine other
  // processes can fill it again meanwhile: a few tries.
  bool reported_after = false;
  for (int attempt = 0; attempt < 5 && !reported_after; ++attempt) {
    const SpawnedGroup after({"/bin/sleep", "5"});
    const std::string pid = std::to_string(after.pid());
    const auto seen = collect_until(*collector, [&](const std::vector<FieldMap>& so_far) {
      return find(so_far, "process.pid", pid).has_value();
    });
    if (const auto started = find(seen, "process.pid", pid)) {
      EXPECT_EQ(field(*started, "process.executable"), canonical("/bin/sleep"));
      reported_after = true;
    }
  }
  EXPECT_TRUE(reported_after) << "no spawn after the overflow was reported in 5 tries";

  EXPECT_GE(collector->stats().overflows, 1u);
  EXPECT_GE(collector->stats().lost_events, 1u);
  EXPECT_LT(events.size(), static_cast<std::size_t>(kProcesses));

  // The counters travel as a collector.stats event.
  const CollectedEvent counters = stats_event(collector->stats(), 1234);
  EXPECT_EQ(counters.type, "collector.stats");
  const FieldMap fields = fields_of(counters);
  EXPECT_EQ(field(fields, "collector.name"), "process");
  EXPECT_EQ(field(fields, "collector.overflows"), std::to_string(collector->stats().overflows));
  EXPECT_EQ(field(fields, "collector.lost_events"), std::to_string(collector->stats().lost_events));
}

// The agent (root) opens the socket for its watcher child, which has dropped CAP_NET_ADMIN by
// the time it makes the collector: only so does the queue exceed net.core.rmem_max.
TEST(ProcessStartCollector, ASocketTheAgentOpenedKeepsItsQueueInTheConfinedWatcher) {
  if (::geteuid() != 0) GTEST_SKIP() << "SO_RCVBUFFORCE needs CAP_NET_ADMIN";
  std::ifstream rmem("/proc/sys/net/core/rmem_max");
  std::uint64_t rmem_max = 0;
  ASSERT_TRUE(rmem >> rmem_max);
  const int wanted = static_cast<int>(std::min<std::uint64_t>(4 * rmem_max + (1 << 20), 1 << 28));

  // Each child reports the queue its collector got.
  const auto granted_in_watcher = [](int socket) -> std::uint64_t {
    SandboxOptions options;
    options.watcher = true;
    options.inherited_fd = socket;
    const int given = socket;
    auto child = spawn_confined(
        [given](int out) {
          ProcessStartOptions collector_options;
          collector_options.receive_buffer_bytes = 1 << 28;
          auto collector =
              ProcessStartCollector::create(collector_options, given >= 0 ? kInheritedFd : -1);
          if (!collector) return 2;
          const std::string text = std::to_string(collector->stats().receive_buffer_bytes);
          return ::write(out, text.data(), text.size()) < 0 ? 3 : 0;
        },
        options);
    if (socket >= 0) ::close(socket);
    EXPECT_TRUE(child) << child.error().message;
    if (!child) return 0;
    std::string received;
    char buffer[64];
    ssize_t n = 0;
    while ((n = ::read(child->output_fd, buffer, sizeof buffer)) > 0) received.append(buffer, n);
    EXPECT_TRUE(finish_confined(*child, false, options));
    return received.empty() ? 0 : std::stoull(received);
  };

  auto socket = ProcessStartCollector::open_socket(wanted);
  ASSERT_TRUE(socket) << socket.error().message;
  const std::uint64_t given = granted_in_watcher(*socket);
  EXPECT_GE(given, static_cast<std::uint64_t>(wanted)) << "the kernel reports twice what was set";
  EXPECT_GT(given, 2 * rmem_max);
  // Opened in the child, after it dropped its capabilities: capped.
  const std::uint64_t own = granted_in_watcher(-1);
  EXPECT_GT(own, 0u);
  EXPECT_LE(own, 2 * rmem_max);
}

TEST(ProcessStartCollector, RefusesToRunInAPidNamespaceOfItsOwn) {
  // In another pid namespace the kernel ignores the subscription, and the pids it would report
  // are not the ones this /proc shows: create() must say so rather than report nothing.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const int flags = CLONE_NEWPID | (::getuid() == 0 ? 0 : CLONE_NEWUSER);
    if (::unshare(flags) != 0) ::_exit(3);
    const pid_t inside = ::fork();  // the first process of the new namespace
    if (inside < 0) ::_exit(4);
    if (inside == 0) {
      auto collector = ProcessStartCollector::create();
      if (collector) ::_exit(1);
      ::_exit(collector.error().code == ErrorCode::kUnavailable ? 0 : 2);
    }
    int status = 0;
    ::waitpid(inside, &status, 0);
    ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 5);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 3) GTEST_SKIP() << "cannot create a pid namespace here";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: created anyway, 2: another error";
}

TEST(ProcessStartCollector, IgnoresEventsForgedByAnotherSocket) {
  auto collector = ProcessStartCollector::create();
  ASSERT_TRUE(collector) << collector.error().message;
  sockaddr_nl target{};
  socklen_t size = sizeof target;
  ASSERT_EQ(::getsockname(collector->fd(), reinterpret_cast<sockaddr*>(&target), &size), 0);

  // An exec of pid 1 "from the kernel", unicast to the collector's port by an ordinary socket.
  const int forger = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
  ASSERT_GE(forger, 0);
  alignas(nlmsghdr) unsigned char buffer[NLMSG_SPACE(sizeof(cn_msg) + sizeof(proc_event))] = {};
  nlmsghdr header{};
  header.nlmsg_len = NLMSG_LENGTH(sizeof(cn_msg) + sizeof(proc_event));
  header.nlmsg_type = NLMSG_DONE;
  cn_msg message{};
  message.id.idx = CN_IDX_PROC;
  message.id.val = CN_VAL_PROC;
  message.len = sizeof(proc_event);
  proc_event event{};
  event.what = proc_event::PROC_EVENT_EXEC;
  event.event_data.exec.process_pid = 1;
  event.event_data.exec.process_tgid = 1;
  std::memcpy(buffer, &header, sizeof header);
  std::memcpy(buffer + NLMSG_HDRLEN, &message, sizeof message);
  std::memcpy(buffer + NLMSG_HDRLEN + sizeof message, &event, sizeof event);
  target.nl_groups = 0;
  const ssize_t sent = ::sendto(forger, buffer, header.nlmsg_len, 0,
                                reinterpret_cast<sockaddr*>(&target), sizeof target);
  const int send_error = errno;
  ::close(forger);
  // Without CAP_NET_ADMIN the kernel itself refuses to carry the forgery.
  if (sent < 0 && send_error == EPERM) GTEST_SKIP() << "this process may not forge: good";
  ASSERT_EQ(sent, static_cast<ssize_t>(header.nlmsg_len)) << std::strerror(send_error);

  std::vector<CollectedEvent> events;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (collector->stats().malformed_messages == 0 && Clock::now() < deadline) {
    pollfd ready{collector->fd(), POLLIN, 0};
    ::poll(&ready, 1, 100);
    ASSERT_TRUE(collector->drain(events));
  }
  EXPECT_EQ(collector->stats().malformed_messages, 1u);
  for (const CollectedEvent& collected : events) {
    EXPECT_NE(field(fields_of(collected), "process.pid"), "1");
  }
}

}  // namespace
}  // namespace sentinel::agent::process
