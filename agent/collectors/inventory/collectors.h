#pragma once
// The inventory collectors: one pure function per section that reads the system through
// SystemRoots and returns the section's items (fields in sentinel/inventory/sections.h);
// collect_section() in inventory.h sorts them by key and drops duplicates. They run in a forked,
// seccomp-confined child: they only read files and /proc, make no threads and log nothing. The
// exceptions: interfaces asks the kernel for addresses with getifaddrs (a netlink socket), disks
// calls statvfs, and packages runs `rpm -qa` when rpm exists. Not thread-safe with respect to the
// system changing underneath (a process may vanish between two reads: it is then skipped).

#include <boost/json/array.hpp>

#include "agent/collectors/inventory/system_roots.h"
#include "sentinel/common/result.h"

namespace sentinel::agent::inventory {

/// One item: hostname, os_name/os_version/os_id/os_pretty_name (os-release), kernel, arch,
/// cpu_model, cpu_cores (logical), memory_bytes, boot_time (Unix seconds).
Result<boost::json::array> collect_system(const SystemRoots& roots);

/// Network interfaces (/sys/class/net) with mac, mtu, up, and addresses as CIDR strings.
Result<boost::json::array> collect_interfaces(const SystemRoots& roots);

/// Mounted real filesystems (/proc/self/mounts) with total and free (available) bytes.
Result<boost::json::array> collect_disks(const SystemRoots& roots);

/// Installed packages: dpkg's status database (with its pending updates), then rpm's.
Result<boost::json::array> collect_packages(const SystemRoots& roots);

/// Running processes, kernel threads and the collector itself excluded.
Result<boost::json::array> collect_processes(const SystemRoots& roots);

/// TCP listeners and unconnected UDP sockets with their owner (pid and process when visible).
Result<boost::json::array> collect_listening(const SystemRoots& roots);

/// Local users (/etc/passwd) and groups (/etc/group).
Result<boost::json::array> collect_users(const SystemRoots& roots);
Result<boost::json::array> collect_groups(const SystemRoots& roots);

/// Logged-in sessions: USER_PROCESS records of the utmp file whose process is alive.
Result<boost::json::array> collect_sessions(const SystemRoots& roots);

}  // namespace sentinel::agent::inventory
