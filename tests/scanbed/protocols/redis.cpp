// redis-server without a password (Debian's default bind is loopback, where protected mode does
// not apply): RESP and inline commands, PING/ECHO/INFO/QUIT, arity errors, the version-specific
// text for unknown commands, and the silent hang-up on what looks like HTTP (POST, Host:), which
// Redis treats as a cross-protocol attack.

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

#include "tests/scanbed/protocols/protocols.h"

namespace sentinel::scanbed {
namespace {

constexpr std::size_t kMaxInline = 64 * 1024;
constexpr long kMaxMultibulk = 1024;
constexpr long kMaxBulk = 512 * 1024;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string bulk(std::string_view text) { return fmt::format("${}\r\n{}\r\n", text.size(), text); }

std::optional<long> parse_count(std::string_view text) {
  long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string info_text(const ServiceSpec& service, std::uint16_t port) {
  const bool seven = service.release == Release::kBookworm;
  return fmt::format(
      "# Server\r\nredis_version:{}\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\n"
      "redis_build_id:{}\r\nredis_mode:standalone\r\nos:Linux {} x86_64\r\narch_bits:64\r\n"
      "monotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\n"
      "atomicvar_api:c11-builtin\r\ngcc_version:{}\r\nprocess_id:{}\r\n"
      "process_supervised:systemd\r\ntcp_port:{}\r\nuptime_in_days:12\r\nhz:10\r\n"
      "configured_hz:10\r\nexecutable:/usr/bin/redis-server\r\n"
      "config_file:/etc/redis/redis.conf\r\nio_threads_active:0\r\n\r\n"
      "# Clients\r\nconnected_clients:1\r\nblocked_clients:0\r\n\r\n"
      "# Memory\r\nused_memory:{}\r\nused_memory_human:{}\r\nmaxmemory:0\r\n"
      "maxmemory_policy:noeviction\r\nmem_allocator:jemalloc-5.3.0\r\n\r\n"
      "# Persistence\r\nloading:0\r\nrdb_changes_since_last_save:0\r\n"
      "rdb_last_bgsave_status:ok\r\naof_enabled:0\r\n\r\n"
      "# Replication\r\nrole:master\r\nconnected_slaves:0\r\n\r\n"
      "# Keyspace\r\n",
      service.version, seven ? "75d3a3b2b3c34f3a" : "6d95e1af3a2c082a",
      seven ? "6.1.0-18-amd64" : "5.10.0-28-amd64", seven ? "12.2.0" : "10.2.1", seven ? 731 : 612,
      port, seven ? 1001352 : 873448, seven ? "977.88K" : "852.98K");
}

// One command's arguments; nullopt when the client broke the protocol (the connection then
// closes, after the error written into `error`).
struct Command {
  std::vector<std::string> arguments;
};

boost::asio::awaitable<std::optional<Command>> read_multibulk(Connection& connection,
                                                              std::string& error) {
  const auto header = co_await connection.read_line(kMaxInline);
  if (!header) co_return std::nullopt;
  const auto count = parse_count(std::string_view(*header).substr(1));
  if (!count || *count > kMaxMultibulk) {
    error = "-ERR Protocol error: invalid multibulk length\r\n";
    co_return std::nullopt;
  }
  Command command;
  for (long i = 0; i < *count; ++i) {
    const auto length_line = co_await connection.read_line(kMaxInline);
    if (!length_line) co_return std::nullopt;
    if (length_line->empty() || length_line->front() != '$') {
      error = fmt::format("-ERR Protocol error: expected '$', got '{}'\r\n",
                          length_line->empty() ? ' ' : length_line->front());
      co_return std::nullopt;
    }
    const auto length = parse_count(std::string_view(*length_line).substr(1));
    if (!length || *length < 0 || *length > kMaxBulk) {
      error = "-ERR Protocol error: invalid bulk length\r\n";
      co_return std::nullopt;
    }
    const auto size = static_cast<std::size_t>(*length);
    const bool complete = co_await connection.read_at_least(size + 2);
    if (!complete) co_return std::nullopt;
    command.arguments.push_back(connection.consume(size));
    connection.consume(2);
  }
  co_return command;
}

std::string unknown_command(const ServiceSpec& service, const Command& command) {
  const bool seven = service.release == Release::kBookworm;
  std::string text = seven ? fmt::format("-ERR unknown command '{}', with args beginning with: ",
                                         command.arguments.front())
                           : fmt::format("-ERR unknown command `{}`, with args beginning with: ",
                                         command.arguments.front());
  for (std::size_t i = 1; i < command.arguments.size(); ++i) {
    text += seven ? fmt::format("'{}' ", command.arguments[i])
                  : fmt::format("`{}`, ", command.arguments[i]);
  }
  return text + "\r\n";
}

// The reply to one command; empty to hang up without a word.
std::string reply_to(const ServiceSpec& service, std::uint16_t port, const Command& command,
                     bool& quit) {
  const std::string name = lower(command.arguments.front());
  const std::size_t arity = command.arguments.size();
  const auto wrong_arity = [&] {
    return fmt::format("-ERR wrong number of arguments for '{}' command\r\n", name);
  };
  if (name == "ping") {
    if (arity > 2) return wrong_arity();
    return arity == 2 ? bulk(command.arguments[1]) : "+PONG\r\n";
  }
  if (name == "echo") return arity == 2 ? bulk(command.arguments[1]) : wrong_arity();
  if (name == "info") return bulk(info_text(service, port));
  if (name == "quit") {
    quit = true;
    return "+OK\r\n";
  }
  if (name == "get") return arity == 2 ? "$-1\r\n" : wrong_arity();
  if (name == "set") return arity >= 3 ? "+OK\r\n" : wrong_arity();
  if (name == "exists" || name == "del") return arity >= 2 ? ":0\r\n" : wrong_arity();
  if (name == "dbsize") return ":0\r\n";
  if (name == "auth") {
    return arity == 2 ? "-ERR AUTH <password> called without any password configured for the "
                        "default user. Are you sure your configuration is correct?\r\n"
                      : wrong_arity();
  }
  return unknown_command(service, command);
}

}  // namespace

boost::asio::awaitable<void> serve_redis(Connection& connection, ServeContext context) {
  const std::uint16_t port = connection.local_port();
  for (;;) {
    if (connection.buffered().empty()) {
      const bool more = co_await connection.read_more();
      if (!more) co_return;
    }
    std::optional<Command> command;
    std::string error;
    if (connection.buffered().front() == '*') {
      command = co_await read_multibulk(connection, error);
    } else {
      const auto line = co_await connection.read_line(kMaxInline);
      if (!line) {
        if (connection.buffered().size() > kMaxInline) {
          co_await connection.write("-ERR Protocol error: too big inline request\r\n");
        }
        co_return;
      }
      command.emplace();
      std::size_t at = 0;
      while (at < line->size()) {
        const std::size_t start = line->find_first_not_of(" \t", at);
        if (start == std::string::npos) break;
        const std::size_t end = std::min(line->find_first_of(" \t", start), line->size());
        command->arguments.push_back(line->substr(start, end - start));
        at = end;
      }
    }
    if (!command) {
      if (!error.empty()) co_await connection.write(error);
      co_return;
    }
    if (command->arguments.empty()) continue;  // empty inline lines are ignored
    const std::string name = lower(command->arguments.front());
    if (name == "post" || name == "host:") co_return;  // "Possible SECURITY ATTACK detected"
    bool quit = false;
    const std::string reply = reply_to(context.service, port, *command, quit);
    const bool written = co_await connection.write(reply);
    if (!written || quit) co_return;
  }
}

}  // namespace sentinel::scanbed
