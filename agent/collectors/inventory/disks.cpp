// The "disks" section: the real filesystems of the mount table with their size (statvfs).

#include <sys/statvfs.h>

#include <algorithm>
#include <array>
#include <map>

#include "agent/collectors/inventory/collectors.h"
#include "agent/collectors/inventory/parsers.h"
#include "agent/collectors/inventory/system_files.h"

namespace sentinel::agent::inventory {
namespace {

// Filesystems without a block device that still hold user data.
constexpr std::array<std::string_view, 14> kDevicelessFilesystems = {
    "nfs", "nfs4",     "cifs",           "smb3",       "smbfs", "ceph",   "glusterfs",
    "9p",  "virtiofs", "fuse.glusterfs", "fuse.sshfs", "zfs",   "lustre", "gpfs"};

bool is_real(std::string_view device, std::string_view fs_type, std::string_view mount_point) {
  if (fs_type == "squashfs") return false;  // read-only images (snaps), always full
  if (device.starts_with("/")) return true;
  if (fs_type == "overlay") return mount_point == "/";  // a container's root
  return std::find(kDevicelessFilesystems.begin(), kDevicelessFilesystems.end(), fs_type) !=
         kDevicelessFilesystems.end();
}

}  // namespace

std::vector<MountEntry> parse_real_mounts(std::string_view mounts) {
  // A later mount on the same point hides the earlier one: the last entry wins.
  std::map<std::string, MountEntry> by_mount_point;
  std::vector<std::string> order;
  for (std::string_view line : split_lines(mounts)) {
    const auto fields = split_fields(line);
    if (fields.size() < 3) continue;
    MountEntry entry{unescape_octal(fields[0]), unescape_octal(fields[1]),
                     unescape_octal(fields[2])};
    if (!is_real(entry.device, entry.fs_type, entry.mount_point)) {
      by_mount_point.erase(entry.mount_point);
      continue;
    }
    if (!by_mount_point.contains(entry.mount_point)) order.push_back(entry.mount_point);
    by_mount_point[entry.mount_point] = std::move(entry);
  }
  std::vector<MountEntry> entries;
  for (const std::string& mount_point : order) {
    if (auto it = by_mount_point.find(mount_point); it != by_mount_point.end()) {
      entries.push_back(std::move(it->second));
      by_mount_point.erase(it);
    }
  }
  return entries;
}

Result<boost::json::array> collect_disks(const SystemRoots& roots) {
  SENTINEL_ASSIGN(mounts, read_file(roots.proc / "self" / "mounts"));
  boost::json::array items;
  for (const MountEntry& mount : parse_real_mounts(mounts)) {
    // Files bind-mounted into containers (/etc/hosts) are not disks.
    std::error_code error;
    if (!std::filesystem::is_directory(mount.mount_point, error)) continue;
    struct statvfs usage {};
    if (::statvfs(mount.mount_point.c_str(), &usage) != 0) continue;
    const auto bytes = [&](fsblkcnt_t blocks) {
      return static_cast<std::int64_t>(blocks) * static_cast<std::int64_t>(usage.f_frsize);
    };
    items.emplace_back(boost::json::object{
        {"mount_point", json_safe_text(mount.mount_point)},
        {"device", json_safe_text(mount.device)},
        {"fs_type", json_safe_text(mount.fs_type)},
        {"total_bytes", bytes(usage.f_blocks)},
        // What an unprivileged writer can still use, as df's "Avail".
        {"free_bytes", bytes(usage.f_bavail)},
    });
  }
  return items;
}

}  // namespace sentinel::agent::inventory
