#include "agent/collectors/fim/directory_watches.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/collectors/fim/baseline.h"

namespace sentinel::agent::fim {
namespace {

constexpr std::uint32_t kMask = IN_CLOSE_WRITE | IN_ATTRIB | IN_CREATE | IN_DELETE | IN_MOVED_FROM |
                                IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR |
                                IN_DONT_FOLLOW;

}  // namespace

Result<std::unique_ptr<DirectoryWatches>> DirectoryWatches::open() {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    return unavailable(std::string("inotify_init1: ") + std::strerror(errno) +
                       " (fs.inotify.max_user_instances?)");
  }
  return std::unique_ptr<DirectoryWatches>(new DirectoryWatches(fd));
}

DirectoryWatches::~DirectoryWatches() { ::close(fd_); }

DirectoryWatches::Added DirectoryWatches::watch(const std::string& dir) {
  const int wd = ::inotify_add_watch(fd_, dir.c_str(), kMask);
  if (wd < 0) {
    if (errno == ENOSPC) return Added::kLimit;
    if (errno == ENOENT || errno == ENOTDIR) return Added::kGone;
    return Added::kFailed;
  }
  // The kernel returns the existing descriptor for a directory already watched: under another
  // name when it was moved without us seeing it, so the old name is dropped.
  if (const auto found = by_wd_.find(wd); found != by_wd_.end()) {
    if (found->second->first == dir) return Added::kWatched;
    by_path_.erase(found->second);
    by_wd_.erase(found);
  }
  if (const auto previous = by_path_.find(dir); previous != by_path_.end()) {
    by_wd_.erase(previous->second);  // the name now holds another directory
    by_path_.erase(previous);
  }
  by_wd_[wd] = by_path_.emplace(dir, wd).first;
  return Added::kWatched;
}

void DirectoryWatches::unwatch_below(const std::string& dir) {
  // Paths below `dir` sort in ["dir", "dir0"), mixed with siblings such as "dir-x".
  const std::string prefix = dir == "/" ? "/" : dir + "/";
  const std::string end = dir == "/" ? "0" : dir + "0";
  auto it = by_path_.lower_bound(dir);
  while (it != by_path_.end() && it->first < end) {
    if (it->first == dir || it->first.compare(0, prefix.size(), prefix) == 0) {
      ::inotify_rm_watch(fd_, it->second);
      by_wd_.erase(it->second);
      it = by_path_.erase(it);
    } else {
      ++it;
    }
  }
}

void DirectoryWatches::forget(int wd) {
  const auto found = by_wd_.find(wd);
  if (found == by_wd_.end()) return;
  by_path_.erase(found->second);
  by_wd_.erase(found);
}

Status DirectoryWatches::read(std::vector<Notification>& out) {
  alignas(struct inotify_event) char buffer[64 * 1024];
  for (;;) {
    const ssize_t size = ::read(fd_, buffer, sizeof buffer);
    if (size < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return ok();
      return internal_error(std::string("inotify read: ") + std::strerror(errno));
    }
    if (size == 0) return ok();
    for (std::size_t offset = 0; offset < static_cast<std::size_t>(size);) {
      const auto* event = reinterpret_cast<const struct inotify_event*>(buffer + offset);
      offset += sizeof(struct inotify_event) + event->len;
      if ((event->mask & IN_Q_OVERFLOW) != 0) {
        out.push_back({Notification::Kind::kOverflow, {}});
        continue;
      }
      const auto found = by_wd_.find(event->wd);
      if (found == by_wd_.end()) continue;  // a watch removed while its events were queued
      if ((event->mask & IN_IGNORED) != 0) {
        forget(event->wd);
        continue;
      }
      const std::string& dir = found->second->first;
      // The name is NUL-padded to `len`.
      const std::string path = event->len > 0 ? join_path(dir, std::string_view(event->name)) : dir;
      const bool is_directory = (event->mask & IN_ISDIR) != 0;
      if (is_directory && (event->mask & (IN_CREATE | IN_MOVED_TO)) != 0) {
        out.push_back({Notification::Kind::kDirectoryAppeared, path});
      } else if (is_directory && (event->mask & IN_MOVED_FROM) != 0) {
        unwatch_below(path);
        out.push_back({Notification::Kind::kPath, path});
      } else if ((event->mask & IN_MOVE_SELF) != 0) {
        const std::string self = dir;  // `dir` dies with the watch
        unwatch_below(self);
        out.push_back({Notification::Kind::kPath, self});
      } else {
        out.push_back({Notification::Kind::kPath, path});
      }
    }
  }
}

}  // namespace sentinel::agent::fim
