#pragma once
// The parsers the collectors are built from, exposed so that unit tests can feed them text.
// Each is a pure function of its input; none touches the system.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/inventory/system_roots.h"
#include "sentinel/common/result.h"

namespace sentinel::agent::inventory {

/// KEY=value pairs of an os-release file, quotes and backslash escapes removed.
std::map<std::string, std::string, std::less<>> parse_os_release(std::string_view text);

/// "btime" of /proc/stat: the boot time in Unix seconds.
std::optional<std::int64_t> parse_boot_time(std::string_view proc_stat);

/// One stanza of a dpkg status file, the fields that the inventory needs.
struct DpkgRecord {
  std::string package;
  std::string status;
  std::string version;
  std::string architecture;
};

/// Every stanza of a dpkg status (or updates) file, in file order.
std::vector<DpkgRecord> parse_dpkg_records(std::string_view text);

/// The installed packages ("Status: install ok installed") of a dpkg status file and its pending
/// update files (applied in order, each replacing the stanza of the same package and
/// architecture), as package items with source "dpkg", sorted by key.
boost::json::array dpkg_packages(std::string_view status,
                                 const std::vector<std::string>& updates = {});

/// Package items (source "rpm") from the output of `rpm -qa --qf` with kRpmQueryFormat.
boost::json::array parse_rpm_output(std::string_view output);

/// The query format given to rpm: "NAME\t[EPOCH:]VERSION-RELEASE\tARCH\n" per package.
inline constexpr std::string_view kRpmQueryFormat =
    "%{NAME}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\t%{ARCH}\\n";

/// One line of /proc/self/mounts that names a real filesystem.
struct MountEntry {
  std::string device;
  std::string mount_point;
  std::string fs_type;
};

/// The real filesystems of a mounts table: block devices and network filesystems, not pseudo
/// filesystems (proc, tmpfs, cgroup, ...) nor read-only images (squashfs); octal escapes decoded.
std::vector<MountEntry> parse_real_mounts(std::string_view mounts);

/// An address of an interface as getifaddrs reports it, in CIDR form ("10.0.0.2/24").
struct InterfaceAddress {
  std::string interface;
  std::string cidr;
};

/// Every interface address of the live system (getifaddrs), in CIDR form.
Result<std::vector<InterfaceAddress>> read_interface_addresses();

/// The interfaces of `roots.sys`/class/net (mac, mtu, up from its files) with the `addresses` of
/// the same name attached, sorted.
Result<boost::json::array> interfaces_from(const SystemRoots& roots,
                                           const std::vector<InterfaceAddress>& addresses);

/// One socket of /proc/net/{tcp,tcp6,udp,udp6}.
struct SocketEntry {
  std::string protocol;  // "tcp" or "udp"
  std::string address;   // inet_ntop form: "0.0.0.0", "::", "::ffff:127.0.0.1"
  std::int64_t port = 0;
  int state = 0;  // the kernel's TCP state number (0x0A listen, 0x07 close/unconnected)
  std::int64_t uid = 0;
  std::uint64_t inode = 0;
  std::string remote_address;  // the peer, same form; "0.0.0.0" or "::" when unconnected
  std::int64_t remote_port = 0;
};

/// The sockets of one /proc/net table; `protocol` is "tcp" or "udp", `ipv6` for the *6 tables.
/// kInvalidArgument naming the line for a malformed row.
Result<std::vector<SocketEntry>> parse_proc_net(std::string_view table, std::string_view protocol,
                                                bool ipv6);

/// The process holding a socket: its pid and command name (/proc/<pid>/stat).
struct SocketOwner {
  std::int64_t pid = 0;
  std::string process;
};

/// Socket inode -> a process holding it, found through the /proc/<pid>/fd links under `proc`:
/// the `first` pids are read first (in order), then every process by ascending pid, so that
/// without `first` the lowest pid wins. Stops once every wanted inode is found. Best effort:
/// unreadable fd directories (other users' without privileges) are skipped. Reads the system.
std::map<std::uint64_t, SocketOwner> find_socket_owners(
    const std::filesystem::path& proc, std::set<std::uint64_t> wanted,
    const std::vector<std::int64_t>& first = {});

/// One line of /etc/passwd.
struct PasswdEntry {
  std::string name;
  std::int64_t uid = 0;
  std::int64_t gid = 0;
  std::string home;
  std::string shell;
};

/// The entries of a passwd file; comments, blank lines, NIS lines ("+", "-") and lines of the
/// wrong shape are skipped, as the C library does.
std::vector<PasswdEntry> parse_passwd(std::string_view text);

/// One line of /etc/group.
struct GroupEntry {
  std::string name;
  std::int64_t gid = 0;
  std::vector<std::string> members;
};

/// The entries of a group file (skipping as parse_passwd does).
std::vector<GroupEntry> parse_group(std::string_view text);

/// uid -> user name, from a passwd file (the first entry wins, as getpwuid does).
std::map<std::int64_t, std::string> user_names(const std::vector<PasswdEntry>& users);

/// One login record of a utmp file.
struct UtmpSession {
  std::string user;
  std::string tty;
  std::string host;
  std::int64_t login_time = 0;
  std::int64_t pid = 0;
};

/// The USER_PROCESS records of a utmp file (the C library's struct utmp layout; a trailing
/// partial record is ignored).
std::vector<UtmpSession> parse_utmp(std::string_view bytes);

/// The fields of /proc/<pid>/stat after the command name.
struct ProcStat {
  std::string comm;
  std::int64_t ppid = 0;
  std::uint64_t flags = 0;
  std::uint64_t start_ticks = 0;  // since boot, in clock ticks
};

/// Parses /proc/<pid>/stat; the command name may hold spaces and parentheses.
std::optional<ProcStat> parse_proc_stat(std::string_view text);

/// The real uid from /proc/<pid>/status ("Uid:" line).
std::optional<std::int64_t> parse_status_uid(std::string_view text);

/// /proc/<pid>/cmdline (NUL-separated arguments) joined by spaces, cut at `max_bytes`.
std::string join_cmdline(std::string_view raw, std::size_t max_bytes = 4096);

}  // namespace sentinel::agent::inventory
