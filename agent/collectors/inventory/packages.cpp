// The "packages" section: dpkg's status database, parsed here (no dpkg-query), and rpm's, asked
// through `rpm -qa` because its database format is not ours to parse.

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <map>
#include <utility>

#include "agent/collectors/inventory/collectors.h"
#include "agent/collectors/inventory/parsers.h"
#include "agent/collectors/inventory/system_files.h"

namespace sentinel::agent::inventory {
namespace {

constexpr auto kRpmTimeout = std::chrono::seconds(120);
constexpr std::size_t kMaxRpmOutput = 64u << 20;

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

boost::json::object package_item(std::string_view name, std::string_view version,
                                 std::string_view arch, std::string_view source) {
  return {{"name", json_safe_text(name)},
          {"version", json_safe_text(version)},
          {"arch", json_safe_text(arch)},
          {"source", source}};
}

// The names of dpkg's pending update files ("updates/0003"), in the order dpkg applies them.
std::vector<std::string> read_dpkg_updates(const std::filesystem::path& status) {
  std::vector<std::pair<std::string, std::string>> named;
  const std::filesystem::path directory = status.parent_path() / "updates";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    const std::string name = entry.path().filename().string();
    const bool numbered = !name.empty() && std::all_of(name.begin(), name.end(),
                                                       [](char c) { return c >= '0' && c <= '9'; });
    if (!numbered) continue;
    if (auto content = read_optional(entry.path(), 64u << 20)) {
      named.emplace_back(name, std::move(*content));
    }
  }
  std::sort(named.begin(), named.end());
  std::vector<std::string> updates;
  for (auto& [name, content] : named) updates.push_back(std::move(content));
  return updates;
}

// Runs `rpm -qa` with a deadline and returns its standard output.
Result<std::string> run_rpm_query(const std::filesystem::path& rpm) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return internal_error("rpm: pipe failed");
  const std::string format(kRpmQueryFormat);
  const std::string program = rpm.string();
  const char* argv[] = {program.c_str(), "-qa", "--qf", format.c_str(), nullptr};
  const char* envp[] = {"LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", nullptr};
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return internal_error("rpm: fork failed");
  }
  if (child == 0) {
    const int null_fd = ::open("/dev/null", O_RDWR);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::dup2(null_fd, STDERR_FILENO);
    ::execve(argv[0], const_cast<char* const*>(argv), const_cast<char* const*>(envp));
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + kRpmTimeout;
  bool timed_out = false;
  char buffer[16384];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd readable{pipe_fds[0], POLLIN, 0};
    const int ready = ::poll(&readable, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      timed_out = ready == 0;
      break;
    }
    const ssize_t count = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) break;
    if (output.size() + static_cast<std::size_t>(count) > kMaxRpmOutput) {
      timed_out = true;  // treat a runaway producer like a hung one
      break;
    }
    output.append(buffer, static_cast<std::size_t>(count));
  }
  ::close(pipe_fds[0]);
  if (timed_out) ::kill(child, SIGKILL);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) return internal_error("rpm -qa: no answer within the deadline");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return internal_error("rpm -qa failed with status " + std::to_string(status));
  }
  return output;
}

}  // namespace

std::vector<DpkgRecord> parse_dpkg_records(std::string_view text) {
  std::vector<DpkgRecord> records;
  DpkgRecord current;
  bool in_stanza = false;
  const auto finish = [&] {
    if (in_stanza) records.push_back(std::move(current));
    current = {};
    in_stanza = false;
  };
  for (std::string_view line : split_lines(text)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) {
      finish();
      continue;
    }
    in_stanza = true;
    if (line.front() == ' ' || line.front() == '\t') continue;  // continuation of a field
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, colon);
    const std::string value(trim(line.substr(colon + 1)));
    if (iequals(name, "Package")) {
      current.package = value;
    } else if (iequals(name, "Status")) {
      current.status = value;
    } else if (iequals(name, "Version")) {
      current.version = value;
    } else if (iequals(name, "Architecture")) {
      current.architecture = value;
    }
  }
  finish();
  return records;
}

boost::json::array dpkg_packages(std::string_view status, const std::vector<std::string>& updates) {
  // (package, architecture) is the identity of a record; an update replaces the whole record.
  std::map<std::pair<std::string, std::string>, DpkgRecord> records;
  const auto add = [&](std::vector<DpkgRecord> parsed) {
    for (DpkgRecord& record : parsed) {
      if (record.package.empty()) continue;
      auto key = std::make_pair(record.package, record.architecture);
      records.insert_or_assign(std::move(key), std::move(record));
    }
  };
  add(parse_dpkg_records(status));
  for (const std::string& update : updates) add(parse_dpkg_records(update));

  boost::json::array items;
  for (const auto& [key, record] : records) {
    const auto words = split_fields(record.status);
    if (words.size() != 3 || words[0] != "install" || words[1] != "ok" || words[2] != "installed") {
      continue;
    }
    items.emplace_back(package_item(record.package, record.version, record.architecture, "dpkg"));
  }
  return items;
}

boost::json::array parse_rpm_output(std::string_view output) {
  // Several versions of one name and arch can be installed at once (kernels); the key holds one,
  // so the last listed wins.
  std::map<std::string, boost::json::object> by_key;
  for (std::string_view line : split_lines(output)) {
    const std::size_t first = line.find('\t');
    const std::size_t second = first == std::string_view::npos ? first : line.find('\t', first + 1);
    if (second == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, first);
    const std::string_view version = line.substr(first + 1, second - first - 1);
    const std::string_view arch = line.substr(second + 1);
    if (name.empty()) continue;
    by_key[std::string(name) + ":" + std::string(arch)] = package_item(name, version, arch, "rpm");
  }
  boost::json::array items;
  for (auto& [key, item] : by_key) items.emplace_back(std::move(item));
  return items;
}

Result<boost::json::array> collect_packages(const SystemRoots& roots) {
  boost::json::array items;
  auto status = read_file(roots.dpkg_status);
  if (status) {
    items = dpkg_packages(*status, read_dpkg_updates(roots.dpkg_status));
  } else if (status.error().code != ErrorCode::kNotFound) {
    return std::move(status).error();
  }
  if (!roots.rpm.empty() && ::access(roots.rpm.c_str(), X_OK) == 0) {
    SENTINEL_ASSIGN(output, run_rpm_query(roots.rpm));
    for (auto& item : parse_rpm_output(output)) items.emplace_back(std::move(item));
  }
  return items;
}

}  // namespace sentinel::agent::inventory
