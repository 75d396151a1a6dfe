#include "agent/sandbox/sandbox.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <exception>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "agent/sandbox/seccomp_filter.h"

#if defined(__SANITIZE_ADDRESS__)
#define SENTINEL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SENTINEL_ASAN 1
#endif
#endif

namespace sentinel::agent {
namespace {

#ifdef SENTINEL_ASAN
constexpr bool kSanitizerBuild = true;
#else
constexpr bool kSanitizerBuild = false;
#endif

/// The fd the child writes its result to (0-2 are /dev/null, or stderr in sanitizer builds).
constexpr int kResultFd = 3;
/// The only capabilities a confined collector keeps: read any file and directory, and pass the
/// ptrace access check of /proc/<pid>/fd, environ and maps of other users' processes.
constexpr std::uint32_t kCollectorCapabilities =
    (1u << CAP_DAC_READ_SEARCH) | (1u << CAP_SYS_PTRACE);
/// The only capability the firewall enforcer keeps: changing its nftables table.
constexpr std::uint32_t kFirewallCapabilities = 1u << CAP_NET_ADMIN;
/// The only capability the scan worker keeps: raw and packet sockets (SYN probes, replies, ARP).
constexpr std::uint32_t kScannerCapabilities = 1u << CAP_NET_RAW;

std::uint32_t kept_capabilities(const SandboxOptions& options) {
  if (options.firewall) return kFirewallCapabilities;
  if (options.scanner) return kScannerCapabilities;
  return kCollectorCapabilities;
}

/// A worker with a profile of its own (firewall, scanner): a socketpair, no timeout, no
/// RLIMIT_CPU, and only its own capability when the agent is not root.
bool is_worker(const SandboxOptions& options) { return options.firewall || options.scanner; }

/// Collectors always have RLIMIT_CPU; the scan worker when it was given one (a shard's bound);
/// the watcher and the firewall worker run for days.
bool has_cpu_limit(const SandboxOptions& options) {
  if (options.scanner) return options.max_cpu_seconds > 0;
  return !options.watcher && !is_worker(options);
}

struct Identity {
  uid_t uid = 0;
  gid_t gid = 0;
};

Result<Identity> lookup_user(const std::string& user) {
  struct passwd entry {};
  struct passwd* found = nullptr;
  std::vector<char> buffer(16384);
  const int rc = ::getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found);
  if (rc != 0 || found == nullptr) {
    return invalid_argument(
        fmt::format("sandbox user '{}' does not exist; create it or set another user", user),
        "user");
  }
  if (found->pw_uid == 0) {
    return invalid_argument(fmt::format("sandbox user '{}' is root", user), "user");
  }
  return Identity{found->pw_uid, found->pw_gid};
}

Error system_error(std::string_view what) {
  return internal_error(fmt::format("sandbox: {}: {}", what, std::strerror(errno)));
}

/// Root -> `identity`, keeping only `kept` (also in the bounding set, so that the others can
/// never come back).
Status drop_privileges(const Identity& identity, std::uint32_t kept) {
  for (int cap = 0; cap < 64; ++cap) {
    if (::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0) break;  // beyond the kernel's last cap
    if ((kept & (cap < 32 ? (1u << cap) : 0)) != 0) continue;
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) return system_error("drop bounding set");
  }
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    return system_error("clear ambient capabilities");
  }
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return system_error("keep capabilities");
  if (::setgroups(0, nullptr) != 0) return system_error("setgroups");
  if (::setresgid(identity.gid, identity.gid, identity.gid) != 0) return system_error("setresgid");
  if (::setresuid(identity.uid, identity.uid, identity.uid) != 0) return system_error("setresuid");
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  data[0].effective = kept;
  data[0].permitted = kept;
  if (::syscall(SYS_capset, &header, data) != 0) return system_error("capset");
  if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return system_error("reset keep capabilities");
  uid_t real = 0, effective = 0, saved = 0;
  if (::getresuid(&real, &effective, &saved) != 0 || real != identity.uid ||
      effective != identity.uid || saved != identity.uid) {
    return internal_error("sandbox: the user change did not take effect");
  }
  return ok();
}

/// An agent that is not root but holds capabilities (granted to its service): the child keeps
/// only those of `kept` it has, and no inheritable or ambient ones.
Status narrow_capabilities(std::uint32_t kept) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return system_error("capget");
  if (data[0].permitted == 0 && data[1].permitted == 0) return ok();
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    return system_error("clear ambient capabilities");
  }
  const std::uint32_t keep = data[0].permitted & kept;
  __user_cap_data_struct narrowed[2] = {};
  narrowed[0].effective = keep;
  narrowed[0].permitted = keep;
  if (::syscall(SYS_capset, &header, narrowed) != 0) return system_error("capset");
  return ok();
}

/// 0 and 1 (and 2 unless sanitizer reports need it) become /dev/null, the result pipe becomes
/// kResultFd, everything else is closed.
Status arrange_fds(int result_fd, int inherited_fd) {
  int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0) return system_error("open /dev/null");
  // Move them above the fds about to be overwritten.
  result_fd = ::fcntl(result_fd, F_DUPFD_CLOEXEC, 10);
  null_fd = ::fcntl(null_fd, F_DUPFD_CLOEXEC, 10);
  const bool inherits = inherited_fd >= 0;
  if (inherits) inherited_fd = ::fcntl(inherited_fd, F_DUPFD_CLOEXEC, 10);
  if (result_fd < 0 || null_fd < 0 || (inherits && inherited_fd < 0)) return system_error("dup");
  if (::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(null_fd, STDOUT_FILENO) < 0 ||
      (!kSanitizerBuild && ::dup2(null_fd, STDERR_FILENO) < 0) ||
      ::dup2(result_fd, kResultFd) < 0 || ::fcntl(kResultFd, F_SETFD, FD_CLOEXEC) < 0) {
    return system_error("dup2");
  }
  int first_closed = kResultFd + 1;
  if (inherits) {
    if (::dup2(inherited_fd, kInheritedFd) < 0 || ::fcntl(kInheritedFd, F_SETFD, FD_CLOEXEC) < 0) {
      return system_error("dup2");
    }
    first_closed = kInheritedFd + 1;
  }
  if (::close_range(static_cast<unsigned>(first_closed), ~0U, 0) != 0) {
    const long max_fd = std::min(::sysconf(_SC_OPEN_MAX), 65536L);
    for (int fd = first_closed; fd < max_fd; ++fd) ::close(fd);
  }
  return ok();
}

Status set_limit(int resource, rlim_t soft, rlim_t hard, std::string_view name) {
  const rlimit limit{soft, hard};
  if (::setrlimit(resource, &limit) != 0) return system_error(name);
  return ok();
}

Status confine(const SandboxOptions& options, const std::optional<Identity>& identity,
               pid_t parent) {
  static_assert(kInheritedFd == kResultFd + 1);
  SENTINEL_TRY(arrange_fds(kResultFd, options.inherited_fd));
  if (!kSanitizerBuild) {
    const auto bytes = static_cast<rlim_t>(options.max_address_space_bytes);
    SENTINEL_TRY(set_limit(RLIMIT_AS, bytes, bytes, "RLIMIT_AS"));
  }
  if (has_cpu_limit(options)) {
    const auto cpu = static_cast<rlim_t>(options.max_cpu_seconds);
    SENTINEL_TRY(set_limit(RLIMIT_CPU, cpu, cpu + 1, "RLIMIT_CPU"));
  }
  SENTINEL_TRY(set_limit(RLIMIT_CORE, 0, 0, "RLIMIT_CORE"));  // no core files with its memory
  if (!options.working_dir.empty() && ::chdir(options.working_dir.c_str()) != 0) {
    return system_error("chdir " + options.working_dir);
  }
  if (identity) {
    SENTINEL_TRY(drop_privileges(*identity, kept_capabilities(options)));
  } else if (is_worker(options)) {
    SENTINEL_TRY(narrow_capabilities(kept_capabilities(options)));
  }
  // After the credential change, which resets both: no core dumps, no ptrace by other
  // processes of the sandbox user, and die with the agent.
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return system_error("PR_SET_DUMPABLE");
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return system_error("PR_SET_PDEATHSIG");
  if (::getppid() != parent) ::_exit(1);  // the agent is already gone
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return system_error("PR_SET_NO_NEW_PRIVS");
  return install_seccomp_filter(SeccompPolicy{.result_fd = kResultFd,
                                              .sanitizer_runtime = kSanitizerBuild,
                                              .allow_exec = options.allow_exec,
                                              .watcher = options.watcher,
                                              .firewall = options.firewall,
                                              .scanner = options.scanner});
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

// The result on the pipe: 'O' then the output, or 'E', the error code as one byte, the message.
constexpr char kOk = 'O';
constexpr char kFailed = 'E';

[[noreturn]] void child_main(const std::function<Result<std::string>()>& work,
                             const SandboxOptions& options, const std::optional<Identity>& identity,
                             pid_t parent) {
  Status confined = confine(options, identity, parent);
  Result<std::string> result = confined ? Result<std::string>(std::string()) : confined.error();
  if (confined) {
    try {
      result = work();
    } catch (const std::exception& e) {
      result = internal_error(fmt::format("collector threw: {}", e.what()));
    } catch (...) {
      result = internal_error("collector threw an unknown exception");
    }
  }
  std::string header;
  if (result) {
    header.push_back(kOk);
  } else {
    header.push_back(kFailed);
    header.push_back(static_cast<char>(result.error().code));
  }
  const bool written =
      write_all(kResultFd, header) &&
      write_all(kResultFd, result ? std::string_view(*result) : result.error().message);
  ::_exit(written ? 0 : 1);
}

Result<std::string> decode_result(const std::string& bytes) {
  if (bytes.empty()) return internal_error("collector ended without a result");
  if (bytes[0] == kOk) return bytes.substr(1);
  if (bytes[0] == kFailed && bytes.size() >= 2) {
    const auto code = static_cast<ErrorCode>(static_cast<unsigned char>(bytes[1]));
    if (code <= ErrorCode::kInternal) return Error{code, bytes.substr(2), {}, {}};
  }
  return internal_error("collector sent a malformed result");
}

Error describe_death(int status, const SandboxOptions& options) {
  const std::string& name = options.name;
  if (WIFEXITED(status)) {
    return internal_error(
        fmt::format("{} exited with status {} without a result", name, WEXITSTATUS(status)));
  }
  const int signal = WTERMSIG(status);
  if (signal == SIGSYS) {
    return permission_denied(fmt::format(
        "{} blocked by the seccomp filter: it made a system call outside its allow-list "
        "and was killed (the kernel audit log names the call)",
        name));
  }
  if (signal == SIGXCPU && options.scanner && has_cpu_limit(options)) {
    return internal_error(
        fmt::format("{} stopped at its CPU limit of {} s", name, options.max_cpu_seconds));
  }
  if ((signal == SIGXCPU || signal == SIGKILL) && !options.watcher && !is_worker(options)) {
    return internal_error(fmt::format("{} killed by {} (CPU limit of {} s or memory limit reached)",
                                      name, ::strsignal(signal), options.max_cpu_seconds));
  }
  if (signal == SIGKILL) {
    // No CPU limit here: the kernel's OOM killer, or someone else's kill.
    return internal_error(
        fmt::format("{} killed by {} (out of memory?)", name, ::strsignal(signal)));
  }
  return internal_error(fmt::format("{} crashed: {}", name, ::strsignal(signal)));
}

/// Waits for the child until `deadline`; kills it when the deadline passes.
int reap(pid_t child, std::chrono::steady_clock::time_point deadline, bool& timed_out) {
  int status = 0;
  auto pause = std::chrono::microseconds(200);
  while (true) {
    const pid_t done = ::waitpid(child, &status, WNOHANG);
    if (done == child) return status;
    if (done < 0 && errno != EINTR) return status;
    if (std::chrono::steady_clock::now() >= deadline) {
      timed_out = true;
      ::kill(child, SIGKILL);
      while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
      }
      return status;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(20000));
  }
}

// Forks a child that writes to kResultFd and runs `child_body(identity, parent)`, which never
// returns; the identity is that of options.user when the agent runs as root. Returns the child
// and the read end of its pipe.
template <typename ChildBody>
Result<ConfinedProcess> fork_confined(const SandboxOptions& options, ChildBody child_body) {
  std::optional<Identity> identity;
  if (::geteuid() == 0) {
    SENTINEL_ASSIGN(found, lookup_user(options.user));
    identity = found;
  }
  int pipe_fds[2];
  if (is_worker(options)) {
    // Both ways: the agent's requests in, the answers out. [0] stays with the agent.
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pipe_fds) != 0) {
      return system_error("socketpair");
    }
  } else if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return system_error("pipe");
  }
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) {
    const Error error = system_error("fork");
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return error;
  }
  if (child == 0) {
    ::close(pipe_fds[0]);
    // arrange_fds moves it; give confine() the number it expects.
    if (pipe_fds[1] != kResultFd) ::dup2(pipe_fds[1], kResultFd);
    child_body(identity, parent);
    ::_exit(127);  // not reached: the body ends the child
  }
  ::close(pipe_fds[1]);
  return ConfinedProcess{child, pipe_fds[0]};
}

/// The exit statuses of a worker started from an image that never ran it: its setup before the
/// exec failed, or the exec itself.
constexpr int kExecSetupFailed = 126;
constexpr int kExecFailed = 127;
constexpr std::string_view kConfinementFlag = "--confinement=";

/// The child of spawn_confined_exec between fork and exec. The agent is multi-threaded: another
/// thread may have held a lock (malloc, OpenSSL, a logger) at the fork, so only
/// async-signal-safe calls here, no allocation; argv was built by the parent.
[[noreturn]] void exec_worker_image(int image_fd, int socket_fd, char* const* argv) {
  // The forking thread's mask and the agent's ignored signals would survive the exec.
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int signal = 1; signal < NSIG; ++signal) ::sigaction(signal, &default_action, nullptr);
  // Above the fds about to be overwritten.
  const int image = ::fcntl(image_fd, F_DUPFD_CLOEXEC, 10);
  const int socket = ::fcntl(socket_fd, F_DUPFD_CLOEXEC, 10);
  const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (image < 0 || socket < 0 || null_fd < 0) ::_exit(kExecSetupFailed);
  // dup2 clears close-on-exec on its target: these four are all that cross the exec.
  if (::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(null_fd, STDOUT_FILENO) < 0 ||
      (::fcntl(STDERR_FILENO, F_GETFD) < 0 && ::dup2(null_fd, STDERR_FILENO) < 0) ||
      ::dup2(socket, kResultFd) < 0) {
    ::_exit(kExecSetupFailed);
  }
  // Whatever else is open (fds another thread made without O_CLOEXEC) closes at the exec; the
  // image's fd too, after the kernel has opened the file.
  if (::close_range(kResultFd + 1, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    for (int fd = kResultFd + 1; fd < 65536; ++fd) {
      if (fd != image) ::close(fd);
    }
  }
  static char* const empty_environment[] = {nullptr};
  ::syscall(SYS_execveat, image, "", argv, empty_environment, AT_EMPTY_PATH);
  ::_exit(kExecFailed);
}

std::string confinement_argument(const SandboxOptions& options,
                                 const std::optional<Identity>& identity, pid_t parent) {
  std::string out = fmt::format("{}profile=scanner,parent={},address-space={}", kConfinementFlag,
                                parent, options.max_address_space_bytes);
  if (has_cpu_limit(options)) out += fmt::format(",cpu={}", options.max_cpu_seconds);
  if (identity) out += fmt::format(",uid={},gid={}", identity->uid, identity->gid);
  return out;
}

template <typename Number>
bool parse_number(std::string_view text, Number& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

struct Confinement {
  SandboxOptions options;
  std::optional<Identity> identity;
  pid_t parent = 0;
};

Result<Confinement> parse_confinement(std::string_view argument) {
  const auto bad = [](std::string_view what) {
    return invalid_argument(fmt::format("worker confinement: {}", what), "confinement");
  };
  if (!argument.starts_with(kConfinementFlag)) return bad("the last argument must be it");
  argument.remove_prefix(kConfinementFlag.size());
  Confinement out;
  out.options.scanner = true;
  out.options.max_cpu_seconds = 0;  // none unless given
  std::optional<std::string_view> profile;
  std::optional<std::int64_t> address_space;
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  while (!argument.empty()) {
    const std::size_t comma = argument.find(',');
    const std::string_view item = argument.substr(0, comma);
    argument = comma == std::string_view::npos ? std::string_view() : argument.substr(comma + 1);
    const std::size_t equals = item.find('=');
    if (equals == std::string_view::npos) return bad(fmt::format("'{}' is not key=value", item));
    const std::string_view key = item.substr(0, equals);
    const std::string_view value = item.substr(equals + 1);
    bool parsed = false;
    bool repeated = false;
    if (key == "profile") {
      repeated = profile.has_value();
      profile = value;
      parsed = true;
    } else if (key == "parent") {
      repeated = out.parent != 0;
      parsed = parse_number(value, out.parent) && out.parent > 0;
    } else if (key == "address-space") {
      repeated = address_space.has_value();
      std::int64_t bytes = 0;
      parsed = parse_number(value, bytes) && bytes > 0;
      address_space = bytes;
    } else if (key == "cpu") {
      repeated = out.options.max_cpu_seconds != 0;
      parsed = parse_number(value, out.options.max_cpu_seconds) && out.options.max_cpu_seconds > 0;
    } else if (key == "uid") {
      repeated = uid.has_value();
      uid_t number = 0;
      parsed = parse_number(value, number) && number != 0;
      uid = number;
    } else if (key == "gid") {
      repeated = gid.has_value();
      gid_t number = 0;
      parsed = parse_number(value, number);
      gid = number;
    } else {
      return bad(fmt::format("unknown key '{}'", key));
    }
    if (repeated) return bad(fmt::format("'{}' given twice", key));
    if (!parsed) return bad(fmt::format("bad {} '{}'", key, value));
  }
  if (profile != "scanner") return bad("profile must be scanner");
  if (out.parent == 0 || !address_space) return bad("parent and address-space are required");
  if (uid.has_value() != gid.has_value()) return bad("uid and gid go together");
  out.options.max_address_space_bytes = *address_space;
  if (uid) out.identity = Identity{*uid, *gid};
  return out;
}

}  // namespace

Result<std::string> run_confined(const std::function<Result<std::string>()>& work,
                                 const SandboxOptions& options) {
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  SENTINEL_ASSIGN(
      process, fork_confined(options, [&](const std::optional<Identity>& identity, pid_t parent) {
        child_main(work, options, identity, parent);
      }));
  const pid_t child = process.pid;
  const int output_fd = process.output_fd;

  std::string received;
  bool timed_out = false;
  bool too_large = false;
  char buffer[65536];
  const std::size_t limit = options.max_output_bytes + 2;  // + the result header
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd poll_fd{output_fd, POLLIN, 0};
    const int ready =
        ::poll(&poll_fd, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    const ssize_t n = ::read(output_fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child exited or closed the pipe
    received.append(buffer, static_cast<std::size_t>(n));
    if (received.size() > limit) {
      too_large = true;
      break;
    }
  }
  ::close(output_fd);
  if (timed_out || too_large) ::kill(child, SIGKILL);
  const int status = reap(child, deadline, timed_out);

  if (timed_out) {
    return unavailable(
        fmt::format("collector timed out after {} ms and was killed", options.timeout.count()));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    if (!received.empty() && received[0] == kOk && received.size() - 1 > options.max_output_bytes) {
      too_large = true;
    } else {
      return decode_result(received);
    }
  }
  if (too_large) {
    return Error{ErrorCode::kPayloadTooLarge,
                 fmt::format("collector output is larger than {} bytes", options.max_output_bytes),
                 {},
                 {}};
  }
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) return describe_death(status, options);
  // A child that failed before running the work still says why.
  if (!received.empty() && received[0] == kFailed) return decode_result(received);
  return describe_death(status, options);
}

Result<ConfinedProcess> spawn_confined(const std::function<int(int output_fd)>& work,
                                       const SandboxOptions& options) {
  return fork_confined(options, [&](const std::optional<Identity>& identity, pid_t parent) {
    if (!confine(options, identity, parent)) ::_exit(125);
    int code = 1;
    try {
      code = work(kResultFd);
    } catch (...) {
      code = 1;
    }
    ::_exit(code);
  });
}

Result<WorkerImage> WorkerImage::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return unavailable(
        fmt::format("cannot open the worker image {}: {}", path, std::strerror(errno)));
  }
  return WorkerImage(fd);
}

WorkerImage::WorkerImage(WorkerImage&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

WorkerImage& WorkerImage::operator=(WorkerImage&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

WorkerImage::~WorkerImage() {
  if (fd_ >= 0) ::close(fd_);
}

Result<ConfinedProcess> spawn_confined_exec(const WorkerImage& image,
                                            const std::vector<std::string>& arguments,
                                            const SandboxOptions& options) {
  if (!options.scanner) {
    return invalid_argument("only the scan worker is started from a clean image", "options");
  }
  if (image.fd() < 0) return invalid_argument("no worker image", "image");
  std::optional<Identity> identity;
  if (::geteuid() == 0) {
    SENTINEL_ASSIGN(found, lookup_user(options.user));
    identity = found;
  }
  const pid_t parent = ::getpid();
  // Everything the child needs, made before the fork: it may not allocate.
  std::vector<std::string> strings;
  strings.reserve(arguments.size() + 2);
  strings.emplace_back("sentinel-agent");
  strings.insert(strings.end(), arguments.begin(), arguments.end());
  strings.push_back(confinement_argument(options, identity, parent));
  std::vector<char*> argv;
  argv.reserve(strings.size() + 1);
  for (std::string& text : strings) argv.push_back(text.data());
  argv.push_back(nullptr);
  int fds[2];
  // Both ways: the agent's requests in, the answers out. [0] stays with the agent.
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return system_error("socketpair");
  }
  const pid_t child = ::fork();
  if (child < 0) {
    const Error error = system_error("fork");
    ::close(fds[0]);
    ::close(fds[1]);
    return error;
  }
  if (child == 0) exec_worker_image(image.fd(), fds[1], argv.data());
  ::close(fds[1]);
  return ConfinedProcess{child, fds[0]};
}

Status confine_exec_worker(std::string_view confinement) {
  SENTINEL_ASSIGN(parsed, parse_confinement(confinement));
  return confine(parsed.options, parsed.identity, parsed.parent);
}

Status finish_confined(ConfinedProcess& process, bool kill, const SandboxOptions& options) {
  if (process.output_fd >= 0) ::close(process.output_fd);
  process.output_fd = -1;
  if (process.pid <= 0) return ok();
  if (kill) ::kill(process.pid, SIGKILL);
  int status = 0;
  while (::waitpid(process.pid, &status, 0) < 0 && errno == EINTR) {
  }
  process.pid = -1;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return ok();
  if (WIFEXITED(status) && WEXITSTATUS(status) == 125) {
    return internal_error(fmt::format("{} could not be confined (it never ran unconfined)",
                                      options.name == "collector" ? "watcher" : options.name));
  }
  if (WIFEXITED(status) &&
      (WEXITSTATUS(status) == kExecSetupFailed || WEXITSTATUS(status) == kExecFailed)) {
    return internal_error(fmt::format(
        "{} could not be started: {}", options.name,
        WEXITSTATUS(status) == kExecFailed ? "the exec of its image failed" : "fd setup failed"));
  }
  if (kill && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) return ok();
  return describe_death(status, options);
}

Status prepare_state_dir(const std::string& path, const SandboxOptions& options) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return system_error("mkdir " + path);
  if (::geteuid() == 0) {
    SENTINEL_ASSIGN(identity, lookup_user(options.user));
    if (::chown(path.c_str(), identity.uid, identity.gid) != 0) {
      return system_error("chown " + path);
    }
  }
  if (::chmod(path.c_str(), 0700) != 0) return system_error("chmod " + path);
  return ok();
}

}  // namespace sentinel::agent
