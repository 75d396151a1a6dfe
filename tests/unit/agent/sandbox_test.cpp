// Confined collectors: real collection work runs and returns its result; anything outside the
// allow-list (writing a file, an inet socket, exec) kills the child with an error saying so; a
// hung collector is killed at its timeout; as root the child is nobody yet reads /proc/1/fd. The
// scan worker's profile: inet, raw and cooked packet sockets and connect, only CAP_NET_RAW.

#include "agent/sandbox/sandbox.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "tests/support/temp_dir.h"

extern char** environ;

namespace sentinel::agent {
namespace {

using ::testing::HasSubstr;

SandboxOptions quick() {
  SandboxOptions options;
  options.timeout = std::chrono::seconds(10);
  return options;
}

std::string read_text(const char* path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SandboxTest, ReturnsWhatTheWorkReturns) {
  auto result =
      run_confined([] { return Result<std::string>(std::string("hello\0world", 11)); }, quick());
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(*result, std::string("hello\0world", 11));

  auto failed =
      run_confined([] { return Result<std::string>(not_found("no dpkg database")); }, quick());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(failed.error().message, "no dpkg database");
}

TEST(SandboxTest, RealCollectorWorkRunsUnderTheFilter) {
  auto result = run_confined(
      []() -> Result<std::string> {
        std::string out;
        const std::string status = read_text("/proc/self/status");
        if (status.find("Seccomp:\t2") == std::string::npos) {
          return internal_error("not under a seccomp filter");
        }
        out += "status ";
        int processes = 0;
        DIR* proc = ::opendir("/proc");
        if (proc == nullptr) return internal_error("opendir /proc");
        while (const dirent* entry = ::readdir(proc)) {
          if (entry->d_name[0] >= '1' && entry->d_name[0] <= '9') ++processes;
        }
        ::closedir(proc);
        out += fmt::format("processes={} ", processes);
        ifaddrs* interfaces = nullptr;
        if (::getifaddrs(&interfaces) != 0) {
          return internal_error(fmt::format("getifaddrs: {}", std::strerror(errno)));
        }
        for (ifaddrs* i = interfaces; i != nullptr; i = i->ifa_next) {
          if (std::string_view(i->ifa_name) == "lo") {
            out += "lo ";
            break;
          }
        }
        ::freeifaddrs(interfaces);
        utsname name{};
        if (::uname(&name) != 0) return internal_error("uname");
        out += fmt::format("{} ", name.sysname);
        struct statvfs disk {};
        if (::statvfs("/", &disk) != 0) return internal_error("statvfs");
        out += disk.f_blocks > 0 ? "disk " : "nodisk ";
        const passwd* root = ::getpwuid(0);
        out += root != nullptr ? root->pw_name : "?";
        // An AF_UNIX socket is refused softly (NSS modules probe daemons that way).
        const int unix_socket = ::socket(AF_UNIX, SOCK_STREAM, 0);
        out += unix_socket < 0 && errno == EACCES ? " unix=EACCES" : " unix=?";
        return out;
      },
      quick());
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_THAT(*result, HasSubstr("status processes="));
  EXPECT_THAT(*result, ::testing::Not(HasSubstr("processes=0 ")));
  EXPECT_THAT(*result, HasSubstr(" lo Linux disk root unix=EACCES"));
}

void expect_blocked(const Result<std::string>& result) {
  ASSERT_FALSE(result) << "the work ran to completion: " << *result;
  EXPECT_EQ(result.error().code, ErrorCode::kPermissionDenied) << result.error().message;
  EXPECT_THAT(result.error().message, HasSubstr("blocked by the seccomp filter"));
}

TEST(SandboxTest, OpeningAFileForWritingKillsTheChild) {
  test::TempDir dir("sandbox-test");
  const std::string target = (dir.path() / "written").string();
  ::chmod(dir.path().c_str(),
          0777);  // so that the unprivileged child could, were it not for seccomp
  expect_blocked(run_confined(
      [&]() -> Result<std::string> {
        const int fd = ::open(target.c_str(), O_WRONLY | O_CREAT, 0644);
        return fmt::format("opened {}", fd);
      },
      quick()));
  EXPECT_FALSE(std::filesystem::exists(target));
  expect_blocked(run_confined(
      []() -> Result<std::string> {
        const int fd = ::open("/proc/self/comm", O_RDWR);
        return fmt::format("opened {}", fd);
      },
      quick()));
}

TEST(SandboxTest, AnInetSocketKillsTheChild) {
  expect_blocked(run_confined(
      []() -> Result<std::string> {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        return fmt::format("socket {}", fd);
      },
      quick()));
}

TEST(SandboxTest, ExecKillsTheChildUnlessAllowed) {
  const auto spawn_echo = []() -> Result<std::string> {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return internal_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    const char* argv[] = {"/bin/echo", "from a helper", nullptr};
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, "/bin/echo", &actions, nullptr,
                                 const_cast<char* const*>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (rc != 0) return internal_error(fmt::format("posix_spawn: {}", std::strerror(rc)));
    std::string text;
    char buffer[256];
    ssize_t n = 0;
    while ((n = ::read(out[0], buffer, sizeof buffer)) > 0) text.append(buffer, n);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return fmt::format("{}status={}", text, status);
  };
  expect_blocked(run_confined(spawn_echo, quick()));
  expect_blocked(run_confined(
      []() -> Result<std::string> {
        const char* argv[] = {"/bin/true", nullptr};
        ::execve("/bin/true", const_cast<char* const*>(argv), environ);
        return internal_error(fmt::format("execve: {}", std::strerror(errno)));
      },
      quick()));

  SandboxOptions with_exec = quick();
  with_exec.allow_exec = true;
  auto spawned = run_confined(spawn_echo, with_exec);
  ASSERT_TRUE(spawned) << spawned.error().message;
  EXPECT_EQ(*spawned, "from a helper\nstatus=0");
}

TEST(SandboxTest, AHungCollectorIsKilledAtTheTimeout) {
  SandboxOptions options = quick();
  options.timeout = std::chrono::milliseconds(300);
  // The collector never returns: only the sandbox's timeout can end this call (without it the
  // call waits for the test's timeout), and the error says that it did.
  auto result = run_confined(
      []() -> Result<std::string> {
        while (true) std::this_thread::sleep_for(std::chrono::seconds(1));
      },
      options);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(result.error().message, "collector timed out after 300 ms and was killed");
}

TEST(SandboxTest, OutputIsCapped) {
  SandboxOptions options = quick();
  options.max_output_bytes = 1 << 20;
  auto fits = run_confined([] { return Result<std::string>(std::string(1 << 20, 'x')); }, options);
  ASSERT_TRUE(fits) << fits.error().message;
  EXPECT_EQ(fits->size(), 1u << 20);
  auto too_large =
      run_confined([] { return Result<std::string>(std::string((1 << 20) + 1, 'x')); }, options);
  ASSERT_FALSE(too_large);
  EXPECT_EQ(too_large.error().code, ErrorCode::kPayloadTooLarge);
}

TEST(SandboxTest, InheritsNoFileDescriptors) {
  // Deliberately not O_CLOEXEC, and above the fds the child sets up (0-3).
  const int opened = ::open("/proc/self/status", O_RDONLY);
  const int secret = ::fcntl(opened, F_DUPFD, 50);
  ::close(opened);
  ASSERT_GE(secret, 50);
  auto result = run_confined(
      [secret]() -> Result<std::string> {
        return std::string(::fcntl(secret, F_GETFD) < 0 && errno == EBADF ? "closed" : "open");
      },
      quick());
  ::close(secret);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(*result, "closed");
}

TEST(SandboxTest, AsRootTheChildIsNobodyWithOnlyTheProcCapabilities) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: the privilege drop happens only as root";
  const passwd* nobody = ::getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  auto result = run_confined(
      []() -> Result<std::string> {
        // /proc/1/fd: mode 0500 root, guarded by the ptrace access check.
        DIR* fds = ::opendir("/proc/1/fd");
        if (fds == nullptr)
          return internal_error(fmt::format("/proc/1/fd: {}", std::strerror(errno)));
        int entries = 0;
        while (::readdir(fds) != nullptr) ++entries;
        ::closedir(fds);
        const std::string status = read_text("/proc/self/status");
        const std::size_t cap = status.find("CapEff:\t");
        const std::size_t bounding = status.find("CapBnd:\t");
        return fmt::format("uid={} gid={} fd_entries>0={} {} {}", ::getuid(), ::getgid(),
                           entries > 0, status.substr(cap, 24), status.substr(bounding, 24));
      },
      quick());
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(*result, fmt::format("uid={} gid={} fd_entries>0=true CapEff:\t0000000000080004 "
                                 "CapBnd:\t0000000000080004",
                                 nobody->pw_uid, nobody->pw_gid));
}

TEST(SandboxTest, AnUnknownSandboxUserIsAnError) {
  if (::geteuid() != 0) GTEST_SKIP() << "the user is looked up only as root";
  SandboxOptions options = quick();
  options.user = "no-such-user-sentinel";
  auto result = run_confined([] { return Result<std::string>(std::string("ran")); }, options);
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("'no-such-user-sentinel' does not exist"));
}

}  // namespace
}  // namespace sentinel::agent

namespace sentinel::agent {
namespace {

// A watcher: keeps running, writes records to its pipe, may use inotify, threads and its state
// directory; still no exec and no inet sockets.
TEST(SandboxWatcherTest, AWatcherWritesItsStateDirAndStreamsUntilFinished) {
  test::TempDir dir("sandbox-watcher");
  SandboxOptions options;
  options.watcher = true;
  const std::string state = (dir.path() / "state").string();
  ASSERT_TRUE(prepare_state_dir(state, options));
  if (::geteuid() == 0) ::chmod(dir.path().c_str(), 0711);  // nobody may pass through
  auto child = spawn_confined(
      [&](int out) {
        const int notify = ::inotify_init1(IN_CLOEXEC);
        const int file = ::open((state + "/position").c_str(), O_WRONLY | O_CREAT, 0600);
        std::thread helper([] {});
        helper.join();
        const std::string line = fmt::format("inotify={} file={}\n", notify >= 0, file >= 0);
        if (::write(file, "42", 2) != 2) return 3;
        for (int i = 0; i < 3; ++i) {
          if (::write(out, line.data(), line.size()) < 0) return 2;
        }
        return 0;
      },
      options);
  ASSERT_TRUE(child) << child.error().message;
  std::string received;
  char buffer[256];
  ssize_t n = 0;
  while ((n = ::read(child->output_fd, buffer, sizeof buffer)) > 0) received.append(buffer, n);
  EXPECT_TRUE(finish_confined(*child, false, options));
  EXPECT_EQ(received, "inotify=true file=true\ninotify=true file=true\ninotify=true file=true\n");
  EXPECT_EQ(read_text((state + "/position").c_str()), "42");
}

TEST(SandboxWatcherTest, AWatcherStillCannotExecOrOpenInetSockets) {
  SandboxOptions options;
  options.watcher = true;
  for (const auto& forbidden : std::vector<std::function<int(int)>>{
           [](int) {
             const char* argv[] = {"/bin/true", nullptr};
             ::execve("/bin/true", const_cast<char* const*>(argv), environ);
             return 0;
           },
           [](int) { return ::socket(AF_INET, SOCK_STREAM, 0) >= 0 ? 0 : 4; }}) {
    auto child = spawn_confined(forbidden, options);
    ASSERT_TRUE(child) << child.error().message;
    char buffer[16];
    while (::read(child->output_fd, buffer, sizeof buffer) > 0) {
    }
    Status ended = finish_confined(*child, false, options);
    ASSERT_FALSE(ended);
    EXPECT_THAT(ended.error().message, HasSubstr("blocked by the seccomp filter"));
  }
}

// What the agent opened for a watcher with its privileges reaches the child as kInheritedFd;
// every other fd of the agent's is still closed.
TEST(SandboxWatcherTest, AWatcherKeepsTheOneFdItWasGivenAndNoOther) {
  int given[2];
  ASSERT_EQ(::pipe2(given, O_CLOEXEC), 0);
  // Not close-on-exec and not given; above the numbers the child's fds are moved to.
  const int opened = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(opened, 0);
  const int stray = ::fcntl(opened, F_DUPFD, 20);
  ::close(opened);
  ASSERT_GE(stray, 20);
  SandboxOptions options;
  options.watcher = true;
  options.inherited_fd = given[1];
  auto child = spawn_confined(
      [stray](int out) {
        if (::write(kInheritedFd, "given", 5) != 5) return 2;
        const std::string line = fmt::format("stray_open={}\n", ::fcntl(stray, F_GETFD) >= 0);
        return ::write(out, line.data(), line.size()) < 0 ? 3 : 0;
      },
      options);
  ASSERT_TRUE(child) << child.error().message;
  ::close(given[1]);  // the agent's copy
  ::close(stray);
  std::string received;
  char buffer[256];
  ssize_t n = 0;
  while ((n = ::read(child->output_fd, buffer, sizeof buffer)) > 0) received.append(buffer, n);
  EXPECT_TRUE(finish_confined(*child, false, options));
  EXPECT_EQ(received, "stray_open=false\n");
  std::string through_given;
  while ((n = ::read(given[0], buffer, sizeof buffer)) > 0) through_given.append(buffer, n);
  ::close(given[0]);
  EXPECT_EQ(through_given, "given");
}

}  // namespace
}  // namespace sentinel::agent

namespace sentinel::agent {
namespace {

// The scan worker's profile: inet sockets of every kind (raw ones need CAP_NET_RAW, which it
// keeps) and connect(), cooked packet sockets; still no exec, no file writes, no AF_UNIX.
SandboxOptions scanner_options() {
  SandboxOptions options;
  options.scanner = true;
  options.name = "scan worker";
  return options;
}

// Runs `work` in a scanner child; what it wrote to its socket, and how it ended.
std::pair<std::string, Status> run_scanner_child(const std::function<int(int)>& work) {
  const SandboxOptions options = scanner_options();
  auto child = spawn_confined(work, options);
  if (!child) return {"", child.error()};
  std::string received;
  char buffer[256];
  ssize_t n = 0;
  while ((n = ::read(child->output_fd, buffer, sizeof buffer)) > 0) received.append(buffer, n);
  Status ended = finish_confined(*child, false, options);
  return {received, ended};
}

bool has_net_raw() {
  const std::string status = read_text("/proc/self/status");
  const std::size_t at = status.find("CapEff:\t");
  if (at == std::string::npos) return false;
  return (std::stoull(status.substr(at + 8, 16), nullptr, 16) & (1ull << 13)) != 0;
}

TEST(SandboxScannerTest, TheScanWorkerConnectsOpensRawAndPacketSocketsAndMakesThreads) {
  // A listener of this process on loopback; the child connects to it.
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);

  const bool raw_expected = has_net_raw();
  auto [received, ended] = run_scanner_child([address](int out) {
    const int tcp = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const bool connected =
        ::connect(tcp, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
    const int raw = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
    const int packet = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const int udp6 = ::socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int unix_socket = ::socket(AF_UNIX, SOCK_STREAM, 0);
    const int unix_errno = errno;
    // The raw sender's second thread.
    bool thread_ran = false;
    std::thread helper([&thread_ran] { thread_ran = true; });
    helper.join();
    const std::string line = fmt::format(
        "connect={} raw={} packet={} udp6={} unix={} thread={}", connected, raw >= 0, packet >= 0,
        udp6 >= 0, unix_socket < 0 && unix_errno == EACCES ? "EACCES" : "opened", thread_ran);
    return ::write(out, line.data(), line.size()) == static_cast<ssize_t>(line.size()) ? 0 : 2;
  });
  ::close(listener);
  ASSERT_TRUE(ended) << ended.error().message;
  // Raw and packet sockets need CAP_NET_RAW: the child has it when this process has.
  EXPECT_EQ(received,
            fmt::format("connect=true raw={0} packet={0} udp6=true unix=EACCES thread=true",
                        raw_expected));
}

TEST(SandboxScannerTest, TheScanWorkerCannotExecForkWriteFilesOrOpenRawPacketSockets) {
  test::TempDir dir("sandbox-scanner");
  const std::string target = (dir.path() / "written").string();
  ::chmod(dir.path().c_str(), 0777);  // so that the unprivileged child could, but for seccomp
  const std::vector<std::function<int(int)>> forbidden = {
      [](int) {
        const char* argv[] = {"/bin/true", nullptr};
        ::execve("/bin/true", const_cast<char* const*>(argv), environ);
        return 0;
      },
      [&target](int) { return ::open(target.c_str(), O_WRONLY | O_CREAT, 0644) >= 0 ? 0 : 3; },
      // Link-layer frames of its own: only cooked packet sockets are the engine's.
      [](int) { return ::socket(AF_PACKET, SOCK_RAW, 0) >= 0 ? 0 : 4; },
      // A new process: threads only (the raw sender's second thread).
      [](int) {
        const pid_t child = ::fork();
        if (child == 0) ::_exit(0);
        return 0;
      },
  };
  for (std::size_t i = 0; i < forbidden.size(); ++i) {
    auto [received, ended] = run_scanner_child(forbidden[i]);
    ASSERT_FALSE(ended) << "forbidden call " << i << " ran";
    EXPECT_EQ(ended.error().code, ErrorCode::kPermissionDenied) << ended.error().message;
    EXPECT_THAT(ended.error().message, HasSubstr("scan worker blocked by the seccomp filter"))
        << "forbidden call " << i;
  }
  EXPECT_FALSE(std::filesystem::exists(target));
}

TEST(SandboxScannerTest, AsRootTheScanWorkerIsNobodyWithOnlyCapNetRaw) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: the privilege drop happens only as root";
  const passwd* nobody = ::getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  auto [received, ended] = run_scanner_child([](int out) {
    const std::string status = read_text("/proc/self/status");
    const std::size_t effective = status.find("CapEff:\t");
    const std::size_t bounding = status.find("CapBnd:\t");
    const std::size_t permitted = status.find("CapPrm:\t");
    const std::string line =
        fmt::format("uid={} gid={} {} {} {}", ::getuid(), ::getgid(), status.substr(effective, 24),
                    status.substr(permitted, 24), status.substr(bounding, 24));
    return ::write(out, line.data(), line.size()) == static_cast<ssize_t>(line.size()) ? 0 : 2;
  });
  ASSERT_TRUE(ended) << ended.error().message;
  // CAP_NET_RAW is bit 13.
  EXPECT_EQ(received, fmt::format("uid={} gid={} CapEff:\t0000000000002000 "
                                  "CapPrm:\t0000000000002000 CapBnd:\t0000000000002000",
                                  nobody->pw_uid, nobody->pw_gid));
}

}  // namespace
}  // namespace sentinel::agent
