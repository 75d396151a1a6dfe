// The "listening" section: /proc/net/{tcp,tcp6,udp,udp6} (the tables `ss` also reads, through
// netlink), with each socket's owner found by matching its inode in /proc/<pid>/fd.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "agent/collectors/inventory/collectors.h"
#include "agent/collectors/inventory/parsers.h"
#include "agent/collectors/inventory/system_files.h"

namespace sentinel::agent::inventory {
namespace {

constexpr int kTcpListen = 0x0A;
constexpr int kUdpUnconnected = 0x07;  // TCP_CLOSE: what `ss -l` lists as UNCONN

std::optional<std::uint32_t> hex_word(std::string_view text) {
  if (text.size() != 8) return std::nullopt;
  const auto value = parse_integer(text, 16);
  if (!value) return std::nullopt;
  return static_cast<std::uint32_t>(*value);
}

// The kernel prints an address as its 32-bit words in host order ("%08X" of each __be32), so
// copying the words back into memory restores the network-order bytes on any endianness.
std::optional<std::string> decode_address(std::string_view hex, bool ipv6) {
  char text[INET6_ADDRSTRLEN] = {};
  if (!ipv6) {
    const auto word = hex_word(hex);
    if (!word) return std::nullopt;
    in_addr address{};
    std::memcpy(&address, &*word, sizeof *word);
    if (::inet_ntop(AF_INET, &address, text, sizeof text) == nullptr) return std::nullopt;
    return std::string(text);
  }
  if (hex.size() != 32) return std::nullopt;
  in6_addr address{};
  for (std::size_t i = 0; i < 4; ++i) {
    const auto word = hex_word(hex.substr(i * 8, 8));
    if (!word) return std::nullopt;
    std::memcpy(reinterpret_cast<unsigned char*>(&address) + i * 4, &*word, sizeof *word);
  }
  if (::inet_ntop(AF_INET6, &address, text, sizeof text) == nullptr) return std::nullopt;
  return std::string(text);
}

Error bad_row(std::string_view protocol, bool ipv6, std::size_t line) {
  return invalid_argument("/proc/net/" + std::string(protocol) + (ipv6 ? "6" : "") + " line " +
                              std::to_string(line) + ": not a socket row",
                          "line");
}

// The pids of `proc` in ascending order.
std::vector<std::int64_t> all_pids(const std::filesystem::path& proc) {
  std::vector<std::int64_t> pids;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(proc, error)) {
    if (const auto pid = parse_integer(entry.path().filename().string())) pids.push_back(*pid);
  }
  std::sort(pids.begin(), pids.end());
  return pids;
}

// Reads the fd links of one process and moves every wanted inode it holds into `owners`.
void take_owned_sockets(const std::filesystem::path& proc, std::int64_t pid,
                        std::set<std::uint64_t>& wanted,
                        std::map<std::uint64_t, SocketOwner>& owners) {
  const std::filesystem::path process_dir = proc / std::to_string(pid);
  std::error_code fd_error;
  for (const auto& fd : std::filesystem::directory_iterator(process_dir / "fd", fd_error)) {
    char target[64];
    const ssize_t length = ::readlink(fd.path().c_str(), target, sizeof target - 1);
    if (length <= 0) continue;
    const std::string_view link(target, static_cast<std::size_t>(length));
    if (link.substr(0, 8) != "socket:[" || link.back() != ']') continue;
    const auto inode = parse_integer(link.substr(8, link.size() - 9));
    if (!inode || !wanted.contains(static_cast<std::uint64_t>(*inode))) continue;
    wanted.erase(static_cast<std::uint64_t>(*inode));
    const auto stat = parse_proc_stat(read_optional(process_dir / "stat", 4096).value_or(""));
    owners[static_cast<std::uint64_t>(*inode)] = {pid, stat ? json_safe_text(stat->comm) : ""};
  }
}

std::string key_of(const SocketEntry& socket) {
  return socket.protocol + " " + socket.address + " " + std::to_string(socket.port);
}

}  // namespace

std::map<std::uint64_t, SocketOwner> find_socket_owners(const std::filesystem::path& proc,
                                                        std::set<std::uint64_t> wanted,
                                                        const std::vector<std::int64_t>& first) {
  std::map<std::uint64_t, SocketOwner> owners;
  for (const std::int64_t pid : first) {
    if (wanted.empty()) return owners;
    take_owned_sockets(proc, pid, wanted, owners);
  }
  if (wanted.empty()) return owners;
  const std::set<std::int64_t> done(first.begin(), first.end());
  for (const std::int64_t pid : all_pids(proc)) {
    if (wanted.empty()) break;
    if (!done.contains(pid)) take_owned_sockets(proc, pid, wanted, owners);
  }
  return owners;
}

Result<std::vector<SocketEntry>> parse_proc_net(std::string_view table, std::string_view protocol,
                                                bool ipv6) {
  std::vector<SocketEntry> sockets;
  const auto lines = split_lines(table);
  for (std::size_t i = 1; i < lines.size(); ++i) {  // line 0 is the column header
    const auto fields = split_fields(lines[i]);
    if (fields.empty()) continue;
    if (fields.size() < 10) return bad_row(protocol, ipv6, i + 1);
    const std::string_view local = fields[1];
    const std::string_view remote = fields[2];
    const std::size_t colon = local.find(':');
    const std::size_t remote_colon = remote.find(':');
    if (colon == std::string_view::npos || remote_colon == std::string_view::npos) {
      return bad_row(protocol, ipv6, i + 1);
    }
    const auto address = decode_address(local.substr(0, colon), ipv6);
    const auto port = parse_integer(local.substr(colon + 1), 16);
    const auto remote_address = decode_address(remote.substr(0, remote_colon), ipv6);
    const auto remote_port = parse_integer(remote.substr(remote_colon + 1), 16);
    const auto state = parse_integer(fields[3], 16);
    const auto uid = parse_integer(fields[7]);
    const auto inode = parse_integer(fields[9]);
    if (!address || !port || !remote_address || !remote_port || !state || !uid || !inode) {
      return bad_row(protocol, ipv6, i + 1);
    }
    sockets.push_back({std::string(protocol), *address, *port, static_cast<int>(*state), *uid,
                       static_cast<std::uint64_t>(*inode), *remote_address, *remote_port});
  }
  return sockets;
}

Result<boost::json::array> collect_listening(const SystemRoots& roots) {
  struct Table {
    std::string_view file;
    std::string_view protocol;
    bool ipv6;
    int state;
  };
  static constexpr Table kTables[] = {{"tcp", "tcp", false, kTcpListen},
                                      {"tcp6", "tcp", true, kTcpListen},
                                      {"udp", "udp", false, kUdpUnconnected},
                                      {"udp6", "udp", true, kUdpUnconnected}};
  std::vector<SocketEntry> bound;
  for (const Table& table : kTables) {
    auto text = read_file(roots.proc / "net" / table.file);
    if (!text) {
      if (table.ipv6 && text.error().code == ErrorCode::kNotFound) continue;  // IPv6 disabled
      return std::move(text).error();
    }
    SENTINEL_ASSIGN(sockets, parse_proc_net(*text, table.protocol, table.ipv6));
    for (SocketEntry& socket : sockets) {
      if (socket.state == table.state && socket.port != 0) bound.push_back(std::move(socket));
    }
  }

  std::set<std::uint64_t> inodes;
  for (const SocketEntry& socket : bound) {
    if (socket.inode != 0) inodes.insert(socket.inode);
  }
  const auto owners = find_socket_owners(roots.proc, std::move(inodes));
  const auto names = user_names(parse_passwd(read_optional(roots.etc / "passwd").value_or("")));

  // Several sockets can share an address and port (SO_REUSEPORT): one item, the lowest owner pid.
  std::map<std::string, boost::json::object> by_key;
  for (const SocketEntry& socket : bound) {
    const auto owner = owners.find(socket.inode);
    const auto user = names.find(socket.uid);
    boost::json::object item{
        {"protocol", socket.protocol},
        {"address", socket.address},
        {"port", socket.port},
        {"pid", owner == owners.end() ? boost::json::value(nullptr)
                                      : boost::json::value(owner->second.pid)},
        {"process", owner == owners.end() ? boost::json::value(nullptr)
                                          : boost::json::value(owner->second.process)},
        {"uid", socket.uid},
        {"user", user == names.end() ? std::to_string(socket.uid) : json_safe_text(user->second)},
    };
    auto [it, inserted] = by_key.try_emplace(key_of(socket), item);
    if (inserted || owner == owners.end()) continue;
    const boost::json::value& kept = it->second.at("pid");
    if (kept.is_null() || kept.as_int64() > owner->second.pid) it->second = std::move(item);
  }
  boost::json::array items;
  for (auto& [key, item] : by_key) items.emplace_back(std::move(item));
  return items;
}

}  // namespace sentinel::agent::inventory
