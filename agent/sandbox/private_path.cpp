#include "agent/sandbox/private_path.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace sentinel::agent {
namespace {

Status check_owner(const std::string& path, const struct stat& info, std::string_view what) {
  const uid_t self = ::geteuid();
  if (info.st_uid == self || info.st_uid == 0) return ok();
  return permission_denied(fmt::format(
      "{} {} is owned by uid {}, not by this user (uid {}) or root, so that user could change "
      "it; fix: chown {} {}",
      what, path, info.st_uid, self, self, path));
}

}  // namespace

Status check_private_path(const std::string& path) {
  std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(path.c_str(), nullptr),
                                                       &std::free);
  if (!resolved) {
    if (errno == ENOENT) return not_found(fmt::format("{} does not exist", path));
    return permission_denied(fmt::format("cannot resolve {}: {}", path, std::strerror(errno)));
  }
  std::string current = resolved.get();
  struct stat info {};
  if (::stat(current.c_str(), &info) != 0) {
    return permission_denied(fmt::format("cannot stat {}: {}", current, std::strerror(errno)));
  }
  const bool directory = S_ISDIR(info.st_mode);
  const std::string_view what = directory ? "directory" : "file";
  SENTINEL_TRY(check_owner(current, info, what));
  if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return permission_denied(fmt::format("{} {} is {}-writable (mode {:04o}); fix: chmod {} {}",
                                         what, current,
                                         (info.st_mode & S_IWOTH) != 0 ? "world" : "group",
                                         info.st_mode & 07777, directory ? "700" : "600", current));
  }
  // Whoever can write a parent can replace what is below it (the sticky bit forbids renaming
  // and deleting others' entries, as in /tmp).
  while (current != "/") {
    const std::size_t slash = current.rfind('/');
    current = slash == 0 ? "/" : current.substr(0, slash);
    if (::stat(current.c_str(), &info) != 0) {
      return permission_denied(fmt::format("cannot stat {}: {}", current, std::strerror(errno)));
    }
    SENTINEL_TRY(check_owner(current, info, "parent directory"));
    if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (info.st_mode & S_ISVTX) == 0) {
      return permission_denied(fmt::format(
          "parent directory {} of {} is writable by others (mode {:04o}), who could replace "
          "it; fix: chmod go-w {} (or chmod +t {}), or move {} elsewhere",
          current, resolved.get(), info.st_mode & 07777, current, current, resolved.get()));
    }
  }
  return ok();
}

}  // namespace sentinel::agent
