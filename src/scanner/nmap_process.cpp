#include "nmap_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <thread>

#include "sentinel/common/text.h"

namespace sentinel::scanner {
namespace {

// The end of stderr kept for an error message.
constexpr std::size_t kStderrTail = 2048;
constexpr int kPollMs = 100;
// After SIGTERM the group has this long before SIGKILL.
constexpr std::chrono::milliseconds kTermGrace{2000};

// A pipe whose ends close with it.
struct Pipe {
  int read = -1;
  int write = -1;
  ~Pipe() {
    if (read >= 0) ::close(read);
    if (write >= 0) ::close(write);
  }
  bool open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read = fds[0];
    write = fds[1];
    return true;
  }
};

std::string attribute(std::string_view line, std::string_view name) {
  const std::string key = std::string(name) + "=\"";
  const std::size_t at = line.find(key);
  if (at == std::string_view::npos) return {};
  const std::size_t begin = at + key.size();
  const std::size_t end = line.find('"', begin);
  if (end == std::string_view::npos) return {};
  return std::string(line.substr(begin, end - begin));
}

// True once `child` has exited; it stays a zombie (not reaped), so that its process group id
// cannot be taken by another process while the group is killed.
bool exited(pid_t child, bool wait) {
  siginfo_t info{};
  const int options = WEXITED | WNOWAIT | (wait ? 0 : WNOHANG);
  while (::waitid(P_PID, static_cast<id_t>(child), &info, options) != 0) {
    if (errno != EINTR) return true;  // no such child: nothing left to wait for
  }
  return info.si_pid == child;
}

// Kills what is left of the child's process group, then reaps the child; returns its status.
int reap(pid_t child) {
  ::kill(-child, SIGKILL);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// Stops the child's whole group: SIGTERM, and SIGKILL for whatever outlives the grace period.
void kill_and_reap(pid_t child) {
  ::kill(-child, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + kTermGrace;
  while (!exited(child, false) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  reap(child);
}

// Printable text of the end of stderr, on one line.
std::string tail_of(const std::string& text) {
  std::string tail = text.size() > kStderrTail ? text.substr(text.size() - kStderrTail) : text;
  for (char& c : tail) {
    if (is_control_character(c)) c = ' ';
  }
  while (!tail.empty() && tail.back() == ' ') tail.pop_back();
  return tail;
}

}  // namespace

bool parse_task_progress(std::string_view line, NmapTaskProgress& out) {
  const std::size_t at = line.find("<taskprogress ");
  if (at == std::string_view::npos) return false;
  line = line.substr(at);
  const std::string percent = attribute(line, "percent");
  double value = 0;
  const auto [end, error] = std::from_chars(percent.data(), percent.data() + percent.size(), value);
  if (percent.empty() || error != std::errc() || end != percent.data() + percent.size()) {
    return false;
  }
  out.task = attribute(line, "task");
  out.percent = std::clamp(value, 0.0, 100.0);
  return true;
}

namespace {

// nmap's tasks (by the start of their names), the phase each belongs to and its band of the
// job's percent.
struct TaskBand {
  std::string_view prefix;
  std::string_view phase;
  double from;
  double to;
};
constexpr TaskBand kTaskBands[] = {
    {"Ping Scan", "discovery", 0, 5},           {"ARP Ping Scan", "discovery", 0, 5},
    {"Parallel DNS", "discovery", 0, 5},        {"SYN Stealth Scan", "ports", 5, 60},
    {"Connect Scan", "ports", 5, 60},           {"UDP Scan", "ports", 5, 60},
    {"Service scan", "services", 60, 85},       {"NSE", "scripts", 85, 99},
    {"Script Pre-Scanning", "scripts", 85, 99}, {"OS", "os", 85, 99}};

const TaskBand* band_of(const NmapTaskProgress& progress) {
  for (const TaskBand& band : kTaskBands) {
    if (progress.task.starts_with(band.prefix)) return &band;
  }
  return nullptr;
}

}  // namespace

double overall_percent(const NmapTaskProgress& progress) {
  const TaskBand* band = band_of(progress);
  return band == nullptr ? 0 : band->from + (band->to - band->from) * progress.percent / 100.0;
}

std::string_view phase_of(const NmapTaskProgress& progress) {
  const TaskBand* band = band_of(progress);
  return band == nullptr ? std::string_view() : band->phase;
}

Result<std::string> run_nmap(const std::string& executable,
                             const std::vector<std::string>& arguments, const NmapRunLimits& limits,
                             const std::atomic<bool>& cancelled,
                             const std::function<void(const NmapTaskProgress&)>& on_progress) {
  Pipe out;
  Pipe err;
  if (!out.open() || !err.open()) {
    return internal_error(fmt::format("nmap: cannot create a pipe: {}", std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write, 1);
  posix_spawn_file_actions_adddup2(&actions, err.write, 2);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Its own process group, so that a kill reaches everything nmap starts; default signals.
  posix_spawnattr_setpgroup(&attributes, 0);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(executable.c_str()));
  for (const std::string& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  // A bare environment: nothing of the server's (secrets, NMAPDIR) reaches nmap.
  char path[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
  char lang[] = "LANG=C";
  char* envp[] = {path, lang, nullptr};
  pid_t child = 0;
  const int spawned =
      ::posix_spawn(&child, executable.c_str(), &actions, &attributes, argv.data(), envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawned != 0) {
    return internal_error(
        fmt::format("nmap: cannot start {}: {}", executable, std::strerror(spawned)));
  }
  ::close(out.write);
  out.write = -1;
  ::close(err.write);
  err.write = -1;

  const auto deadline = std::chrono::steady_clock::now() + limits.timeout;
  std::string output;
  std::string errors;
  std::size_t scanned = 0;  // output before this offset has been searched for progress lines
  bool out_open = true;
  bool err_open = true;
  char buffer[64 << 10];
  while (out_open || err_open) {
    if (cancelled.load()) {
      kill_and_reap(child);
      return Error{ErrorCode::kUnavailable, "cancelled", "cancelled", {}};
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      kill_and_reap(child);
      return Error{ErrorCode::kUnavailable,
                   fmt::format("nmap ran longer than {} s", limits.timeout.count() / 1000),
                   "timeout",
                   {}};
    }
    pollfd fds[2] = {{out_open ? out.read : -1, POLLIN, 0}, {err_open ? err.read : -1, POLLIN, 0}};
    if (::poll(fds, 2, kPollMs) < 0 && errno != EINTR) {
      kill_and_reap(child);
      return internal_error(fmt::format("nmap: poll failed: {}", std::strerror(errno)));
    }
    for (int i = 0; i < 2; ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t got = ::read(fds[i].fd, buffer, sizeof(buffer));
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got <= 0) {
        (i == 0 ? out_open : err_open) = false;
        continue;
      }
      if (i == 1) {
        errors.append(buffer, static_cast<std::size_t>(got));
        if (errors.size() > 4 * kStderrTail) errors.erase(0, errors.size() - kStderrTail);
        continue;
      }
      output.append(buffer, static_cast<std::size_t>(got));
      if (output.size() > limits.max_output) {
        kill_and_reap(child);
        return internal_error(
            fmt::format("nmap printed more than {} bytes of XML", limits.max_output));
      }
      // Progress lines among the complete lines that arrived.
      std::size_t newline;
      while ((newline = output.find('\n', scanned)) != std::string::npos) {
        NmapTaskProgress progress;
        if (parse_task_progress(std::string_view(output).substr(scanned, newline - scanned),
                                progress)) {
          on_progress(progress);
        }
        scanned = newline + 1;
      }
    }
  }
  exited(child, true);
  const int status = reap(child);  // and helpers nmap may have left in its group
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string how = WIFEXITED(status)
                                ? fmt::format("exited with status {}", WEXITSTATUS(status))
                                : fmt::format("was killed by signal {}", WTERMSIG(status));
    return internal_error(fmt::format("nmap {}: {}", how, tail_of(errors)));
  }
  return output;
}

}  // namespace sentinel::scanner
