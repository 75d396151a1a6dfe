#include "tests/support/postgres_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "tests/support/free_port.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

constexpr int kStartAttempts = 3;  // a free port can be taken between probing and binding it

std::string bin_dir() {
  const char* dir = std::getenv("SENTINEL_PG_BIN");
  return dir ? dir : "/usr/lib/postgresql/15/bin";
}

// initdb refuses to run as root: then every PostgreSQL program runs as the postgres user.
std::vector<std::string> as_postgres(std::vector<std::string> argv) {
  if (geteuid() != 0) return argv;
  argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  return argv;
}

std::string file_tail(const std::filesystem::path& file, std::size_t max_bytes = 2000) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.size() > max_bytes ? text.substr(text.size() - max_bytes) : text;
}

Status run(const std::vector<std::string>& argv, std::string_view what) {
  SENTINEL_ASSIGN(output, run_command(as_postgres(argv)));
  if (output.exit_code == 0) return ok();
  return internal_error(
      fmt::format("{} failed (exit {}):\n{}{}", what, output.exit_code, output.out, output.err));
}

Status give_to_postgres(const std::filesystem::path& dir) {
  if (geteuid() != 0) return ok();
  passwd* user = getpwnam("postgres");
  if (user == nullptr) return internal_error("running as root but there is no postgres user");
  if (chown(dir.c_str(), user->pw_uid, user->pw_gid) != 0) {
    return internal_error(fmt::format("chown {}: {}", dir.string(), std::strerror(errno)));
  }
  return ok();
}

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A shell that waits for EOF on its stdin (our process exiting, however it exits) and then stops
// the server and deletes its directory, so that a crashed test leaves nothing running.
Result<std::pair<int, int>> start_watchdog(const std::filesystem::path& dir) {
  std::string stop;
  for (const std::string& arg : as_postgres(
           {bin_dir() + "/pg_ctl", "-D", (dir / "data").string(), "-m", "immediate", "stop"})) {
    stop += shell_quote(arg) + " ";
  }
  std::string script =
      fmt::format("read _; {} >/dev/null 2>&1; rm -rf {}", stop, shell_quote(dir.string()));
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return internal_error("watchdog pipe failed");
  const char* argv[] = {"/bin/sh", "-c", script.c_str(), nullptr};
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return internal_error("watchdog fork failed");
  }
  if (pid == 0) {
    setpgid(0, 0);  // outlives a Ctrl-C aimed at the test
    dup2(fds[0], STDIN_FILENO);
    execv("/bin/sh", const_cast<char* const*>(argv));
    _exit(127);
  }
  close(fds[0]);
  return std::pair<int, int>(pid, fds[1]);
}

}  // namespace

Result<std::unique_ptr<PostgresCluster>> PostgresCluster::start() {
  TempDir dir("sentinel-pg");
  const std::filesystem::path root = dir.path();
  const std::string data = (root / "data").string();
  const std::string log = (root / "postgres.log").string();
  SENTINEL_TRY(give_to_postgres(root));
  SENTINEL_TRY(run({bin_dir() + "/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E",
                    "UTF8", "--locale=C", "--no-sync", "--no-instructions"},
                   "initdb"));
  Error last_error = internal_error("pg_ctl start was not tried");
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    SENTINEL_ASSIGN(port, free_port());
    std::string options = fmt::format(
        "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=200",
        port, root.string());
    auto started = run(
        {bin_dir() + "/pg_ctl", "-D", data, "-l", log, "-w", "-t", "30", "-o", options, "start"},
        "pg_ctl start");
    if (started) {
      SENTINEL_ASSIGN(watchdog, start_watchdog(root));
      return std::unique_ptr<PostgresCluster>(
          new PostgresCluster(std::move(dir), port, watchdog.first, watchdog.second));
    }
    last_error = std::move(started).error();
  }
  last_error.message += fmt::format("\nserver log ({}):\n{}", log, file_tail(log));
  return last_error;
}

PostgresCluster& PostgresCluster::shared() {
  static std::unique_ptr<PostgresCluster> cluster = [] {
    auto started = start();
    if (started) return std::move(started).value();
    return std::unique_ptr<PostgresCluster>(new PostgresCluster(std::move(started).error()));
  }();
  if (cluster->start_error_) {
    ADD_FAILURE() << "the shared PostgreSQL cluster did not start: "
                  << cluster->start_error_->message;
  }
  return *cluster;
}

PostgresCluster::PostgresCluster(TempDir dir, int port, int watchdog_pid, int watchdog_pipe)
    : dir_(std::move(dir)),
      port_(port),
      watchdog_pid_(watchdog_pid),
      watchdog_pipe_(watchdog_pipe) {}

PostgresCluster::PostgresCluster(Error start_error) : start_error_(std::move(start_error)) {}

PostgresCluster::~PostgresCluster() {
  admin_.reset();
  if (dir_) {
    (void)run({bin_dir() + "/pg_ctl", "-D", (dir_->path() / "data").string(), "-m", "immediate",
               "-w", "stop"},
              "pg_ctl stop");
    dir_.reset();
  }
  if (watchdog_pipe_ >= 0) close(watchdog_pipe_);
  if (watchdog_pid_ > 0) waitpid(watchdog_pid_, nullptr, 0);
}

std::string PostgresCluster::url(std::string_view database) const {
  return fmt::format("postgresql://postgres@127.0.0.1:{}/{}", port_, database);
}

Result<std::string> PostgresCluster::create_database() {
  if (start_error_) return *start_error_;
  std::lock_guard lock(admin_mutex_);
  if (!admin_) {
    SENTINEL_ASSIGN(admin, store::open_database(url("postgres")));
    admin_ = std::move(admin);
  }
  std::string name = fmt::format("test_{}", next_database_++);
  SENTINEL_TRY(admin_->execute("CREATE DATABASE " + name));
  return url(name);
}

}  // namespace sentinel::test
